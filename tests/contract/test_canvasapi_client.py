"""The canvasapi client from PyPI, unmodified, pointed at the local runner over HTTP (on DynamoDB Local), as a new
integrator would use it: ``Canvas(base_url, token)``, then ``get_course`` (by number and by SIS id),
``course.get_quizzes`` (followed page by page through our Link headers), ``course.get_quiz``,
``course.set_quiz_extensions`` and ``quiz.set_extensions``, with integer ids throughout; what they set reads
back through our list routes with canvasapi's own PaginatedList; refusals arrive as canvasapi's exceptions."""

from __future__ import annotations

import warnings

import pytest
from canvasapi import Canvas
from canvasapi.course import Course
from canvasapi.exceptions import BadRequest, Forbidden, ResourceDoesNotExist
from canvasapi.paginated_list import PaginatedList
from canvasapi.quiz import Quiz, QuizExtension

from functions.core.numeric_ids import Kind, number
from tests.e2e.canvas_setup import CanvasCourse, build

pytestmark = [pytest.mark.e2e, pytest.mark.contract, pytest.mark.xdist_group("e2e")]


@pytest.fixture(scope="module")
def room(api) -> CanvasCourse:
    return build(api, "canvasapi")


def canvas_as(api, user: str) -> Canvas:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # canvasapi warns about plain-HTTP base URLs; the runner is local
        return Canvas(api.base, api.token(user))


def uid(user_id: str) -> int:
    """A student's Canvas id: the number the Open edX routes show for them too."""
    return number(Kind.USER, user_id)


def course_of(canvas: Canvas, room: CanvasCourse) -> Course:
    return canvas.get_course(room.course, use_sis_id=True)


def read_back(canvas: Canvas, path: str) -> list[QuizExtension]:
    requester = canvas._Canvas__requester  # type: ignore[attr-defined]  # our read-back routes are beyond Canvas
    return list(PaginatedList(QuizExtension, requester, "GET", path, _root="quiz_extensions", per_page=2))


def test_get_course_by_number_and_by_sis_id(api, room):
    canvas = canvas_as(api, room.students[0])
    by_sis = canvas.get_course(room.course, use_sis_id=True)
    assert isinstance(by_sis, Course) and isinstance(by_sis.id, int)
    assert (by_sis.sis_course_id, by_sis.name) == (room.course, f"Canvas {room.course.removeprefix('course-')}")
    by_number = canvas.get_course(by_sis.id)
    assert (by_number.id, by_number.sis_course_id) == (by_sis.id, room.course)
    assert [(e["type"], e["user_id"]) for e in by_number.enrollments] == [("student", uid(room.students[0]))]
    assert canvas.get_course(str(by_sis.id)).id == by_sis.id  # canvasapi turns "123" into 123 itself


def test_get_quizzes_follows_the_link_header(api, room):
    """canvasapi asks for 100 a page (a caller's per_page is sent first and its own 100 last, and Canvas, a
    Rails app, takes the last): 101 quizzes are two pages, the second reached through rel="next"."""
    crowded = build(api, "canvaspages", students=0)
    for n in range(99):
        made = api.request("POST", f"/authoring/courses/{crowded.course}/exams", as_user="ada",
                           json={"id": f"{crowded.quiz}-{n:02}", "title": f"Quiz {n}", "itemPool": [crowded.item]})
        assert made.status_code == 201, made.text
    course = course_of(canvas_as(api, crowded.teacher), crowded)
    quizzes = course.get_quizzes(per_page=7)
    assert isinstance(quizzes, PaginatedList)
    got = list(quizzes)
    assert len(got) == len({q.id for q in got}) == 101
    assert all(isinstance(q, Quiz) and isinstance(q.id, int) and q.course_id == course.id for q in got)
    assert {crowded.quiz, crowded.other_quiz} <= {q.examdesk_id for q in got}
    first = api.request("GET", f"/api/v1/courses/{course.id}/quizzes", as_user=crowded.teacher)
    assert len(first.json()) == 10 and set(first.links) == {"current", "next", "first"}  # Canvas' default page


def test_get_quiz_reads_one(api, room):
    course = course_of(canvas_as(api, room.teacher), room)
    assert sorted(q.examdesk_id for q in course.get_quizzes()) == sorted([room.quiz, room.other_quiz])
    one = course.get_quiz(number(Kind.EXAM, room.quiz))
    assert (one.id, one.title, one.time_limit, one.allowed_attempts, one.locked_for_user) == (
        number(Kind.EXAM, room.quiz), "Timed quiz", 30, 1, False)
    assert one.course_id == course.id and one.lock_at_date > one.unlock_at_date  # canvasapi parsed the dates
    assert one.quiz_extensions_url.endswith(f"/api/v1/courses/{course.id}/quizzes/{one.id}/extensions")


def test_course_set_quiz_extensions_with_integer_ids_and_read_back(api, room):
    canvas = canvas_as(api, room.teacher)
    first, second = room.students[0], room.students[1]
    set_ = course_of(canvas, room).set_quiz_extensions([
        {"user_id": uid(first), "extra_time": 60, "extra_attempts": 1},
        {"user_id": uid(second), "extra_attempts": 3},
    ])
    assert all(isinstance(e, QuizExtension) for e in set_)
    q1, q2 = number(Kind.EXAM, room.quiz), number(Kind.EXAM, room.other_quiz)
    expected = {(uid(first), q1, 60, 1), (uid(first), q2, 60, 1), (uid(second), q1, 0, 3), (uid(second), q2, 0, 3)}
    assert {(e.user_id, e.quiz_id, e.extra_time, e.extra_attempts) for e in set_} == expected
    course_number = course_of(canvas, room).id
    got = read_back(canvas, f"courses/{course_number}/quiz_extensions")
    assert {(e.user_id, e.quiz_id, e.extra_time, e.extra_attempts) for e in got} >= expected


def test_quiz_set_extensions_on_a_quiz_from_get_quiz(api, room):
    canvas = canvas_as(api, room.teacher)
    course = course_of(canvas, room)
    quiz = course.get_quiz(number(Kind.EXAM, room.other_quiz))
    student = room.students[2]
    (only,) = quiz.set_extensions([{"user_id": uid(student), "extra_time": 20, "manually_unlocked": True}])
    assert (only.user_id, only.quiz_id, only.extra_time, only.manually_unlocked) == (uid(student), quiz.id, 20, True)
    assert only.end_at is None
    got = read_back(canvas, f"courses/{course.id}/quizzes/{quiz.id}/extensions")
    (mine,) = [e for e in got if e.user_id == uid(student)]
    assert (mine.extra_time, mine.manually_unlocked, mine.updated_by) == (20, True, room.teacher)


def test_an_extension_of_a_running_attempt_reads_back_its_end(api, room):
    student = room.students[0]
    started = api.request("POST", f"/api/exam-config/{room.other_quiz}/exam-session", as_user=student,
                          json={"user_id": student, "context_id": "canvasapi"})
    assert started.status_code == 200, started.text
    quiz = course_of(canvas_as(api, room.teacher), room).get_quiz(number(Kind.EXAM, room.other_quiz))
    (moved,) = quiz.set_extensions([{"user_id": uid(student), "extend_from_end_at": 10}])
    session = api.request("GET", f"/api/exam-session/{started.json()['examSession']['id']}",
                          as_user=student).json()["examSession"]
    assert moved.end_at_date == moved.end_at_date.fromisoformat(session["endsAt"])


def test_canvasapi_sees_refusals_as_its_own_exceptions(api, room):
    student_course = course_of(canvas_as(api, room.students[0]), room)
    with pytest.raises(Forbidden):
        student_course.set_quiz_extensions([{"user_id": uid(room.students[0]), "extra_time": 5}])
    with pytest.raises(ResourceDoesNotExist):  # oscar teaches another course: not confirmed to exist for him
        canvas_as(api, "oscar").get_course(student_course.id)
    with pytest.raises(ResourceDoesNotExist):
        student_course.get_quiz(12345)
    teacher_quiz = course_of(canvas_as(api, room.teacher), room).get_quiz(number(Kind.EXAM, room.quiz))
    with pytest.raises(BadRequest, match="1440"):
        teacher_quiz.set_extensions([{"user_id": uid(room.students[0]), "extend_from_now": 5000}])
