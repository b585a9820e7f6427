"""Canvas courses and quizzes on moto (docs/canvas.md): GET a course, a course's quizzes (Link-header pages), a
quiz; integer ids in paths, bodies and answers; sis_course_id lookups; who may read what; DynamoDB calls."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from functions.core.numeric_ids import Kind, number
from tests.conftest import call, principal_context
from tests.factories import NOW, classroom, course, enroll, exam, user
from tests.integration.canvas_helpers import COURSE, EXAM, INSTRUCTOR, OTHER, STUDENT, TA, set_course, set_quiz

HIDDEN, LOCKED = "exam-course-1-hidden", "exam-course-1-later"
C, Q = number(Kind.COURSE, COURSE), number(Kind.EXAM, EXAM)


@pytest.fixture
def room(table):
    room = classroom()
    exam(HIDDEN, COURSE, room["items"], active=False)
    exam(LOCKED, COURSE, room["items"], opens_at=NOW + timedelta(days=1), time_limit_minutes=20, max_attempts=2,
         type="practice", scoring_policy="LATEST")
    course("course-2")
    user("outsider")
    enroll("course-2", "outsider", "instructor")
    user("boss", admin=True)
    return room


def get_course(course_id: object, as_user: str | None = STUDENT, **kw):  # type: ignore[no-untyped-def]
    return call("canvas_get_course", {"course_id": str(course_id)}, as_user=as_user, **kw)


def get_quiz(quiz_id: object, course_id: object = C, as_user: str | None = STUDENT, **kw):  # type: ignore[no-untyped-def]
    return call("canvas_get_quiz", {"course_id": str(course_id), "quiz_id": str(quiz_id)}, as_user=as_user, **kw)


def list_quizzes(course_id: object = C, as_user: str | None = STUDENT, **kw):  # type: ignore[no-untyped-def]
    return call("canvas_list_quizzes", {"course_id": str(course_id)}, as_user=as_user, **kw)


def links(answer) -> dict[str, dict[str, str]]:  # type: ignore[no-untyped-def]
    found = {}
    for part in answer.headers["Link"].split(","):
        url, rel = part.split(";")
        query = parse_qs(urlsplit(url.strip().strip("<>")).query)
        found[rel.strip().removeprefix('rel="').rstrip('"')] = {k: v[0] for k, v in query.items()}
    return found


# --- shapes and ids ---------------------------------------------------------------------------------
def test_a_course_by_number_sis_id_or_id_answers_canvas_shape(room):
    by_number = get_course(C)
    assert by_number.status == 200, by_number.body
    body = by_number.body
    assert (body["id"], body["sis_course_id"], body["name"], body["workflow_state"]) == (
        C, COURSE, f"Course {COURSE}", "available")
    assert body["enrollments"] == [{"type": "student", "role": "StudentEnrollment",
                                    "user_id": number(Kind.USER, STUDENT), "enrollment_state": "active"}]
    assert get_course(f"sis_course_id:{COURSE}").body == body
    assert get_course(COURSE).body == body
    assert get_course(C, as_user=TA).body["enrollments"][0]["type"] == "ta"
    assert get_course(C, as_user="boss").body["enrollments"] == []


def test_a_quiz_by_numbers_answers_canvas_shape(room):
    answer = get_quiz(Q)
    assert answer.status == 200, answer.body
    q = answer.body
    assert (q["id"], q["examdesk_id"], q["title"], q["quiz_type"], q["time_limit"], q["allowed_attempts"]) == (
        Q, EXAM, f"Exam {EXAM}", "assignment", 60, 1)
    assert (q["published"], q["locked_for_user"], q["scoring_policy"], q["question_count"]) == (
        True, False, "keep_highest", 3)
    assert q["unlock_at"] and q["lock_at"] and q["due_at"] is None
    assert "access_code" not in q and "quiz_extensions_url" not in q  # staff-only fields
    staff = get_quiz(Q, as_user=INSTRUCTOR).body
    assert staff["quiz_extensions_url"].endswith(f"/api/v1/courses/{C}/quizzes/{Q}/extensions")
    assert get_quiz(EXAM, COURSE).body == q  # our string ids are accepted too
    later = get_quiz(number(Kind.EXAM, LOCKED)).body
    assert (later["quiz_type"], later["scoring_policy"], later["locked_for_user"]) == (
        "practice_quiz", "keep_latest", True)


def test_an_unlock_lifts_the_lock_for_that_student_only(room):
    assert set_quiz([{"user_id": STUDENT, "manually_unlocked": True}], quiz=LOCKED).status == 200
    assert get_quiz(number(Kind.EXAM, LOCKED)).body["locked_for_user"] is False
    assert get_quiz(number(Kind.EXAM, LOCKED), as_user=OTHER).body["locked_for_user"] is True
    page = {q["examdesk_id"]: q["locked_for_user"] for q in list_quizzes().body}
    assert page == {EXAM: False, LOCKED: False}
    assert get_quiz(number(Kind.EXAM, LOCKED), as_user=INSTRUCTOR).body["locked_for_user"] is False


def test_quizzes_are_pages_with_canvas_link_headers(room):
    first = list_quizzes(as_user=INSTRUCTOR, query={"per_page": ["2"]})
    assert first.status == 200, first.body
    assert [q["id"] for q in first.body] == [number(Kind.EXAM, e) for e in sorted([EXAM, HIDDEN, LOCKED])[:2]]
    rels = links(first)
    assert rels["current"] == {"page": "first", "per_page": "2"} and rels["first"] == rels["current"]
    assert "last" not in rels and "prev" not in rels
    second = list_quizzes(as_user=INSTRUCTOR, query={"per_page": ["2"], "page": [rels["next"]["page"]]})
    assert [q["id"] for q in second.body] == [number(Kind.EXAM, sorted([EXAM, HIDDEN, LOCKED])[2])]
    assert links(second)["current"]["page"] == rels["next"]["page"]
    assert [q["examdesk_id"] for q in list_quizzes(query={"page": ["1"]}).body] == [EXAM, LOCKED]  # no hidden


def test_extension_answers_carry_numbers_and_take_either_form(room):
    answer = set_quiz([{"user_id": number(Kind.USER, STUDENT), "extra_time": 5}, {"user_id": OTHER}],
                      quiz=str(Q), course=str(C))
    assert answer.status == 200, answer.body
    got = [(e["user_id"], e["quiz_id"], e["sis_user_id"]) for e in answer.body["quiz_extensions"]]
    assert got == [(number(Kind.USER, STUDENT), Q, STUDENT), (number(Kind.USER, OTHER), Q, OTHER)]
    form = f"quiz_extensions[][user_id]={number(Kind.USER, OTHER)}&quiz_extensions[][extra_attempts]=2"
    by_form = set_course(form, course=f"sis_course_id:{COURSE}",
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert by_form.status == 200, by_form.body
    assert {e["user_id"] for e in by_form.body["quiz_extensions"]} == {number(Kind.USER, OTHER)}
    listed = call("canvas_list_quiz_extensions", {"course_id": str(C), "quiz_id": str(Q)}, as_user=INSTRUCTOR)
    assert {e["user_id"] for e in listed.body["quiz_extensions"]} == {number(Kind.USER, STUDENT),
                                                                      number(Kind.USER, OTHER)}


def test_the_same_student_in_both_forms_is_listed_twice(room):
    answer = set_quiz([{"user_id": number(Kind.USER, STUDENT)}, {"user_id": STUDENT}])
    assert answer.status == 400 and "twice" in answer.body["errors"][0]["message"]


# --- rights -----------------------------------------------------------------------------------------
def test_callers_outside_the_course_are_refused_alike_whether_it_exists_or_not(room):
    # The read_course act (core/acts.py): a non-member gets the same 404 as through authoring's course read.
    assert get_course(number(Kind.COURSE, "course-2"), as_user=STUDENT).status == 404
    assert get_course(C, as_user="outsider").status == 404
    assert get_course(123456789, as_user="outsider").status == 404  # no such course: the same answer
    assert get_quiz(Q, as_user="outsider").status == 404
    assert list_quizzes(as_user="outsider").status == 404
    key = principal_context("key", "k-2", courses="course-2", rights="course:view")
    assert get_course(C, as_user=None, authorizer=key).status == 404
    assert call("canvas_get_course", {"course_id": str(C)}).status == 401


def test_students_do_not_see_hidden_quizzes_and_quizzes_of_other_courses_are_not_found(room):
    assert get_quiz(number(Kind.EXAM, HIDDEN)).status == 404
    assert get_quiz(number(Kind.EXAM, HIDDEN), as_user=TA).status == 200
    exam("exam-course-2", "course-2", [])
    assert get_quiz(number(Kind.EXAM, "exam-course-2"), as_user=INSTRUCTOR).status == 404
    assert get_quiz(999, as_user="boss").status == 404
    assert get_course(999, as_user="boss").status == 404
    key = principal_context("key", "k-1", courses=COURSE, rights="course:view")
    assert get_quiz(Q, as_user=None, authorizer=key).body["locked_for_user"] is False


@pytest.mark.parametrize(("route", "path", "query", "field"), [
    ("canvas_get_course", {"course_id": "sis_course_id:"}, None, "course_id"),
    ("canvas_get_course", {"course_id": "x" * 161}, None, "course_id"),
    ("canvas_get_quiz", {"course_id": str(C), "quiz_id": "y" * 129}, None, "quiz_id"),
    ("canvas_list_quizzes", {"course_id": str(C)}, {"per_page": ["0"]}, "per_page"),
    ("canvas_list_quizzes", {"course_id": str(C)}, {"per_page": ["101"]}, "per_page"),
    ("canvas_list_quizzes", {"course_id": str(C)}, {"page": ["2"]}, "page"),
    ("canvas_list_quizzes", {"course_id": str(C)}, {"page": ["!!garbled"]}, "page"),
])
def test_bad_input_is_a_400_in_canvas_shape(room, route, path, query, field):
    answer = call(route, path, as_user=INSTRUCTOR, query=query)
    assert answer.status == 400, answer.body
    assert field in answer.body["errors"][0]["message"]


def test_a_page_token_of_another_course_is_refused(room):
    for n in range(3):
        exam(f"c2-{n}", "course-2", [])
    other = call("canvas_list_quizzes", {"course_id": "course-2"}, as_user="outsider", query={"per_page": ["1"]})
    token = links(other)["next"]["page"]
    assert list_quizzes(as_user=INSTRUCTOR, query={"page": [token]}).status == 400


# --- DynamoDB calls (docs/data-model.md, Canvas) -------------------------------------------------------
def test_dynamodb_calls_per_route(room, dynamo_calls):
    dynamo_calls.reset()
    assert get_course(C).status == 200
    # the number's alias (one batch for every number of the request); user + enrollment (rights; the
    # enrollment shown is the same read); course
    assert dict(dynamo_calls.counts) == {"BatchGetItem": 1, "GetItem": 3}
    dynamo_calls.reset()
    assert get_course(f"sis_course_id:{COURSE}").status == 200
    assert dict(dynamo_calls.counts) == {"GetItem": 3}
    dynamo_calls.reset()
    assert get_quiz(Q).status == 200
    # both numbers in one batch; user + enrollment; course (closed to students when inactive); exam; the
    # student's extension on it (locked_for_user)
    assert dict(dynamo_calls.counts) == {"BatchGetItem": 1, "GetItem": 5}
    dynamo_calls.reset()
    assert get_quiz(Q, as_user=INSTRUCTOR).status == 200
    assert dict(dynamo_calls.counts) == {"BatchGetItem": 1, "GetItem": 3}  # staff: no lock, no extension
    dynamo_calls.reset()
    assert len(list_quizzes().body) == 2
    # alias; user + enrollment; course; one page of gsi1 course#/exam#; the student's extensions on the page
    assert dict(dynamo_calls.counts) == {"BatchGetItem": 2, "GetItem": 3, "Query": 1}
    dynamo_calls.reset()
    assert len(list_quizzes(as_user=INSTRUCTOR).body) == 3
    assert dict(dynamo_calls.counts) == {"BatchGetItem": 1, "GetItem": 3, "Query": 1}


def test_list_cost_grows_with_the_page_not_the_course(room, dynamo_calls):
    for n in range(30):
        exam(f"many-{n:02}", COURSE, [])
    dynamo_calls.reset()
    first = list_quizzes(query={"per_page": ["5"]})
    assert len(first.body) <= 5
    assert dict(dynamo_calls.counts) == {"BatchGetItem": 2, "GetItem": 3, "Query": 1}
    dynamo_calls.reset()
    list_quizzes(query={"per_page": ["5"], "page": [links(first)["next"]["page"]]})
    # + the token's exam (its index keys, to refuse a token from another list)
    assert dict(dynamo_calls.counts) == {"BatchGetItem": 2, "GetItem": 4, "Query": 1}


def test_refusals_read_no_more_than_the_rights_check(room, dynamo_calls):
    dynamo_calls.reset()
    assert get_quiz(Q, as_user="outsider").status == 404
    assert dict(dynamo_calls.counts) == {"BatchGetItem": 1, "GetItem": 2}


def test_console_event(room):
    import importlib

    from tests.conftest import LambdaContext

    module = importlib.import_module("functions.api.canvas.get_quiz")
    answer = module.lambda_handler({"course_id": str(C), "quiz_id": str(Q)}, LambdaContext())
    assert answer["statusCode"] == 200 and answer["body"]["id"] == Q


def test_a_repeated_parameter_takes_its_last_value_as_rails_does(room):
    """canvasapi sends a caller's per_page first and its own 100 last."""
    answer = list_quizzes(as_user=INSTRUCTOR, query={"per_page": ["1", "2"]})
    assert answer.status == 200, answer.body
    assert len(answer.body) == 2 and links(answer)["current"]["per_page"] == "2"


def test_an_inactive_course_is_closed_to_its_students_not_its_staff(room):
    from functions.data.directory import DirectoryRepository
    from functions.data.writers import seed

    repository = DirectoryRepository()
    stored = repository.get_course(COURSE)
    assert stored is not None
    seed("course", stored.model_copy(update={"active": False}), before=stored)
    assert get_course(C).status == 404
    assert get_quiz(Q).status == 404
    assert list_quizzes().status == 404
    assert get_course(C, as_user=INSTRUCTOR).status == 200
    assert get_quiz(Q, as_user=INSTRUCTOR).status == 200
