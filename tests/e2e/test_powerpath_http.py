"""PowerPath over HTTP against the local runner, its fake providers and its importer schedule, on DynamoDB
Local: assign -> the student takes the test at the provider -> the scheduled pass imports and finalizes ->
progress shows the results, for Edulastic and MasteryTrack, with the enrollment side effect and with
skipCourseEnrollment; a provider fault is retried by a later pass; denials and a forged write-back."""

from __future__ import annotations

import os
import time
import uuid
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from tests.e2e.harness import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

# The shared runner starts after collection and reads this: its importer runs every second, and a pending
# assignment is looked at again at that rate, so the scheduled pass shows up within seconds.
os.environ.setdefault("EXAMDESK_IMPORTER_INTERVAL_SECONDS", "1")

RUN = uuid.uuid4().hex[:8]
LESSONS_COURSE, TRACK_COURSE = f"pp-{RUN}", f"pp-{RUN}-placed"
TEACHER, ANN, BEN, CAL = f"pp-teacher-{RUN}", f"pp-ann-{RUN}", f"pp-ben-{RUN}", f"pp-cal-{RUN}"
PLACEMENT, TEST_OUT = f"pp-placement-{RUN}", f"pp-testout-{RUN}"


def ok(answer: requests.Response, *statuses: int) -> Any:
    assert answer.status_code in (statuses or (200,)), answer.text
    return answer.json()


@pytest.fixture(scope="module")
def school(api):
    """Two courses, a teacher and three students through the authoring API (as ada); the lessons and the
    subject tracks through PowerPath's authoring routes (as the teacher)."""
    for course in (LESSONS_COURSE, TRACK_COURSE):
        ok(api.request("POST", "/authoring/courses", as_user="ada", json={"id": course, "title": course}),
           201)
    for uid in (TEACHER, ANN, BEN, CAL):
        ok(api.request("POST", "/authoring/users", as_user="ada",
                       json={"id": uid, "username": uid, "email": f"{uid}@example.edu", "name": uid}), 201)
        role = "instructor" if uid == TEACHER else "student"
        ok(api.request("PUT", f"/authoring/courses/{LESSONS_COURSE}/enrollments/{uid}", as_user="ada",
                       json={"role": role}))
    ok(api.request("PUT", f"/authoring/courses/{TRACK_COURSE}/enrollments/{TEACHER}", as_user="ada",
                   json={"role": "instructor"}))
    lessons = [
        {"sourcedId": PLACEMENT, "lessonType": "placement", "toolProvider": "edulastic", "subject": "Science",
         "grade": 11, "testId": "edu-science-11-3q"},
        {"sourcedId": TEST_OUT, "lessonType": "test-out", "toolProvider": "mastery-track",
         "subject": "Science", "grade": 11},
    ]
    for body in lessons:
        ok(api.request("POST", "/powerpath/lessons", as_user=TEACHER,
                       json={**body, "courseId": LESSONS_COURSE, "title": body["sourcedId"]}), 201)
    track = ok(api.request("PUT", "/powerpath/subject-tracks/Science/11", as_user=TEACHER,
                           json={"courseId": TRACK_COURSE}))
    assert track["courseId"] == TRACK_COURSE
    return api


def assign(api, student: str, lesson: str, **extra: Any) -> dict[str, Any]:
    return ok(api.request("POST", "/powerpath/makeExternalTestAssignment", as_user=student,
                          json={"student": student, "lesson": lesson, **extra}))


def take_test(assignment: dict[str, Any], answers: list[bool | None]) -> dict[str, Any]:
    """The student follows testUrl to the provider and answers there."""
    return ok(requests.post(f"{assignment['testUrl']}/answers", json={"answers": answers}, timeout=15))


def progress(api, student: str, lesson: str, as_user: str | None = None) -> requests.Response:
    return api.request("GET", f"/powerpath/getAssessmentProgress?student={student}&lesson={lesson}",
                       as_user=as_user or student)


def finalized(api, student: str, lesson: str) -> dict[str, Any]:
    def check() -> dict[str, Any] | None:
        body = ok(progress(api, student, lesson))
        return body if body["finalized"] else None

    return eventually(check, f"the scheduled importer finalizes {lesson} for {student}")


def enrolled(api, user_id: str) -> str | None:
    items = ok(api.request("GET", f"/authoring/courses/{TRACK_COURSE}/enrollments?limit=100", as_user="ada"))
    return next((e["role"] for e in items["items"] if e["userId"] == user_id), None)


def test_edulastic_placement_is_imported_by_the_schedule_and_enrolls(school):
    api = school
    assignment = assign(api, ANN, PLACEMENT)
    assert assignment["toolProvider"] == "edulastic"
    assert assignment["credentials"]["email"] == f"{ANN}@example.edu"
    assert ok(progress(api, ANN, PLACEMENT))["finalized"] is False
    assert enrolled(api, ANN) is None
    assert take_test(assignment, [True, False, True])["status"] == "GRADED"
    body = finalized(api, ANN, PLACEMENT)
    assert body["scoreStatus"] == "fully graded" and body["score"] == 66.67
    assert (body["correctQuestions"], body["totalQuestions"], body["accuracy"]) == (2, 3, 66.67)
    feedback = [q["result"]["feedback"] for q in body["questions"]]
    assert feedback == ["Well done.", "Review this skill.", "Well done."]
    assert body["importStatus"]["nextTryAt"] is None and body["enrollmentFailed"] is False
    assert enrolled(api, ANN) == "student"
    again = ok(api.request("GET", "/powerpath/importExternalTestAssignmentResults"
                                  f"?student={ANN}&lesson={PLACEMENT}", as_user=ANN))
    assert again["finalized"] is True and again["assignmentId"] == assignment["assignmentId"]  # a no-op


def test_mastery_track_test_out_writes_back_and_skip_course_enrollment(school):
    api = school
    assignment = assign(api, BEN, TEST_OUT, skipCourseEnrollment=True)
    assert assignment["toolProvider"] == "mastery-track" and assignment["credentials"] is None
    delivered = take_test(assignment, [True, True, True, False])  # MasteryTrack then writes back, signed
    assert delivered["delivered"] == 200, delivered
    body = finalized(api, BEN, TEST_OUT)
    assert body["score"] == 75.0 and body["correctQuestions"] == 3 and body["enrollmentFailed"] is False
    assert enrolled(api, BEN) is None  # skipCourseEnrollment


def test_mastery_track_test_out_enrolls(school):
    api = school
    assignment = assign(api, CAL, TEST_OUT)
    take_test(assignment, [True, True])
    assert finalized(api, CAL, TEST_OUT)["score"] == 100.0
    assert enrolled(api, CAL) == "student"


def test_a_provider_fault_is_retried_by_a_later_pass(school):
    api = school
    assignment = assign(api, CAL, PLACEMENT, skipCourseEnrollment=True)
    provider = "{0.scheme}://{0.netloc}".format(urlsplit(assignment["testUrl"]))
    take_test(assignment, [True, True, True])
    ok(requests.post(f"{provider}/_control/mode", json={"mode": "error", "status": 500}, timeout=5))
    try:
        def recorded() -> dict[str, Any] | None:
            body = ok(progress(api, CAL, PLACEMENT))
            return body if body["importStatus"]["failures"] else None

        failing = eventually(recorded, "a pass records the provider's failure")
        assert "HTTP 500" in failing["importStatus"]["lastError"] and failing["finalized"] is False
    finally:
        ok(requests.post(f"{provider}/_control/mode", json={"mode": "ok"}, timeout=5))
    body = finalized(api, CAL, PLACEMENT)
    assert body["importStatus"]["failures"] == 0 and body["score"] == 100.0


def test_denials_and_bad_input_over_http(school):
    api = school
    assign(api, BEN, PLACEMENT, skipCourseEnrollment=True)
    assert progress(api, BEN, PLACEMENT, as_user=ANN).status_code == 404  # another student
    assert progress(api, BEN, PLACEMENT, as_user="oscar").status_code == 404  # another course's instructor
    assert progress(api, BEN, PLACEMENT, as_user=TEACHER).status_code == 200
    anonymous = api.request("GET", f"/powerpath/getAssessmentProgress?student={BEN}&lesson={PLACEMENT}")
    assert anonymous.status_code == 401
    bad = api.request("POST", "/powerpath/makeExternalTestAssignment", as_user=BEN,
                      data='{"student": ', headers={"Content-Type": "application/json"})
    assert bad.status_code == 400 and "JSON" in bad.json()["error"]["message"]
    no_assignment = api.request("GET", f"/powerpath/importExternalTestAssignmentResults?student={ANN}"
                                       f"&lesson={TEST_OUT}", as_user=ANN)
    assert no_assignment.status_code == 409
    forged = api.request("POST", "/powerpath/webhooks/masterytrack",
                         json={"assessmentResultSourcedId": f"{BEN}|{TEST_OUT}|1"},
                         headers={"x-masterytrack-timestamp": str(int(time.time())),
                                  "x-masterytrack-signature": "sha256=00"})
    assert forged.status_code == 401
