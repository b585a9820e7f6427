"""LearningStudio begin and list on moto: the instance is the ExamSpark session, one per user, the window,
rights, bad input, DynamoDB calls and a console event."""

from __future__ import annotations

import importlib

import pytest

from functions.core.services.sessions import session_id_for
from functions.data import tokens
from functions.routes import route
from tests.conftest import LambdaContext, call, principal_context
from tests.integration.learningstudio_helpers import (
    BEGIN,
    CLOSED,
    COURSE,
    EXAM,
    GRADER,
    INSTRUCTOR,
    LIST,
    ONCE,
    OTHER,
    OTHER_COURSE,
    OTHER_INSTRUCTOR,
    POOL,
    REGISTRAR,
    SOON,
    STUDENT,
    TA,
    begin,
    begun,
    build,
    item_count,
    key,
    path,
    unlock,
)


@pytest.fixture
def room(table):
    return build()


def listing(user_id: str = STUDENT, as_user: str | None = STUDENT, **kw):
    return call(LIST, {"userId": user_id, "courseId": kw.pop("course_id", COURSE)}, as_user=as_user, **kw)


def test_begin_creates_the_instance_with_a_draw_from_the_pool(room):
    answer = begin()
    assert answer.status == 201, answer.body
    exam = answer.body["exam"]
    assert exam["id"] == EXAM and exam["userId"] == STUDENT and exam["courseId"] == COURSE
    assert exam["instanceId"] == session_id_for(EXAM, STUDENT)
    assert exam["status"] == "inProgress" and exam["currentAttempt"] == 1 and exam["completedAt"] is None
    assert [a["status"] for a in exam["attempts"]] == ["inProgress"]
    drawn = exam["questionSet"]["itemIds"]
    assert len(drawn) == 3 and set(drawn) <= set(POOL) and exam["questionSet"]["draw"] == 1
    assert exam["beganAt"] == exam["attempts"][0]["startedAt"]


def test_the_instance_is_the_session_the_examspark_routes_show(room):
    exam = begun()
    shown = call("examspark_get_session", {"sessionId": exam["instanceId"]}, as_user=STUDENT,
                 query={"include[]": ["responses"]})
    assert shown.status == 200
    session = shown.body["examSession"]
    assert session["studentId"] == STUDENT and session["examId"] == f"{EXAM}/exam#v0"
    assert list(session["responses"]) == exam["questionSet"]["itemIds"]
    assert session["startedAt"] == exam["attempts"][0]["startedAt"] and session["attempt"] == 1
    # and an ExamSpark start for the same user without an LTI context finds that same session
    started = call("examspark_start_session", {"examConfigId": EXAM}, as_user=STUDENT, body={"user_id": STUDENT})
    assert started.body["examSession"]["id"] == exam["instanceId"]


def test_a_second_begin_is_a_400_that_says_so_and_writes_nothing(room):
    first = begun()
    before = item_count()
    again = begin()
    assert again.status == 400
    message = again.body["error"]["message"]
    assert "already has an instance" in message and first["instanceId"] in message and "reset" in message
    assert item_count() == before


def test_the_student_or_a_caller_who_manages_attempts_begins(room):
    """The start act's rule, the same as ExamSpark's start (docs/rulebook.md): another student, or a key
    without attempt:manage, is refused and nothing is written."""
    before = item_count()
    refused = begin(STUDENT, as_user=OTHER)
    assert refused.status == 403 and "attempt:manage" in refused.body["error"]["message"], refused.body
    assert call(BEGIN, path(), authorizer=key(rights="course:admin,exam:take")).status == 403
    assert call(BEGIN, path()).status == 401
    assert item_count() == before
    begun = begin(STUDENT, as_user=INSTRUCTOR)
    assert begun.status == 201 and begun.body["exam"]["instanceId"] == session_id_for(EXAM, STUDENT)


def test_the_exam_must_belong_to_the_course_in_the_path(room):
    before = item_count()
    wrong = begin(course_id=OTHER_COURSE)
    assert wrong.status == 404 and "course-1" not in str(wrong.body)
    assert begin(exam_id="no-such-exam").status == 404
    assert item_count() == before


def test_a_user_who_is_not_a_student_of_the_course_cannot_begin(room):
    refused = begin(TA)  # enrolled, but the teaching assistant role does not take exams
    assert refused.status == 400 and "not a student" in refused.body["error"]["message"]
    assert refused.body["error"]["field"] == "userId"
    outsider = begin(OTHER_INSTRUCTOR)  # not a member of course-1 at all
    assert outsider.status == 400 and "not a student of course 'course-1'" in outsider.body["error"]["message"]


@pytest.mark.parametrize("exam_id", [SOON, CLOSED])
def test_begin_only_inside_the_window_unless_unlocked(room, exam_id):
    refused = begin(exam_id=exam_id)
    assert refused.status == 409
    message = refused.body["error"]["message"]
    assert "opens" in message and "closes" in message
    unlock(exam_id)
    assert begin(exam_id=exam_id).status == 201


def test_list_shows_the_users_instances_in_the_course(room):
    first, second = begun(), begun(exam_id=ONCE)
    begun(OTHER)  # another student's instance is not listed
    answer = listing()
    assert answer.status == 200 and answer.body["nextToken"] is None
    assert [(e["id"], e["instanceId"]) for e in answer.body["exams"]] == sorted(
        [(EXAM, first["instanceId"]), (ONCE, second["instanceId"])], key=lambda e: e[1])
    assert listing(OTHER_INSTRUCTOR, as_user=OTHER_INSTRUCTOR, course_id=OTHER_COURSE).body["exams"] == []


def test_list_pages_and_refuses_forged_tokens(room):
    begun(), begun(exam_id=ONCE)
    page = listing(query={"limit": ["1"]})
    assert len(page.body["exams"]) == 1 and page.body["nextToken"]
    rest = listing(query={"limit": ["1"], "nextToken": [page.body["nextToken"]]})
    assert rest.status == 200 and len(rest.body["exams"]) == 1
    assert rest.body["exams"][0]["instanceId"] != page.body["exams"][0]["instanceId"]
    # a token naming another student's session is outside this list
    other = begun(OTHER)
    forged = tokens.encode([{"id": other["instanceId"], "sk": "exam-session"}])
    refused = listing(query={"nextToken": [forged]})
    assert refused.status == 400 and refused.body["error"]["field"] == "nextToken"
    assert OTHER not in str(refused.body)
    assert listing(query={"nextToken": ["not-a-token"]}).status == 400


def test_list_rights(room):
    begun()
    assert listing(as_user=TA).status == 200  # course:view
    assert listing(as_user=GRADER).status == 200  # a custom role holding course:view
    assert listing(as_user=INSTRUCTOR).body["exams"][0]["userId"] == STUDENT
    assert listing(as_user=REGISTRAR).status == 200  # a custom role holding course:admin (the reset guide)
    other = listing(as_user=OTHER)  # another student of the course
    assert other.status == 403 and "exams" not in other.body and "course:view" in other.body["error"]["message"]
    for caller in ("nobody", OTHER_INSTRUCTOR):
        denied = listing(as_user=caller)
        assert denied.status == 404 and "exams" not in denied.body, caller
    assert listing(as_user=None).status == 401
    assert call(LIST, {"userId": STUDENT, "courseId": COURSE}, authorizer=key(rights="course:view")).status == 200
    assert call(LIST, {"userId": STUDENT, "courseId": COURSE},
                authorizer=key(courses=OTHER_COURSE, rights="course:view")).status == 404
    unknown = listing("nobody", as_user=TA)
    assert unknown.status == 404 and "not enrolled" in unknown.body["error"]["message"]


@pytest.mark.parametrize("query,field", [
    ({"limit": ["0"]}, "limit"),
    ({"limit": ["101"]}, "limit"),
    ({"limit": ["ten"]}, "limit"),
    ({"nextToken": ["x" * 3000]}, "nextToken"),
])
def test_bad_list_queries_are_400_naming_the_field(room, query, field):
    answer = listing(query=query)
    assert answer.status == 400 and field in answer.body["error"]["message"], answer.body


def test_bad_path_parameters_are_400_and_write_nothing(room):
    before = item_count()
    answer = call(BEGIN, path(exam_id="x" * 129), as_user=STUDENT)
    assert answer.status == 400 and "examId" in answer.body["error"]["message"]
    assert item_count() == before


def test_dynamodb_calls(room, dynamo_calls):
    dynamo_calls.reset()
    begun()
    # exam, user, enrollment, course (active?), existing session?, extension; the user's sessions on the exam
    # (attempts count per user and exam); latest removal; session + statistics
    assert dict(dynamo_calls.counts) == {"GetItem": 6, "Query": 2, "TransactWriteItems": 1}
    dynamo_calls.reset()
    assert begin().status == 400
    assert dict(dynamo_calls.counts) == {"GetItem": 5}  # exam, user, enrollment, course, the existing session
    dynamo_calls.reset()
    assert begin(STUDENT, as_user=OTHER).status == 403
    assert dict(dynamo_calls.counts) == {"GetItem": 4}  # exam, user; the caller's enrollment, role: no right
    begun(exam_id=ONCE)
    dynamo_calls.reset()
    page = listing(query={"limit": ["1"]})
    # user, enrollment, course (active?); gsi2; more pages follow: the page's last exam completed (gsi2)
    assert dict(dynamo_calls.counts) == {"GetItem": 3, "Query": 2}
    dynamo_calls.reset()
    listing(query={"limit": ["1"], "nextToken": [page.body["nextToken"]]})
    # + the token's item; a continued page: whether its first exam began on an earlier page (gsi2)
    assert dict(dynamo_calls.counts) == {"GetItem": 4, "Query": 2}
    dynamo_calls.reset()
    listing(as_user=TA)
    assert dict(dynamo_calls.counts) == {"GetItem": 3, "Query": 1}  # user, enrollment, the student's enrollment


def test_console_event_lists_as_the_operator(room):
    begun()
    module = importlib.import_module(route(LIST).import_path)
    answer = module.lambda_handler({"userId": STUDENT, "courseId": COURSE}, LambdaContext())
    assert answer["statusCode"] == 200 and answer["body"]["exams"][0]["userId"] == STUDENT
    assert answer["summary"].startswith("List a user's exam instances in a course: GET /users/")
    acting = module.lambda_handler({"userId": STUDENT, "courseId": COURSE,
                                    "operator": "ops-alice", "actAs": principal_context("user", OTHER)},
                                   LambdaContext())
    assert acting["statusCode"] == 403 and "refused" in acting["summary"]
