"""The scheduled importer's pass over the work queue: every shard, or the numbered ones.

Exactly-once without a claim per assignment: before it imports anything of a shard, a pass takes that shard's
lease (one conditional write); a pass that finds it held leaves the shard alone. The queue answers from the
table itself (a consistent re-read of each index page), so an assignment another pass just imported is not
asked for again. At most ``concurrency`` provider calls run at once, and the outcomes (each one unit of work
with its own audit event) are written ``batch_size`` at a time: a few transactions per pass instead of a claim
and a write per assignment (docs/performance.md, the importer). Each outcome is still all-or-nothing, and
written only if its assignment is still at the version read and the pass still holds the shard: a write-back or
a console import meanwhile wins.

A pass that dies writes nothing more: its assignments stay due, and its leases end when its time would have.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

from functions.core import changes
from functions.core.errors import ConcurrentUpdate, Unavailable
from functions.core.models import ExternalAssignment
from functions.core.services.external_imports import AssignmentImporter, Clock, Prepared
from functions.core.services.external_ports import OutcomeUnit, WorkQueue

LEASE_SLACK = timedelta(seconds=30)  # a shard lease outlives the invocation's time left by this much


@dataclass
class PassCounts:
    found: int = 0  # due entries read from the queue
    tried: int = 0  # imported (successfully or not) and written
    imported: int = 0  # results written (finalized or not)
    finalized: int = 0
    unchanged: int = 0  # nothing new at the provider
    failed: int = 0  # failures: recorded on the assignment and backed off (or parked), unless the store was down
    parked: int = 0  # of them, the ones that failed for the last time: parked for an operator
    skipped: int = 0  # it changed under us (a write-back, a console import), or our lease ended
    busy: list[int] = field(default_factory=list)  # shards another pass holds: left to it
    errors: list[str] = field(default_factory=list)  # the first few, for the log
    parked_list: list[str] = field(default_factory=list)  # what was parked and why (at most 100): for an operator

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items()}


@dataclass
class _Feed:
    """What the pass's feeders (one per shard) share."""

    futures: list[Future[None]] = field(default_factory=list)
    held: list[int] = field(default_factory=list)  # shards whose lease this pass holds
    seen: set[tuple[str, str, int]] = field(default_factory=set)
    stop: threading.Event = field(default_factory=threading.Event)  # the limit or the time is used up
    lock: threading.Lock = field(default_factory=threading.Lock)


def batch_size(shards: int) -> int:
    """Outcomes per write: as many as one transaction holds next to a lease check per shard the pass serves
    (every shard: 32)."""
    return changes.fit(changes.IMPORTED_OUTCOME_ITEMS, fixed=shards)


def what(a: ExternalAssignment) -> str:
    return f"{a.student_id}/{a.lesson_id}#{a.attempt}"


@dataclass
class OutcomeWriter:
    """Collects prepared outcomes from the pass's threads and writes them ``batch`` at a time (the thread
    that fills a batch writes it; ``flush`` writes the rest), each outcome one unit of work. ``results`` holds
    (outcome, error) per write. An outcome the store refuses for itself (too large for an item) is replaced by
    a failure recorded on its assignment (``fail``), written in one more transaction for the batch."""

    unit: OutcomeUnit
    owner: str
    clock: Clock
    batch: int
    fail: Callable[[ExternalAssignment, str], Prepared] | None = None
    results: list[tuple[str, str | None]] = field(default_factory=list)
    _pending: list[Prepared] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, done: Prepared) -> None:
        with self._lock:
            self._pending.append(done)
            batch = self._take() if len(self._pending) >= self.batch else []
        self._write(batch)

    def record(self, outcome: str, error: str | None) -> None:
        """An outcome with nothing to write (an unexpected error before the provider answered)."""
        with self._lock:
            self.results.append((outcome, error))

    def flush(self) -> None:
        with self._lock:
            batch = self._take()
        self._write(batch)

    def _take(self) -> list[Prepared]:
        batch, self._pending = self._pending, []
        return batch

    def _write(self, batch: list[Prepared]) -> None:
        if not batch:
            return
        errors = self._save(batch)
        refused = [k for k, error in enumerate(errors) if _refused(error)]
        if refused and self.fail is not None:
            failures = [self.fail(batch[k].before, f"the results could not be stored: {errors[k]}")
                        for k in refused]
            for k, done, error in zip(refused, failures, self._save(failures), strict=True):
                if error is None:
                    batch[k], errors[k] = done, None
        with self._lock:
            self.results.extend(_result(done, error) for done, error in zip(batch, errors, strict=True))

    def _save(self, batch: list[Prepared]) -> list[Exception | None]:
        now = self.clock()
        try:  # each written only if nobody wrote it since it was read and no console import holds it now
            return list(self.unit.commit_each([d.work(unleased_at=now) for d in batch], self.owner, now))
        except Exception as error:  # nothing was written: every outcome of the batch waits for the next pass
            return [_StoreDown(error)] * len(batch)


class _StoreDown(Exception):
    """The whole write failed (not one outcome's fault): its outcomes stay due, nothing is counted on them."""

    def __init__(self, cause: Exception) -> None:
        super().__init__(f"{type(cause).__name__}: {cause}")


def _refused(error: Exception | None) -> bool:
    """The store refused this outcome itself: a failure of its assignment, not a lost race or a store down."""
    return error is not None and not isinstance(error, ConcurrentUpdate | Unavailable | _StoreDown)


def _result(done: Prepared, error: Exception | None) -> tuple[str, str | None]:
    if error is None:
        return done.outcome, f"{what(done.after)}: {done.error.message}" if done.error else None
    if isinstance(error, ConcurrentUpdate):
        return "skipped", None
    if isinstance(error, _StoreDown):
        return "failed", f"{what(done.after)}: {error}"
    return "failed", f"{what(done.after)}: {type(error).__name__}: {error}"


@dataclass
class ImportPass:
    queue: WorkQueue
    unit: OutcomeUnit  # where the outcomes are written (its audit events name the importer)
    importer: AssignmentImporter
    clock: Clock
    owner: str
    concurrency: int = 16  # provider calls at once
    workers: int = 0  # threads (0: 3 x concurrency): the batch writes run beside the provider calls
    lease: timedelta = timedelta(minutes=6)  # a shard's lease when the time left is unknown (Lambda: <= 5 min)
    limit: int = 2000  # assignments per pass; the rest wait for the next one
    time_left: Callable[[], float] | None = None  # seconds; no new work is started below ``margin``
    margin: float = 30.0
    horizon: timedelta = timedelta(0)  # > 0: also what falls due within it (an operator's "import all now")
    shards: Sequence[int] | None = None  # the work-queue shards this pass serves (None: all of them)

    def run(self) -> PassCounts:
        counts = PassCounts()
        # A provider slot is held only for the provider call: threads writing a batch do not keep a provider
        # call from starting, so the provider sees `concurrency` calls at once the whole pass long.
        importer = replace(self.importer, provider_slots=threading.BoundedSemaphore(self.concurrency))
        shards = list(self.shards if self.shards is not None else self.queue.all_shards())
        writer = OutcomeWriter(self.unit, self.owner, self.clock, batch_size(len(shards)), importer.failure)
        feed = _Feed()
        try:
            with ThreadPoolExecutor(max_workers=self.workers or 3 * self.concurrency,
                                    thread_name_prefix="import") as pool:
                try:
                    # One feeder per shard: each reads its queue pages while the others' work runs (one feeder
                    # reading shard after shard left provider slots idle at every shard's first pages).
                    with ThreadPoolExecutor(max_workers=max(1, len(shards)), thread_name_prefix="feed") as feeders:
                        for started in [feeders.submit(self._feed, shard, importer, writer, pool, feed, counts)
                                        for shard in shards]:
                            started.result()
                    for future in feed.futures:
                        future.result()
                except BaseException:
                    feed.stop.set()
                    pool.shutdown(cancel_futures=True)  # a pass that fails starts nothing more
                    raise
            writer.flush()
        finally:
            for shard in feed.held:
                self.queue.release_shard(shard, self.owner, self.clock())
        counts.busy.sort()
        return _tally(counts, writer.results)

    def _feed(self, shard: int, importer: AssignmentImporter, writer: OutcomeWriter, pool: ThreadPoolExecutor,
              feed: _Feed, counts: PassCounts) -> None:
        """Hand one shard's due assignments to the pool, taking its lease on the first one, until the pass's
        limit or time is used up (then every feeder stops)."""
        start = self.clock()
        try:
            for due in self.queue.due(start + self.horizon, shards=[shard]):
                if feed.stop.is_set() or (self.time_left and self.time_left() < self.margin):
                    feed.stop.set()
                    return
                if shard not in feed.held:
                    if not self.queue.take_shard(shard, self.owner, start, start + self._lease_length()):
                        counts.busy.append(shard)
                        return
                    feed.held.append(shard)
                key = (due.student_id, due.lesson_id, due.attempt)
                with feed.lock:
                    if key in feed.seen:  # written meanwhile and due again within the horizon: the next pass
                        continue
                    if counts.found >= self.limit:
                        feed.stop.set()
                        return
                    feed.seen.add(key)
                    counts.found += 1
                    feed.futures.append(pool.submit(self._one, importer, writer, due))
        except BaseException:
            feed.stop.set()
            raise

    def _lease_length(self) -> timedelta:
        return timedelta(seconds=self.time_left()) + LEASE_SLACK if self.time_left else self.lease

    @staticmethod
    def _one(importer: AssignmentImporter, writer: OutcomeWriter, due: ExternalAssignment) -> None:
        """Ask the provider and queue the outcome; any failure stays with this one assignment."""
        try:
            done = importer.prepare(due)
        except Exception as error:  # a bug in an adapter: recorded on the assignment like a provider's failure
            try:
                done = importer.failure(due, f"{type(error).__name__}: {error}")
            except Exception:
                writer.record("failed", f"{what(due)}: {type(error).__name__}: {error}")
                return
        writer.add(done)


def _tally(counts: PassCounts, results: list[tuple[str, str | None]]) -> PassCounts:
    outcomes = Counter(outcome for outcome, _ in results)
    counts.errors = [error for _, error in results if error][:10]
    counts.parked_list = [error or "" for outcome, error in results if outcome == "parked"][:100]
    counts.finalized, counts.unchanged = outcomes["finalized"], outcomes["unchanged"]
    counts.imported = outcomes["imported"] + counts.finalized
    counts.parked = outcomes["parked"]
    counts.failed, counts.skipped = outcomes["failed"] + counts.parked, outcomes["skipped"]
    counts.tried = counts.imported + counts.unchanged + counts.failed
    return counts

