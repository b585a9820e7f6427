"""Idempotency-Key on every POST / DELETE write route (RouteApp + Powertools idempotency, on moto).

A representative write per dialect: the retry answers the first answer (status and body) and writes nothing;
the same key with another body is a 422 in the dialect's error shape; another caller's key is its own; a
concurrent retry is a 409; refused answers are not remembered. Then, generated from the registry: every
POST / DELETE write route reads the header through RouteApp.
"""

from __future__ import annotations

import importlib.util
import json
from typing import Any

import pytest

from functions.data.dynamo import client
from functions.routes import ROUTES, route
from tests.conftest import Answer, LambdaContext, call, principal_context
from tests.factories import classroom, user
from tests.integration import learningstudio_helpers as ls
from tests.integration.examspark_helpers import choice, respond, start, stored
from tests.integration.openedx_helpers import PROCTORED, edx_room, grant

WRITES = ("PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem")


def keyed(key: str) -> dict[str, str]:
    return {"Idempotency-Key": key}


def records() -> list[dict[str, Any]]:
    items = client().scan(TableName="examdesk-test")["Items"]
    return [item for item in items if item["sk"]["S"] == "idempotency"]


def route_writes(counts: dict[str, int]) -> dict[str, int]:
    return {op: n for op, n in counts.items() if op in WRITES}


def assert_replayed(first: Answer, again: Answer) -> None:
    assert (again.status, again.body) == (first.status, first.body)
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert "Idempotent-Replayed" not in first.headers


# --- ExamSpark --------------------------------------------------------------------------------------------
def test_examspark_set_responses_retry_answers_the_first_answer_and_writes_once(table, dynamo_calls):
    room = classroom()
    sid = start()
    items = room["items"]
    dynamo_calls.reset()
    first = call("examspark_set_responses", {"sessionId": sid}, as_user=room["student"].id,
                 headers=keyed("submit-1"), body={"submitForScoring": True, "responses": [choice(items[0], 2)]})
    assert first.status == 200, first.body
    fresh = dict(dynamo_calls.counts)
    version = stored(sid).version
    dynamo_calls.reset()
    again = call("examspark_set_responses", {"sessionId": sid}, as_user=room["student"].id,
                 headers=keyed("submit-1"), body={"submitForScoring": True, "responses": [choice(items[0], 2)]})
    assert_replayed(first, again)
    # The retry is one conditional PutItem that fails and returns the stored answer: the route never runs.
    assert dict(dynamo_calls.counts) == {"PutItem": 1}
    assert stored(sid).version == version
    # The first request paid one PutItem (IN_PROGRESS) and one UpdateItem (the answer) on top of the route.
    assert fresh["PutItem"] == 1 and fresh["UpdateItem"] == 1 and fresh["TransactWriteItems"] == 1
    # Without the header the same submit runs again (and is refused: the attempt is completed).
    assert respond(sid, [choice(items[0], 2)], True).status == 409


def test_examspark_same_key_different_body_is_422_in_the_examdesk_shape(table):
    room = classroom()
    sid = start()
    body = {"responses": [choice(room["items"][0], 1)]}
    assert call("examspark_set_responses", {"sessionId": sid}, as_user=room["student"].id,
                headers=keyed("save-1"), body=body).status == 200
    before = stored(sid).version
    other = {"responses": [choice(room["items"][0], 3)]}
    answer = call("examspark_set_responses", {"sessionId": sid}, as_user=room["student"].id,
                  headers=keyed("save-1"), body=other)
    assert answer.status == 422
    assert answer.body["error"]["code"] == "idempotency_key_reused"
    assert answer.body["error"]["field"] == "Idempotency-Key" and "different request" in answer.body["error"]["message"]
    assert stored(sid).version == before


# --- Canvas -----------------------------------------------------------------------------------------------
def test_canvas_set_extensions_replays_and_refuses_a_reused_key_in_the_canvas_shape(table, dynamo_calls):
    room = classroom()
    path = {"course_id": room["course"], "quiz_id": room["exam"].id}
    instructor = room["instructor"].id
    body = {"quiz_extensions": [{"user_id": room["student"].id, "extra_time": 20}]}
    first = call("canvas_quiz_extensions", path, as_user=instructor, headers=keyed("ext-1"), body=body)
    assert first.status == 200, first.body
    dynamo_calls.reset()
    again = call("canvas_quiz_extensions", path, as_user=instructor, headers=keyed("ext-1"), body=body)
    assert_replayed(first, again)
    assert route_writes(dynamo_calls.counts) == {"PutItem": 1}
    changed = {"quiz_extensions": [{"user_id": room["student"].id, "extra_time": 45}]}
    refused = call("canvas_quiz_extensions", path, as_user=instructor, headers=keyed("ext-1"), body=changed)
    assert refused.status == 422 and set(refused.body) == {"errors"}
    assert "Idempotency-Key" in refused.body["errors"][0]["message"]


def test_canvas_form_body_is_compared_as_sent(table):
    room = classroom()
    path = {"course_id": room["course"], "quiz_id": room["exam"].id}
    form = {"Content-Type": "application/x-www-form-urlencoded", "Idempotency-Key": "form-1"}
    text = f"quiz_extensions[][user_id]={room['student'].id}&quiz_extensions[][extra_time]=10"
    first = call("canvas_quiz_extensions", path, as_user=room["instructor"].id, headers=form, body=text)
    assert first.status == 200, first.body
    assert_replayed(first, call("canvas_quiz_extensions", path, as_user=room["instructor"].id, headers=form,
                                body=text))


# --- Open edX ---------------------------------------------------------------------------------------------
def test_openedx_grant_allowance_replays_and_refuses_a_reused_key_in_the_openedx_shape(table, dynamo_calls):
    room = edx_room()
    headers = keyed("grant-1")
    first = grant(PROCTORED, [room["student"].id], value="30")
    assert first.status == 200  # without a key: as before
    keyed_first = call_edx_grant(room, "45", headers)
    assert keyed_first.status == 200, keyed_first.body
    dynamo_calls.reset()
    again = call_edx_grant(room, "45", headers)
    assert_replayed(keyed_first, again)
    assert route_writes(dynamo_calls.counts) == {"PutItem": 1}
    refused = call_edx_grant(room, "60", headers)
    assert refused.status == 422
    assert refused.body["status_code"] == 422 and refused.body["error"] == "idempotency_key_reused"
    assert "Idempotency-Key" in refused.body["message"]


def call_edx_grant(room: dict[str, Any], value: str, headers: dict[str, str]) -> Answer:
    from tests.integration.openedx_helpers import num

    return call("openedx_grant_allowance", {"course_id": room["course"], "exam_id": num(PROCTORED)},
                as_user=room["instructor"].id, headers=headers,
                body={"user_ids": [room["student"].id], "allowance_type": "additional_time_granted",
                      "value": value})


# --- LearningStudio (DELETE) ------------------------------------------------------------------------------
def test_learningstudio_reset_delete_is_replayed_not_repeated(table, dynamo_calls):
    ls.build()
    ls.begun()
    first = call(ls.RESET, ls.path(), as_user=ls.INSTRUCTOR, headers=keyed("reset-1"))
    assert first.status == 200, first.body
    dynamo_calls.reset()
    again = call(ls.RESET, ls.path(), as_user=ls.INSTRUCTOR, headers=keyed("reset-1"))
    assert_replayed(first, again)
    assert route_writes(dynamo_calls.counts) == {"PutItem": 1}
    # Without the key the same DELETE runs again: the instance is gone.
    assert ls.reset().status == 404
    resets = call(ls.RESETS, {"courseId": ls.COURSE, "examId": ls.EXAM}, as_user=ls.INSTRUCTOR)
    assert len(resets.body["resets"]) == 1


# --- authoring: scoped by caller, refusals not remembered, in-progress 409 --------------------------------
def test_authoring_create_is_replayed_for_its_caller_only(table):
    user("ada", admin=True)
    user("grace", admin=True)
    body = {"id": "algebra-1", "title": "Algebra 1"}
    first = call("create_course", as_user="ada", headers=keyed("course-1"), body=body)
    assert first.status == 201, first.body
    assert_replayed(first, call("create_course", as_user="ada", headers=keyed("course-1"), body=body))
    # Another caller's identical key is another record: the route runs for them (and finds the course).
    other = call("create_course", as_user="grace", headers=keyed("course-1"), body=body)
    assert other.status == 409 and "Idempotent-Replayed" not in other.headers
    # An integration key is a caller of its own too.
    key = principal_context("key", "integration", courses="", rights="")
    assert call("create_course", authorizer=key, headers=keyed("course-1"), body=body).status in (403, 409)
    ids = sorted(r["id"]["S"] for r in records())
    assert len(ids) == 1 and ids[0].startswith("idempotency#create_course#user:ada#")
    assert all(r["expiresAt"]["N"].isdigit() for r in records())
    # Without the header nothing changes: a second create is a 409.
    assert call("create_course", as_user="ada", body=body).status == 409


def test_refused_answers_are_not_remembered(table, dynamo_calls):
    user("ada", admin=True)
    dynamo_calls.reset()
    refused = call("create_exam", {"courseId": "later"}, as_user="ada", headers=keyed("exam-1"),
                   body={"id": "quiz-1", "title": "Quiz 1"})
    assert refused.status == 404, refused.body
    assert dynamo_calls.counts["PutItem"] == 1 and dynamo_calls.counts["DeleteItem"] == 1
    assert records() == []
    assert call("create_course", as_user="ada", body={"id": "later", "title": "Later"}).status == 201
    retried = call("create_exam", {"courseId": "later"}, as_user="ada", headers=keyed("exam-1"),
                   body={"id": "quiz-1", "title": "Quiz 1"})
    assert retried.status == 201, retried.body


def _second_instance(route_name: str) -> Any:
    """Another Lambda instance of the route: a fresh copy of its module (its own RouteApp and resolver)."""
    module_name = route(route_name).import_path
    spec = importlib.util.find_spec(module_name)
    assert spec is not None and spec.loader is not None
    copy = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(copy)
    return copy


def test_a_retry_while_the_first_is_in_progress_is_409_with_retry_after(table):
    from functions.platform.events import proxy_event

    user("ada", admin=True)
    other_instance = _second_instance("create_course")
    event = proxy_event(route("create_course"), {}, body={"id": "c-1", "title": "C"}, headers=keyed("slow-1"),
                        authorizer=principal_context("user", "ada"))
    seen: dict[str, Any] = {}

    def meanwhile(**_: Any) -> None:  # the first request is between its IN_PROGRESS record and its answer
        if "retry" not in seen:
            seen["retry"] = None
            seen["retry"] = other_instance.lambda_handler(json.loads(json.dumps(event)), LambdaContext())

    client().meta.events.register("before-call.dynamodb.TransactWriteItems", meanwhile)
    try:
        first = importlib.import_module(route("create_course").import_path).lambda_handler(event, LambdaContext())
    finally:
        client().meta.events.unregister("before-call.dynamodb.TransactWriteItems", meanwhile)
    assert first["statusCode"] == 201
    retry = seen["retry"]
    assert retry["statusCode"] == 409 and retry["headers"]["Retry-After"] == "1"
    assert json.loads(retry["body"])["error"]["code"] == "idempotency_in_progress"
    # Once the first has answered, the retry gets that answer.
    later = other_instance.lambda_handler(json.loads(json.dumps(event)), LambdaContext())
    assert (later["statusCode"], json.loads(later["body"])) == (201, json.loads(first["body"]))


@pytest.mark.parametrize("bad", ["", "has space", "x" * 256, "naïve"])
def test_a_malformed_key_is_400_naming_the_header(table, bad):
    user("ada", admin=True)
    answer = call("create_course", as_user="ada", headers=keyed(bad), body={"id": "c", "title": "C"})
    assert answer.status == 400 and answer.body["error"]["field"] == "Idempotency-Key"
    assert "255" in answer.body["error"]["message"]


# --- generated from the registry ----------------------------------------------------------------------------
IDEMPOTENT = [r for r in ROUTES if r.takes_idempotency_key]


def test_the_header_applies_to_exactly_the_post_and_delete_write_routes():
    expected = {r.name for r in ROUTES if r.access == "write" and r.method in ("POST", "DELETE") and not r.shows_secret}
    assert {r.name for r in IDEMPOTENT} == expected and len(expected) >= 20
    # answers holding a secret shown once are never stored for a replay (docs/credentials.md)
    assert {r.name for r in ROUTES if r.shows_secret} == {"create_credential", "rotate_credential"}


@pytest.mark.parametrize("r", IDEMPOTENT, ids=lambda r: r.name)
def test_every_post_and_delete_write_route_takes_the_header(table, dynamo_calls, r):
    """Through the route's real lambda_handler: a malformed key is refused before the route runs, and a
    failing request with a good key goes through the idempotency record (kept while running, then deleted),
    answering the same on a retry."""
    path = {name: f"missing-{name}" for name in r.path_params}
    bad = call(r.name, path, as_user="nobody", headers=keyed("not a key"), body={})
    assert bad.status == 400 and "Idempotency-Key" in json.dumps(bad.body), bad.body
    dynamo_calls.reset()
    first = call(r.name, path, as_user="nobody", headers=keyed("k-1"), body={})
    assert first.status >= 400, first.body
    assert dynamo_calls.counts["PutItem"] >= 1 and dynamo_calls.counts["DeleteItem"] >= 1
    assert records() == []
    again = call(r.name, path, as_user="nobody", headers=keyed("k-1"), body={})
    assert (again.status, again.body) == (first.status, first.body)


def test_the_openapi_document_declares_the_header_and_its_422():
    from infra.local import openapi

    document = openapi.build()
    for r in ROUTES:
        operation = document["paths"][r.path][r.method.lower()]
        names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "header"]
        assert ("Idempotency-Key" in names) == r.takes_idempotency_key, r.name
        if r.takes_idempotency_key:
            assert {"409", "422"} <= set(operation["responses"]), r.name
