"""The unit of work (data/unit_of_work.py) turns typed changes into ONE transaction: what follows from the
changes (statistics, history copies, pointers, counts, the audit event) and the sizes core/changes.py
declares are checked here against the operations it really builds (no AWS: ``operations`` only builds)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from functions.core import changes
from functions.core.changes import (
    AttemptBegun,
    AttemptCount,
    ExtensionRemoved,
    ExtensionSaved,
    SessionChanged,
    SessionRemoved,
    SessionRestored,
    SessionStarted,
    Work,
)
from functions.core.errors import TooLarge
from functions.core.models import Attempt, Extension, Session
from functions.core.rights import Principal
from functions.core.services.removal import removed
from functions.core.services.work_removal import MAX_REMOVED
from functions.data import keys
from functions.data.dynamo import deserialize
from functions.data.stats import shard_of
from functions.data.unit_of_work import DynamoUnitOfWork, check_size

NOW = datetime(2026, 12, 4, 20, 0, tzinfo=UTC)
STAFF = Principal("user", "instructor-1")
COUNT = AttemptCount(used=0, live=0, allowed=1, new_session=True, max_sessions=20)


def session(n: int = 0, *, score: float | None = None, exam: str = "exam-1", user: str | None = None) -> Session:
    return Session(id=f"s-{n}", exam_id=exam, course_id="course-1", user_id=user or f"u-{n}", item_ids=["i1"],
                   attempts=[Attempt(number=1, started_at=NOW)], score_actual=score, version=1, created_at=NOW)


def extension(user: str = "u-0", version: int = 0, **fields: object) -> Extension:
    return Extension(course_id="course-1", exam_id="exam-1", user_id=user, version=version, **fields)


def ops(*work_changes: changes.Change, action: str = "test.act") -> list[dict]:
    return DynamoUnitOfWork(STAFF, NOW).operations(Work(action, "course-1", list(work_changes)))


def keys_of(operations: list[dict]) -> list[tuple[str, str, str]]:
    """(kind, partition, sort) of each operation."""
    out = []
    for op in operations:
        kind, body = next(iter(op.items()))
        key = deserialize(body.get("Key") or body["Item"])
        out.append((kind, key[keys.PK], key[keys.SK]))
    return out


def audit_events(operations: list[dict]) -> list[dict]:
    return [deserialize(op["Put"]["Item"]) for op in operations
            if "Put" in op and deserialize(op["Put"]["Item"])[keys.PK].startswith("audit#")]


def test_declared_sizes_are_what_the_unit_writes():
    """core/changes.py's fixed sizes (from which routes' bounds are computed) equal the operations built."""
    s = session(score=50)
    removal = removed(s, "instructor-1", "reset", NOW).removal
    # one removal: its writes + the exam's statistics + the forgotten count + the audit event
    fixed = changes.PER_EXAM_ITEMS + changes.PER_STUDENT_ITEMS + changes.PER_UNIT_ITEMS
    assert len(ops(SessionRemoved(removal))) == changes.SESSION_REMOVED_ITEMS + fixed
    marked = removal.model_copy(update={"restored_at": NOW, "restored_by": "admin"})
    assert len(ops(SessionRestored(marked, s))) == changes.SESSION_RESTORED_ITEMS + fixed
    # an extension changed: it and its history copy (+ the audit event; no counter: the row count is unchanged)
    granted = extension(version=1, extra_time_minutes=10)
    assert len(ops(ExtensionSaved(extension(version=1, extra_time_minutes=5), granted))) == (
        changes.EXTENSION_SAVED_ITEMS + changes.PER_UNIT_ITEMS)


def test_the_largest_documented_removal_fits_and_one_more_student_session_would_not_matter():
    """MAX_REMOVED sessions of one student on one exam fit one unit; the bound is computed, not hand-derived."""
    removals = [SessionRemoved(removed(session(n, user="u-0"), "x", "reset", NOW).removal) for n in range(MAX_REMOVED)]
    built = ops(*removals)
    check_size(built, Work("session.remove", "course-1", list(removals)))
    assert len(built) <= changes.TRANSACTION_ITEMS
    assert changes.TRANSACTION_ITEMS - len(built) < changes.SESSION_REMOVED_ITEMS  # no room for one more


def test_a_unit_too_large_is_a_413_before_anything_is_sent():
    too_many = [SessionRemoved(removed(session(n), "x", "reset", NOW).removal) for n in range(50)]
    work = Work("session.remove", "course-1", list(too_many))
    with pytest.raises(TooLarge, match="at most 100"):
        check_size(DynamoUnitOfWork(STAFF, NOW).operations(work), work)
    huge = [{"Put": {"Item": {"id": {"S": "x" * 500_000}}}}] * 9
    with pytest.raises(TooLarge, match="bytes"):
        check_size(huge, work)


def test_statistics_are_summed_once_per_exam_and_a_single_session_keeps_its_shard():
    one = ops(SessionChanged(session(1), session(1, score=80).model_copy(update={"version": 2}), "submit"))
    [shard] = [k for k in keys_of(one) if k[0] == "Update"]
    own = keys.exam_stats_key("exam-1", shard_of("s-1"))
    assert shard[1:] == (own[keys.PK], own[keys.SK])
    many = [SessionRemoved(removed(session(n, score=10.0 * n), "x", "reset", NOW).removal) for n in range(5)]
    updates = [op["Update"] for op in ops(*many) if "Update" in op and "ADD" in op["Update"]["UpdateExpression"]]
    assert len(updates) == 1  # a transaction touches an item once: the five deltas are one update
    names, values = updates[0]["ExpressionAttributeNames"], deserialize(updates[0]["ExpressionAttributeValues"])
    added = {names[f"#{v[1:]}"]: values[v] for v in values}
    assert {k: added[k] for k in ("sessions", "attempts", "scored", "scoreSum")} == {
        "sessions": -5, "attempts": -5, "scored": -5, "scoreSum": -100}


def test_one_audit_event_lists_every_change_and_points_to_the_restorable_records():
    a, b = session(1), session(2)
    built = ops(*(SessionRemoved(removed(s, "x", "reset", NOW).removal) for s in (a, b)), action="session.remove")
    [event] = audit_events(built)
    assert event["action"] == "session.remove" and event["actorId"] == STAFF.subject
    assert [c["id"] for c in event["changes"]] == [a.id, b.id]
    assert [r["sessionId"] for r in event["restorable"]] == [a.id, b.id]


def test_history_copy_notes_why_who_and_when():
    before, after = session(1), session(1, score=90).model_copy(update={"version": 2})
    built = ops(SessionChanged(before, after, "reset", keep_history=True))
    history = [deserialize(op["Put"]["Item"]) for op in built if "Put" in op
               and deserialize(op["Put"]["Item"])[keys.SK] == keys.session_history_key(before.id, 1)[keys.SK]]
    assert history and history[0]["history_note"] == {"reason": "reset", "by": STAFF.subject,
                                                      "at": "2026-12-04T20:00:00Z"}
    assert not [k for k in keys_of(ops(SessionChanged(before, after, "save"))) if k[2].startswith("exam-session#v")]


def test_an_attempt_begun_points_the_extension_unless_the_unit_saves_it():
    s = session(0, user="u-0")
    read = extension(version=3, extra_time_minutes=5)
    started = keys_of(ops(SessionStarted(s, AttemptBegun(read), COUNT)))
    pointer = keys.extension_key("exam-1", "u-0")
    assert ("Update", pointer[keys.PK], pointer[keys.SK]) in started
    none_yet = keys_of(ops(SessionStarted(s, AttemptBegun(None), COUNT)))
    assert ("ConditionCheck", pointer[keys.PK], pointer[keys.SK]) in none_yet  # no extension may appear
    saved = read.model_copy(update={"version": 4, "latest_session_id": s.id, "session_tracked": True})
    both = keys_of(ops(SessionChanged(s, s.model_copy(update={"version": 2}), "extension", begun=AttemptBegun(read)),
                       ExtensionSaved(read, saved)))
    assert [k for k in both if k[1:] == (pointer[keys.PK], pointer[keys.SK])] == [
        ("Put", pointer[keys.PK], pointer[keys.SK])]  # one write of the extension: the pointer is in it


def test_removals_and_restores_forget_each_students_count_once():
    removals = [SessionRemoved(removed(session(n, user="u-0"), "x", "reset", NOW).removal) for n in range(3)]
    count = keys.attempt_count_key("exam-1", "u-0")
    assert [k for k in keys_of(ops(*removals)) if k[1:] == (count[keys.PK], count[keys.SK])] == [
        ("Delete", count[keys.PK], count[keys.SK])]


def test_extension_changes_move_the_allowance_counter_by_their_rows():
    granted = extension(extra_time_minutes=10)
    counter = keys.list_counts_key("exam-1")
    added = [op for op in ops(ExtensionSaved(None, granted)) if "Update" in op]
    assert [deserialize(op["Update"]["Key"]) for op in added] == [counter]
    gone = [op for op in ops(ExtensionRemoved(granted.model_copy(update={"version": 1}))) if "Update" in op]
    assert deserialize(gone[0]["Update"]["ExpressionAttributeValues"])[":n"] < 0


def test_no_changes_write_nothing():
    assert ops() == []


def test_operations_are_plain_json():
    built = ops(SessionStarted(session(), AttemptBegun(None), COUNT))
    assert json.loads(json.dumps(built, default=str))
