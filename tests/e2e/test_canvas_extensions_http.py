"""Over HTTP on DynamoDB Local: grant through Canvas, then start, answer, retake and read through the
ExamSpark routes; extend a running attempt and see it move; refusals and denials in Canvas' error shape."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest

from functions.core.numeric_ids import Kind, number
from infra.local.demo_data import COURSE as DEMO_COURSE
from tests.e2e.canvas_setup import CanvasCourse, build

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


@pytest.fixture(scope="module")
def room(api) -> CanvasCourse:
    return build(api, "canvas-http")


def when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def grant(api, room, entries, *, quiz=True, as_user=None, **kw):
    path = (f"/api/v1/courses/{room.course}/quizzes/{room.quiz}/extensions" if quiz
            else f"/api/v1/courses/{room.course}/quiz_extensions")
    if "data" not in kw:
        kw["json"] = {"quiz_extensions": entries}
    return api.request("POST", path, as_user=as_user or room.teacher, **kw)


def start(api, room, student, context="canvas-e2e"):
    answer = api.request("POST", f"/api/exam-config/{room.quiz}/exam-session", as_user=student,
                         json={"user_id": student, "context_id": context})
    assert answer.status_code == 200, answer.text
    return answer.json()["examSession"]


def test_grant_then_start_shows_the_new_end_and_attempt_count(api, room):
    student = room.students[0]
    granted = grant(api, room, [{"user_id": student, "extra_time": 20, "extra_attempts": 1}])
    assert granted.status_code == 200, granted.text
    (entry,) = granted.json()["quiz_extensions"]
    assert (entry["user_id"], entry["quiz_id"], entry["extra_time"], entry["extra_attempts"]) == (
        number(Kind.USER, student), number(Kind.EXAM, room.quiz), 20, 1)
    assert entry["end_at"] is None and entry["allowed_attempts"] == 2

    session = start(api, room, student)
    assert when(session["endsAt"]) - when(session["startedAt"]) == timedelta(minutes=50)
    assert session["limitedBy"] == "extension" and session["attempt"] == 1

    sid = session["id"]
    answered = api.request("POST", f"/api/exam-session/{sid}/responses", as_user=student,
                           json={"submitForScoring": True, "responses": []})
    assert answered.status_code == 200, answered.text
    retake = api.request("GET", f"/api/exam-session/{sid}/retake", as_user=student)
    assert retake.status_code == 200, retake.text  # the exam allows one attempt; the extension one more
    got = api.request("GET", f"/api/exam-session/{sid}", as_user=student).json()["examSession"]
    assert got["attempt"] == 2 and got["maturity"] == "IN_PROGRESS"
    assert api.request("GET", f"/api/exam-session/{sid}/retake", as_user=student).status_code == 409


def test_extend_a_running_attempt_and_see_it_move(api, room):
    student = room.students[1]
    session = start(api, room, student)
    before = when(session["endsAt"])
    moved = grant(api, room, [{"user_id": student, "extend_from_end_at": 25}])
    assert moved.status_code == 200, moved.text
    assert when(moved.json()["quiz_extensions"][0]["end_at"]) == before + timedelta(minutes=25)
    got = api.request("GET", f"/api/exam-session/{session['id']}", as_user=student).json()["examSession"]
    assert when(got["endsAt"]) == before + timedelta(minutes=25) and got["limitedBy"] == "extension"

    later = grant(api, room, [{"user_id": student, "extend_from_now": 600}])
    assert later.status_code == 200, later.text
    got = api.request("GET", f"/api/exam-session/{session['id']}", as_user=student).json()["examSession"]
    assert timedelta(minutes=599) < when(got["endsAt"]) - datetime.now(UTC) <= timedelta(minutes=600)


def test_form_encoded_course_wide_grant_and_read_back(api, room):
    student = room.students[2]
    form = urlencode([("quiz_extensions[][user_id]", student), ("quiz_extensions[][extra_time]", "15"),
                      ("quiz_extensions[][manually_unlocked]", "true")])
    answer = grant(api, room, None, quiz=False, data=form,
                   headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert answer.status_code == 200, answer.text
    assert {e["quiz_id"] for e in answer.json()["quiz_extensions"]} == {number(Kind.EXAM, room.quiz),
                                                                        number(Kind.EXAM, room.other_quiz)}
    listed = api.request("GET", f"/api/v1/courses/{room.course}/quizzes/{room.other_quiz}/extensions",
                         as_user=room.teacher)
    assert listed.status_code == 200
    (mine,) = [e for e in listed.json()["quiz_extensions"] if e["sis_user_id"] == student]
    assert mine["extra_time"] == 15 and mine["manually_unlocked"] is True


def test_pages_are_linked_with_absolute_urls(api, room):
    grant(api, room, [{"user_id": s, "extra_attempts": 3} for s in room.students])
    url = f"/api/v1/courses/{room.course}/quiz_extensions?per_page=2"
    seen = []
    while url:
        page = api.request("GET", url, as_user=room.teacher)
        assert page.status_code == 200, page.text
        seen += [(e["quiz_id"], e["user_id"]) for e in page.json()["quiz_extensions"]]
        nxt = page.links.get("next", {}).get("url")
        assert nxt is None or nxt.startswith(api.base)
        url = nxt[len(api.base):] if nxt else None
    assert len(seen) == len(set(seen)) >= 3


@pytest.mark.parametrize("entries,named", [
    ([{"user_id": "x", "extra_time": 10081}], "extra_time must be a whole number from 0 to 10080"),
    ([{"user_id": "x", "extend_from_now": 1, "extend_from_end_at": 1}], "mutually exclusive"),
    ([{"user_id": "irene", "extra_time": 5}], "'irene'"),
])
def test_bad_input_is_400_in_canvas_shape(api, room, entries, named):
    answer = grant(api, room, entries)
    assert answer.status_code == 400
    assert named in answer.json()["errors"][0]["message"]


def test_malformed_form_and_json_bodies_are_400(api, room):
    form = grant(api, room, None, data="quiz_extensions[][user_id]=1&&=",
                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert form.status_code == 400 and "malformed" in form.json()["errors"][0]["message"]
    broken = grant(api, room, None, data='{"quiz_extensions": [',
                   headers={"Content-Type": "application/json"})
    assert broken.status_code == 400 and "JSON" in broken.json()["errors"][0]["message"]


def test_denials(api, room):
    entries = [{"user_id": room.students[0], "extra_time": 999}]
    for who in (room.students[0], "oscar", "irene"):  # a student; instructors of other courses
        answer = grant(api, room, entries, as_user=who)
        assert answer.status_code == 403, answer.text
        message = f"you may not grant extensions in course '{room.course}'"
        assert answer.json() == {"errors": [{"message": message}]}
    assert api.request("POST", f"/api/v1/courses/{room.course}/quiz_extensions",
                       json={"quiz_extensions": entries}).status_code == 401
    listed = api.request("GET", f"/api/v1/courses/{room.course}/quiz_extensions", as_user=room.teacher).json()
    assert all(e["extra_time"] != 999 for e in listed["quiz_extensions"])
    assert api.request("GET", f"/api/v1/courses/{DEMO_COURSE}/quiz_extensions",
                       as_user=room.teacher).status_code == 403
