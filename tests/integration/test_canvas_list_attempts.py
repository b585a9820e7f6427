"""The running attempt the Canvas extension lists show (``end_at``, ``limited_by``) on moto: each extension
points at one session (docs/data-model.md, Canvas), so a page reads its sessions in one BatchGetItem whatever
its size; the pointer follows starts, restarts and extensions; a removed session shows none; an item written
before the pointer existed still shows its attempt; a grant racing a start loses nothing (409 for the loser)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from functions.core.models import Extension
from functions.core.numeric_ids import Kind, number
from functions.data import keys
from functions.data.extensions import ExtensionRepository
from functions.data.keys import LIST_SHARDS
from functions.data.sessions import SessionRepository
from functions.data.store import Store, to_item
from tests.conftest import call
from tests.factories import classroom, enroll, exam, user
from tests.integration.canvas_helpers import (
    COURSE,
    EXAM,
    INSTRUCTOR,
    OTHER,
    STUDENT,
    extension,
    read,
    set_quiz,
    start,
    store_session,
    stored,
)

RETAKE = "exam-course-1-retake"
LIST_COURSE, LIST_QUIZ = "canvas_list_course_extensions", "canvas_list_quiz_extensions"
ONE_BATCH = {"GetItem": 3, "Query": LIST_SHARDS, "BatchGetItem": 1}  # a Query per shard


@pytest.fixture
def room(table):
    room = classroom()
    exam(RETAKE, COURSE, room["items"], time_limit_minutes=60, type="timed", retakable=True, max_attempts=3)
    return room


def iso(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def entries(quiz: str | None = EXAM, per_page: int | None = None) -> list[dict[str, Any]]:
    query = {"per_page": [str(per_page)]} if per_page else None
    if quiz is None:
        answer = call(LIST_COURSE, {"course_id": COURSE}, as_user=INSTRUCTOR, query=query)
    else:
        answer = call(LIST_QUIZ, {"course_id": COURSE, "quiz_id": quiz}, as_user=INSTRUCTOR, query=query)
    assert answer.status == 200, answer.body
    return list(answer.body["quiz_extensions"])


def entry(user_id: str = STUDENT, quiz: str = EXAM) -> dict[str, Any]:
    (found,) = [e for e in entries(quiz) if e["sis_user_id"] == user_id]
    return found


def granted(quiz: str = EXAM, user_id: str = STUDENT, **fields: Any) -> None:
    answer = set_quiz([{"user_id": user_id, **fields}], quiz=quiz)
    assert answer.status == 200, answer.body


def examspark(route: str, session_id: str, as_user: str = STUDENT, body: Any = None) -> dict[str, Any]:
    answer = call(f"examspark_{route}", {"sessionId": session_id}, as_user=as_user, body=body)
    assert answer.status == 200, answer.body
    return dict(answer.body["examSession"])


def submit(session_id: str) -> None:
    examspark("set_responses", session_id, body={"submitForScoring": True, "responses": []})


# --- constant cost ---------------------------------------------------------------------------------
def test_a_page_of_1_and_a_page_of_10_running_attempts_cost_the_same(room, dynamo_calls):
    students = [f"s{n}" for n in range(10)]
    for student in students:
        enroll(COURSE, user(student).id, "student")
    assert set_quiz([{"user_id": s, "extra_time": 5} for s in students]).status == 200
    ends = {s: iso(start(user=s)["endsAt"]) for s in students}
    for quiz in (EXAM, None):  # the quiz list, then the course list
        counts = []
        for per_page in (1, 10):
            dynamo_calls.reset()
            page = entries(quiz, per_page)
            counts.append(dict(dynamo_calls.counts))
            assert len(page) == per_page
            assert all(iso(e["end_at"]) == ends[e["sis_user_id"]] and e["limited_by"] == "extension" for e in page)
        # caller + enrollment, the exam (or course); the page (Query); its exams and pointed sessions (1 batch)
        assert counts == [ONE_BATCH, ONE_BATCH], quiz


# --- what an entry shows ---------------------------------------------------------------------------
def test_the_running_attempt_and_its_extended_end(room):
    granted(extra_time=10)
    sid = start()["id"]
    assert extension().latest_session_id == sid
    shown = entry()
    assert iso(shown["end_at"]) == iso(read(sid)["endsAt"]) and shown["limited_by"] == "extension"
    granted(extend_from_now=120)
    moved = iso(read(sid)["endsAt"])
    assert moved is not None and moved > datetime.now(UTC) + timedelta(minutes=100)
    assert iso(entry()["end_at"]) == moved


def test_a_submitted_or_expired_attempt_shows_none(room):
    granted(extra_time=10)
    submitted = start()["id"]
    submit(submitted)
    shown = entry()
    assert shown["end_at"] is None and shown["limited_by"] == "extension"  # what a new attempt would get
    granted(RETAKE, extra_time=10)
    expiring = start(RETAKE)["id"]
    session = stored(expiring)
    assert session.current is not None
    session.current.ends_at = datetime.now(UTC) - timedelta(minutes=1)  # past its end, not yet completed
    store_session(session)
    assert entry(quiz=RETAKE)["end_at"] is None  # expiry applies on read, as everywhere


def test_a_new_session_a_retake_a_reset_and_a_reopen_move_the_pointer(room):
    granted(RETAKE, extra_time=10)
    first = start(RETAKE, context_id="a", as_user=INSTRUCTOR)["id"]
    second = start(RETAKE, context_id="b", as_user=INSTRUCTOR)["id"]
    assert extension(RETAKE).latest_session_id == second
    assert iso(entry(quiz=RETAKE)["end_at"]) == iso(read(second)["endsAt"])
    submit(first)
    retaken = examspark("retake", first)
    assert extension(RETAKE).latest_session_id == first
    assert iso(entry(quiz=RETAKE)["end_at"]) == iso(retaken["endsAt"])
    reset = examspark("reset", second, as_user=INSTRUCTOR)
    assert extension(RETAKE).latest_session_id == second
    assert iso(entry(quiz=RETAKE)["end_at"]) == iso(reset["endsAt"])
    submit(first)
    reopened = examspark("reopen", first, as_user=INSTRUCTOR)
    assert extension(RETAKE).latest_session_id == first
    assert iso(entry(quiz=RETAKE)["end_at"]) == iso(reopened["endsAt"])


def test_a_removed_session_shows_none(room, dynamo_calls):
    granted(extra_time=10)
    sid = start()["id"]
    removed = call("learningstudio_reset_exam", {"userId": STUDENT, "courseId": COURSE, "examId": EXAM},
                   as_user=INSTRUCTOR)
    assert removed.status == 200, removed.body
    dynamo_calls.reset()
    shown = entry()
    assert shown["end_at"] is None and shown["limited_by"] == "extension"
    assert dict(dynamo_calls.counts) == ONE_BATCH  # the pointer still names the removed session: not found
    assert extension().latest_session_id == sid


def test_a_start_without_an_extension_writes_none(room):
    start(user=OTHER)
    assert extension(EXAM, OTHER) is None


# --- items written before the pointer ----------------------------------------------------------------
def test_an_extension_written_before_the_pointer_reads_its_sessions_until_a_grant_writes_it(room, dynamo_calls):
    sid = start()["id"]
    legacy = Extension(course_id=COURSE, exam_id=EXAM, user_id=STUDENT, extra_time_minutes=10)
    item = to_item(legacy, keys.extension_key(EXAM, STUDENT), keys.extension_index(COURSE, EXAM, STUDENT))
    Store().put({k: v for k, v in item.items() if k not in ("session_tracked", "version")})
    end = iso(read(sid)["endsAt"])
    dynamo_calls.reset()
    assert iso(entry()["end_at"]) == end
    assert dict(dynamo_calls.counts) == {"GetItem": 3, "Query": LIST_SHARDS + 1}  # + its sessions (fallback)
    dynamo_calls.reset()
    (course_entry,) = entries(quiz=None)  # the course list takes the same fallback (and reads the page's exams)
    assert iso(course_entry["end_at"]) == end
    assert dict(dynamo_calls.counts) == {"GetItem": 3, "Query": LIST_SHARDS + 1, "BatchGetItem": 1}
    granted(extra_attempts=1)  # any write of the extension works its pointer out
    assert extension().latest_session_id == sid and extension().session_tracked
    dynamo_calls.reset()
    assert iso(entry()["end_at"]) == end
    assert dict(dynamo_calls.counts) == ONE_BATCH


def test_allowances_created_after_the_start_point_at_its_attempt(room):
    """An extension first written by an Open edX grant (or bulk grant) works its pointer out from the
    student's sessions, as a Canvas grant does; a later removal of one allowance keeps it."""
    proctored = "proctored-1"
    exam(proctored, COURSE, room["items"], type="proctored", time_limit_minutes=90)
    one, many = start(proctored)["id"], start(RETAKE)["id"]
    path = {"course_id": COURSE, "exam_id": str(number(Kind.EXAM, proctored))}
    answer = call("openedx_grant_allowance", path, as_user=INSTRUCTOR,
                  body={"user_ids": [STUDENT], "allowance_type": "additional_time_granted", "value": "30"})
    assert answer.status == 200 and answer.body["success"], answer.body
    assert extension(proctored).latest_session_id == one
    assert iso(entry(quiz=proctored)["end_at"]) == iso(read(one)["endsAt"])
    answer = call("openedx_bulk_create_allowances", {"course_id": COURSE}, as_user=INSTRUCTOR,
                  body={"exam_ids": [number(Kind.EXAM, RETAKE)], "user_ids": [STUDENT],
                        "allowance_type": "review_policy_exception", "value": "notes"})
    assert answer.status == 200, answer.body
    assert extension(RETAKE).latest_session_id == many


# --- races -----------------------------------------------------------------------------------------
def test_a_grant_that_read_the_extension_before_a_start_loses(room, monkeypatch):
    granted(extra_time=10)
    load = ExtensionRepository.load
    started: list[str] = []

    def load_then_start(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        found = load(self, *args, **kwargs)
        if not started:
            started.append(start()["id"])  # commits the session and moves the extension's version
        return found

    monkeypatch.setattr(ExtensionRepository, "load", load_then_start)
    lost = set_quiz([{"user_id": STUDENT, "extra_time": 30}])
    monkeypatch.undo()
    assert lost.status == 409, lost.body
    kept = extension()
    assert kept.extra_time_minutes == 10 and kept.latest_session_id == started[0] and kept.version == 2
    granted(extra_time=30)  # the client retries
    assert extension().extra_time_minutes == 30 and extension().latest_session_id == started[0]


@pytest.mark.parametrize("existing", [True, False], ids=["extension", "no-extension"])
def test_a_start_that_read_the_extension_before_a_grant_loses(room, monkeypatch, existing):
    if existing:
        granted(extra_time=10)
    get_extension = SessionRepository.get_extension
    granting: list[int] = []

    def read_then_grant(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        found = get_extension(self, *args, **kwargs)
        if not granting:
            granting.append(set_quiz([{"user_id": STUDENT, "extra_time": 30}]).status)
        return found

    monkeypatch.setattr(SessionRepository, "get_extension", read_then_grant)
    lost = call("examspark_start_session", {"examConfigId": EXAM}, as_user=STUDENT,
                body={"user_id": STUDENT, "context_id": ""})
    monkeypatch.undo()
    assert granting == [200]
    assert lost.status == 409 and lost.body["error"]["code"] == "concurrent_update", lost.body
    kept = extension()
    assert kept.extra_time_minutes == 30 and kept.latest_session_id is None
    session = start()  # the client retries: the attempt gets the extra time and the pointer
    assert extension().latest_session_id == session["id"]
    end = iso(session["endsAt"])
    assert end is not None and end > datetime.now(UTC) + timedelta(minutes=85)  # 60 + 30 minutes
    assert iso(entry()["end_at"]) == end
