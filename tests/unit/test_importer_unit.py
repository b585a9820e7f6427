"""The import pass against an in-memory work queue with DynamoDB's semantics (atomic conditional writes, shard
leases): exactly-once under concurrent passes, failure isolation, limits, batched writes, a busy shard, and a
write-back racing an import."""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from functions.core.changes import Work
from functions.core.errors import ConcurrentUpdate, ProviderFailed
from functions.core.external_tests import ProviderResults, ScoreStatus
from functions.core.models import ExternalAssignment, ExternalQuestion
from functions.core.services.external_imports import AssignmentImporter
from functions.core.services.import_pass import ImportPass, batch_size
from functions.data import keys

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
Key = tuple[str, str, int]
BATCH = batch_size(keys.WORK_QUEUE_SHARDS)  # a pass over every shard


@dataclass
class MemoryQueue:
    items: dict[Key, dict[str, Any]] = field(default_factory=dict)  # key -> {"a": model, "owner", "until"}
    lock: threading.Lock = field(default_factory=threading.Lock)
    leases: dict[int, tuple[str, datetime]] = field(default_factory=dict)  # shard -> (owner, until)
    batches: list[int] = field(default_factory=list)  # the size of each commit_each call

    def all_shards(self) -> list[int]:
        return list(range(keys.WORK_QUEUE_SHARDS))

    def take_shard(self, shard: int, owner: str, now: datetime, until: datetime) -> bool:
        with self.lock:
            held = self.leases.get(shard)
            if held and held[1] > now:
                return False
            self.leases[shard] = (owner, until)
            return True

    def release_shard(self, shard: int, owner: str, now: datetime) -> None:
        with self.lock:
            if self.leases.get(shard, ("", now))[0] == owner:
                del self.leases[shard]

    def commit_each(self, works: list[Work], owner: str, now: datetime) -> list[Exception | None]:
        """The importer's unit of work: each work's assignment (its first change), as DynamoDB would."""
        results: list[Exception | None] = []
        with self.lock:
            self.batches.append(len(works))
            for w in works:
                a, read = w.changes[0].after, w.changes[0].before  # type: ignore[union-attr]
                entry = self.items[(a.student_id, a.lesson_id, a.attempt)]
                shard = keys.work_queue_shard_number(a.student_id, a.lesson_id)
                lease = self.leases.get(shard)
                if (not lease or lease[0] != owner or lease[1] <= now or entry["a"].version != read.version
                        or (entry["until"] and entry["until"] > now)):
                    results.append(ConcurrentUpdate("changed"))
                    continue
                entry.update(a=a)
                results.append(None)
        return results

    def add(self, a: ExternalAssignment) -> None:
        self.items[(a.student_id, a.lesson_id, a.attempt)] = {"a": a, "owner": None, "until": None}

    def due(self, now: datetime, page_size: int = 100, shards: Any = None) -> Any:
        wanted = set(keys.work_queue_shards(shards))
        with self.lock:
            pending = [e["a"] for e in self.items.values()
                       if not e["a"].finalized and e["a"].parked_at is None and e["a"].next_try_at
                       and e["a"].next_try_at <= now
                       and keys.work_queue_shard(e["a"].student_id, e["a"].lesson_id) in wanted]
        yield from pending

    def get(self, s: str, lesson: str, attempt: int, *, consistent: bool = False
            ) -> ExternalAssignment | None:
        entry = self.items.get((s, lesson, attempt))
        return entry["a"] if entry else None

    def claim(self, a: ExternalAssignment, owner: str, now: datetime, until: datetime, *, due_only: bool
              ) -> ExternalAssignment | None:
        with self.lock:
            entry = self.items[(a.student_id, a.lesson_id, a.attempt)]
            current = entry["a"]
            if current.finalized or (entry["until"] and entry["until"] > now):
                return None
            if due_only and current.next_try_at and current.next_try_at > now:
                return None
            claimed = current.model_copy(update={"version": current.version + 1, "next_try_at": until})
            entry.update(a=claimed, owner=owner, until=until)
            return claimed

    def release(self, a: ExternalAssignment, owner: str) -> None:
        with self.lock:
            entry = self.items[(a.student_id, a.lesson_id, a.attempt)]
            if entry["owner"] == owner:
                entry.update(owner=None, until=None)


class Provider:
    name = "edulastic"

    def __init__(self, broken: set[str] | None = None, delay: float = 0.0) -> None:
        self.fetches: Counter[str] = Counter()
        self.broken, self.delay = broken or set(), delay
        self.lock = threading.Lock()

    def fetch_results(self, a: ExternalAssignment) -> ProviderResults:
        with self.lock:
            self.fetches[a.student_id] += 1
        time.sleep(self.delay)
        if a.student_id in self.broken:
            raise ProviderFailed("edulastic answered HTTP 500: broken")
        if a.student_id == "bug":
            raise RuntimeError("a bug in the adapter")
        return ProviderResults("GRADED", ScoreStatus.FULLY_GRADED,
                               [ExternalQuestion(id="q", index=0, answered=True, correct=True, score=1.0)])


def queue_of(n: int, *extra: str) -> MemoryQueue:
    queue = MemoryQueue()
    for sid in [f"s{i:03d}" for i in range(n)] + list(extra):
        queue.add(ExternalAssignment(
            student_id=sid, lesson_id="l", attempt=1, course_id="c", lesson_type="unit-test",
            tool_provider="edulastic", subject="Math", grade=2, student_email=f"{sid}@x.edu",
            assigned_at=NOW - timedelta(hours=1), assigned_by=sid, next_try_at=NOW - timedelta(minutes=1)))
    return queue


def make_pass(queue: MemoryQueue, provider: Provider, owner: str = "run", clock: datetime = NOW,
              max_failures: int = 10, **kw: Any) -> ImportPass:
    importer = AssignmentImporter(None, None, lambda name: provider, None,  # type: ignore[arg-type]
                                  clock=lambda: clock, max_failures=max_failures)
    return ImportPass(queue=queue, unit=queue, importer=importer, clock=lambda: clock, owner=owner, **kw)


def test_concurrent_passes_import_each_assignment_exactly_once():
    queue, provider = queue_of(60), Provider(delay=0.002)
    results: list[Any] = []
    threads = [threading.Thread(target=lambda o=o: results.append(make_pass(queue, provider, o).run()))
               for o in ("a", "b", "c")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r.finalized for r in results) == 60 and sum(r.tried for r in results) == 60
    assert set(provider.fetches.values()) == {1}
    assert all(e["a"].finalized and e["owner"] is None for e in queue.items.values())


def test_failures_stay_with_their_assignment():
    queue, provider = queue_of(5, "broken", "bug"), Provider(broken={"broken"})
    counts = make_pass(queue, provider).run()
    assert (counts.found, counts.finalized, counts.failed) == (7, 5, 2)
    assert sorted(e.split(":")[0] for e in counts.errors) == ["broken/l#1", "bug/l#1"]
    broken = queue.items[("broken", "l", 1)]
    assert broken["a"].failures == 1 and broken["owner"] is None  # recorded, backed off, lease dropped
    assert broken["a"].next_try_at == NOW + timedelta(minutes=5)
    bug = queue.items[("bug", "l", 1)]  # a bug in the adapter is recorded like a provider's failure
    assert bug["owner"] is None and bug["a"].failures == 1 and "a bug in the adapter" in bug["a"].last_error
    assert bug["a"].next_try_at == NOW + timedelta(minutes=5)


def test_a_failure_that_never_clears_is_backed_off_then_parked_out_of_the_queue():
    queue, provider = queue_of(2, "broken"), Provider(broken={"broken"})
    now, tries, parked = NOW, [], []
    for _ in range(40):  # passes every 5 minutes, 200 minutes in all ... then a day later
        counts = make_pass(queue, provider, clock=now, max_failures=4).run()
        tries.append(provider.fetches["broken"])
        parked += counts.parked_list
        now += timedelta(minutes=5)
    broken = queue.items[("broken", "l", 1)]["a"]
    assert broken.failures == 4 and broken.parked_at is not None and broken.next_try_at is None
    assert provider.fetches["broken"] == 4  # tried at 0, +5, +15, +35 min (backoff 5, 10, 20), then parked
    assert tries.index(4) == 7 and parked == ["broken/l#1: edulastic answered HTTP 500: broken"]
    assert not list(queue.due(now + timedelta(days=1)))  # out of the work queue: no pass sees it again


def test_an_outcome_the_store_refuses_is_recorded_as_a_failure_and_a_store_down_is_not():
    from functions.core.errors import TooLarge, Unavailable

    class Refusing(MemoryQueue):
        def commit_each(self, works: list[Work], owner: str, now: datetime) -> list[Exception | None]:
            student = lambda w: w.changes[0].after.student_id  # noqa: E731
            refused = {student(w) for w in works if w.changes[0].after.questions} & {"huge", "busy"}  # type: ignore[union-attr]
            if refused:
                results = super().commit_each([w for w in works if student(w) not in refused], owner, now)
                return [TooLarge("too large for an item") if student(w) == "huge"
                        else Unavailable("throttled") if student(w) == "busy" else results.pop(0)
                        for w in works]
            return super().commit_each(works, owner, now)

    queue = Refusing()
    queue.items = queue_of(3, "huge", "busy").items
    counts = make_pass(queue, Provider()).run()
    assert (counts.finalized, counts.failed, counts.parked) == (3, 2, 0)
    huge = queue.items[("huge", "l", 1)]["a"]
    assert huge.failures == 1 and huge.last_error == "the results could not be stored: too large for an item"
    assert huge.next_try_at == NOW + timedelta(minutes=5) and not huge.finalized
    busy = queue.items[("busy", "l", 1)]["a"]
    assert busy.failures == 0 and busy.version == 1  # the store's trouble, not the assignment's: due again
    assert queue.batches == [3, 1]  # the 3 written, then one more write for the batch's failure record


def test_limit_and_time_budget():
    assert make_pass(queue_of(10), Provider(), limit=4).run().found == 4
    assert make_pass(queue_of(10), Provider(), time_left=lambda: 10.0, margin=30).run().found == 0


def test_a_write_back_during_the_import_wins_and_the_assignment_comes_back():
    queue = queue_of(1)

    class Racing(Provider):
        def fetch_results(self, a: ExternalAssignment) -> ProviderResults:
            entry = queue.items[(a.student_id, a.lesson_id, a.attempt)]
            entry["a"] = entry["a"].model_copy(update={"version": entry["a"].version + 1})  # a write-back
            return super().fetch_results(a)

    counts = make_pass(queue, Racing()).run()
    assert (counts.skipped, counts.finalized) == (1, 0)
    assert queue.items[("s000", "l", 1)]["owner"] is None  # released: the next pass imports it


def test_provider_calls_stay_within_the_concurrency_while_batches_are_written_beside_them():
    """A thread writing a batch holds no provider slot: the provider sees at most ``concurrency`` calls at
    once, and reaches that bound while a slow batch write is under way."""

    class Counting(Provider):
        def __init__(self) -> None:
            super().__init__(delay=0.01)
            self.now_running = self.most = 0

        def fetch_results(self, a: ExternalAssignment) -> ProviderResults:
            with self.lock:
                self.now_running += 1
                self.most = max(self.most, self.now_running)
            try:
                return super().fetch_results(a)
            finally:
                with self.lock:
                    self.now_running -= 1

    provider = Counting()
    fetching_while_writing = []

    class SlowWrites(MemoryQueue):
        def commit_each(self, *args: Any, **kw: Any) -> list[Exception | None]:
            time.sleep(0.05)  # DynamoDB's latency, outside any provider slot
            fetching_while_writing.append(provider.now_running)
            return super().commit_each(*args, **kw)

    queue = SlowWrites()
    queue.items = queue_of(3 * BATCH).items
    counts = make_pass(queue, provider, concurrency=4).run()
    assert counts.finalized == 3 * BATCH and set(provider.fetches.values()) == {1}
    assert provider.most == 4
    # With one thread per provider slot, no fetch could run while a slot's thread wrote its batch.
    assert max(fetching_while_writing) == 4


def test_outcomes_are_written_a_batch_at_a_time():
    queue = queue_of(2 * BATCH + 5)
    counts = make_pass(queue, Provider()).run()
    assert counts.finalized == 2 * BATCH + 5
    assert sorted(queue.batches, reverse=True)[:2] == [BATCH, BATCH] and sum(queue.batches) == 2 * BATCH + 5
    assert queue.leases == {}  # every shard lease taken is given back


def test_a_shard_another_pass_holds_is_left_to_it():
    queue, provider = queue_of(40), Provider()
    held = keys.work_queue_shard_number("s000", "l")
    queue.leases[held] = ("other-pass", NOW + timedelta(minutes=5))
    counts = make_pass(queue, provider).run()
    in_held = [sid for (sid, _, _) in queue.items if keys.work_queue_shard_number(sid, "l") == held]
    assert counts.busy == [held] and counts.finalized == 40 - len(in_held)
    assert not any(provider.fetches[sid] for sid in in_held)
    assert not any(queue.items[(sid, "l", 1)]["a"].finalized for sid in in_held)
    assert queue.leases == {held: ("other-pass", NOW + timedelta(minutes=5))}  # not ours to release
    queue.leases.clear()  # its pass ended: the next one takes the shard
    assert make_pass(queue, provider).run().finalized == len(in_held)


def test_a_batch_the_store_refuses_fails_its_outcomes_and_they_stay_due():
    class Down(MemoryQueue):
        def commit_each(self, *args: Any, **kw: Any) -> list[Exception | None]:
            raise RuntimeError("the store is down")

    queue = Down()
    queue.items = queue_of(5).items
    counts = make_pass(queue, Provider()).run()
    assert (counts.failed, counts.finalized) == (5, 0)
    assert counts.errors[0].endswith("RuntimeError: the store is down")
    assert not any(e["a"].finalized for e in queue.items.values()) and queue.leases == {}


def test_a_crashed_pass_gives_its_shard_leases_back():
    class Crash(BaseException):
        pass

    class Crashing(Provider):
        def fetch_results(self, a: ExternalAssignment) -> ProviderResults:
            raise Crash()

    queue = queue_of(5)
    with pytest.raises(Crash):
        make_pass(queue, Crashing()).run()
    assert queue.leases == {}


def test_every_shard_is_fed_at_once():
    """One feeder per shard: a shard whose queue pages are slow to read does not hold back the other shards."""
    every_shard_reading = threading.Barrier(keys.WORK_QUEUE_SHARDS, timeout=5)

    class Gated(MemoryQueue):
        def due(self, now: datetime, page_size: int = 100, shards: Any = None) -> Any:
            every_shard_reading.wait()  # breaks (and fails the pass) unless all shards are read at once
            yield from super().due(now, page_size, shards)

    queue = Gated(items=queue_of(40).items)
    counts = make_pass(queue, Provider()).run()
    assert (counts.found, counts.finalized) == (40, 40)


def test_a_shard_whose_queue_cannot_be_read_fails_the_pass_and_every_lease_is_given_back():
    class Broken(MemoryQueue):
        def due(self, now: datetime, page_size: int = 100, shards: Any = None) -> Any:
            yield from super().due(now, page_size, shards)
            if shards == [2]:
                raise RuntimeError("the index is down")

    queue = Broken(items=queue_of(40).items)
    with pytest.raises(RuntimeError, match="the index is down"):
        make_pass(queue, Provider(delay=0.01)).run()
    assert queue.leases == {}


def test_a_batch_holds_as_many_outcomes_as_fit_next_to_a_lease_check_per_shard_served():
    assert (batch_size(keys.WORK_QUEUE_SHARDS), batch_size(1)) == (32, 33)  # 32 x 3 + 4 = 33 x 3 + 1 = 100
    shard = keys.work_queue_shard_number("s000", "l")
    queue = queue_of(200)
    mine = sum(keys.work_queue_shard_number(sid, "l") == shard for (sid, _, _) in queue.items)
    counts = make_pass(queue, Provider(), shards=[shard]).run()
    assert counts.finalized == mine and mine > 33
    assert max(queue.batches) == 33 and sum(queue.batches) == mine
