"""PowerPath makeExternalTestAssignment and getAssessmentProgress on moto against the fake providers:
behaviour, denials, bad input (nothing written), provider failures (nothing half-written), DynamoDB calls."""

# ruff: noqa: F811 - fixtures are imported from powerpath_helpers and injected by name
from __future__ import annotations

import importlib

import pytest

from functions.routes import route
from tests.conftest import LambdaContext, call, principal_context
from tests.integration.powerpath_helpers import (  # noqa: F401 - fixtures
    INSTRUCTOR,
    MAKE,
    OTHER,
    STUDENT,
    TA,
    fakes,
    item_count,
    make,
    progress,
    school,
    stored,
)


def test_edulastic_assignment_answers_powerpaths_fields_and_queues_the_import(school):
    answer = make()
    assert answer.status == 200, answer.body
    body = answer.body
    assert body["toolProvider"] == "edulastic" and body["lessonType"] == "placement" and body["attempt"] == 1
    assert body["assignmentId"] == "edu-as-1" and body["classId"] == "edu-class-1"
    assert body["testId"] == "edu-math-2-3q" and body["testUrl"].endswith("/student/assignments/edu-as-1")
    assert body["credentials"] == {"email": "student-course-1@example.edu", "password": "pw-0001"}
    item = stored()
    assert item["gsi4pk"].startswith("pending#")
    assert item["gsi4sk"].endswith("#student-course-1#placement-edu#00001")


def test_mastery_track_assignment_by_subject_and_grade(school):
    answer = make(lesson_id="testout-mt")
    assert answer.status == 200, answer.body
    assert answer.body["toolProvider"] == "mastery-track" and answer.body["assignmentId"] == "1001"
    assert answer.body["credentials"] is None and answer.body["testUrl"].endswith("/delivery/tests/1001")
    sent = school["fakes"].mastery.assignments["1001"]
    assert sent["subject"] == "Science" and sent["grade_rank"] == 5 and "timeback_id" not in sent
    assert sent["assessment_line_item_sourced_id"] == "testout-mt"
    assert sent["assessment_result_sourced_id"] == "student-course-1|testout-mt|1"
    assert stored(lesson_id="testout-mt")["gsi4sk"].startswith("9999-")  # parked until the write-back
    with_test = make(student=OTHER, lesson_id="testout-mt", testId="_677e37c49e904cafcc66fdb4")
    assert with_test.body["testId"] == "_677e37c49e904cafcc66fdb4"
    assert school["fakes"].mastery.assignments["1002"]["timeback_id"] == "_677e37c49e904cafcc66fdb4"


def test_an_open_attempt_is_answered_again_without_a_second_provider_call(school):
    first, second = make(), make()
    assert first.body == second.body
    assert school["fakes"].edulastic.calls["assign"] == 1
    changed = make(testId="edu-other-2q")
    assert changed.status == 409 and changed.body["error"]["field"] == "testId"


def test_a_finalized_attempt_leads_to_a_new_attempt(school):
    from functions.data.external_tests import ExternalTestRepository

    make()
    repo = ExternalTestRepository()
    done = repo.get(STUDENT, "placement-edu", 1)
    done.finalized = True
    repo.store.put(__import__("functions.data.external_tests", fromlist=["x"]).assignment_item(done))
    again = make()
    assert again.status == 200 and again.body["attempt"] == 2 and again.body["assignmentId"] == "edu-as-2"


def test_staff_assign_for_students_and_students_only_for_themselves(school):
    assert make(as_user=INSTRUCTOR).status == 200
    assert make(student=OTHER, as_user=TA).status == 200  # MANAGE_ATTEMPTS
    refused = make(student=OTHER, lesson_id="unit-edu", as_user=STUDENT)
    assert refused.status == 404 and "edu-" not in str(refused.body)
    assert make(as_user="oscar").status == 404  # no user at all: no rights
    key = principal_context("key", "k", courses="course-1", rights="attempt:manage")
    assert call(MAKE, authorizer=key, body={"student": STUDENT, "lesson": "unit-edu"}).status == 200
    view_only = principal_context("key", "k", courses="course-1", rights="course:view")
    assert call(MAKE, authorizer=view_only, body={"student": OTHER, "lesson": "unit-edu"}).status == 404
    foreign = principal_context("key", "k", courses="course-2", rights="attempt:manage")
    assert call(MAKE, authorizer=foreign, body={"student": OTHER, "lesson": "unit-edu"}).status == 404
    assert call(MAKE, body={"student": STUDENT, "lesson": "placement-edu"}).status == 401


@pytest.mark.parametrize("body,status,field", [
    ('{"student": ', 400, "body"),
    ({"lesson": "placement-edu"}, 400, "student"),
    ({"student": STUDENT}, 400, "lesson"),
    ({"student": 5, "lesson": "placement-edu"}, 400, "student"),
    ({"student": STUDENT, "lesson": "placement-edu", "skipCourseEnrollment": "yes"}, 400,
     "skipCourseEnrollment"),
    ({"student": STUDENT, "lesson": "placement-edu", "skipCourseEnrolment": True}, 400,
     "skipCourseEnrolment"),
    ({"student": STUDENT, "lesson": "x" * 200}, 400, "lesson"),
    ({"student": STUDENT, "lesson": "quiz-1"}, 400, "lesson"),
    ({"student": STUDENT, "lesson": "testout-other"}, 400, "lesson"),
    ({"student": STUDENT, "lesson": "nontest-edu"}, 400, "testId"),
    ({"student": STUDENT, "lesson": "missing-lesson"}, 404, None),
    ({"student": "ghost", "lesson": "placement-edu"}, 400, "student"),
    ({"student": "ta-course-1", "lesson": "placement-edu"}, 400, "student"),
])
def test_bad_requests_name_the_problem_and_write_nothing(school, body, status, field):
    before = item_count()
    answer = call(MAKE, as_user=INSTRUCTOR, body=body)
    assert answer.status == status, answer.body
    if field:
        error = answer.body["error"]
        assert error.get("field", "").endswith(field) or field in error["message"], error
    assert item_count() == before
    assert school["fakes"].edulastic.calls["assign"] == 0


def test_lesson_errors_say_why(school):
    quiz = make(lesson_id="quiz-1").body["error"]["message"]
    assert "'quiz'" in quiz and "not an external test-out, placement or unit-test" in quiz
    other = make(lesson_id="testout-other").body["error"]["message"]
    assert "khan-academy" in other and "not supported" in other


@pytest.mark.parametrize("mode,message", [
    ("error", "edulastic answered HTTP 500: edulastic is having a bad day"),
    ("malformed", "edulastic answered with malformed JSON"),
    ("wrong-shape", "edulastic answered the assignment with an unexpected payload: assignmentId"),
    ("drop", "edulastic is unreachable"),
    ("slow", "edulastic did not answer within 1.5s"),
])
def test_provider_failures_are_502_with_the_providers_message_and_store_nothing(school, mode, message):
    school["fakes"].edulastic.set_mode(mode, delay=2.5)
    before = item_count()
    answer = make()
    assert answer.status == 502, answer.body
    assert answer.body["error"]["code"] == "provider_failed" and message in answer.body["error"]["message"]
    assert item_count() == before


def test_provider_down_and_mastery_track_auth(school, monkeypatch):
    school["fakes"].edulastic.stop()
    down = make()
    assert down.status == 502 and "edulastic is unreachable" in down.body["error"]["message"]
    unknown_test = make(student=OTHER, lesson_id="unit-edu", testId="missing-test", as_user=INSTRUCTOR)
    assert unknown_test.status == 502  # still down
    from functions.providers import config, registry

    monkeypatch.setenv(config.MASTERYTRACK_API_KEY, "wrong-key")
    registry.reset()
    refused = make(student=OTHER, lesson_id="testout-mt")
    assert refused.status == 502 and "invalid api key" in refused.body["error"]["message"]


def test_a_slow_provider_within_the_timeout_is_fine_and_an_unknown_test_is_the_providers_404(school):
    school["fakes"].edulastic.set_mode("slow", delay=0.2)
    assert make().status == 200
    unknown = make(student=OTHER, lesson_id="unit-edu", testId="missing-test", as_user=INSTRUCTOR)
    assert unknown.status == 502
    assert unknown.body["error"]["message"] == "edulastic answered HTTP 404: test missing-test does not exist"


def test_retries_a_refused_mastery_track_token_once(school):
    make(lesson_id="testout-mt")
    school["fakes"].mastery.jwts.clear()  # MasteryTrack forgot our token: 401, new token, retried
    again = make(student=OTHER, lesson_id="testout-mt")
    assert again.status == 200 and school["fakes"].mastery.calls["authorizer"] == 2


def test_progress_before_and_after_assignment_and_rights(school):
    assert progress().status == 404
    make()
    own = progress()
    assert own.status == 200, own.body
    status = own.body.pop("importStatus")
    assert own.body == {"lessonType": "placement", "finalized": False, "score": None,
                        "scoreStatus": "not submitted", "questions": [], "toolProvider": "edulastic",
                        "enrollmentFailed": None, "attempt": 1, "accuracy": 0.0, "correctQuestions": 0,
                        "totalQuestions": 0}
    assert status["failures"] == 0 and status["lastError"] is None and status["importedAt"] is None
    assert status["lastTriedAt"] is None and status["nextTryAt"] is not None  # the first look in five minutes
    assert progress(as_user=TA).status == 200
    other = progress(as_user=OTHER)
    assert other.status == 404 and "questions" not in other.body
    assert progress(as_user="oscar").status == 404
    assert progress(attempt="1").status == 200 and progress(attempt="2").status == 404
    assert progress(attempt="0").status == 400 and progress(attempt="x").status == 400
    assert call("powerpath_get_progress", query={"student": [STUDENT]}, as_user=STUDENT).status == 400
    assert progress(lesson_id="quiz-1").status == 400


def test_dynamodb_calls(school, dynamo_calls):
    dynamo_calls.reset()
    make()
    # lesson, user (the student, read once), enrollment; latest attempt; create
    assert dict(dynamo_calls.counts) == {"GetItem": 3, "Query": 1, "TransactWriteItems": 1}
    dynamo_calls.reset()
    make(student=OTHER, as_user=INSTRUCTOR)
    # lesson, instructor, instructor's enrollment, student, student's enrollment; latest; create
    assert dict(dynamo_calls.counts) == {"GetItem": 5, "Query": 1, "TransactWriteItems": 1}
    dynamo_calls.reset()
    make()
    assert dict(dynamo_calls.counts) == {"GetItem": 3, "Query": 1}  # the open attempt, answered again
    dynamo_calls.reset()
    progress()
    assert dict(dynamo_calls.counts) == {"GetItem": 3, "Query": 1}  # lesson, user, enrollment; latest
    dynamo_calls.reset()
    progress(attempt="1")
    assert dict(dynamo_calls.counts) == {"GetItem": 4}  # lesson, user, enrollment, the attempt


def test_console_event(school):
    module = importlib.import_module(route(MAKE).import_path)
    answer = module.lambda_handler({"body": {"student": STUDENT, "lesson": "placement-edu"}}, LambdaContext())
    assert answer["statusCode"] == 200 and answer["body"]["assignmentId"] == "edu-as-1"
    assert answer["summary"].startswith("Assign a lesson's external test")
