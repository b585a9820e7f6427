"""ExamSpark start and get on moto: behaviour, denials, bad input, DynamoDB calls, console events."""

from __future__ import annotations

import importlib

import pytest

from functions.routes import route
from tests.conftest import LambdaContext, call, principal_context
from tests.factories import classroom

START, GET = "examspark_start_session", "examspark_get_session"


@pytest.fixture
def room(table):
    return classroom()


def start(as_user="student-course-1", user_id="student-course-1", **kw):
    return call(START, {"examConfigId": "exam-course-1"}, as_user=as_user, body={"user_id": user_id, **kw})


def item_count(table_name="examdesk-test"):
    from functions.data.dynamo import client

    return client().scan(TableName=table_name, Select="COUNT")["Count"]


def test_start_is_idempotent_and_never_resets_the_clock(room):
    first = start()
    second = start()
    assert first.status == second.status == 200
    assert first.body["examSession"]["id"] == second.body["examSession"]["id"]
    assert first.body["examSession"]["startedAt"] == second.body["examSession"]["startedAt"]
    assert first.body["examSession"]["limitedBy"] == "time_limit"


def test_a_students_own_context_is_ignored_a_trusted_callers_makes_a_session(room):
    own = [start(context_id=c).body["examSession"] for c in ("a", "b")]
    assert own[0]["id"] == own[1]["id"] and own[0]["examSessionData"]["lti"].get("contextId") is None
    launched = start(as_user="instructor-course-1", context_id="lms-a")
    assert launched.status == 409 and "all 1 attempts are used" in launched.body["error"]["message"]


def test_instructor_may_start_for_a_student_but_a_student_not_for_another(room):
    assert start(as_user="instructor-course-1").status == 200
    refused = start(as_user="other-course-1")
    assert refused.status == 403


def test_starting_for_a_non_student_is_400_naming_the_user(room):
    answer = start(as_user="instructor-course-1", user_id="ta-course-1")
    assert answer.status == 400 and "ta-course-1" in answer.body["error"]["message"]


def test_unknown_exam_and_closed_window(room):
    from datetime import UTC, datetime, timedelta

    from tests.factories import exam

    assert call(START, {"examConfigId": "nope"}, as_user="student-course-1",
                body={"user_id": "student-course-1"}).status == 404
    exam("closed", "course-1", room["items"], closes_at=datetime.now(UTC) - timedelta(hours=1))
    closed = call(START, {"examConfigId": "closed"}, as_user="student-course-1", body={"user_id": "student-course-1"})
    assert closed.status == 409 and "closes" in closed.body["error"]["message"]


@pytest.mark.parametrize("body,field", [
    ('{"user_id": ', "body"),
    ({"user_id": 5}, "user_id"),
    ({}, "user_id"),
    ({"user_id": ""}, "user_id"),
    ({"user_id": "x" * 300}, "user_id"),
    ([1, 2], None),
])
def test_bad_bodies_are_400_and_write_nothing(room, body, field):
    before = item_count()
    answer = call(START, {"examConfigId": "exam-course-1"}, as_user="student-course-1", body=body)
    assert answer.status == 400, answer.body
    if field:
        assert field in answer.body["error"]["message"] or answer.body["error"].get("field", "").endswith(field)
    assert item_count() == before


def test_get_rights(room):
    sid = start().body["examSession"]["id"]
    assert call(GET, {"sessionId": sid}, as_user="student-course-1").status == 200
    assert call(GET, {"sessionId": sid}, as_user="ta-course-1").status == 200
    other = call(GET, {"sessionId": sid}, as_user="other-course-1")
    assert other.status == 404 and sid not in str(other.body)
    assert call(GET, {"sessionId": sid}).status == 401
    key = principal_context("key", "k", courses="course-2", rights="course:view")
    assert call(GET, {"sessionId": sid}, authorizer=key).status == 404
    key_ok = principal_context("key", "k", courses="course-1", rights="course:view")
    assert call(GET, {"sessionId": sid}, authorizer=key_ok).status == 200


def test_get_includes_and_bad_include(room):
    sid = start().body["examSession"]["id"]
    plain = call(GET, {"sessionId": sid}, as_user="student-course-1").body["examSession"]
    assert "responses" not in plain and "results" not in plain
    full = call(GET, {"sessionId": sid}, as_user="student-course-1",
                query={"include[]": ["results", "responses"]}).body["examSession"]
    assert len(full["responses"]) == 3 and full["results"] is None
    bad = call(GET, {"sessionId": sid}, as_user="student-course-1", query={"include[]": ["secrets"]})
    assert bad.status == 400 and "include[]" in bad.body["error"]["message"]
    assert call(GET, {"sessionId": "missing"}, as_user="student-course-1").status == 404


def test_dynamodb_calls_per_route(room, dynamo_calls):
    dynamo_calls.reset()
    sid = start().body["examSession"]["id"]
    # exam, user, enrollment (student's own rights), course (active?), session lookup, extension; the
    # student's sessions on the exam (attempts counted per student and exam); the latest removal of this
    # session (a begin after a reset draws anew); create session + statistics (one transaction)
    assert dict(dynamo_calls.counts) == {"GetItem": 6, "Query": 2, "TransactWriteItems": 1}
    dynamo_calls.reset()
    start()
    assert dict(dynamo_calls.counts) == {"GetItem": 5}  # exam, user, enrollment, course, existing session
    dynamo_calls.reset()
    call(GET, {"sessionId": sid}, as_user="student-course-1")
    assert dict(dynamo_calls.counts) == {"GetItem": 4}  # session, user, enrollment, exam


def test_console_event_says_what_it_did(room):
    sid = start().body["examSession"]["id"]
    module = importlib.import_module(route(GET).import_path)
    answer = module.lambda_handler({"sessionId": sid, "query": {"include[]": ["results"]}}, LambdaContext())
    assert answer["statusCode"] == 200
    assert answer["summary"].startswith("Get an exam session: GET /api/exam-session/")
    assert answer["body"]["examSession"]["id"] == sid
    missing = module.lambda_handler({"sessionId": "nope"}, LambdaContext())
    assert missing["statusCode"] == 404 and "refused" in missing["summary"]


def test_expired_attempt_is_completed_on_read(room):
    from datetime import timedelta

    from functions.data.sessions import SessionRepository

    sid = start().body["examSession"]["id"]
    repo = SessionRepository()
    session = repo.get_session(sid)
    assert session and session.current
    session.current.started_at -= timedelta(hours=2)
    session.current.ends_at = session.current.started_at + timedelta(minutes=60)
    repo.store.put(__import__("functions.data.sessions", fromlist=["session_item"]).session_item(session))
    got = call(GET, {"sessionId": sid}, as_user="student-course-1", query={"include[]": ["results"]})
    assert got.body["examSession"]["maturity"] == "COMPLETE"
    assert got.body["examSession"]["scoreActual"] == 0
    assert got.body["examSession"]["results"]["points"]["max"] == 3
