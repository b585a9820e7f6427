"""LearningStudio over HTTP on DynamoDB Local: begin -> answer (ExamSpark) -> reset -> begin again draws a
different question set -> complete -> retake keeps it; the Course Administrator right (custom roles with and
without it, a student, another course's administrator); the window; restore; one session on every surface.

Everything here is authored through the authoring API as ada with ids unique to this run."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

RUN = f"ls-{uuid.uuid4().hex[:8]}"
COURSE, OTHER_COURSE = f"{RUN}-course", f"{RUN}-other"
STUDENT, PEER, THIRD, TEACHER, TA = (f"{RUN}-{n}" for n in ("student", "peer", "third", "teacher", "ta"))
REGISTRAR, GRADER, OUTSIDER = f"{RUN}-registrar", f"{RUN}-grader", f"{RUN}-outsider"
EXAM, ONCE, SOON, CLOSING = (f"{RUN}-{n}" for n in ("exam", "once", "soon", "closing"))
ITEMS = [f"{RUN}-item-{n}" for n in range(8)]  # the pool; every exam draws 3


def ok(answer: Any, status: int = 200) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    return dict(answer.json())


@pytest.fixture(scope="module")
def world(api):
    def author(method: str, path: str, body: dict[str, Any]) -> None:
        ok(api.request(method, path, as_user="ada", json=body), 200 if method in ("PUT", "PATCH") else 201)

    for course in (COURSE, OTHER_COURSE):
        author("POST", "/authoring/courses", {"id": course, "title": f"LearningStudio {course}"})
    author("POST", "/authoring/roles", {"id": f"{RUN}-registrar", "name": "Registrar", "rights": ["course:admin"]})
    author("POST", "/authoring/roles", {"id": f"{RUN}-grader", "name": "Grader",
                                        "rights": ["course:view", "attempt:manage"]})
    people = ((STUDENT, COURSE, "student"), (PEER, COURSE, "student"), (THIRD, COURSE, "student"),
              (TEACHER, COURSE, "instructor"), (TA, COURSE, "teaching_assistant"),
              (REGISTRAR, COURSE, f"{RUN}-registrar"), (GRADER, COURSE, f"{RUN}-grader"),
              (OUTSIDER, OTHER_COURSE, "instructor"))
    for uid, course, role in people:
        author("POST", "/authoring/users", {"id": uid, "username": uid, "email": f"{uid}@example.edu", "name": uid})
        author("PUT", f"/authoring/courses/{course}/enrollments/{uid}", {"role": role})
    for item in ITEMS:
        author("POST", f"/authoring/courses/{COURSE}/items", {
            "id": item, "name": f"Question {item}",
            "questions": [{"id": f"{item}-q", "options": [{"content": f"<p>{n}</p>", "isKey": n == 1}
                                                          for n in range(3)]}]})
    now = datetime.now(UTC)
    open_now = {"opensAt": (now - timedelta(hours=1)).isoformat(), "closesAt": (now + timedelta(days=1)).isoformat()}
    common = {"itemPool": ITEMS, "drawCount": 3, "type": "timed", "timeLimitMinutes": 60}
    author("POST", f"/authoring/courses/{COURSE}/exams", {"id": EXAM, "title": "Retakable", "retakable": True,
                                                          "maxAttempts": 2, **common, **open_now})
    author("POST", f"/authoring/courses/{COURSE}/exams", {"id": ONCE, "title": "Once", **common, **open_now})
    author("POST", f"/authoring/courses/{COURSE}/exams", {"id": CLOSING, "title": "Closing", **common, **open_now})
    author("POST", f"/authoring/courses/{COURSE}/exams", {
        "id": SOON, "title": "Opens tomorrow", **common, "opensAt": (now + timedelta(days=1)).isoformat(),
        "closesAt": (now + timedelta(days=2)).isoformat()})
    return api


def user_exam(user: str, exam: str = EXAM, course: str = COURSE) -> str:
    return f"/users/{user}/courses/{course}/exams/{exam}"


def begin(api, user: str, exam: str = EXAM) -> dict[str, Any]:
    return dict(ok(api.request("POST", user_exam(user, exam), as_user=user), 201)["exam"])


def answer(api, user: str, instance: dict[str, Any], items: list[str], submit: bool) -> dict[str, Any]:
    body = {"submitForScoring": submit, "responses": [
        {"itemId": i, "questions": [{"id": f"{i}-q", "response": {"options": [{"index": 1}]}}]} for i in items]}
    return ok(api.request("POST", f"/api/exam-session/{instance['instanceId']}/responses", as_user=user, json=body))


def examspark(api, user: str, instance: dict[str, Any]) -> Any:
    return api.request("GET", f"/api/exam-session/{instance['instanceId']}?include[]=responses", as_user=user)


def test_begin_answer_reset_begin_anew_complete_retake(world):
    api = world
    first = begin(api, STUDENT)
    drawn = first["questionSet"]["itemIds"]
    assert len(drawn) == 3 and set(drawn) <= set(ITEMS) and first["status"] == "inProgress"
    # one session on every surface: the ExamSpark route shows this very instance
    shown = ok(examspark(api, STUDENT, first))["examSession"]
    assert shown["id"] == first["instanceId"] and list(shown["responses"]) == drawn
    second = api.request("POST", user_exam(STUDENT), as_user=STUDENT)
    assert second.status_code == 400 and "already has an instance" in second.json()["error"]["message"]

    answer(api, STUDENT, first, drawn[:2], submit=False)
    record = ok(api.request("DELETE", f"{user_exam(STUDENT)}?reason=connection%20lost", as_user=TEACHER))["reset"]
    assert record["savedAnswers"] == 2 and record["resetBy"] == TEACHER and record["reason"] == "connection lost"
    assert examspark(api, STUDENT, first).status_code == 404
    listed = ok(api.request("GET", f"/users/{STUDENT}/courses/{COURSE}/exams", as_user=STUDENT))
    assert listed["exams"] == []

    again = begin(api, STUDENT)
    assert again["instanceId"] == first["instanceId"]
    assert set(again["questionSet"]["itemIds"]) != set(drawn)  # a new question set
    answer(api, STUDENT, again, again["questionSet"]["itemIds"], submit=True)
    done = ok(api.request("GET", f"/users/{STUDENT}/courses/{COURSE}/exams", as_user=STUDENT))["exams"]
    assert [(e["id"], e["status"]) for e in done] == [(EXAM, "completed")]

    retaken = ok(api.request("POST", f"{user_exam(STUDENT)}/retake", as_user=STUDENT))["exam"]
    assert retaken["questionSet"] == again["questionSet"] and retaken["currentAttempt"] == 2
    assert [a["status"] for a in retaken["attempts"]] == ["submitted", "inProgress"]
    shown = ok(examspark(api, STUDENT, retaken))["examSession"]
    assert shown["attempt"] == 2 and all(r == {} for r in shown["responses"].values())


def test_who_may_reset(world):
    api = world
    instance = begin(api, PEER)
    for caller, status in ((PEER, 403), (STUDENT, 403), (TA, 403), (GRADER, 403), (OUTSIDER, 404)):
        refused = api.request("DELETE", user_exam(PEER), as_user=caller)
        assert refused.status_code == status, (caller, refused.text)
        assert "reset" not in refused.json() and instance["instanceId"] not in refused.text
    assert api.request("DELETE", user_exam(PEER)).status_code == 401
    own_course = api.request("DELETE", user_exam(PEER, course=OTHER_COURSE), as_user=OUTSIDER)
    assert own_course.status_code == 404 and instance["instanceId"] not in own_course.text
    assert ok(examspark(api, PEER, instance))["examSession"]["id"] == instance["instanceId"]  # untouched
    done = ok(api.request("DELETE", user_exam(PEER), as_user=REGISTRAR))["reset"]
    assert done["resetBy"] == REGISTRAR and done["status"] == "restorable"


def test_reset_outside_the_window_is_409_giving_it(world):
    api = world
    early = api.request("DELETE", user_exam(THIRD, SOON), as_user=TEACHER)
    assert early.status_code == 409
    assert "scheduled start" in early.json()["error"]["message"] and "scheduled end" in early.json()["error"]["message"]
    instance = begin(api, THIRD, CLOSING)
    closed_at = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    ok(api.request("PATCH", f"/authoring/exams/{CLOSING}", as_user="ada", json={"closesAt": closed_at}))
    late = api.request("DELETE", user_exam(THIRD, CLOSING), as_user=TEACHER)
    assert late.status_code == 409 and "scheduled end" in late.json()["error"]["message"]
    assert ok(examspark(api, THIRD, instance))["examSession"]["id"] == instance["instanceId"]  # kept
    # an unlock (a Canvas extension) lets the student begin before the window opens
    refused = api.request("POST", user_exam(THIRD, SOON), as_user=THIRD)
    assert refused.status_code == 409
    ok(api.request("POST", f"/api/v1/courses/{COURSE}/quizzes/{SOON}/extensions", as_user=TEACHER,
                   json={"quiz_extensions": [{"user_id": THIRD, "manually_unlocked": True}]}))
    assert begin(api, THIRD, SOON)["status"] == "inProgress"


def test_restore_a_reset_instance(world):
    api = world
    instance = begin(api, THIRD)
    drawn = instance["questionSet"]["itemIds"]
    answer(api, THIRD, instance, drawn, submit=False)
    record = ok(api.request("DELETE", user_exam(THIRD), as_user=TEACHER))["reset"]
    resets = f"/courses/{COURSE}/exams/{EXAM}/resets"
    assert api.request("GET", resets, as_user=STUDENT).status_code == 403
    listed = ok(api.request("GET", resets, as_user=REGISTRAR))["resets"]
    assert record["id"] in [r["id"] for r in listed]
    restore = f"{resets}/{record['id']}/restore"
    assert api.request("POST", restore, as_user=GRADER).status_code == 403
    assert api.request("POST", restore.replace(COURSE, OTHER_COURSE), as_user=OUTSIDER).status_code == 404
    restored = ok(api.request("POST", restore, as_user=REGISTRAR))["exam"]
    assert restored["instanceId"] == instance["instanceId"] and restored["questionSet"]["itemIds"] == drawn
    shown = ok(examspark(api, THIRD, restored))["examSession"]
    assert all(shown["responses"][i] for i in drawn)  # the answers came back with it
    again = api.request("POST", restore, as_user=REGISTRAR)
    assert again.status_code == 409 and "restored already" in again.json()["error"]["message"]


def test_a_completed_exam_that_is_not_retakable_points_to_reset(world):
    api = world
    instance = begin(api, PEER, ONCE)
    answer(api, PEER, instance, instance["questionSet"]["itemIds"], submit=True)
    refused = api.request("POST", f"{user_exam(PEER, ONCE)}/retake", as_user=PEER)
    assert refused.status_code == 409
    assert "not retakable" in refused.json()["error"]["message"] and "reset" in refused.json()["error"]["message"]


def test_bad_input_is_400_in_our_shape(world):
    api = world
    listing = f"/users/{STUDENT}/courses/{COURSE}/exams"
    for query, field in (("limit=0", "limit"), ("limit=1000", "limit"), ("nextToken=garbage", "nextToken")):
        refused = api.request("GET", f"{listing}?{query}", as_user=STUDENT)
        assert refused.status_code == 400 and field in refused.json()["error"]["message"], query
    long_reason = api.request("DELETE", f"{user_exam(STUDENT)}?reason={'x' * 501}", as_user=TEACHER)
    assert long_reason.status_code == 400 and "reason" in long_reason.json()["error"]["message"]
    malformed = api.request("POST", f"/courses/{COURSE}/exams/{EXAM}/resets/garbage/restore", as_user=TEACHER)
    assert malformed.status_code == 400 and malformed.json()["error"]["field"] == "resetId"
    others = api.request("POST", user_exam(STUDENT), as_user=PEER)
    assert others.status_code == 403 and "attempt:manage" in others.json()["error"]["message"]  # the start act
