"""Every authoring route on moto: happy path, DynamoDB calls, anonymous, denied, bad bodies, forged tokens.

Each check is parametrized over the route table in test_authoring_support.py, so a route cannot be skipped.
Refused writes must leave the table exactly as it was.
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pytest

from functions.routes import AUTHORING
from tests.conftest import call, principal_context
from tests.factories import exam
from tests.integration.test_authoring_support import (
    CALLS,
    CASES,
    DENIED,
    LISTS,
    WRITES,
    WRONG_TYPES,
    calls_text,
    camel_only,
    snapshot,
)
from tests.integration.test_authoring_support import world as _world

world = _world  # the shared fixture

DOC = Path(__file__).resolve().parents[2] / "docs" / "data-model.md"


def send(name: str, *, as_user: str | None = "", body: object = "", **kw: object):
    case = CASES[name]
    caller = case.caller if as_user == "" else as_user
    return call(name, case.path, as_user=caller, body=case.body if body == "" else body, **kw)  # type: ignore[arg-type]


def test_the_table_covers_every_authoring_route():
    assert set(CASES) == set(CALLS) == {r.name for r in AUTHORING}
    assert set(WRONG_TYPES) == set(WRITES)


@pytest.mark.parametrize("name", list(CASES))
def test_happy_path_answers_camel_case_json(world, name):
    answer = send(name)
    assert answer.status == CASES[name].status, answer.body
    assert isinstance(answer.body, dict) and camel_only(_without_snapshots(answer.body))
    if name in LISTS:
        assert set(answer.body) == {"items", "nextToken"} and answer.body["items"]


def _without_snapshots(body: dict) -> dict:
    """Audit events show objects' before/after as stored (the table's field names): data, not API shape."""
    if "items" not in body:
        return body
    strip = lambda item: {**item, "changes": [{k: v for k, v in c.items() if k not in ("before", "after")}  # noqa: E731
                                             for c in item.get("changes", [])]} if "changes" in item else item
    return {**body, "items": [strip(i) for i in body["items"]]}


@pytest.mark.parametrize("name", list(CASES))
def test_dynamodb_calls(world, dynamo_calls, name):
    dynamo_calls.reset()
    answer = send(name)
    assert answer.status == CASES[name].status, answer.body
    assert dict(dynamo_calls.counts) == CALLS[name][0]


def test_the_data_model_document_lists_these_calls():
    text = DOC.read_text()
    section = text.split("## Authoring routes", 1)[1].split("\n## ", 1)[0]
    for name, (counts, _) in CALLS.items():
        assert re.search(rf"^\| `{name}` \| {re.escape(calls_text(counts))} \|", section, re.M), name


@pytest.mark.parametrize("name", list(CASES))
def test_anonymous_is_401_before_any_read(world, dynamo_calls, name):
    before = snapshot()
    dynamo_calls.reset()
    answer = send(name, as_user=None)
    assert answer.status == 401, answer.body
    assert dynamo_calls.total == 0
    assert snapshot() == before


@pytest.mark.parametrize("name,caller,status", DENIED)
def test_denied_callers_get_no_data_and_write_nothing(world, name, caller, status):
    before = snapshot()
    answer = send(name, as_user=caller)
    assert answer.status == status, answer.body
    assert set(answer.body) == {"error"}
    assert snapshot() == before


@pytest.mark.parametrize("name", WRITES)
def test_malformed_json_is_400_naming_the_body(world, name):
    before = snapshot()
    answer = send(name, body='{"title": ')
    assert answer.status == 400
    assert answer.body["error"]["field"] == "body" and "JSON" in answer.body["error"]["message"]
    assert snapshot() == before


@pytest.mark.parametrize("name", WRITES)
def test_wrong_type_is_400_naming_the_field(world, name):
    field, value = WRONG_TYPES[name]
    before = snapshot()
    answer = send(name, body={**CASES[name].body, field: value})
    assert answer.status == 400, answer.body
    assert answer.body["error"]["field"].startswith(field) and field in answer.body["error"]["message"]
    assert snapshot() == before


@pytest.mark.parametrize("name", WRITES)
def test_unknown_field_is_400(world, name):
    before = snapshot()
    answer = send(name, body={**CASES[name].body, "secretSauce": True})
    assert answer.status == 400
    assert "secretSauce" in answer.body["error"]["message"]
    assert snapshot() == before


@pytest.mark.parametrize("name", WRITES)
def test_snake_case_input_is_refused(world, name):
    body = {**CASES[name].body, "time_limit_minutes": 5}
    assert send(name, body=body).status == 400


@pytest.mark.parametrize("name", WRITES)
def test_a_json_array_or_null_body_is_400(world, name):
    before = snapshot()
    assert send(name, body=[1, 2]).status == 400
    assert send(name, body="null").status == 400
    assert snapshot() == before


def _token(*entries: str) -> str:
    return base64.b64encode(json.dumps(list(entries)).encode()).decode()


FORGED = [
    "not-a-token",
    base64.b64encode(b"{}").decode(),
    _token("id=course-2|sk=enrollment#student-course-2"),  # another course's list
    _token("id=exam-course-2|sk=exam#v0"),  # another course's exam
    _token("id=item-course-2-0|sk=item#v0"),  # an item outside this pool
    _token("id=nothing-here|sk=nothing"),
    "x" * 3000,
]


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("token", FORGED)
def test_forged_next_token_is_400(world, name, token):
    answer = send(name, query={"nextToken": [token]})
    assert answer.status == 400, answer.body
    assert answer.body["error"]["field"].endswith("nextToken")


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("limit", ["0", "101", "ten", "-1"])
def test_limit_out_of_range_is_400(world, name, limit):
    answer = send(name, query={"limit": [limit]})
    assert answer.status == 400 and answer.body["error"]["field"].endswith("limit")


@pytest.mark.parametrize("name", LISTS)
def test_pages_follow_next_token_to_the_end(world, name):
    seen, token, pages = [], None, 0
    while True:
        query = {"limit": ["1"], **({"nextToken": [token]} if token else {})}
        answer = send(name, query=query)
        assert answer.status == 200, answer.body
        seen += [i.get("id") or i.get("userId") for i in answer.body["items"]]
        token, pages = answer.body["nextToken"], pages + 1
        if not token:
            break
    assert len(seen) == len(set(seen)) and pages >= len(seen)
    everything = send(name, query={"limit": ["100"]}).body["items"]
    assert seen == [i.get("id") or i.get("userId") for i in everything]


def test_a_key_for_another_course_sees_nothing(world):
    key = principal_context("key", "k", courses="course-2", rights="course:view,exam:author")
    for name in ("get_course", "get_exam", "get_item", "list_exams", "list_items", "list_enrollments"):
        answer = call(name, CASES[name].path, authorizer=key)
        assert answer.status == 404, (name, answer.body)


@pytest.mark.parametrize("name,extra", [("list_courses", 1), ("list_users", 1), ("list_exams", 1),
                                        ("list_enrollments", 0), ("list_items", 0)])
def test_a_continued_page_costs_at_most_one_more_read(world, dynamo_calls, name, extra):
    exam("second", "course-1", [])
    first = send(name, query={"limit": ["1"]})
    assert first.body["nextToken"]
    dynamo_calls.reset()
    send(name, query={"limit": ["1"], "nextToken": [first.body["nextToken"]]})
    expected = dict(CALLS[name][0])
    expected["GetItem"] = expected.get("GetItem", 0) + extra
    assert dict(dynamo_calls.counts) == expected


def test_a_continued_page_of_custom_roles_reads_the_token_item(world, dynamo_calls):
    first = send("list_roles", query={"limit": ["4"]})
    dynamo_calls.reset()
    rest = send("list_roles", query={"nextToken": [first.body["nextToken"]]})
    assert [r["id"] for r in rest.body["items"]] == ["grader"]
    assert dict(dynamo_calls.counts) == {"Query": 1}  # the token names a built-in role: nothing to read
    send("create_role", body={"id": "zz", "name": "Last", "rights": ["course:view"]}, as_user="boss")
    page = send("list_roles", query={"limit": ["5"]})
    dynamo_calls.reset()
    send("list_roles", query={"nextToken": [page.body["nextToken"]]})
    assert dict(dynamo_calls.counts) == {"GetItem": 1, "Query": 1}


@pytest.mark.parametrize("name", ["get_course", "list_enrollments", "create_exam", "get_exam", "list_items"])
def test_an_administrator_skips_the_enrollment_read(world, dynamo_calls, name):
    dynamo_calls.reset()
    assert send(name, as_user="boss").status == CASES[name].status
    expected = dict(CALLS[name][0])
    # no enrollment read; nor, for get_exam, the course read that only a student's visible exam costs
    expected["GetItem"] -= 2 if name == "get_exam" else 1
    assert dict(dynamo_calls.counts) == expected


@pytest.mark.parametrize("name", [n for n in WRITES if n.startswith("update_")])
def test_an_empty_patch_changes_nothing_and_writes_nothing(world, dynamo_calls, name):
    before = snapshot()
    dynamo_calls.reset()
    answer = send(name, body={})
    assert answer.status == 200, answer.body
    assert not {"PutItem", "TransactWriteItems"} & set(dynamo_calls.counts)
    assert snapshot() == before
