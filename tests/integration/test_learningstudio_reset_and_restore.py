"""LearningStudio reset and restore on moto: a restorable record, a new draw after it, the Course
Administrator right (custom roles with and without it), the window, bad input and DynamoDB calls."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from functions.data import tokens
from functions.data.sessions import SessionRepository
from functions.data.stats import StatsRepository
from tests.conftest import call
from tests.integration.learningstudio_helpers import (
    CLOSED,
    COURSE,
    EXAM,
    GRADER,
    INSTRUCTOR,
    ONCE,
    OTHER,
    OTHER_COURSE,
    OTHER_INSTRUCTOR,
    REGISTRAR,
    RESETS,
    RESTORE,
    SOON,
    STUDENT,
    TA,
    answer_all,
    begin,
    begun,
    build,
    item_count,
    key,
    move_window,
    reset,
    unlock,
)


@pytest.fixture
def room(table):
    return build()


def resets(exam_id: str = EXAM, as_user: str | None = INSTRUCTOR, **kw):
    return call(RESETS, {"courseId": kw.pop("course_id", COURSE), "examId": exam_id}, as_user=as_user, **kw)


def restore(reset_id: str, exam_id: str = EXAM, as_user: str | None = INSTRUCTOR, course_id: str = COURSE):
    return call(RESTORE, {"courseId": course_id, "examId": exam_id, "resetId": reset_id}, as_user=as_user)


def test_reset_removes_the_instance_keeps_it_restorable_and_the_next_begin_draws_anew(room):
    first = begun()
    drawn = first["questionSet"]["itemIds"]
    answer_all(first["instanceId"], drawn[:2], submit=False)
    answer = reset(reason="the connection dropped")
    assert answer.status == 200, answer.body
    record = answer.body["reset"]
    assert (record["userId"], record["examId"], record["courseId"]) == (STUDENT, EXAM, COURSE)
    assert record["resetBy"] == INSTRUCTOR and record["reason"] == "the connection dropped"
    assert record["status"] == "restorable" and record["savedAnswers"] == 2
    assert record["exam"]["questionSet"]["itemIds"] == drawn and record["id"].startswith(first["instanceId"])
    # the instance and its attempts are gone from every surface, the record holds them whole
    assert SessionRepository().get_session(first["instanceId"], consistent=True) is None
    assert call("examspark_get_session", {"sessionId": first["instanceId"]}, as_user=STUDENT).status == 404
    kept = SessionRepository().latest_removal(first["instanceId"])
    assert kept and kept.removed_by == INSTRUCTOR and kept.session.attempts[0].answered == 2
    # its responses stay in the attempt's own items, which the record names
    assert SessionRepository().with_current(kept.session).attempts[0].responses
    assert StatsRepository().get_many([EXAM])[0]["sessions"] == 0
    again = begun()
    assert again["instanceId"] == first["instanceId"]
    assert set(again["questionSet"]["itemIds"]) != set(drawn) and again["questionSet"]["draw"] > 1
    assert again["attempts"][0]["status"] == "inProgress"


def test_the_course_administrator_right_decides(room):
    begun()
    before = item_count()
    for caller, status in ((STUDENT, 403), (OTHER, 403), (TA, 403), (GRADER, 403), (OTHER_INSTRUCTOR, 404),
                           ("nobody", 404)):
        refused = reset(as_user=caller)
        assert refused.status == status, (caller, refused.body)
        assert "reset" not in refused.body and STUDENT not in str(refused.body)
    assert reset(as_user=None).status == 401
    assert reset(as_user=None, authorizer=key(courses=OTHER_COURSE)).status == 404
    assert reset(as_user=None, authorizer=key(rights="course:view,attempt:manage")).status == 403
    # another course's administrator naming their own course in the path: the exam is not found there
    assert reset(as_user=OTHER_INSTRUCTOR, course_id=OTHER_COURSE).status == 404
    assert item_count() == before
    done = reset(as_user=REGISTRAR)  # a custom role that holds course:admin
    assert done.status == 200 and done.body["reset"]["resetBy"] == REGISTRAR


def test_an_integration_key_with_the_right_resets(room):
    begun()
    done = reset(as_user=None, authorizer=key())
    assert done.status == 200 and done.body["reset"]["resetBy"] == "integration"


def test_reset_only_inside_the_window_and_the_409_gives_it(room):
    before = item_count()
    early = reset(exam_id=SOON)
    assert early.status == 409
    message = early.body["error"]["message"]
    assert "scheduled start" in message and "scheduled end" in message
    late = reset(exam_id=CLOSED)
    assert late.status == 409 and "scheduled end" in late.body["error"]["message"]
    assert item_count() == before


def test_an_instance_whose_exam_closed_since_cannot_be_reset_and_stays(room):
    begun(exam_id=ONCE)
    closed_at = datetime.now(UTC) - timedelta(minutes=1)
    move_window(ONCE, closes_at=closed_at)
    refused = reset(exam_id=ONCE)
    assert refused.status == 409 and closed_at.isoformat() in refused.body["error"]["message"]
    assert call("learningstudio_list_user_exams", {"userId": STUDENT, "courseId": COURSE},
                as_user=STUDENT).body["exams"][0]["id"] == ONCE


def test_an_unlocked_student_may_be_reset_outside_the_window(room):
    unlock(SOON)
    begun(exam_id=SOON)
    assert reset(exam_id=SOON).status == 200  # the student can begin again, so the reset strands nobody
    assert begin(exam_id=SOON).status == 201


def test_unknown_and_foreign_ids_are_404_and_write_nothing(room):
    begun()
    before = item_count()
    none = reset(OTHER)
    assert none.status == 404 and "no instance" in none.body["error"]["message"]
    assert reset("nobody").status == 404
    assert reset(exam_id="no-such-exam").status == 404
    assert reset(exam_id=f"exam-{OTHER_COURSE}").status == 404  # an exam of another course
    assert item_count() == before


@pytest.mark.parametrize("bad,field", [
    ({"reason": ["x" * 501]}, "reason"),
])
def test_bad_reset_input_is_400(room, bad, field):
    begun()
    before = item_count()
    answer = call("learningstudio_reset_exam", {"userId": STUDENT, "courseId": COURSE, "examId": EXAM},
                  as_user=INSTRUCTOR, query=bad)
    assert answer.status == 400 and field in answer.body["error"]["message"]
    assert item_count() == before


def test_resets_list_and_restore_with_the_answers(room):
    first = begun()
    answer_all(first["instanceId"], first["questionSet"]["itemIds"], submit=False)
    reset_id = reset().body["reset"]["id"]
    listed = resets()
    assert listed.status == 200 and [r["id"] for r in listed.body["resets"]] == [reset_id]
    assert listed.body["resets"][0]["savedAnswers"] == 3
    restored = restore(reset_id, as_user=REGISTRAR)
    assert restored.status == 200, restored.body
    exam = restored.body["exam"]
    assert exam["instanceId"] == first["instanceId"] and exam["questionSet"] == first["questionSet"]
    shown = call("examspark_get_session", {"sessionId": first["instanceId"]}, as_user=STUDENT,
                 query={"include[]": ["responses"]}).body["examSession"]
    assert all(shown["responses"][i] for i in first["questionSet"]["itemIds"])  # the answers came back
    after = resets().body["resets"][0]
    assert after["status"] == "restored" and after["restoredBy"] == REGISTRAR and after["restoredAt"]
    again = restore(reset_id)
    assert again.status == 409 and "restored already" in again.body["error"]["message"]
    assert StatsRepository().get_many([EXAM])[0]["sessions"] == 1


def test_restore_is_refused_while_a_newer_instance_lives(room):
    first = begun()
    reset_id = reset().body["reset"]["id"]
    begun()
    before = item_count()
    refused = restore(reset_id)
    assert refused.status == 409 and "reset that instance first" in refused.body["error"]["message"]
    assert item_count() == before
    reset()  # the newer one reset too: now the first can come back
    assert restore(reset_id).body["exam"]["questionSet"] == first["questionSet"]


def test_restore_rights_and_foreign_ids(room):
    begun()
    reset_id = reset().body["reset"]["id"]
    before = item_count()
    assert restore(reset_id, as_user=STUDENT).status == 403
    assert restore(reset_id, as_user=GRADER).status == 403
    assert restore(reset_id, as_user=OTHER_INSTRUCTOR).status == 404
    assert restore(reset_id, as_user=None).status == 401
    assert restore(reset_id, as_user=OTHER_INSTRUCTOR, course_id=OTHER_COURSE).status == 404
    assert restore(reset_id, exam_id=ONCE).status == 404  # the record is of another exam
    assert restore(reset_id.rsplit("_", 1)[0] + "_20200101T000000.000000Z").status == 404
    malformed = restore("no-separator")
    assert malformed.status == 400 and malformed.body["error"]["field"] == "resetId"
    assert item_count() == before


def test_resets_list_rights_pages_and_tokens(room):
    for student in (STUDENT, OTHER):
        begun(student)
        reset(student)
    assert resets(as_user=REGISTRAR).status == 200
    for caller, status in ((STUDENT, 403), (TA, 403), (GRADER, 403), (OTHER_INSTRUCTOR, 404), (None, 401)):
        denied = resets(as_user=caller)
        assert denied.status == status and "resets" not in denied.body, caller
    assert resets(exam_id="no-such-exam").status == 404
    assert resets(exam_id=f"exam-{OTHER_COURSE}").status == 404
    page = resets(query={"limit": ["1"]})
    assert len(page.body["resets"]) == 1 and page.body["nextToken"]
    rest = resets(query={"limit": ["1"], "nextToken": [page.body["nextToken"]]})
    assert len(rest.body["resets"]) == 1 and rest.body["resets"][0]["id"] != page.body["resets"][0]["id"]
    forged = tokens.encode([{"id": "someone-else", "sk": "exam-session"}])
    assert resets(query={"nextToken": [forged]}).status == 400
    assert resets(query={"limit": ["500"]}).status == 400


def test_dynamodb_calls(room, dynamo_calls):
    first = begun()
    dynamo_calls.reset()
    reset_id = reset().body["reset"]["id"]
    # caller, enrollment (rights); exam; extension (unlock?); the user's sessions on the exam (every door's);
    # delete + record per session, statistics, audit event: one transaction
    assert dict(dynamo_calls.counts) == {"GetItem": 4, "Query": 1, "TransactWriteItems": 1}
    dynamo_calls.reset()
    resets()
    assert dict(dynamo_calls.counts) == {"GetItem": 3, "Query": 1}  # caller, enrollment, exam; gsi3
    dynamo_calls.reset()
    restore(reset_id)
    # caller, enrollment; the record (consistent); latest removal; session + record + statistics
    assert dict(dynamo_calls.counts) == {"GetItem": 3, "Query": 1, "TransactWriteItems": 1}
    dynamo_calls.reset()
    reset(as_user=REGISTRAR)
    assert dict(dynamo_calls.counts) == {"GetItem": 5, "Query": 1, "TransactWriteItems": 1}  # + the custom role
    dynamo_calls.reset()
    reset(as_user=STUDENT)
    assert dict(dynamo_calls.counts) == {"GetItem": 2}  # refused after the rights check
    assert first["instanceId"]


def test_dynamodb_call_variants(room, dynamo_calls):
    from tests.factories import user

    user("boss", admin=True)
    for student in (STUDENT, OTHER):
        begun(student)
    dynamo_calls.reset()
    assert reset(as_user="boss").status == 200
    assert dict(dynamo_calls.counts) == {"GetItem": 3, "Query": 1, "TransactWriteItems": 1}  # no enrollment
    dynamo_calls.reset()
    assert reset(OTHER, as_user=None, authorizer=key()).status == 200
    # a key: rights in its context
    assert dict(dynamo_calls.counts) == {"GetItem": 2, "Query": 1, "TransactWriteItems": 1}
    page = resets(query={"limit": ["1"]})
    dynamo_calls.reset()
    resets(query={"limit": ["1"], "nextToken": [page.body["nextToken"]]})
    assert dict(dynamo_calls.counts) == {"GetItem": 4, "Query": 1}  # + the token's item
