"""The canvasapi client from PyPI, pointed at the local runner over HTTP: Course.set_quiz_extensions and
Quiz.set_extensions succeed, and what they set reads back (through our GET routes, followed page by page
with canvasapi's own PaginatedList and our Link headers)."""

from __future__ import annotations

import warnings

import pytest
from canvasapi import Canvas
from canvasapi.course import Course
from canvasapi.exceptions import BadRequest, Forbidden
from canvasapi.paginated_list import PaginatedList
from canvasapi.quiz import Quiz, QuizExtension

from tests.e2e.canvas_setup import CanvasCourse, build

pytestmark = [pytest.mark.e2e, pytest.mark.contract, pytest.mark.xdist_group("e2e")]


@pytest.fixture(scope="module")
def room(api) -> CanvasCourse:
    return build(api, "canvasapi")


def canvas_as(api, user: str) -> Canvas:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # canvasapi warns about plain-HTTP base URLs; the runner is local
        return Canvas(api.base, api.token(user))


def course_of(canvas: Canvas, room: CanvasCourse) -> Course:
    # canvas.get_course() would GET /api/v1/courses/{id}, which we do not serve: build it without a fetch.
    return Course(canvas._Canvas__requester, {"id": room.course})  # type: ignore[attr-defined]


def quiz_of(canvas: Canvas, room: CanvasCourse, quiz_id: str) -> Quiz:
    return Quiz(canvas._Canvas__requester, {"id": quiz_id, "course_id": room.course})  # type: ignore[attr-defined]


def read_back(canvas: Canvas, path: str) -> list[QuizExtension]:
    requester = canvas._Canvas__requester  # type: ignore[attr-defined]
    return list(PaginatedList(QuizExtension, requester, "GET", path, _root="quiz_extensions", per_page=2))


def test_course_set_quiz_extensions_and_read_back(api, room):
    canvas = canvas_as(api, room.teacher)
    first, second = room.students[0], room.students[1]
    set_ = course_of(canvas, room).set_quiz_extensions([
        {"user_id": first, "extra_time": 60, "extra_attempts": 1},
        {"user_id": second, "extra_attempts": 3},
    ])
    assert all(isinstance(e, QuizExtension) for e in set_)
    assert {(e.user_id, e.quiz_id, e.extra_time, e.extra_attempts) for e in set_} == {
        (first, room.quiz, 60, 1), (first, room.other_quiz, 60, 1),
        (second, room.quiz, 0, 3), (second, room.other_quiz, 0, 3)}
    got = read_back(canvas, f"courses/{room.course}/quiz_extensions")
    assert {(e.user_id, e.quiz_id, e.extra_time, e.extra_attempts) for e in got} >= {
        (first, room.quiz, 60, 1), (first, room.other_quiz, 60, 1),
        (second, room.quiz, 0, 3), (second, room.other_quiz, 0, 3)}


def test_quiz_set_extensions_and_read_back(api, room):
    canvas = canvas_as(api, room.teacher)
    student = room.students[2]
    set_ = quiz_of(canvas, room, room.other_quiz).set_extensions(
        [{"user_id": student, "extra_time": 20, "manually_unlocked": True}])
    (only,) = set_
    assert (only.user_id, only.quiz_id, only.extra_time, only.manually_unlocked) == (
        student, room.other_quiz, 20, True)
    assert only.end_at is None
    got = read_back(canvas, f"courses/{room.course}/quizzes/{room.other_quiz}/extensions")
    (mine,) = [e for e in got if e.user_id == student]
    assert (mine.extra_time, mine.manually_unlocked, mine.updated_by) == (20, True, room.teacher)


def test_an_extension_of_a_running_attempt_reads_back_its_end(api, room):
    student = room.students[0]
    started = api.request("POST", f"/api/exam-config/{room.other_quiz}/exam-session", as_user=student,
                          json={"user_id": student, "context_id": "canvasapi"})
    assert started.status_code == 200, started.text
    canvas = canvas_as(api, room.teacher)
    (moved,) = quiz_of(canvas, room, room.other_quiz).set_extensions(
        [{"user_id": student, "extend_from_end_at": 10}])
    session = api.request("GET", f"/api/exam-session/{started.json()['examSession']['id']}",
                          as_user=student).json()["examSession"]
    assert moved.end_at_date == moved.end_at_date.fromisoformat(session["endsAt"])


def test_canvasapi_sees_refusals_as_its_own_exceptions(api, room):
    with pytest.raises(Forbidden):
        course_of(canvas_as(api, room.students[0]), room).set_quiz_extensions(
            [{"user_id": room.students[0], "extra_time": 5}])
    with pytest.raises(BadRequest, match="1440"):
        quiz_of(canvas_as(api, room.teacher), room, room.quiz).set_extensions(
            [{"user_id": room.students[0], "extend_from_now": 5000}])
