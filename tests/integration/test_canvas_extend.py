"""Moving running attempts through Canvas (extend_from_now / extend_from_end_at) on moto, seen through the
ExamSpark routes; the one-hour window, reopening a timed-out attempt, refusals, atomicity, calls."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from functions.core.numeric_ids import Kind, number
from functions.data.extensions import ExtensionRepository
from functions.data.sessions import SessionRepository
from tests.conftest import call
from tests.factories import classroom, exam
from tests.integration.canvas_helpers import (
    COURSE,
    EXAM,
    INSTRUCTOR,
    OTHER,
    STUDENT,
    extension,
    item_count,
    read,
    set_course,
    set_quiz,
    start,
    store_session,
    stored,
)


@pytest.fixture
def room(table):
    return classroom()


def iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def age(session_id: str, minutes: float, *, settle: bool = False) -> None:
    """Move a session's clock back: it started ``minutes`` ago (and, ``settle``, the timer completed it)."""
    session = stored(session_id)
    attempt = session.current
    assert attempt and attempt.ends_at
    shift = timedelta(minutes=minutes) - (datetime.now(UTC) - attempt.started_at)
    attempt.started_at -= shift
    attempt.ends_at -= shift
    store_session(session)
    if settle:  # a write route (start again) stores what expiry decides; read routes only show it
        assert start()["maturity"] == "COMPLETE" and stored(session_id).current.complete


def test_extend_from_now_moves_the_running_attempt_and_examspark_shows_it(room):
    sid = start()["id"]
    answer = set_quiz([{"user_id": STUDENT, "extend_from_now": 120}])
    assert answer.status == 200, answer.body
    (entry,) = answer.body["quiz_extensions"]
    shown = read(sid)
    assert iso(shown["endsAt"]) == iso(entry["end_at"])
    assert shown["limitedBy"] == "extension" and entry["limited_by"] == "extension"
    assert timedelta(minutes=119) < iso(entry["end_at"]) - datetime.now(UTC) <= timedelta(minutes=120)
    assert stored(sid).version == 2


def test_extend_from_end_at_adds_to_the_current_end(room):
    sid = start()["id"]
    before = iso(read(sid)["endsAt"])
    assert set_quiz([{"user_id": STUDENT, "extend_from_end_at": 15}]).status == 200
    assert iso(read(sid)["endsAt"]) == before + timedelta(minutes=15)


def test_a_timed_out_attempt_within_the_hour_is_reopened_and_its_state_kept(room):
    sid = start()["id"]
    age(sid, 60 + 30, settle=True)  # ended 30 minutes ago, completed by expiry
    answer = set_quiz([{"user_id": STUDENT, "extend_from_now": 20}])
    assert answer.status == 200, answer.body
    shown = read(sid)
    assert shown["maturity"] == "IN_PROGRESS" and shown["scoreActual"] is None
    (kept,) = [h for h in SessionRepository().session_history(sid) if h.history_note]
    assert kept.maturity.value == "COMPLETE" and kept.history_note.reason == "extension"


def test_an_attempt_that_ended_more_than_an_hour_ago_is_409_and_nothing_is_written(room):
    sid = start()["id"]
    age(sid, 60 + 61)
    before = item_count()
    answer = set_quiz([{"user_id": STUDENT, "extend_from_now": 20, "extra_time": 30}])
    assert answer.status == 409 and "more than an hour ago" in answer.body["errors"][0]["message"]
    assert item_count() == before and extension() is None and stored(sid).version == 1


@pytest.mark.parametrize("case,why", [
    ("no attempt", "no attempt"), ("untimed", "not timed"), ("capped", "manually_unlocked")])
def test_refusals_name_why(room, case, why):
    quiz = EXAM
    if case == "untimed":
        quiz = "untimed"
        exam(quiz, COURSE, room["items"])
        start(quiz)
    if case == "capped":
        quiz = "closing"
        closes_at = datetime.now(UTC) + timedelta(minutes=30)
        exam(quiz, COURSE, room["items"], time_limit_minutes=60, closes_at=closes_at)
        start(quiz)
    answer = set_quiz([{"user_id": STUDENT, "extend_from_end_at": 30}], quiz=quiz)
    assert answer.status == 409 and why in answer.body["errors"][0]["message"], answer.body
    if case == "capped":  # the same request may unlock the student, which lifts the cap
        entry = {"user_id": STUDENT, "extend_from_end_at": 30, "manually_unlocked": True}
        unlocked = set_quiz([entry], quiz=quiz)
        assert unlocked.status == 200 and unlocked.body["quiz_extensions"][0]["limited_by"] == "extension"


def test_extending_every_attempt_of_the_student_across_contexts_and_the_course(room):
    exam(EXAM, COURSE, room["items"], time_limit_minutes=60, type="timed", max_attempts=2, version=2)
    first, second = (start(context_id=c, as_user=INSTRUCTOR)["id"] for c in ("a", "b"))
    exam("other-quiz", COURSE, room["items"], time_limit_minutes=45)
    answer = set_course([{"user_id": STUDENT, "extend_from_end_at": 10}])
    assert answer.status == 200, answer.body
    ends = {e["quiz_id"]: e["end_at"] for e in answer.body["quiz_extensions"]}
    assert ends[number(Kind.EXAM, "other-quiz")] is None and ends[number(Kind.EXAM, EXAM)] is not None
    assert stored(first).version == stored(second).version == 2
    nothing = set_course([{"user_id": OTHER, "extend_from_now": 10}])
    assert nothing.status == 409 and "no attempt" in nothing.body["errors"][0]["message"]


def test_a_concurrent_change_to_the_session_makes_the_whole_grant_409(room, monkeypatch):
    sid = start()["id"]
    original = ExtensionRepository.user_sessions

    def racing(self, course_id, user_id, exam_id=None):  # type: ignore[no-untyped-def]
        found = original(self, course_id, user_id, exam_id)
        session = stored(sid)
        session.version += 1  # someone else writes the session between our read and our write
        store_session(session)
        return found

    monkeypatch.setattr(ExtensionRepository, "user_sessions", racing)
    answer = set_quiz([{"user_id": STUDENT, "extend_from_now": 90, "extra_attempts": 3}])
    assert answer.status == 409 and "retry" in answer.body["errors"][0]["message"]
    assert extension() is None  # the extension was in the same transaction


def test_dynamodb_calls_of_an_extend(room, dynamo_calls):
    start()
    dynamo_calls.reset()
    assert set_quiz([{"user_id": STUDENT, "extend_from_now": 90}]).status == 200
    # user + enrollment (rights), exam, one batch, the student's sessions, one transaction (session)
    assert dict(dynamo_calls.counts) == {"GetItem": 3, "BatchGetItem": 1, "Query": 1, "TransactWriteItems": 1}


def test_reopening_a_timed_out_attempt_keeps_its_responses_and_reads_them_once(room, dynamo_calls):
    sid = start()["id"]
    item = stored(sid).item_ids[0]
    saved = call("examspark_set_responses", {"sessionId": sid}, as_user=STUDENT,
                 body={"responses": [{"itemId": item, "questions": [
                     {"id": f"{item}-q", "response": {"options": [{"index": 1}]}}]}]})
    assert saved.status == 200, saved.body
    age(sid, 60 + 30, settle=True)
    assert stored(sid).current.item_scores  # type: ignore[union-attr]
    dynamo_calls.reset()
    assert set_quiz([{"user_id": STUDENT, "extend_from_now": 20}]).status == 200
    # as any extend, + the attempt's responses and results (its own items): its scores are cleared, its
    # responses kept, under a new record (the timed-out state stays with the history copy)
    assert dict(dynamo_calls.counts) == {"GetItem": 3, "BatchGetItem": 2, "Query": 1, "TransactWriteItems": 1}
    after = stored(sid).current
    assert after is not None and after.responses == {item: {f"{item}-q": [1]}} and after.item_scores == {}


def test_a_student_moved_only_by_extend_from_now_is_in_the_read_back(room):
    sid = start()["id"]
    assert extension() is None
    moved = set_quiz([{"user_id": STUDENT, "extend_from_now": 90}])
    assert moved.status == 200, moved.body
    listed = call("canvas_list_quiz_extensions", {"course_id": COURSE, "quiz_id": EXAM}, as_user=INSTRUCTOR)
    assert listed.status == 200, listed.body
    (entry,) = [e for e in listed.body["quiz_extensions"] if e["sis_user_id"] == STUDENT]
    assert iso(entry["end_at"]) == iso(read(sid)["endsAt"])


def test_a_grant_shows_in_the_next_examspark_attempt_end_and_attempt_count(room):
    exam("retakable", COURSE, room["items"], time_limit_minutes=30, max_attempts=1, retakable=True)
    assert set_quiz([{"user_id": STUDENT, "extra_time": 15}], quiz="retakable").status == 200
    session = start("retakable")
    assert iso(session["endsAt"]) - iso(session["startedAt"]) == timedelta(minutes=45)
    assert session["limitedBy"] == "extension"
    from tests.conftest import call

    submitted = call("examspark_set_responses", {"sessionId": session["id"]}, as_user=STUDENT,
                     body={"submitForScoring": True, "responses": []})
    assert submitted.status == 200, submitted.body
    retake = call("examspark_retake", {"sessionId": session["id"]}, as_user=STUDENT)
    assert retake.status == 409 and "1 extra" not in retake.body["error"]["message"]
    granted = set_quiz([{"user_id": STUDENT, "extra_attempts": 1}], quiz="retakable")
    assert granted.body["quiz_extensions"][0]["allowed_attempts"] == 2
    again = call("examspark_retake", {"sessionId": session["id"]}, as_user=STUDENT)
    assert again.status == 200, again.body
    assert again.body["examSession"]["attempt"] == 2
    assert read(session["id"])["attempt"] == 2
