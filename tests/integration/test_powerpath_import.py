"""importExternalTestAssignmentResults on moto against the fake providers: Edulastic and MasteryTrack
finalization, the enrollment side effect and skipCourseEnrollment, idempotency, denials, provider faults
(recorded for the importer's backoff), DynamoDB calls."""

# ruff: noqa: F811 - fixtures are imported from powerpath_helpers and injected by name
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from functions.core.models import Course
from functions.data.directory import DirectoryRepository
from functions.data.external_tests import stamp
from functions.data.writers import seed
from tests.conftest import call
from tests.integration.powerpath_helpers import (  # noqa: F401 - fixtures
    IMPORT,
    INSTRUCTOR,
    OTHER,
    STUDENT,
    TA,
    fakes,
    import_now,
    make,
    progress,
    school,
    stored,
    writeback,
)


def enrollment(course_id: str, user_id: str = STUDENT):
    return DirectoryRepository().get_enrollment(course_id, user_id)


def test_edulastic_import_fills_results_as_they_come_and_finalizes_when_graded(school):
    edulastic = school["fakes"].edulastic
    aid = make().body["assignmentId"]
    first = import_now()
    assert first.status == 200, first.body
    assert first.body["finalized"] is False and first.body["lessonId"] == "placement-edu"
    assert first.body["credentials"]["email"] == "student-course-1@example.edu"
    assert [q["answered"] for q in progress().body["questions"]] == [False, False, False]  # not started
    edulastic.work(aid, [True, None, False], submit=False)  # partway: one question skipped so far
    import_now()
    partial = progress().body
    assert partial["finalized"] is False and partial["scoreStatus"] == "not submitted"
    assert [q["answered"] for q in partial["questions"]] == [True, False, True]
    assert enrollment("course-2") is None
    edulastic.work(aid, [True, True, False])  # all answered, graded
    done = import_now()
    assert done.body["finalized"] is True
    body = progress().body
    assert body["finalized"] is True and body["scoreStatus"] == "fully graded"
    assert body["score"] == 66.67 and body["accuracy"] == 66.67
    assert (body["correctQuestions"], body["totalQuestions"]) == (2, 3)
    assert body["questions"][2]["result"] == {"score": 0.0, "feedback": "Review this skill."}
    assert body["questions"][0]["difficulty"] == "easy" and body["enrollmentFailed"] is False
    assert enrollment("course-2").role == "student"  # placement: enrolled in the Math grade 2 track's course
    item = stored()
    assert "gsi4pk" not in item and "gsi4sk" not in item and "leaseOwner" not in item  # out of the queue


def test_graded_but_not_every_question_answered_is_not_final(school):
    aid = make().body["assignmentId"]
    school["fakes"].edulastic.work(aid, [True, None, True])
    assert import_now().body["finalized"] is False
    assert progress().body["scoreStatus"] == "partially graded"


def test_a_finalized_lesson_is_a_no_op(school, dynamo_calls):
    aid = make().body["assignmentId"]
    school["fakes"].edulastic.work(aid, [True, True, True])
    assert import_now().body["finalized"] is True
    fetched = school["fakes"].edulastic.result_fetches[aid]
    dynamo_calls.reset()
    again = import_now()
    assert again.status == 200 and again.body["finalized"] is True
    assert school["fakes"].edulastic.result_fetches[aid] == fetched
    assert dict(dynamo_calls.counts) == {"GetItem": 3, "Query": 1}  # lesson, user, enrollment; latest


def test_skip_course_enrollment_and_lessons_that_do_not_enroll(school):
    edulastic = school["fakes"].edulastic
    aid = make(skipCourseEnrollment=True).body["assignmentId"]
    edulastic.work(aid, [True, True, True])
    assert import_now().body["finalized"] is True
    assert enrollment("course-2") is None and progress().body["enrollmentFailed"] is False
    unit = make(lesson_id="unit-edu").body["assignmentId"]
    edulastic.work(unit, [True, True, True, True])
    assert import_now(lesson_id="unit-edu").body["finalized"] is True
    assert enrollment("course-2") is None and progress(lesson_id="unit-edu").body["enrollmentFailed"] is None


def test_enrollment_never_replaces_one_and_reports_a_missing_track_or_course(school):
    from tests.factories import enroll, lesson, subject_track

    enroll("course-2", OTHER, "teaching_assistant")
    aid = make(student=OTHER).body["assignmentId"]
    school["fakes"].edulastic.work(aid, [True, True, True])
    import_now(student=OTHER)
    assert enrollment("course-2", OTHER).role == "teaching_assistant"
    lesson("placement-unmapped", "course-1", "placement", "edulastic", "Writing", 9, "edu-w-1q")
    aid = make(lesson_id="placement-unmapped").body["assignmentId"]
    school["fakes"].edulastic.work(aid, [True])
    import_now(lesson_id="placement-unmapped")
    assert progress(lesson_id="placement-unmapped").body["enrollmentFailed"] is False
    lesson("placement-closed", "course-1", "placement", "edulastic", "Vocabulary", 1, "edu-v-1q")
    seed("course", Course(id="closed", title="Closed", active=False))
    subject_track("Vocabulary", 1, "closed")
    aid = make(lesson_id="placement-closed").body["assignmentId"]
    school["fakes"].edulastic.work(aid, [False])
    import_now(lesson_id="placement-closed")
    assert progress(lesson_id="placement-closed").body["enrollmentFailed"] is True
    assert enrollment("closed") is None


def test_mastery_track_processes_the_write_back_once_it_arrived(school, dynamo_calls):
    mastery = school["fakes"].mastery
    aid = make(lesson_id="testout-mt").body["assignmentId"]
    dynamo_calls.reset()
    waiting = import_now(lesson_id="testout-mt")
    assert waiting.status == 200 and waiting.body["finalized"] is False
    assert "UpdateItem" not in dynamo_calls.counts and "PutItem" not in dynamo_calls.counts  # nothing to do
    raw, headers = mastery.writeback(aid, [True, False, True, True], "partially graded")
    assert writeback(raw, headers).status == 200
    assert import_now(lesson_id="testout-mt").body["finalized"] is False
    assert progress(lesson_id="testout-mt").body["scoreStatus"] == "partially graded"
    raw, headers = mastery.writeback(aid, [True, False, True, True], "fully graded")
    assert writeback(raw, headers).status == 200
    assert import_now(lesson_id="testout-mt").body["finalized"] is True
    body = progress(lesson_id="testout-mt").body
    assert body["score"] == 75.0 and body["correctQuestions"] == 3 and body["totalQuestions"] == 4
    assert body["questions"][1]["result"] == {"score": 0.0, "feedback": "Try again"}
    assert enrollment("course-2").role == "student"  # test-out: Science grade 5 track


def test_import_needs_an_assignment_a_student_and_rights(school):
    no_assignment = import_now()
    assert no_assignment.status == 409
    assert "makeExternalTestAssignment" in no_assignment.body["error"]["message"]
    make()
    assert import_now(as_user=TA).status == 200
    assert import_now(as_user=INSTRUCTOR).status == 200
    other = import_now(as_user=OTHER)
    assert other.status == 404 and "credentials" not in other.body
    assert import_now(as_user="oscar").status == 404
    ghost = import_now(student="ghost", as_user=INSTRUCTOR)
    assert ghost.status == 400 and ghost.body["error"]["field"] == "student"
    assert import_now(lesson_id="quiz-1").status == 400
    assert import_now(lesson_id="nope").status == 404
    assert call(IMPORT, query={"student": [STUDENT], "lesson": ["placement-edu"]}).status == 401
    assert call(IMPORT, as_user=STUDENT, query={"lesson": ["placement-edu"]}).status == 400


def test_provider_failure_is_a_502_recorded_for_backoff_then_recovers(school):
    edulastic = school["fakes"].edulastic
    aid = make().body["assignmentId"]
    edulastic.faults[aid] = "error"
    before = datetime.now(UTC)
    failed = import_now()
    assert failed.status == 502 and "cannot be read right now" in failed.body["error"]["message"]
    item = stored()
    assert item["failures"] == 1 and "HTTP 500" in item["last_error"] and "leaseOwner" not in item
    assert item["gsi4sk"] >= stamp(before + timedelta(minutes=5))  # backed off
    assert edulastic.result_fetches[aid] == 2  # a GET is retried once (EXAMDESK_PROVIDER_ATTEMPTS=2)
    edulastic.faults[aid] = "malformed"
    assert "malformed JSON" in import_now().body["error"]["message"]
    assert stored()["failures"] == 2
    del edulastic.faults[aid]
    edulastic.work(aid, [True, True, True])
    assert import_now().body["finalized"] is True
    item = stored()
    assert item["failures"] == 0 and "last_error" not in item


def test_a_transient_error_is_retried_within_the_call(school):
    make()
    school["fakes"].edulastic.set_mode("error", status=503, times=1)
    assert import_now().status == 200


def test_an_assignment_leased_by_the_importer_is_409(school):
    from functions.data.external_tests import ExternalTestRepository

    make()
    repo = ExternalTestRepository()
    now = datetime.now(UTC)
    assert repo.claim(repo.get(STUDENT, "placement-edu", 1), "importer:x", now, now + timedelta(minutes=2),
                      due_only=False) is not None
    busy = import_now()
    assert busy.status == 409 and "being imported" in busy.body["error"]["message"]


def test_dynamodb_calls(school, dynamo_calls):
    aid = make().body["assignmentId"]
    dynamo_calls.reset()
    import_now()
    # lesson, user, enrollment; latest; claim; write
    assert dict(dynamo_calls.counts) == {"GetItem": 3, "Query": 1, "UpdateItem": 1, "TransactWriteItems": 1}
    school["fakes"].edulastic.work(aid, [True, True, True])
    dynamo_calls.reset()
    import_now()
    # ... + subject track, its course, the student's enrollment there; the write and the enrollment together
    assert dict(dynamo_calls.counts) == {"GetItem": 6, "Query": 1, "UpdateItem": 1, "TransactWriteItems": 1}


def test_partial_results_are_imported_but_not_final(school):
    edulastic = school["fakes"].edulastic
    aid = make(lesson_id="unit-edu").body["assignmentId"]
    edulastic.work(aid, [True, True, False, True])
    edulastic.set_mode("partial")  # Edulastic lags: half the questions, still in progress
    assert import_now(lesson_id="unit-edu").body["finalized"] is False
    assert progress(lesson_id="unit-edu").body["totalQuestions"] == 2
    edulastic.set_mode("ok")
    assert import_now(lesson_id="unit-edu").body["finalized"] is True
    assert progress(lesson_id="unit-edu").body["totalQuestions"] == 4
