"""Open edX over HTTP against the local runner on DynamoDB Local: a course of this file's own named as Open edX
names courses (``course-v1:org+course+run``, built through the authoring API as ada), edX's ``JWT <token>``
scheme, and the flows issue 4 names: special exams, an
allowance that lengthens the next ExamSpark attempt, attempts with search and pages, reset, bulk, removal,
settings."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import pytest

from functions.core.numeric_ids import Kind, number
from infra.local.demo_data import EXAM as DEMO_EXAM

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

BASE = "/api/instructor/v2/courses"


@dataclass(frozen=True)
class EdxCourse:
    course: str
    teacher: str
    students: tuple[str, ...]
    proctored: str
    timed: str
    standard: str


def _ok(answer: Any) -> dict[str, Any]:
    assert answer.status_code in (200, 201), answer.text
    return dict(answer.json())


@pytest.fixture(scope="module")
def room(api) -> EdxCourse:
    run = uuid.uuid4().hex[:8]
    course, teacher = f"course-v1:edX+T{run}+2026_T1", f"edx-teacher-{run}"  # an Open edX course key
    students = tuple(f"edx{n}-{run}" for n in range(3))
    _ok(api.request("POST", "/authoring/courses", as_user="ada", json={"id": course, "title": f"edX {run}"}))
    for user_id, role in ((teacher, "instructor"), *((s, "student") for s in students)):
        _ok(api.request("POST", "/authoring/users", as_user="ada",
                        json={"id": user_id, "username": user_id, "email": f"{user_id}@learners.example",
                              "name": user_id.title()}))
        _ok(api.request("PUT", f"/authoring/courses/{quote(course, safe='')}/enrollments/{user_id}", as_user="ada",
                        json={"role": role}))
    item = f"edx-item-{run}"
    _ok(api.request("POST", f"/authoring/courses/{course}/items", as_user="ada",
                    json={"id": item, "name": "Q1", "questions": [{"options": [
                        {"content": "<p>a</p>", "isKey": True}, {"content": "<p>b</p>"}]}]}))
    now = datetime.now(UTC)
    window = {"opensAt": (now - timedelta(days=1)).isoformat(),
              "closesAt": (now + timedelta(days=7)).isoformat()}
    exams = {"proctored": 60, "timed": 30, "standard": None}
    for kind, minutes in exams.items():
        _ok(api.request("POST", f"/authoring/courses/{course}/exams", as_user="ada",
                        json={"id": f"edx-{kind}-{run}", "title": f"{kind.title()} exam", "type": kind,
                              "timeLimitMinutes": minutes, "itemPool": [item], **window}))
    return EdxCourse(course, teacher, students, f"edx-proctored-{run}", f"edx-timed-{run}",
                     f"edx-standard-{run}")


def edx(api, method: str, path: str, user: str | None, **kwargs: Any):  # type: ignore[no-untyped-def]
    """Open edX clients send ``Authorization: JWT <token>``."""
    headers = {"Authorization": f"JWT {api.token(user)}"} if user else {}
    return api.request(method, BASE + path, headers=headers, **kwargs)


def n(exam_id: str) -> int:
    return number(Kind.EXAM, exam_id)


def test_special_exams_by_type_and_number(api, room):
    listed = edx(api, "GET", f"/{room.course}/special_exams", room.teacher)
    assert listed.status_code == 200
    assert {(e["content_id"], e["exam_type"], e["id"]) for e in listed.json()} == {
        (room.proctored, "proctored", n(room.proctored)), (room.timed, "timed", n(room.timed))}
    only = edx(api, "GET", f"/{room.course}/special_exams?exam_type=proctored", room.teacher).json()
    assert [e["content_id"] for e in only] == [room.proctored]
    one = edx(api, "GET", f"/{room.course}/special_exams/{n(room.timed)}", room.teacher)
    assert one.status_code == 200 and one.json()["time_limit_mins"] == 30
    wrong = edx(api, "GET", f"/{room.course}/special_exams/{n(DEMO_EXAM)}", room.teacher)
    assert wrong.status_code == 404 and set(wrong.json()) == {"error", "message", "status_code"}


def test_denials_over_http(api, room):
    path = f"/{room.course}/special_exams"
    anonymous = api.request("GET", BASE + path)
    assert anonymous.status_code == 401 and anonymous.json()["status_code"] == 401
    assert api.request("GET", BASE + path, auth="JWT not-a-token").status_code == 401
    assert edx(api, "GET", path, room.students[0]).status_code == 403
    assert edx(api, "GET", path, "oscar").status_code == 403  # another course's instructor
    reset = edx(api, "POST", f"{path}/{n(room.timed)}/reset/{room.students[0]}", room.students[1])
    assert reset.status_code == 403


def test_allowance_lengthens_the_next_attempt_which_the_attempts_list_shows_then_reset(api, room):
    student = room.students[0]
    granted = edx(api, "POST", f"/{room.course}/special_exams/{n(room.timed)}/allowance", room.teacher,
                  json={"user_ids": [student], "allowance_type": "additional_time_granted", "value": "15"})
    assert granted.status_code == 200 and granted.json()["results"] == [
        {"identifier": student, "success": True, "user_id": number(Kind.USER, student)}]
    started = api.request("POST", f"/api/exam-config/{room.timed}/exam-session", as_user=student,
                          json={"user_id": student, "context_id": "edx-e2e"})
    assert started.status_code == 200, started.text
    session = started.json()["examSession"]
    minutes = (datetime.fromisoformat(session["endsAt"]) - datetime.fromisoformat(session["startedAt"]))
    assert round(minutes.total_seconds() / 60) == 45
    found = edx(api, "GET", f"/{room.course}/special_exams/attempts?search={student.upper()}@LEARNERS",
                room.teacher).json()
    assert found["count"] == 1
    attempt = found["results"][0]
    assert attempt["status"] == "started" and attempt["allowed_time_limit_mins"] == 45
    assert attempt["user"]["username"] == student and attempt["exam_id"] == n(room.timed)
    per_exam = edx(api, "GET", f"/{room.course}/special_exams/{n(room.timed)}/attempts", room.teacher).json()
    assert [a["id"] for a in per_exam] == [attempt["id"]]

    reset_path = f"/{room.course}/special_exams/{n(room.timed)}/reset/{student}"
    reset = edx(api, "POST", reset_path, room.teacher)
    assert reset.status_code == 200 and reset.json()["success"] is True
    again = edx(api, "POST", reset_path, room.teacher)
    assert again.status_code == 404 and student in again.json()["message"]
    unknown = edx(api, "POST", f"/{room.course}/special_exams/{n(room.timed)}/reset/nobody-{room.course}",
                  room.teacher)
    assert unknown.status_code == 404
    assert edx(api, "GET", f"/{room.course}/special_exams/attempts?search={student}", room.teacher
               ).json()["count"] == 0


def test_bulk_then_list_pages_then_delete(api, room):
    exams, users = [n(room.proctored), n(room.timed)], list(room.students[1:])
    bulk = edx(api, "POST", f"/{room.course}/special_exams/allowances", room.teacher,
               json={"exam_ids": exams, "user_ids": users, "allowance_type": "time_multiplier",
                     "value": "1.5"})
    assert bulk.status_code == 200 and (bulk.json()["successes"], bulk.json()["failures"]) == (4, 0)
    url: str | None = f"{api.base}{BASE}/{room.course}/special_exams/allowances?page_size=3&search=edx"
    seen, pages = [], 0
    while url:
        answer = api.http.get(url, headers={"Authorization": f"JWT {api.token(room.teacher)}"}, timeout=30)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        seen += [(r["proctored_exam"]["id"], r["user"]["username"], r["key"]) for r in body["results"]]
        url, pages = body["next"], pages + 1
    assert pages == 2 and len(set(seen)) == len(seen) >= 4
    rows = edx(api, "GET", f"/{room.course}/special_exams/allowances?search={users[0]}", room.teacher).json()
    minutes = {r["proctored_exam"]["id"]: r["additional_minutes"] for r in rows["results"]}
    assert minutes == {n(room.proctored): 30, n(room.timed): 15}
    removed = edx(api, "DELETE", f"/{room.course}/special_exams/{n(room.proctored)}/allowance", room.teacher,
                  json={"user_ids": [users[0], str(number(Kind.USER, users[1]))],
                        "allowance_type": "time_multiplier"})
    assert removed.status_code == 200 and [r["success"] for r in removed.json()["results"]] == [True, True]
    left = edx(api, "GET", f"/{room.course}/special_exams/allowances?search=edx", room.teacher).json()
    multiplied = {r["proctored_exam"]["id"] for r in left["results"] if r["key"] == "time_multiplier"}
    assert multiplied == {n(room.timed)}


def test_proctoring_settings(api, room):
    path = f"/{room.course}/proctoring_settings"
    assert edx(api, "GET", path, room.teacher).json()["enable_proctored_exams"] is False
    change = {"enable_proctored_exams": True, "proctoring_escalation_email": "proctor@example.com"}
    patched = edx(api, "PATCH", path, room.teacher, json=change)
    assert patched.status_code == 200 and patched.json()["enable_proctored_exams"] is True
    bad = edx(api, "PATCH", path, room.teacher, json={"enable_proctored_exams": "not_a_boolean"})
    assert bad.status_code == 400 and bad.json()["status_code"] == 400
    assert edx(api, "GET", path, room.teacher).json()["proctoring_escalation_email"] == "proctor@example.com"


def test_an_open_edx_course_key_in_paths_percent_encoded_or_not(api, room):
    """The course was created through authoring with its Open edX key; every route finds it whether the path
    carries the key as typed (``:`` and ``+`` are legal in a path) or percent-encoded as edX's clients send it,
    and its audit trail is read through the authoring API."""
    encoded = quote(room.course, safe="")
    assert "%3A" in encoded and "%2B" in encoded
    raw = edx(api, "GET", f"/{room.course}/special_exams", room.teacher)
    assert raw.status_code == 200 and {e["course_id"] for e in raw.json()} == {room.course}
    assert edx(api, "GET", f"/{encoded}/special_exams", room.teacher).json() == raw.json()
    for path in (room.course, encoded):
        got = _ok(api.request("GET", f"/authoring/courses/{path}", as_user="ada"))
        assert got["id"] == room.course
    events = _ok(api.request("GET", f"/authoring/courses/{encoded}/audit-events?limit=100", as_user=room.teacher))
    assert events["items"] and {e["courseId"] for e in events["items"]} == {room.course}
    assert _ok(api.request("GET", f"/authoring/courses/{room.course}/audit-events?limit=100",
                           as_user=room.teacher))["items"] == events["items"]
    exams = api.request("GET", f"/authoring/courses/{encoded}/exams", as_user=room.teacher)
    assert exams.status_code == 200 and len(exams.json()["items"]) == 3
    # a key with characters no id may hold ('#', '|' separate key parts and page tokens) cannot be created
    for bad in ("course-v1:edX+A#B+1", "course-v1:edX+A|B+1", "course-v1:edX+A B+1"):
        refused = api.request("POST", "/authoring/courses", as_user="ada", json={"id": bad, "title": "x"})
        assert refused.status_code == 400, bad
