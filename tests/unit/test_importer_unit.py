"""The import pass on the in-memory work queue and unit of work (tests/memory.py: DynamoDB's conditional writes,
assignment and shard leases): exactly-once under concurrent passes, failure isolation, limits, batched writes, a
busy shard, and a write-back racing an import."""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from functions.core.errors import ProviderFailed
from functions.core.external_tests import ProviderResults, ScoreStatus
from functions.core.models import ExternalAssignment, ExternalQuestion
from functions.core.rights import Principal
from functions.core.services.external_imports import AssignmentImporter
from functions.core.services.import_pass import ImportPass, batch_size
from functions.data import keys
from tests.memory import Memory
from tests.memory_unit import MemoryUnitOfWork
from tests.memory_views import WorkQueue

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
Key = tuple[str, str, int]
BATCH = batch_size(keys.WORK_QUEUE_SHARDS)  # a pass over every shard
IMPORTER = Principal("system", "external-test-import")


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


def queue_of(n: int, *extra: str) -> Memory:
    memory = Memory()
    for sid in [f"s{i:03d}" for i in range(n)] + list(extra):
        memory.assignment(ExternalAssignment(
            student_id=sid, lesson_id="l", attempt=1, course_id="c", lesson_type="unit-test",
            tool_provider="edulastic", subject="Math", grade=2, student_email=f"{sid}@x.edu",
            assigned_at=NOW - timedelta(hours=1), assigned_by=sid, next_try_at=NOW - timedelta(minutes=1)))
    return memory


def stored(memory: Memory, sid: str) -> ExternalAssignment:
    return memory.assignments()[f"{sid}/l/1"]


def make_pass(memory: Memory, provider: Provider, owner: str = "run", clock: datetime = NOW,
              max_failures: int = 10, *, queue: WorkQueue | None = None, unit: MemoryUnitOfWork | None = None,
              **kw: Any) -> ImportPass:
    importer = AssignmentImporter(None, None, lambda name: provider, None,  # type: ignore[arg-type]
                                  clock=lambda: clock, max_failures=max_failures)
    return ImportPass(queue=queue or WorkQueue(memory), unit=unit or memory.unit(IMPORTER, clock),
                      importer=importer, clock=lambda: clock, owner=owner, **kw)


def test_concurrent_passes_import_each_assignment_exactly_once():
    memory, provider = queue_of(60), Provider(delay=0.002)
    results: list[Any] = []
    threads = [threading.Thread(target=lambda o=o: results.append(make_pass(memory, provider, o).run()))
               for o in ("a", "b", "c")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r.finalized for r in results) == 60 and sum(r.tried for r in results) == 60
    assert set(provider.fetches.values()) == {1}
    assert all(a.finalized for a in memory.assignments().values())
    assert memory.assignment_leases == {} and memory.shard_leases == {}
    assert len(memory.events) == 60 and {e.action for e in memory.events} == {"external-test.import"}


def test_failures_stay_with_their_assignment():
    memory, provider = queue_of(5, "broken", "bug"), Provider(broken={"broken"})
    counts = make_pass(memory, provider).run()
    assert (counts.found, counts.finalized, counts.failed) == (7, 5, 2)
    assert sorted(e.split(":")[0] for e in counts.errors) == ["broken/l#1", "bug/l#1"]
    broken = stored(memory, "broken")
    assert broken.failures == 1 and memory.assignment_leases == {}  # recorded, backed off, no lease held
    assert broken.next_try_at == NOW + timedelta(minutes=5)
    bug = stored(memory, "bug")  # a bug in the adapter is recorded like a provider's failure
    assert bug.failures == 1 and "a bug in the adapter" in bug.last_error
    assert bug.next_try_at == NOW + timedelta(minutes=5)


def test_a_failure_that_never_clears_is_backed_off_then_parked_out_of_the_queue():
    memory, provider = queue_of(2, "broken"), Provider(broken={"broken"})
    now, tries, parked = NOW, [], []
    for _ in range(40):  # passes every 5 minutes, 200 minutes in all ... then a day later
        counts = make_pass(memory, provider, clock=now, max_failures=4).run()
        tries.append(provider.fetches["broken"])
        parked += counts.parked_list
        now += timedelta(minutes=5)
    broken = stored(memory, "broken")
    assert broken.failures == 4 and broken.parked_at is not None and broken.next_try_at is None
    assert provider.fetches["broken"] == 4  # tried at 0, +5, +15, +35 min (backoff 5, 10, 20), then parked
    assert tries.index(4) == 7 and parked == ["broken/l#1: edulastic answered HTTP 500: broken"]
    assert not list(WorkQueue(memory).due(now + timedelta(days=1)))  # out of the work queue: no pass sees it again


def test_an_outcome_the_store_refuses_is_recorded_as_a_failure_and_a_store_down_is_not():
    from functions.core.errors import Unavailable

    class Huge(Provider):
        """Results too large for one DynamoDB item (its writer refuses them: data/external_tests.py)."""

        def fetch_results(self, a: ExternalAssignment) -> ProviderResults:
            found = super().fetch_results(a)
            if a.student_id != "huge":
                return found
            return ProviderResults("GRADED", ScoreStatus.FULLY_GRADED, [
                ExternalQuestion(id=f"q{n}", index=n, answered=True, correct=True, score=1.0, feedback="x" * 500)
                for n in range(1000)])

    memory = queue_of(3, "huge", "busy")
    memory.fails = lambda work: (Unavailable("throttled") if "busy/l/1" in {getattr(c, "ref", "") for c in work.changes}
                                 and work.changes[0].after.questions else None)  # type: ignore[union-attr]
    counts = make_pass(memory, Huge()).run()
    assert (counts.finalized, counts.failed, counts.parked) == (3, 2, 0)
    huge = stored(memory, "huge")
    assert huge.failures == 1 and huge.last_error.startswith(
        "the results could not be stored: the imported results would make the assignment ")
    assert huge.next_try_at == NOW + timedelta(minutes=5) and not huge.finalized
    busy = stored(memory, "busy")
    assert busy.failures == 0 and busy.version == 1  # the store's trouble, not the assignment's: due again
    assert memory.batches == [5, 1]  # the batch, then one more write for the refused outcome's failure record
    assert len(memory.events) == 4  # 3 imported, the failure recorded; nothing for the throttled one


def test_limit_and_time_budget():
    assert make_pass(queue_of(10), Provider(), limit=4).run().found == 4
    assert make_pass(queue_of(10), Provider(), time_left=lambda: 10.0, margin=30).run().found == 0


def test_a_write_back_during_the_import_wins_and_the_assignment_comes_back():
    memory = queue_of(1)

    class Racing(Provider):
        def fetch_results(self, a: ExternalAssignment) -> ProviderResults:
            current = stored(memory, a.student_id)
            memory.assignment(current.model_copy(update={"version": current.version + 1}))  # a write-back
            return super().fetch_results(a)

    counts = make_pass(memory, Racing()).run()
    assert (counts.skipped, counts.finalized) == (1, 0)
    assert stored(memory, "s000").version == 2 and not stored(memory, "s000").finalized  # the write-back's
    assert memory.conflicts == 1 and memory.events == []
    assert memory.assignment_leases == {} and memory.shard_leases == {}  # the next pass imports it


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

    class SlowWrites(MemoryUnitOfWork):
        """The in-memory unit of work with DynamoDB's latency, noting the provider calls running meanwhile."""

        def commit_each(self, *args: Any, **kw: Any) -> list[Exception | None]:
            time.sleep(0.05)  # DynamoDB's latency, outside any provider slot
            fetching_while_writing.append(provider.now_running)
            return super().commit_each(*args, **kw)

    memory = queue_of(3 * BATCH)
    counts = make_pass(memory, provider, concurrency=4, unit=SlowWrites(memory, IMPORTER, NOW)).run()
    assert counts.finalized == 3 * BATCH and set(provider.fetches.values()) == {1}
    assert provider.most == 4
    # With one thread per provider slot, no fetch could run while a slot's thread wrote its batch.
    assert max(fetching_while_writing) == 4


def test_outcomes_are_written_a_batch_at_a_time():
    memory = queue_of(2 * BATCH + 5)
    counts = make_pass(memory, Provider()).run()
    assert counts.finalized == 2 * BATCH + 5
    assert sorted(memory.batches, reverse=True)[:2] == [BATCH, BATCH] and sum(memory.batches) == 2 * BATCH + 5
    assert memory.shard_leases == {}  # every shard lease taken is given back


def test_a_shard_another_pass_holds_is_left_to_it():
    memory, provider = queue_of(40), Provider()
    held = keys.work_queue_shard_number("s000", "l")
    memory.shard_leases[held] = ("other-pass", NOW + timedelta(minutes=5))
    counts = make_pass(memory, provider).run()
    in_held = [a.student_id for a in memory.assignments().values()
               if keys.work_queue_shard_number(a.student_id, "l") == held]
    assert counts.busy == [held] and counts.finalized == 40 - len(in_held)
    assert not any(provider.fetches[sid] for sid in in_held)
    assert not any(stored(memory, sid).finalized for sid in in_held)
    assert memory.shard_leases == {held: ("other-pass", NOW + timedelta(minutes=5))}  # not ours to release
    memory.shard_leases.clear()  # its pass ended: the next one takes the shard
    assert make_pass(memory, provider).run().finalized == len(in_held)


def test_an_outcome_written_after_the_pass_lost_its_shard_lease_is_refused():
    memory, provider = queue_of(1), Provider()
    shard = keys.work_queue_shard_number("s000", "l")

    class Overtaken(Provider):
        def fetch_results(self, a: ExternalAssignment) -> ProviderResults:
            memory.shard_leases[shard] = ("other-pass", NOW + timedelta(minutes=5))  # our lease ran out meanwhile
            return provider.fetch_results(a)

    counts = make_pass(memory, Overtaken()).run()
    assert (counts.skipped, counts.finalized) == (1, 0) and not stored(memory, "s000").finalized
    assert memory.events == [] and memory.shard_leases == {shard: ("other-pass", NOW + timedelta(minutes=5))}


def test_a_batch_the_store_refuses_fails_its_outcomes_and_they_stay_due():
    memory = queue_of(5)
    memory.down = RuntimeError("the store is down")
    counts = make_pass(memory, Provider()).run()
    assert (counts.failed, counts.finalized) == (5, 0)
    assert counts.errors[0].endswith("RuntimeError: the store is down")
    assert not any(a.finalized for a in memory.assignments().values()) and memory.shard_leases == {}
    assert len(list(WorkQueue(memory).due(NOW))) == 5


def test_a_crashed_pass_gives_its_shard_leases_back():
    class Crash(BaseException):
        pass

    class Crashing(Provider):
        def fetch_results(self, a: ExternalAssignment) -> ProviderResults:
            raise Crash()

    memory = queue_of(5)
    with pytest.raises(Crash):
        make_pass(memory, Crashing()).run()
    assert memory.shard_leases == {}


def test_every_shard_is_fed_at_once():
    """One feeder per shard: a shard whose queue pages are slow to read does not hold back the other shards."""
    every_shard_reading = threading.Barrier(keys.WORK_QUEUE_SHARDS, timeout=5)

    class Gated(WorkQueue):
        """The in-memory queue, each shard's first page read only once every shard's is being read."""

        def due(self, now: datetime, page_size: int = 100, shards: Any = None) -> Any:
            every_shard_reading.wait()  # breaks (and fails the pass) unless all shards are read at once
            yield from super().due(now, page_size, shards)

    memory = queue_of(40)
    counts = make_pass(memory, Provider(), queue=Gated(memory)).run()
    assert (counts.found, counts.finalized) == (40, 40)


def test_a_shard_whose_queue_cannot_be_read_fails_the_pass_and_every_lease_is_given_back():
    class Broken(WorkQueue):
        """The in-memory queue, whose index fails after shard 2's pages."""

        def due(self, now: datetime, page_size: int = 100, shards: Any = None) -> Any:
            yield from super().due(now, page_size, shards)
            if shards == [2]:
                raise RuntimeError("the index is down")

    memory = queue_of(40)
    with pytest.raises(RuntimeError, match="the index is down"):
        make_pass(memory, Provider(delay=0.01), queue=Broken(memory)).run()
    assert memory.shard_leases == {}


def test_a_batch_holds_as_many_outcomes_as_fit_next_to_a_lease_check_per_shard_served():
    assert (batch_size(keys.WORK_QUEUE_SHARDS), batch_size(1)) == (32, 33)  # 32 x 3 + 4 = 33 x 3 + 1 = 100
    shard = keys.work_queue_shard_number("s000", "l")
    memory = queue_of(200)
    mine = sum(keys.work_queue_shard_number(a.student_id, "l") == shard for a in memory.assignments().values())
    counts = make_pass(memory, Provider(), shards=[shard]).run()
    assert counts.finalized == mine and mine > 33
    assert max(memory.batches) == 33 and sum(memory.batches) == mine
