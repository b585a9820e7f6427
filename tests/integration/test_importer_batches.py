"""The scheduled pass's batched outcome writes on moto (imported_outcomes.ImportUnitOfWork.commit_each): many
outcomes to a transaction within DynamoDB's limits, a conflict costing only its own outcome, a lost shard lease
or a console import's claim refusing the write, and the shard lease itself."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from botocore.exceptions import ClientError

from functions.core import changes
from functions.core.changes import TRANSACTION_ITEMS, Work
from functions.core.errors import ConcurrentUpdate
from functions.core.models import Enrollment, ExternalAssignment
from functions.core.services.external_imports import Prepared
from functions.data import keys
from functions.data.dynamo import translated_errors
from functions.data.external_tests import ExternalTestRepository, assignment_item
from functions.data.imported_outcomes import ImportUnitOfWork
from functions.data.outcome_batches import Outcome, lost_outcomes, pack
from functions.data.store import NEW_ITEM
from functions.data.unit_of_work import DynamoUnitOfWork
from functions.jobs.import_results import IMPORTER

NOW = datetime.now(UTC)
KEYS = itertools.count()
LESSON = "batch-unit"


def pending(n: int) -> list[ExternalAssignment]:
    repo, made = ExternalTestRepository(), []
    for i in range(n):
        a = ExternalAssignment(
            student_id=f"b{i:03d}", lesson_id=LESSON, attempt=1, course_id="c", lesson_type="unit-test",
            tool_provider="edulastic", subject="Math", grade=2, student_email=f"b{i:03d}@x.edu",
            assigned_at=NOW - timedelta(hours=1), assigned_by="t", next_try_at=NOW - timedelta(minutes=1))
        repo.store.put(assignment_item(a), condition=NEW_ITEM)
        made.append(repo.get(a.student_id, LESSON, 1, consistent=True))
    return made


def finalized(a: ExternalAssignment, enrollment: Enrollment | None = None, at: datetime = NOW) -> Work:
    after = a.model_copy(update={"finalized": True, "score": 100.0, "version": a.version + 1})
    return Prepared(a, after, "finalized", enrollment, None).work(unleased_at=at)


def commit_each(works: list[Work], owner: str, now: datetime = NOW) -> list[Exception | None]:
    return ImportUnitOfWork(IMPORTER, lambda: now).commit_each(works, owner, now)


def take_all(repo: ExternalTestRepository, owner: str) -> None:
    for shard in repo.all_shards():
        assert repo.take_shard(shard, owner, NOW, NOW + timedelta(minutes=5))


def test_outcomes_share_transactions_and_each_is_written(table, dynamo_calls):
    repo, made = ExternalTestRepository(), pending(60)
    take_all(repo, "pass-1")
    dynamo_calls.reset()
    # each with an enrollment: 2 items an outcome, so 60 outcomes need two transactions of <= 100 items
    writes = [finalized(a, Enrollment(course_id="c2", user_id=a.student_id, role="student")) for a in made]
    assert commit_each(writes, "pass-1") == [None] * 60
    assert dynamo_calls.counts["TransactWriteItems"] == 2
    assert all(repo.get(a.student_id, LESSON, 1).finalized for a in made)
    assert all("gsi4pk" not in repo.store.get(keys.external_test_key(a.student_id, LESSON, 1)) for a in made)


def test_a_conflict_costs_only_its_own_outcome(table, dynamo_calls):
    repo, made = ExternalTestRepository(), pending(5)
    take_all(repo, "pass-1")
    changed = made[2].model_copy(update={"version": made[2].version + 1})  # a write-back meanwhile
    repo.store.put(assignment_item(changed))
    dynamo_calls.reset()
    results = commit_each([finalized(a) for a in made], "pass-1")
    assert [type(r).__name__ if r else None for r in results] == [None, None, "ConcurrentUpdate", None, None]
    # the batch, then the other four together again: DynamoDB's CancellationReasons name the one that lost
    assert dict(dynamo_calls.counts) == {"TransactWriteItems": 1 + 1}
    assert [repo.get(a.student_id, LESSON, 1).finalized for a in made] == [True, True, False, True, True]


def test_without_the_shard_lease_nothing_is_written(table, dynamo_calls):
    repo, made = ExternalTestRepository(), pending(3)
    take_all(repo, "pass-1")
    dynamo_calls.reset()
    results = commit_each([finalized(a) for a in made], "pass-2")  # not the holder
    assert all(isinstance(r, ConcurrentUpdate) for r in results)
    assert dynamo_calls.counts["TransactWriteItems"] == 1  # a lost lease loses its shard's outcomes at once
    later = NOW + timedelta(minutes=6)
    expired = commit_each([finalized(a, at=later) for a in made], "pass-1", later)
    assert all(isinstance(r, ConcurrentUpdate) for r in expired)  # its lease has ended
    assert not any(repo.get(a.student_id, LESSON, 1).finalized for a in made)


def test_an_assignment_a_console_import_holds_is_not_overwritten(table):
    repo, made = ExternalTestRepository(), pending(2)
    take_all(repo, "pass-1")
    assert repo.claim(made[0], "console", NOW, NOW + timedelta(minutes=2), due_only=False) is not None
    fresh = repo.get(made[1].student_id, LESSON, 1, consistent=True)
    results = commit_each([finalized(made[0]), finalized(fresh)], "pass-1")
    assert isinstance(results[0], ConcurrentUpdate) and results[1] is None


def test_a_shard_lease_is_held_until_given_back_or_ended(table):
    repo = ExternalTestRepository()
    assert repo.take_shard(2, "a", NOW, NOW + timedelta(minutes=5))
    assert not repo.take_shard(2, "b", NOW + timedelta(minutes=1), NOW + timedelta(minutes=6))
    repo.release_shard(2, "b", NOW)  # not b's: nothing happens
    assert not repo.take_shard(2, "b", NOW + timedelta(minutes=1), NOW + timedelta(minutes=6))
    repo.release_shard(2, "a", NOW + timedelta(minutes=1))
    assert repo.take_shard(2, "b", NOW + timedelta(minutes=1), NOW + timedelta(minutes=6))
    assert repo.take_shard(2, "c", NOW + timedelta(minutes=7), NOW + timedelta(minutes=12))  # b's ended
    record = repo.store.get(keys.import_lease_key(2))
    assert record["leaseOwner"] == "c" and "releasedAt" in record  # who ran it last, and when one finished


def test_the_due_queue_answers_from_the_table_not_the_stale_index(table, monkeypatch):
    from functions.data import store
    from functions.data.dynamo import client, serialize

    repo, made = ExternalTestRepository(), pending(3)
    done = made[1].model_copy(update={"finalized": True, "version": made[1].version + 1})
    repo.store.put(assignment_item(done))  # just imported by another pass

    class LaggingIndex:  # the index still lists it, as an eventually consistent index can just after a write
        def __getattr__(self, name: str):
            return getattr(client(), name)

        def query(self, **args):
            answer = client().query(**args)
            if args["ExpressionAttributeValues"][":pk"]["S"] == keys.work_queue_shard(done.student_id, LESSON):
                answer["Items"].append(serialize(keys.external_test_key(done.student_id, LESSON, 1)))
            return answer

    monkeypatch.setattr(store, "client", LaggingIndex)  # the data layer's one client caller
    assert {a.student_id for a in repo.due(NOW)} == {made[0].student_id, made[2].student_id}


def outcome(shard: int, n_ops: int, size: int = 100, key: str | None = None) -> Outcome:
    own = key or f"k{next(KEYS)}"
    return Outcome(shard, [{}] * n_ops, frozenset({(own, "sk")}), size)


def test_packing_respects_items_bytes_and_one_write_per_item():
    # one shard: 33 outcomes of 3 items + 1 lease check = 100 items
    assert pack([outcome(0, 3) for _ in range(40)]) == [list(range(33)), list(range(33, 40))]
    spread = [outcome(i % 4, 3) for i in range(33)]
    groups = pack(spread)
    assert all(sum(3 for _ in g) + len({i % 4 for i in g}) <= TRANSACTION_ITEMS for g in groups)
    assert pack([outcome(0, 2, size=2_000_000) for _ in range(3)]) == [[0], [1], [2]]  # 4 MB per transaction
    assert pack([outcome(0, 2, key="same"), outcome(0, 2, key="same")]) == [[0], [1]]



def test_a_cancelled_transaction_is_pinned_on_the_outcomes_whose_conditions_failed():
    # operations: lease checks for shards 0 and 1 (0, 1), then two per outcome (2-3, 4-5, 6-7)
    group = [outcome(0, 2), outcome(1, 2), outcome(1, 2)]

    def lost(*failed: int) -> set[int]:
        return lost_outcomes(group, ConcurrentUpdate("changed", failed=frozenset(failed)))

    assert lost(4) == {1}  # the second outcome's own write
    assert lost(5) == {1}  # its second operation (the audit event) counts the same
    assert lost(1) == {1, 2}  # shard 1's lease: both of its outcomes
    assert lost(0, 7) == {0, 2}
    assert lost() == set()  # a transient clash (a conflicting transaction): nobody to blame
    assert lost_outcomes(group, RuntimeError("down")) == set()


def test_dynamodbs_cancellation_reasons_become_the_positions_whose_condition_failed():
    reasons = [{"Code": "None"}, {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"},
               {"Code": "TransactionConflict"}, {"Code": "ConditionalCheckFailed"}]
    cancelled = ClientError({"Error": {"Code": "TransactionCanceledException", "Message": "cancelled"},
                             "CancellationReasons": reasons}, "TransactWriteItems")
    with pytest.raises(ConcurrentUpdate) as raised, translated_errors("changed"):
        raise cancelled
    assert raised.value.failed == frozenset({1, 3})


def test_an_imported_outcome_writes_what_its_declared_size_says(table):
    """``changes.IMPORTED_OUTCOME_ITEMS`` (the bound of the pass's batches) against what the unit of work
    writes for one outcome; its audit event lists the assignment alone, as before units (the enrollment is
    told by the assignment's ``enrollment``)."""
    from functions.core.audit import Change, event
    from functions.data.dynamo import deserialize

    a = pending(1)[0]
    enrolling = finalized(a, Enrollment(course_id="c2", user_id=a.student_id, role="student"))
    ops = DynamoUnitOfWork(IMPORTER, NOW).operations(enrolling)
    assert len(ops) == changes.IMPORTED_OUTCOME_ITEMS  # the assignment, the enrollment, the audit event
    assert len(DynamoUnitOfWork(IMPORTER, NOW).operations(finalized(a))) == changes.IMPORTED_OUTCOME_ITEMS - 1
    assert ops[1]["Put"]["ConditionExpression"] == NEW_ITEM  # an enrollment is never replaced
    stored = deserialize(ops[-1]["Put"]["Item"])
    after = enrolling.changes[0].after
    expected = event(IMPORTER, NOW, "external-test.import", "c", [Change("external-test", f"{a.student_id}/{LESSON}/1",
                                                                         a, after)])
    assert (stored["action"], stored["courseId"], stored["actorKind"], stored["actorId"]) == (
        "external-test.import", "c", "system", "importer")
    assert [{k: c[k] for k in ("type", "id", "fields", "form", "before", "after") if k in c}
            for c in stored["changes"]] == [{k: v for k, v in c.items() if v is not None} for c in expected.changes]
