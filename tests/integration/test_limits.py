"""Limits: body size (every route with a body, from the registry), page sizes, bulk sizes and string lengths per
dialect; each answered 400 (413 for the body) with a message that says the limit, each in the OpenAPI."""

from __future__ import annotations

import json

import pytest

from functions.core.services.allowances import MAX_PAIRS
from functions.platform.request_limits import BODY_METHODS, MAX_BODY_BYTES
from functions.routes import ROUTES
from tests.conftest import Answer, call
from tests.factories import classroom, user
from tests.integration.openedx_helpers import INSTRUCTOR, PRACTICE, PROCTORED, STANDARD, TIMED, edx, edx_room, num

WITH_BODY = [r for r in ROUTES if r.method in BODY_METHODS]


def message(answer: Answer) -> str:
    """The error message in any dialect's shape."""
    body = answer.body
    if "errors" in body:
        return str(body["errors"][0]["message"])
    if isinstance(body.get("error"), dict):
        return str(body["error"]["message"])
    return str(body["message"])


# --- body size --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("r", WITH_BODY, ids=lambda r: r.name)
def test_an_oversize_body_is_413_naming_the_limit_before_anything_is_read(table, dynamo_calls, r):
    path = {name: "x" for name in r.path_params}
    oversize = json.dumps({"padding": "x" * MAX_BODY_BYTES})
    answer = call(r.name, path, as_user="ada", body=oversize)
    assert answer.status == 413, answer.body
    assert str(MAX_BODY_BYTES) in message(answer) and "256 KB" in message(answer)
    assert dynamo_calls.total == 0


def test_a_body_at_the_limit_reaches_the_route(table):
    user("ada", admin=True)
    body = json.dumps({"id": "c", "title": "C"}).ljust(MAX_BODY_BYTES)  # JSON allows trailing whitespace
    assert call("create_course", as_user="ada", body=body).status == 201


# --- page sizes ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("route_name,path,param,limit", [
    ("list_courses", {}, "limit", 100),
    ("list_enrollments", {"courseId": "course-1"}, "limit", 100),
    ("examspark_list_sessions", {}, "limit", 100),
    ("canvas_list_course_extensions", {"course_id": "course-1"}, "per_page", 100),
    ("learningstudio_list_user_exams", {"userId": "u", "courseId": "course-1"}, "limit", 100),
    ("learningstudio_list_exam_resets", {"courseId": "course-1", "examId": "e"}, "limit", 100),
])
def test_page_sizes_are_bounded_and_the_400_says_the_limit(table, route_name, path, param, limit):
    body = {"filter": {"examConfigIds": {"include": ["e"]}}} if route_name == "examspark_list_sessions" else None
    answer = call(route_name, path, as_user="ada", query={param: [str(limit + 1)]}, body=body)
    assert answer.status == 400, answer.body
    assert param in message(answer) and str(limit) in message(answer)


# --- bulk sizes -------------------------------------------------------------------------------------------
def test_openedx_bulk_allowance_is_bounded_in_exam_user_pairs(table):
    room = edx_room()
    exams = [int(num(e)) for e in (TIMED, PROCTORED, PRACTICE)]
    users = [room["student"].id] + [f"learner{n}" for n in range(17)]  # 3 x 18 = 54 pairs
    answer = edx("bulk_create_allowances", as_user=INSTRUCTOR,
                 body={"exam_ids": exams, "user_ids": users, "allowance_type": "additional_time_granted",
                       "value": "10"})
    # the spec's schema allows it: its own answer for a failed write (200, no successes), nothing written
    assert answer.status == 200 and (answer.body["successes"], answer.body["failures"]) == (0, 54), answer.body
    assert "54" in answer.body["message"] and f"at most {MAX_PAIRS}" in answer.body["message"]
    repeated = edx("bulk_create_allowances", as_user=INSTRUCTOR,
                   body={"exam_ids": [int(num(STANDARD))] * 51, "user_ids": ["u"],
                         "allowance_type": "additional_time_granted", "value": "10"})
    assert repeated.status == 200 and (repeated.body["successes"], repeated.body["failures"]) == (0, 1)


def test_openedx_limits_are_told_in_the_spec_s_answers(table):
    """The spec bounds no string or list: a user id over 256 characters or a value over 1,000 is refused in
    the spec's 200 {success: false} naming the limit; an over-long username in a path names no one (404);
    a page_size over 100 is 100, as DRF reads it."""
    edx_room()
    long_user = edx("grant_allowance", exam_id=PROCTORED, as_user=INSTRUCTOR, body={
        "user_ids": ["u" * 257], "allowance_type": "review_policy_exception", "value": "v"})
    assert long_user.status == 200 and long_user.body["success"] is False
    assert "user_ids" in long_user.body["field"] and "256" in long_user.body["message"]
    long_value = edx("grant_allowance", exam_id=PROCTORED, as_user=INSTRUCTOR, body={
        "user_ids": ["u"], "allowance_type": "review_policy_exception", "value": "v" * 1001})
    assert long_value.status == 200 and long_value.body["field"] == "value" and "1000" in long_value.body["message"]
    assert edx("reset_attempt", exam_id=TIMED, as_user=INSTRUCTOR, path={"username": "u" * 257}).status == 404
    for name in ("list_course_allowances", "list_course_attempts"):
        assert edx(name, as_user=INSTRUCTOR, query={"page_size": ["101"]}).status == 200


def test_examspark_lists_at_most_20_exam_configs(table):
    answer = call("examspark_list_sessions", as_user="ada",
                  body={"filter": {"examConfigIds": {"include": [f"e{n}" for n in range(21)]}}})
    assert answer.status == 400 and "20" in message(answer)


def test_canvas_grants_at_most_100_students_per_request(table):
    room = classroom()
    entries = [{"user_id": f"s{n}", "extra_time": 5} for n in range(101)]
    answer = call("canvas_quiz_extensions", {"course_id": room["course"], "quiz_id": room["exam"].id},
                  as_user=room["instructor"].id, body={"quiz_extensions": entries})
    assert answer.status == 413 and "100" in message(answer)


def test_authoring_exam_pools_hold_at_most_100_items(table):
    answer = call("create_exam", {"courseId": "course-1"}, as_user="ada",
                  body={"title": "T", "itemPool": [f"i{n}" for n in range(101)]})
    assert answer.status == 400 and answer.body["error"]["field"] == "itemPool" and "100" in message(answer)


# --- string lengths ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("route_name,path,body,query,field,limit", [
    ("create_course", {}, {"title": "t" * 201}, None, "title", 200),
    ("examspark_start_session", {"examConfigId": "e"}, {"user_id": "u" * 257}, None, "user_id", 256),
    ("canvas_quiz_extensions", {"course_id": "c", "quiz_id": "q"},
     {"quiz_extensions": [{"user_id": "u" * 257}]}, None, "user_id", 256),
    ("learningstudio_reset_exam", {"userId": "u", "courseId": "c", "examId": "e"}, None,
     {"reason": ["r" * 501]}, "reason", 500),
    ("powerpath_create_lesson", {}, {"courseId": "c", "title": "t" * 201, "lessonType": "placement",
                                     "subject": "Math", "grade": 2}, None, "title", 200),
])
def test_string_lengths_are_bounded_and_the_400_says_the_limit(table, route_name, path, body, query, field, limit):
    answer = call(route_name, path, as_user="ada", body=body, query=query)
    assert answer.status == 400, answer.body
    assert field in message(answer) and str(limit) in message(answer), message(answer)


# --- documented ---------------------------------------------------------------------------------------------
def test_the_openapi_document_states_the_limits():
    from infra.local import openapi

    document = openapi.build()

    def parameter(route_name: str, name: str) -> dict:
        (r,) = [r for r in ROUTES if r.name == route_name]
        operation = document["paths"][r.path][r.method.lower()]
        (found,) = [p for p in operation["parameters"] if p["name"] == name]
        schema = found["schema"]
        return schema["anyOf"][0] if "anyOf" in schema else schema

    for route_name, name in (("list_courses", "limit"), ("canvas_list_course_extensions", "per_page"),
                             ("learningstudio_list_user_exams", "limit"), ("examspark_list_sessions", "limit")):
        assert parameter(route_name, name)["maximum"] == 100, route_name
    # Open edX: the published spec bounds nothing; the clamp is told in the description
    allowances = document["paths"]["/api/instructor/v2/courses/{course_id}/special_exams/allowances"]["get"]
    (page_size,) = [p for p in allowances["parameters"] if p["name"] == "page_size"]
    assert "above 100: 100" in page_size["description"]
    assert parameter("learningstudio_reset_exam", "reason")["maxLength"] == 500
    schemas = document["components"]["schemas"]
    bulk = schemas["BulkAllowanceRequest"]["properties"]
    assert f"at most {MAX_PAIRS} pairs" in bulk["exam_ids"]["description"]
    assert schemas["CourseCreate"]["properties"]["title"]["maxLength"] == 200
    for r in WITH_BODY:
        assert "413" in document["paths"][r.path][r.method.lower()]["responses"], r.name
