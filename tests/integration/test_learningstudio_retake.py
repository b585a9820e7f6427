"""LearningStudio retake on moto: the same question set and a new empty attempt for a completed, retakable
exam; a 409 that points to reset otherwise; rights, foreign ids and DynamoDB calls."""

from __future__ import annotations

import pytest

from tests.conftest import call
from tests.integration.learningstudio_helpers import (
    COURSE,
    EXAM,
    INSTRUCTOR,
    ONCE,
    OTHER,
    OTHER_COURSE,
    OTHER_INSTRUCTOR,
    RETAKE,
    STUDENT,
    answer_all,
    begun,
    build,
    item_count,
    path,
)


@pytest.fixture
def room(table):
    return build()


def retake(user_id: str = STUDENT, exam_id: str = EXAM, as_user: str | None = STUDENT, course_id: str = COURSE):
    return call(RETAKE, path(user_id, exam_id, course_id), as_user=as_user)


def completed(exam_id: str = EXAM, user_id: str = STUDENT) -> dict:
    exam = begun(user_id, exam_id)
    answer_all(exam["instanceId"], exam["questionSet"]["itemIds"], submit=True, as_user=user_id)
    return exam


def test_retake_keeps_the_question_set_and_starts_an_empty_attempt(room):
    first = completed()
    answer = retake()
    assert answer.status == 200, answer.body
    exam = answer.body["exam"]
    assert exam["instanceId"] == first["instanceId"] and exam["questionSet"] == first["questionSet"]
    assert exam["status"] == "inProgress" and exam["currentAttempt"] == 2
    assert [a["status"] for a in exam["attempts"]] == ["submitted", "inProgress"]
    shown = call("examspark_get_session", {"sessionId": first["instanceId"]}, as_user=STUDENT,
                 query={"include[]": ["responses"]}).body["examSession"]
    assert shown["attempt"] == 2 and all(r == {} for r in shown["responses"].values())  # an empty attempt


def test_retake_of_an_unfinished_or_used_up_exam_is_409(room):
    exam = begun()
    before = item_count()
    unfinished = retake()
    assert unfinished.status == 409 and "not complete" in unfinished.body["error"]["message"]
    assert item_count() == before
    answer_all(exam["instanceId"], exam["questionSet"]["itemIds"], submit=True)
    assert retake().status == 200
    answer_all(exam["instanceId"], exam["questionSet"]["itemIds"], submit=True)
    used = retake()
    assert used.status == 409 and "all 2 attempts are used" in used.body["error"]["message"]


def test_a_completed_exam_that_is_not_retakable_points_to_reset(room):
    completed(ONCE)
    before = item_count()
    refused = retake(exam_id=ONCE)
    assert refused.status == 409
    message = refused.body["error"]["message"]
    assert "not retakable" in message and "reset" in message
    assert item_count() == before


def test_retake_rights_and_foreign_ids(room):
    completed()
    before = item_count()
    assert retake(as_user=OTHER).status == 404  # another student's instance: not even confirmed
    assert retake(as_user=OTHER_INSTRUCTOR).status == 404
    assert retake(as_user=None).status == 401
    assert retake(course_id=OTHER_COURSE).status == 404  # the exam is not in that course
    assert retake(as_user=OTHER_INSTRUCTOR, course_id=OTHER_COURSE).status == 404
    assert retake(OTHER).status == 404  # no instance
    assert retake(exam_id="no-such-exam").status == 404
    assert item_count() == before
    assert retake(as_user=INSTRUCTOR).status == 200  # on the student's behalf, with attempt:manage


def test_dynamodb_calls(room, dynamo_calls):
    completed()
    dynamo_calls.reset()
    assert retake().status == 200
    # session, caller, enrollment, exam, course (active?), extension; the user's sessions on the exam
    # (attempts count per user and exam); session (version check)
    assert dict(dynamo_calls.counts) == {"GetItem": 6, "Query": 1, "TransactWriteItems": 1}
    completed(ONCE)
    dynamo_calls.reset()
    assert retake(exam_id=ONCE).status == 409
    assert dict(dynamo_calls.counts) == {"GetItem": 6}  # refused before the sessions Query, nothing written


def test_an_attempt_past_its_end_is_completed_first(room, dynamo_calls):
    from datetime import UTC, datetime, timedelta

    from functions.data.sessions import SessionRepository, session_item
    from functions.data.store import Store

    exam = begun()
    session = SessionRepository().get_session(exam["instanceId"])
    assert session and session.current
    session.current.ends_at = datetime.now(UTC) - timedelta(minutes=1)
    Store().put(session_item(session))
    dynamo_calls.reset()
    answer = retake()
    assert answer.status == 200, answer.body
    assert [a["status"] for a in answer.body["exam"]["attempts"]] == ["timedOut", "inProgress"]
    # the reads of a retake, the items to score the timed-out attempt, its completion, then the retake
    assert dict(dynamo_calls.counts) == {"GetItem": 6, "Query": 1, "BatchGetItem": 1, "TransactWriteItems": 2}

