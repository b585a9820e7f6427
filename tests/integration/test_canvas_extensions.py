"""Canvas quiz extensions on moto: both routes, JSON and form bodies, replace semantics and history, every
refusal with nothing written, DynamoDB calls, a console event."""

from __future__ import annotations

import base64
import importlib
from urllib.parse import urlencode

import pytest

from functions.core.numeric_ids import Kind, number
from functions.data.extensions import ExtensionRepository
from functions.routes import route
from tests.conftest import LambdaContext, principal_context
from tests.factories import classroom, exam
from tests.integration.canvas_helpers import (
    COURSE,
    EXAM,
    FORM,
    INSTRUCTOR,
    OTHER,
    STUDENT,
    TA,
    extension,
    item_count,
    set_course,
    set_quiz,
)

SECOND = "exam-course-1-b"
S = STUDENT


@pytest.fixture
def room(table):
    room = classroom()
    exam(SECOND, COURSE, room["items"], time_limit_minutes=30, max_attempts=2)
    return room


def test_quiz_extension_answers_canvas_shape_and_is_stored(room):
    entry = {"user_id": STUDENT, "extra_attempts": 2, "extra_time": 20, "manually_unlocked": True}
    answer = set_quiz([entry])
    assert answer.status == 200, answer.body
    (entry,) = answer.body["quiz_extensions"]
    assert {k: entry[k] for k in ("user_id", "quiz_id", "extra_attempts", "extra_time", "manually_unlocked",
                                  "end_at")} == {
        "user_id": number(Kind.USER, STUDENT), "quiz_id": number(Kind.EXAM, EXAM), "extra_attempts": 2,
        "extra_time": 20, "manually_unlocked": True, "end_at": None}
    assert entry["limited_by"] == "extension" and entry["allowed_attempts"] == 3
    assert entry["updated_by"] == INSTRUCTOR
    stored = extension()
    assert stored and (stored.extra_attempts, stored.extra_time_minutes) == (2, 20)
    assert stored.manually_unlocked


def test_course_extension_is_one_entry_per_student_per_quiz(room):
    answer = set_course([{"user_id": STUDENT, "extra_time": 10}, {"user_id": OTHER, "extra_attempts": 1}])
    assert answer.status == 200, answer.body
    pairs = [(e["sis_user_id"], e["quiz_id"], e["extra_time"], e["extra_attempts"])
             for e in answer.body["quiz_extensions"]]
    q1, q2 = number(Kind.EXAM, EXAM), number(Kind.EXAM, SECOND)
    assert sorted(pairs) == sorted([(STUDENT, q1, 10, 0), (STUDENT, q2, 10, 0), (OTHER, q1, 0, 1), (OTHER, q2, 0, 1)])
    assert extension(SECOND, OTHER).extra_attempts == 1


def test_canvasapi_form_body_and_base64_bodies(room):
    form = urlencode([("quiz_extensions[][user_id]", STUDENT), ("quiz_extensions[][extra_time]", "60"),
                      ("quiz_extensions[][user_id]", OTHER),
                      ("quiz_extensions[][manually_unlocked]", "True")])
    answer = set_quiz(form, headers=FORM)
    assert answer.status == 200, answer.body
    got = [(e["sis_user_id"], e["extra_time"], e["manually_unlocked"]) for e in answer.body["quiz_extensions"]]
    assert got == [(STUDENT, 60, False), (OTHER, 0, True)]
    from functions.platform.events import proxy_event

    event = proxy_event(route("canvas_quiz_extensions"), {"course_id": COURSE, "quiz_id": EXAM},
                        body=base64.b64encode(b'{"quiz_extensions": [{"user_id": "' + STUDENT.encode()
                                              + b'", "extra_time": 5}]}').decode(),
                        authorizer=principal_context("user", INSTRUCTOR))
    event["isBase64Encoded"] = True
    module = importlib.import_module(route("canvas_quiz_extensions").import_path)
    assert module.lambda_handler(event, LambdaContext())["statusCode"] == 200
    assert extension().extra_time_minutes == 5


def test_values_replace_earlier_ones_and_keep_the_earlier_value_restorable(room):
    assert set_quiz([{"user_id": STUDENT, "extra_time": 30, "extra_attempts": 1}]).status == 200
    assert set_quiz([{"user_id": STUDENT, "extra_time": 10}], as_user=TA).status == 200
    now = extension()
    assert (now.extra_time_minutes, now.extra_attempts, now.updated_by, now.version) == (10, 1, TA, 2)
    (previous,) = ExtensionRepository().history(EXAM, STUDENT)
    assert previous["extra_time_minutes"] == 30 and previous["updated_by"] == INSTRUCTOR
    assert previous["replaced_by"] == TA and previous["replaced_at"]


def test_an_integration_key_with_the_right_may_grant(room):
    key = principal_context("key", "lms", courses=COURSE, rights="extension:grant")
    answer = set_quiz([{"user_id": STUDENT, "extra_time": 5}], as_user=None, authorizer=key)
    assert answer.status == 200 and answer.body["quiz_extensions"][0]["updated_by"] == "lms"


# --- refusals: nothing is written ----------------------------------------------------------------
@pytest.mark.parametrize("entries,named", [
    ([{"user_id": S, "extra_attempts": 101}], "extra_attempts must be a whole number from 0 to 100"),
    ([{"user_id": S, "extra_time": 10081}], "extra_time must be a whole number from 0 to 10080"),
    ([{"user_id": S, "extend_from_now": 1441}], "extend_from_now must be a whole number from 1 to 1440"),
    ([{"user_id": S, "extend_from_end_at": 0}], "extend_from_end_at must be a whole number from 1 to 1440"),
    ([{"user_id": S, "extra_time": "lots"}], "extra_time must be a whole number"),
    ([{"user_id": S, "extend_from_now": 5, "extend_from_end_at": 5}], "mutually exclusive"),
    ([{"user_id": S, "extra_time": 5}, {"user_id": "ta-course-1", "extra_time": 5}], "'ta-course-1'"),
    ([{"user_id": S, "extra_time": 5}, {"user_id": "nobody", "extra_time": 5}], "'nobody'"),
    ([{"user_id": S}, {"user_id": S}], "listed twice"),
    ('{"quiz_extensions": [', "not valid JSON"),
])
def test_bad_input_is_400_naming_the_problem_and_writes_nothing(room, entries, named):
    before = item_count()
    for answer in (set_quiz(entries), set_course(entries)):
        assert answer.status == 400, answer.body
        assert named in answer.body["errors"][0]["message"]
    assert item_count() == before


def test_malformed_form_body_is_400(room):
    answer = set_quiz("quiz_extensions[][user_id]=x&&&=", headers=FORM)
    assert answer.status == 400 and "malformed" in answer.body["errors"][0]["message"]


def test_denials_write_nothing_and_show_no_data(room):
    classroom("course-2")
    before = item_count()
    entries = [{"user_id": STUDENT, "extra_time": 30}]
    for answer in (set_quiz(entries, as_user=STUDENT), set_course(entries, as_user=STUDENT),
                   set_quiz(entries, as_user="instructor-course-2"),
                   set_course(entries, as_user="instructor-course-2")):
        assert answer.status == 403, answer.body
        assert answer.body == {"errors": [{"message": f"you may not grant extensions in course '{COURSE}'"}]}
    assert set_quiz(entries, as_user=None).status == 401
    wrong_key = principal_context("key", "lms", courses="course-2", rights="extension:grant")
    assert set_quiz(entries, as_user=None, authorizer=wrong_key).status == 403
    view_only = principal_context("key", "lms", courses=COURSE, rights="course:view")
    assert set_quiz(entries, as_user=None, authorizer=view_only).status == 403
    assert item_count() == before


def test_unknown_or_foreign_quiz_and_unknown_course_are_404(room):
    classroom("course-2")
    entries = [{"user_id": STUDENT, "extra_time": 30}]
    foreign = set_quiz(entries, quiz="exam-course-2")
    assert foreign.status == 404 and "exam-course-2" in foreign.body["errors"][0]["message"]
    assert set_quiz(entries, quiz="missing").status == 404
    admin = principal_context("operator", "console")
    assert set_course(entries, as_user=None, authorizer=admin, course="no-such-course").status == 404


def test_course_wide_grant_larger_than_one_transaction_is_413(room):
    from tests.factories import enroll, user

    for n in range(51):
        enroll(COURSE, user(f"s{n}").id, "student")
    before = item_count()
    answer = set_course([{"user_id": f"s{n}", "extra_time": 5} for n in range(51)])  # 51 x 2 quizzes > 100
    assert answer.status == 413 and "100" in answer.body["errors"][0]["message"]
    assert item_count() == before
    assert set_quiz([{"user_id": f"s{n}", "extra_time": 5} for n in range(51)]).status == 200


def test_dynamodb_calls_per_route(room, dynamo_calls):
    dynamo_calls.reset()
    two = [{"user_id": STUDENT, "extra_time": 5}, {"user_id": OTHER, "extra_time": 5}]
    assert set_quiz(two).status == 200
    # user + enrollment (rights), exam, one batch (2 enrollments + 2 extensions), one Query per student
    assert dict(dynamo_calls.counts) == {"GetItem": 3, "BatchGetItem": 1, "Query": 2, "TransactWriteItems": 1}
    dynamo_calls.reset()
    two = [{"user_id": STUDENT, "extra_time": 5}, {"user_id": OTHER, "extra_time": 6}]
    assert set_course(two).status == 200
    # user + enrollment (rights), course, the course's quizzes (Query), one batch, one Query per student
    assert dict(dynamo_calls.counts) == {"GetItem": 3, "BatchGetItem": 1, "Query": 3, "TransactWriteItems": 1}
    dynamo_calls.reset()
    assert set_quiz([{"user_id": STUDENT, "extra_time": 5}]).status == 200  # nothing changes: no write
    assert dict(dynamo_calls.counts) == {"GetItem": 3, "BatchGetItem": 1, "Query": 1}


def test_console_event_says_what_it_did(room):
    module = importlib.import_module(route("canvas_quiz_extensions").import_path)
    answer = module.lambda_handler({"course_id": COURSE, "quiz_id": EXAM,
                                    "body": {"quiz_extensions": [{"user_id": STUDENT, "extra_time": 15}]}},
                                   LambdaContext())
    assert answer["statusCode"] == 200, answer
    assert answer["summary"].startswith("Set quiz extensions for students on one quiz: POST /api/v1/courses/")
    assert answer["body"]["quiz_extensions"][0]["updated_by"] == "console-operator"
    refused = module.lambda_handler({"course_id": COURSE, "quiz_id": EXAM, "body": {"quiz_extensions": []}},
                                    LambdaContext())
    assert refused["statusCode"] == 400 and "refused" in refused["summary"]
