"""The scheduled importer on moto against the fake providers: a pass over the due work, per-assignment fault
isolation and backoff, two overlapping runs, a run killed halfway, the console events, DynamoDB calls. The
batched write itself (DynamoDB's limits, conflicts, a lost lease) is test_importer_batches.py."""

# ruff: noqa: F811 - fixtures are imported from powerpath_helpers and injected by name
from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from functions.core.services.import_pass import ImportPass
from functions.data.directory import DirectoryRepository
from functions.data.external_tests import ExternalTestRepository
from functions.jobs import import_results
from functions.providers.registry import provider
from infra.local.scheduler import LambdaContext, scheduled_event
from tests.factories import enroll, user
from tests.integration.powerpath_helpers import (  # noqa: F401 - fixtures
    atomic_moto,
    fakes,
    make,
    progress,
    school,
    stored,
)

pytestmark = pytest.mark.usefixtures("atomic_moto")  # moto is not atomic under threads; DynamoDB is

LATER = timedelta(minutes=6)  # past the first poll (5 min) of a fresh Edulastic assignment


def students(n: int) -> list[str]:
    ids = [f"s{i:02d}" for i in range(n)]
    for sid in ids:
        user(sid)
        enroll("course-1", sid, "student")
    return ids


def assign_all(ids: list[str], lesson_id: str = "placement-edu") -> dict[str, str]:
    return {sid: make(student=sid, lesson_id=lesson_id).body["assignmentId"] for sid in ids}


def a_pass(at: datetime, owner: str = "run-1", providers=provider, concurrency: int = 4) -> ImportPass:
    return import_results.import_pass(owner, clock=lambda: at, providers=providers, concurrency=concurrency)


def test_a_pass_imports_what_is_due_and_finalized_ones_leave_the_queue(school):
    ids = students(6)
    assigned = assign_all(ids)
    for sid in ids[:4]:
        school["fakes"].edulastic.work(assigned[sid], [True, True, False])
    now = datetime.now(UTC)
    assert a_pass(now).run().found == 0  # nothing is due yet: the first poll is in five minutes
    counts = a_pass(now + LATER).run()
    assert (counts.found, counts.tried, counts.imported, counts.finalized, counts.failed) == (6, 6, 6, 4, 0)
    assert all("gsi4pk" not in stored(sid) for sid in ids[:4])
    assert all("gsi4pk" in stored(sid) for sid in ids[4:])
    assert progress(student=ids[0]).body["score"] == 66.67
    assert DirectoryRepository().get_enrollment("course-2", ids[0]).role == "student"
    assert a_pass(now + LATER).run().found == 0  # the unfinished ones come back in five minutes
    assert a_pass(now + LATER * 2).run().found == 2


@pytest.mark.parametrize("fault", ["error", "malformed", "slow"])
def test_one_failing_assignment_does_not_stop_the_others_and_is_retried_later(school, fault):
    edulastic = school["fakes"].edulastic
    ids = students(5)
    assigned = assign_all(ids)
    for sid in ids:
        edulastic.work(assigned[sid], [True, True, True])
    edulastic.faults[assigned[ids[2]]] = fault
    edulastic.delay = 2.5  # "slow": longer than the 1.5 s timeout
    now = datetime.now(UTC) + LATER
    counts = a_pass(now).run()
    assert (counts.finalized, counts.failed) == (4, 1)
    assert len(counts.errors) == 1 and counts.errors[0].startswith(f"{ids[2]}/placement-edu#1: edulastic")
    failed = stored(ids[2])
    assert failed["failures"] == 1 and failed["last_error"].startswith("edulastic")
    for attempt, wait in enumerate((5, 10, 20), start=1):  # backs off: 5, 10, 20 minutes
        assert a_pass(now + timedelta(minutes=wait) - timedelta(seconds=1)).run().found == 0
        now += timedelta(minutes=wait)
        if attempt < 3:
            assert a_pass(now).run().failed == 1
    del edulastic.faults[assigned[ids[2]]]
    assert a_pass(now).run().finalized == 1
    assert stored(ids[2])["failures"] == 0


def test_provider_down_then_back(school):
    ids = students(3)
    assigned = assign_all(ids)
    for sid in ids:
        school["fakes"].edulastic.work(assigned[sid], [True, False, True])
    school["fakes"].edulastic.set_mode("error", status=500)
    now = datetime.now(UTC) + LATER
    assert a_pass(now).run().failed == 3
    school["fakes"].edulastic.set_mode("ok")
    assert a_pass(now + timedelta(minutes=5)).run().finalized == 3


def test_two_overlapping_runs_never_import_one_assignment_twice(school, atomic_moto):
    edulastic = school["fakes"].edulastic
    ids = students(12)
    assigned = assign_all(ids)
    for sid in ids:
        edulastic.work(assigned[sid], [True, True, True])
    edulastic.base_delay = 0.1  # both runs are mid-flight at the same time
    now = datetime.now(UTC) + LATER
    results = []
    runs = [threading.Thread(target=lambda owner=owner: results.append(a_pass(now, owner).run()))
            for owner in ("run-a", "run-b")]
    for run in runs:
        run.start()
    for run in runs:
        run.join()
    assert sum(r.finalized for r in results) == 12
    assert sum(r.tried for r in results) == 12
    assert all(edulastic.result_fetches[assigned[sid]] == 1 for sid in ids)


class Crash(BaseException):
    """Stands for the Lambda being killed: not an Exception, so nothing catches it."""


def test_a_run_killed_halfway_loses_nothing_and_the_next_run_picks_up(school, atomic_moto, monkeypatch):
    edulastic = school["fakes"].edulastic
    ids = students(8)
    assigned = assign_all(ids)
    for sid in ids:
        edulastic.work(assigned[sid], [True, True, True])
    now = datetime.now(UTC) + LATER
    # A console import that claimed half the work and died before importing it:
    repo = ExternalTestRepository()
    for sid in ids[:4]:
        assert repo.claim(repo.get(sid, "placement-edu", 1), "dead-console-import", now,
                          now + timedelta(minutes=2), due_only=True) is not None
    # ... and a scheduled pass killed in the middle of its imports (a killed Lambda runs no `finally`, so its
    # shard leases are not given back either):
    calls = {"n": 0}

    def crashing(name: str):
        real = provider(name)

        class Wrapper:
            def fetch_results(self, assignment):
                calls["n"] += 1
                if calls["n"] == 2:
                    raise Crash()
                return real.fetch_results(assignment)

        return Wrapper()

    with monkeypatch.context() as killed:
        killed.setattr(ExternalTestRepository, "release_shard", lambda *args: None)
        with pytest.raises(Crash):
            a_pass(now, "killed-run", providers=crashing, concurrency=1).run()
    assert not any(stored(sid).get("finalized") for sid in ids)  # its batch was never written
    counts = a_pass(now + timedelta(minutes=1)).run()
    assert counts.found == 0 and counts.busy  # the killed run's shard leases have not ended yet
    counts = a_pass(now + timedelta(minutes=7)).run()
    assert counts.finalized == 8  # four abandoned claims and the killed run's work
    assert all(stored(sid)["finalized"] for sid in ids)
    # The claimed four were fetched once. The killed run's fetches were never written, so the next run fetched
    # those again (a provider read is harmless to repeat; a write is what must happen once).
    assert [edulastic.result_fetches[assigned[sid]] for sid in ids[:4]] == [1] * 4
    assert all(1 <= edulastic.result_fetches[assigned[sid]] <= 2 for sid in ids[4:])


def test_mastery_track_write_back_is_imported_by_the_next_pass(school):
    from tests.integration.powerpath_helpers import writeback

    aid = make(lesson_id="testout-mt").body["assignmentId"]
    assert a_pass(datetime.now(UTC) + timedelta(days=30)).run().found == 0  # parked: no polling
    assert writeback(*school["fakes"].mastery.writeback(aid, [True, True, False])).status == 200
    counts = a_pass(datetime.now(UTC) + timedelta(seconds=1)).run()
    assert (counts.found, counts.finalized) == (1, 1)
    assert progress(lesson_id="testout-mt").body["correctQuestions"] == 2


def test_dynamodb_calls_per_pass(school, dynamo_calls):
    from functions.data.keys import work_queue_shard_number

    ids = students(5)
    assign_all(ids)
    shards = len({work_queue_shard_number(sid, "placement-edu") for sid in ids})
    now = datetime.now(UTC) + LATER
    dynamo_calls.reset()
    a_pass(datetime.now(UTC)).run()
    assert dict(dynamo_calls.counts) == {"Query": 4}  # one per queue shard, nothing due: no lease taken
    dynamo_calls.reset()
    a_pass(now).run()
    # per shard with due work: its lease taken and given back, one consistent BatchGetItem per queue page;
    # then one transaction for all five outcomes (each with its audit event), whatever their shards
    assert dict(dynamo_calls.counts) == {"Query": 4, "BatchGetItem": shards, "UpdateItem": 2 * shards,
                                         "TransactWriteItems": 1}


def test_a_large_pass_writes_a_transaction_per_batch_not_per_assignment(school, dynamo_calls):
    from functions.core.services.import_pass import batch_size
    from functions.data.keys import WORK_QUEUE_SHARDS

    batch = batch_size(WORK_QUEUE_SHARDS)  # a pass over every shard: 32
    ids = students(2 * batch + 6)
    assigned = assign_all(ids)
    repo = ExternalTestRepository()
    for sid in ids:
        school["fakes"].edulastic.work(assigned[sid], [True, False, True])
    dynamo_calls.reset()
    counts = a_pass(datetime.now(UTC) + LATER, concurrency=8).run()
    assert counts.finalized == len(ids)
    assert dynamo_calls.counts["TransactWriteItems"] == 3  # batch + batch + 6 outcomes
    assert "PutItem" not in dynamo_calls.counts and dynamo_calls.counts["UpdateItem"] == 8  # 4 leases, no claims
    assert all(repo.get(sid, "placement-edu", 1).finalized for sid in ids)
    assert progress(student=ids[-1]).body["score"] == 66.67


def test_the_handler_runs_a_pass_for_an_empty_or_scheduled_event(school, monkeypatch):
    ids = students(2)
    assigned = assign_all(ids)
    school["fakes"].edulastic.work(assigned[ids[0]], [True, True, True])
    repo = ExternalTestRepository()
    for sid in ids:  # due now
        item = repo.get(sid, "placement-edu", 1)
        item.next_try_at = datetime.now(UTC) - timedelta(seconds=1)
        repo.store.put(__import__("functions.data.external_tests", fromlist=["x"]).assignment_item(item))
    recorded = []
    monkeypatch.setattr(import_results.metrics, "add_metric",
                        lambda name, unit, value: recorded.append((name, value)))
    result = import_results.lambda_handler(scheduled_event(), LambdaContext())
    assert (result["tried"], result["finalized"], result["imported"], result["failed"]) == (2, 1, 2, 0)
    assert result["summary"].startswith("all shards: found 2, tried 2, imported 2, finalized 1")
    assert ("import_results.finalized", 1) in recorded and ("import_results.tried", 2) in recorded
    assert import_results.lambda_handler({}, LambdaContext())["found"] == 0


def test_the_console_imports_one_assignment_and_says_what_it_did(school):
    aid = make().body["assignmentId"]
    school["fakes"].edulastic.work(aid, [True, True, True])
    one = {"student": "student-course-1", "lesson": "placement-edu"}
    done = import_results.lambda_handler(one, LambdaContext())
    assert done["outcome"] == "finalized" and done["attempt"] == 1 and done["enrollment"] == "enrolled"
    assert done["summary"] == "imported attempt 1 of placement-edu for student-course-1: finalized"
    again = import_results.lambda_handler(one, LambdaContext())
    assert again["outcome"] == "finalized"
    missing = import_results.lambda_handler({**one, "lesson": "unit-edu"}, LambdaContext())
    assert missing["outcome"] == "refused" and missing["status"] == 409
    half = import_results.lambda_handler({"student": "student-course-1"}, LambdaContext())
    assert half["outcome"] == "refused" and half["status"] == 400


def test_import_all_now_takes_what_falls_due_within_a_day_but_not_parked_ones(school):
    aid = make().body["assignmentId"]  # first look in five minutes
    make(lesson_id="testout-mt")  # waits for a write-back
    school["fakes"].edulastic.work(aid, [True, True, True])
    assert import_results.lambda_handler({}, LambdaContext())["found"] == 0
    result = import_results.lambda_handler({"all": True}, LambdaContext())
    assert (result["found"], result["finalized"]) == (1, 1)


def test_one_invocation_per_shard_together_import_everything_once(school):
    """The deployed schedule sends {"shard": n} for each shard: each invocation takes only its shard."""
    from functions.data.keys import WORK_QUEUE_SHARDS, work_queue_shard

    edulastic = school["fakes"].edulastic
    ids = students(12)
    assigned = assign_all(ids)
    for sid in ids:
        edulastic.work(assigned[sid], [True, True, True])
    repo = ExternalTestRepository()
    for sid in ids:  # due now
        item = repo.get(sid, "placement-edu", 1)
        item.next_try_at = datetime.now(UTC) - timedelta(seconds=1)
        repo.store.put(__import__("functions.data.external_tests", fromlist=["x"]).assignment_item(item))
    per_shard = {n: sum(work_queue_shard(sid, "placement-edu") == f"pending#{n}" for sid in ids)
                 for n in range(WORK_QUEUE_SHARDS)}
    assert sum(1 for count in per_shard.values() if count) > 1  # the students spread over shards
    for n in range(WORK_QUEUE_SHARDS):
        result = import_results.lambda_handler({"shard": n}, LambdaContext())
        assert (result["shards"], result["found"], result["finalized"]) == ([n], per_shard[n], per_shard[n])
        assert result["summary"].startswith(f"shard {n}: found {per_shard[n]}")
    assert all(stored(sid)["finalized"] for sid in ids)
    assert all(edulastic.result_fetches[assigned[sid]] == 1 for sid in ids)


@pytest.mark.parametrize("shard", [-1, 4, 1.5, "1", True, None])
def test_a_shard_that_does_not_exist_is_refused_and_nothing_is_imported(school, shard):
    aid = make().body["assignmentId"]
    school["fakes"].edulastic.work(aid, [True, True, True])
    answer = import_results.lambda_handler({"shard": shard, "all": True}, LambdaContext())
    assert answer["outcome"] == "refused" and answer["status"] == 400
    assert '"shard" must be a whole number from 0 to 3' in answer["error"]
    assert not stored("student-course-1").get("finalized")
