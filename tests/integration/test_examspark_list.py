"""POST /api/exam-sessions on moto: paging across configs, tokens, totals and aggregations, rights, cost."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest

from functions.core import statistics
from functions.core.models import Attempt, Session
from functions.data import tokens
from functions.data.dynamo import client, serialize
from functions.data.keys import LIST_SHARDS
from functions.data.sessions import session_item
from functions.data.stats import stats_op
from functions.data.store import Store
from tests.conftest import call
from tests.factories import classroom, course, enroll, exam, user
from tests.integration.examspark_helpers import (
    COURSE,
    EXAM,
    INSTRUCTOR,
    STUDENT,
    TA,
    item_count,
    key,
    start,
    store_session,
    stored,
    submit_all,
)

SECOND = "exam-second"
LIST = "examspark_list_sessions"


def listing(configs, *, as_user=None, authorizer=None, limit=None, token=None, include=None, body=None):
    query = {}
    if limit is not None:
        query["limit"] = [str(limit)]
    if token is not None:
        query["nextToken"] = [token]
    if include:
        query["include[]"] = include
    if as_user is None and authorizer is None:
        authorizer = key()
    body = body if body is not None else {"filter": {"examConfigIds": {"include": configs}}}
    return call(LIST, as_user=as_user, authorizer=authorizer, query=query or None, body=body)


@pytest.fixture
def room(table):
    """Five students; three sessions on the first config, two on the second (scored 0, 33.33, 66.67, 100, -)."""
    room = classroom()
    exam(SECOND, COURSE, room["items"])
    students = [STUDENT, *(user(f"s{n}").id for n in range(4))]
    for s in students[1:]:
        enroll(COURSE, s, "student")
    ids = {}
    for n, s in enumerate(students):
        config = EXAM if n < 3 else SECOND
        ids[s] = start(config, s)
        if n < 4:
            submit_all(ids[s], room["items"], right=n, as_user=s)
    return {**room, "students": students, "ids": ids}


def test_one_page_with_exact_totals_and_aggregations(room):
    answer = listing([EXAM, SECOND], include=["responses", "results"])
    assert answer.status == 200, answer.body
    body = answer.body
    assert body["total"] == 5 and body["nextToken"] is None and body["metadata"] is None
    assert body["aggregations"] == {"minScore": {"value": 0}, "avgScore": {"value": 50}, "maxScore": {"value": 100}}
    assert [i["examConfig"]["id"] for i in body["items"]] == [EXAM] * 3 + [SECOND] * 2  # the filter's order
    assert {i["examSession"]["id"] for i in body["items"]} == set(room["ids"].values())
    assert all("responses" in i["examSession"] and "results" in i["examSession"] for i in body["items"])
    only_second = listing([SECOND]).body
    assert only_second["total"] == 2 and only_second["aggregations"]["maxScore"] == {"value": 100}
    assert "responses" not in only_second["items"][0]["examSession"]


@pytest.mark.parametrize("limit", [1, 2, 3, 4, 5])
def test_pages_walk_the_configs_in_order_and_lose_nothing(room, limit):
    seen, token, pages = [], None, 0
    while True:
        answer = listing([SECOND, EXAM], limit=limit, token=token)
        assert answer.status == 200, answer.body
        assert len(answer.body["items"]) <= limit and answer.body["total"] == 5
        seen += [(i["examConfig"]["id"], i["examSession"]["id"]) for i in answer.body["items"]]
        token, pages = answer.body["nextToken"], pages + 1
        if token is None:
            break
        entries = tokens.decode(token)  # the seed's format, the config named last
        assert entries[-1]["sk"] == "exam#v0" and entries[-1]["id"] in (SECOND, EXAM)
        assert pages < 10
    assert [config for config, _ in seen] == [SECOND] * 2 + [EXAM] * 3
    assert sorted(sid for _, sid in seen) == sorted(room["ids"].values())


def test_one_config_uses_exactly_the_seed_token(room):
    first = listing([EXAM], limit=2)
    entries = tokens.decode(first.body["nextToken"])
    assert len(entries) == 1 and entries[0]["sk"] == "exam-session"
    rest = listing([EXAM], limit=2, token=first.body["nextToken"])
    assert len(rest.body["items"]) == 1 and rest.body["nextToken"] is None
    # the older form: the token in the body
    body = {"filter": {"examConfigIds": {"include": [EXAM]}}, "nextToken": first.body["nextToken"]}
    assert listing([EXAM], limit=2, body=body).body["items"] == rest.body["items"]


def test_aggregations_change_after_reset_and_stay_exact(room):
    best = room["ids"][room["students"][3]]  # 100
    assert call("examspark_reset", {"sessionId": best}, as_user=TA).status == 200
    body = listing([EXAM, SECOND]).body
    assert body["aggregations"] == {"minScore": {"value": 0}, "avgScore": {"value": 33.33},
                                    "maxScore": {"value": 66.67}}


def _b64(entries):
    return base64.b64encode(json.dumps(entries).encode()).decode()


@pytest.mark.parametrize("forge", [
    lambda ids: "garbled!!",
    lambda ids: _b64(["id=nothing|sk=exam-session"]),
    lambda ids: _b64([f"id={ids['other']}|sk=exam-session", f"id={EXAM}|sk=exam#v0"]),  # a session of SECOND
    lambda ids: _b64([f"id={ids['mine']}|sk=exam-session", "id=exam-elsewhere|sk=exam#v0"]),
    lambda ids: _b64([f"id={ids['mine']}|sk=exam-session", f"id={SECOND}|sk=exam#v0", f"id={EXAM}|sk=exam#v0"]),
    lambda ids: _b64([f"id={ids['mine']}|sk=enrollment#x"]),
    lambda ids: _b64([f"id={COURSE}|sk=enrollment#{STUDENT}"]),
])
def test_forged_tokens_are_400(room, forge):
    ids = {"mine": room["ids"][STUDENT], "other": room["ids"][room["students"][4]]}
    answer = listing([EXAM, SECOND], token=forge(ids))
    assert answer.status == 400, answer.body
    assert answer.body["error"]["field"] == "nextToken"


@pytest.mark.parametrize("query,body,needle", [
    ({"limit": ["0"]}, None, "limit"),
    ({"limit": ["101"]}, None, "100"),
    ({"limit": ["many"]}, None, "limit"),
    ({"include[]": ["secrets"]}, None, "include[]"),
    (None, {"filter": {"examConfigIds": {"include": []}}}, "include"),
    (None, {"filter": {"examConfigIds": {"include": [f"e{n}" for n in range(21)]}}}, "include"),
    (None, {"filter": {"examConfigIds": {"include": "exam-course-1"}}}, "include"),
    (None, {"filter": {}}, "examConfigIds"),
    (None, {}, "filter"),
    (None, '{"filter": ', "JSON"),
    (None, {"filter": {"examConfigIds": {"include": [EXAM]}}, "include": ["everything"]}, "include[]"),
    ({"nextToken": ["x" * 3000]}, None, "nextToken"),
])
def test_bad_input_is_400_naming_the_problem(table, query, body, needle):
    classroom()
    body = body if body is not None else {"filter": {"examConfigIds": {"include": [EXAM]}}}
    answer = call(LIST, authorizer=key(), query=query, body=body)
    assert answer.status == 400, answer.body
    assert needle in answer.body["error"]["message"], answer.body


def test_rights(room, dynamo_calls):
    assert listing([EXAM], as_user=None, authorizer={}).status == 401
    student = listing([EXAM], as_user=STUDENT)
    assert student.status == 403 and "course:view" in student.body["error"]["message"]
    assert room["ids"][STUDENT] not in str(student.body)
    assert listing([EXAM], as_user=TA).status == 200 and listing([EXAM], as_user=INSTRUCTOR).status == 200
    course("course-2")
    user("teacher-2")
    enroll("course-2", "teacher-2", "instructor")
    exam("exam-c2", "course-2", [])
    # a config of a course the caller has no rights in matches nothing, exactly as one that does not exist
    hidden = listing([EXAM, "exam-c2"], as_user="teacher-2")
    assert hidden.status == 200 and hidden.body == listing(["exam-c2", "nope"], as_user="teacher-2").body
    assert hidden.body["total"] == 0 and hidden.body["items"] == []
    assert listing(["exam-c2"], as_user="teacher-2").status == 200
    dynamo_calls.reset()
    nothing = listing([EXAM], authorizer=key(courses="course-2"))
    # the config and its statistics (1 + 193 keys: 2 calls of <= 100); nothing to query
    assert dict(dynamo_calls.counts) == {"BatchGetItem": 2}
    assert nothing.status == 200 and nothing.body == listing(["nope"], authorizer=key(courses="course-2")).body
    assert nothing.body == {"total": 0, "nextToken": None, "metadata": None, "items": [], "aggregations": {
        "minScore": {"value": None}, "avgScore": {"value": None}, "maxScore": {"value": None}}}
    unknown = listing([EXAM, "nope", "nada"])
    assert unknown.status == 200 and unknown.body["total"] == listing([EXAM]).body["total"] > 0


def test_an_attempt_past_its_end_is_listed_completed_without_writing(room, dynamo_calls):
    session = stored(room["ids"][room["students"][4]])  # the one in progress, on SECOND
    assert session.current is not None
    session.current.started_at -= timedelta(hours=2)
    session.current.ends_at = session.current.started_at + timedelta(hours=1)
    store_session(session)
    count = item_count()
    dynamo_calls.reset()
    body = listing([SECOND], include=["results"]).body
    listed = {i["examSession"]["id"]: i["examSession"] for i in body["items"]}[session.id]
    assert listed["maturity"] == "COMPLETE" and listed["scoreActual"] == 0 and listed["results"]["points"]
    # + the late attempt's items; + the page's current attempts' results (``include``: their own items)
    assert dict(dynamo_calls.counts) == {"BatchGetItem": 4, "Query": LIST_SHARDS}
    assert item_count() == count and stored(session.id).maturity.value == "IN_PROGRESS"


def test_console_event(room):
    import importlib

    from functions.routes import route
    from tests.conftest import LambdaContext

    module = importlib.import_module(route(LIST).import_path)
    event = {"body": {"filter": {"examConfigIds": {"include": [EXAM]}}}, "query": {"limit": "2"}}
    answer = module.lambda_handler(event, LambdaContext())
    assert answer["statusCode"] == 200 and len(answer["body"]["items"]) == 2
    assert answer["summary"].startswith("List the exam sessions of exam configs")


# --- cost: the same calls for a page whatever the table holds ----------------------------------
def _fill(exam_id: str, count: int) -> None:
    """``count`` scored sessions of one exam and its statistics item, written in batches of 25."""
    now = datetime.now(UTC)
    delta: dict[str, float] = {}
    requests = []
    for n in range(count):
        score = float(n % 101)
        session = Session(id=f"bulk-{exam_id}-{n:05d}", exam_id=exam_id, course_id=COURSE, user_id=f"u{n}",
                          item_ids=["i"], score_actual=score,
                          attempts=[Attempt(number=1, started_at=now, submitted_at=now, score_actual=score)])
        requests.append({"PutRequest": {"Item": serialize(session_item(session))}})
        for name, value in statistics.score_change(None, score, new_session=True).items():
            delta[name] = delta.get(name, 0) + value
    for start_at in range(0, len(requests), 25):
        client().batch_write_item(RequestItems={"examdesk-test": requests[start_at:start_at + 25]})
    op = stats_op(exam_id, delta)
    assert op is not None
    Store().transact([op])


@pytest.mark.parametrize("count", [100, 10_000])
def test_list_calls_do_not_grow_with_the_table(table, dynamo_calls, count):
    course(COURSE)
    exam("bulk", COURSE, [])
    _fill("bulk", count)
    dynamo_calls.reset()
    first = listing(["bulk"], limit=25)
    # config + stats shards (2 batches); one page (a Query per shard of the exam's list)
    assert dict(dynamo_calls.counts) == {"BatchGetItem": 2, "Query": LIST_SHARDS}
    assert first.body["total"] == count and len(first.body["items"]) == 25
    assert first.body["aggregations"]["minScore"] == {"value": 0}
    assert first.body["aggregations"]["maxScore"] == {"value": min(count - 1, 100)}
    dynamo_calls.reset()
    second = listing(["bulk"], limit=25, token=first.body["nextToken"])
    assert dict(dynamo_calls.counts) == {"BatchGetItem": 2, "GetItem": 1, "Query": LIST_SHARDS}  # + the token
    assert len(second.body["items"]) == 25
    assert not {i["examSession"]["id"] for i in first.body["items"]} & {i["examSession"]["id"] for i in
                                                                           second.body["items"]}


def test_list_calls_for_a_user_principal(room, dynamo_calls):
    dynamo_calls.reset()
    listing([EXAM, SECOND], as_user=INSTRUCTOR, limit=100)
    # user + enrollment (one course), configs + stats shards (2 + 2 x 193 keys: 4 calls), a Query per shard walked
    assert dict(dynamo_calls.counts) == {"GetItem": 2, "BatchGetItem": 4, "Query": 2 * LIST_SHARDS}

