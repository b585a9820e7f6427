"""Reading extensions back (beyond Canvas) on moto: both list routes, pages and their Link header, forged
page tokens, denials, DynamoDB calls."""

from __future__ import annotations

import base64
import json
from urllib.parse import parse_qs, urlsplit

import pytest

from functions.core.numeric_ids import Kind, number
from functions.data.keys import LIST_SHARDS
from tests.conftest import principal_context
from tests.factories import classroom, enroll, exam, user
from tests.integration.canvas_helpers import (
    COURSE,
    EXAM,
    INSTRUCTOR,
    OTHER,
    STUDENT,
    TA,
    call_with_headers,
    set_course,
    start,
)

SECOND = "exam-course-1-b"
LIST_COURSE, LIST_QUIZ = "canvas_list_course_extensions", "canvas_list_quiz_extensions"


@pytest.fixture
def room(table):
    room = classroom()
    exam(SECOND, COURSE, room["items"], time_limit_minutes=30)
    granted = set_course([{"user_id": STUDENT, "extra_time": 10}, {"user_id": OTHER, "extra_attempts": 2}])
    assert granted.status == 200
    return room


def list_course(as_user=INSTRUCTOR, query=None, course=COURSE, **kw):
    return call_with_headers(LIST_COURSE, {"course_id": course}, as_user=as_user, query=query, **kw)


def list_quiz(as_user=INSTRUCTOR, query=None, quiz=EXAM, **kw):
    return call_with_headers(LIST_QUIZ, {"course_id": COURSE, "quiz_id": quiz}, as_user=as_user, query=query,
                             **kw)


def test_course_list_reads_back_what_was_granted(room):
    answer = list_course()
    assert answer.status == 200, answer.body
    got = {(e["quiz_id"], e["sis_user_id"]): (e["extra_time"], e["extra_attempts"])
           for e in answer.body["quiz_extensions"]}
    q1, q2 = number(Kind.EXAM, EXAM), number(Kind.EXAM, SECOND)
    assert got == {(q1, STUDENT): (10, 0), (q2, STUDENT): (10, 0), (q1, OTHER): (0, 2), (q2, OTHER): (0, 2)}
    assert "Link" not in answer.headers


def test_quiz_list_shows_the_running_attempt_end(room):
    session = start()
    entries = {e["sis_user_id"]: e for e in list_quiz().body["quiz_extensions"]}
    assert set(entries) == {STUDENT, OTHER}
    assert entries[STUDENT]["end_at"].replace("Z", "+00:00") == session["endsAt"]
    assert entries[STUDENT]["limited_by"] == "extension" and entries[OTHER]["end_at"] is None


def test_pages_follow_the_link_header(room):
    seen, query, pages = [], {"per_page": ["3"]}, 0
    while True:
        answer = list_course(query=query)
        assert answer.status == 200, answer.body
        pages += 1
        seen += [(e["quiz_id"], e["user_id"]) for e in answer.body["quiz_extensions"]]
        link = answer.headers.get("Link")
        if not link:
            break
        url = link.split(";")[0].strip("<>")
        assert url.startswith("http://") and urlsplit(url).path == f"/api/v1/courses/{COURSE}/quiz_extensions"
        assert link.endswith('rel="next"')
        query = {k: v for k, v in parse_qs(urlsplit(url).query).items()}
    assert pages == 2 and len(seen) == len(set(seen)) == 4


@pytest.mark.parametrize("page", [
    "garbage!",
    base64.b64encode(json.dumps(["id=x|sk=exam#v0"]).encode()).decode(),
])
def test_forged_page_tokens_are_400(room, page):
    answer = list_course(query={"page": [page]})
    assert answer.status == 400 and "page" in answer.body["errors"][0]["message"]


def test_a_token_of_another_quiz_list_is_400(room):
    first = list_course(query={"per_page": ["1"]})
    token = parse_qs(urlsplit(first.headers["Link"].split(";")[0].strip("<>")).query)["page"][0]
    other = list_quiz(quiz=SECOND, query={"page": [token]})  # the token names an extension of EXAM
    assert other.status == 400 and "page" in other.body["errors"][0]["message"]


@pytest.mark.parametrize("per_page", ["0", "101", "many"])
def test_bad_page_sizes_are_400(room, per_page):
    answer = list_course(query={"per_page": [per_page]})
    assert answer.status == 400 and "per_page" in answer.body["errors"][0]["message"]


def test_who_may_read(room):
    classroom("course-2")
    assert list_course(as_user=TA).status == 200
    for who in (STUDENT, "instructor-course-2"):
        denied = list_course(as_user=who)
        assert denied.status == 403 and STUDENT not in json.dumps(denied.body)
        assert list_quiz(as_user=who).status == 403
    assert list_course(as_user=None).status == 401
    key = principal_context("key", "lms", courses=COURSE, rights="course:view")
    assert list_course(as_user=None, authorizer=key).status == 200
    assert list_quiz(quiz="exam-course-2").status == 404
    operator = principal_context("operator", "c")
    assert list_course(as_user=None, authorizer=operator, course="nope").status == 404


def test_dynamodb_calls_per_route(room, dynamo_calls):
    dynamo_calls.reset()
    assert len(list_quiz().body["quiz_extensions"]) == 2
    # user + enrollment (rights), exam, the extensions (a Query per shard); no entry points at a session
    assert dict(dynamo_calls.counts) == {"GetItem": 3, "Query": LIST_SHARDS}
    start()  # the student's extension on EXAM now points at this session
    dynamo_calls.reset()
    assert len(list_quiz().body["quiz_extensions"]) == 2
    # ... + the sessions the page points at (one batch)
    assert dict(dynamo_calls.counts) == {"GetItem": 3, "Query": LIST_SHARDS, "BatchGetItem": 1}
    dynamo_calls.reset()
    assert len(list_course().body["quiz_extensions"]) == 4
    # user + enrollment (rights), course, extensions (Query), their exams and pointed sessions (one batch)
    assert dict(dynamo_calls.counts) == {"GetItem": 3, "Query": LIST_SHARDS, "BatchGetItem": 1}


def test_list_cost_does_not_grow_with_the_course(room, dynamo_calls):
    for n in range(20):
        enroll(COURSE, user(f"s{n}").id, "student")
    assert set_course([{"user_id": f"s{n}", "extra_time": 1} for n in range(20)]).status == 200
    dynamo_calls.reset()
    assert len(list_course(query={"per_page": ["2"]}).body["quiz_extensions"]) == 2
    assert dict(dynamo_calls.counts) == {"GetItem": 3, "Query": LIST_SHARDS, "BatchGetItem": 1}
