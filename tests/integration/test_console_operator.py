"""Console events name the operator: acting as someone (actAs) needs "operator", and the audit event records
both the operator and whom they acted as; without actAs the change is the operator's own."""

from __future__ import annotations

import importlib

import pytest

from functions.routes import route
from tests.conftest import LambdaContext, call, principal_context
from tests.factories import classroom
from tests.integration.audit_helpers import events

COURSE = "course-1"
STUDENT, INSTRUCTOR = (f"{role}-{COURSE}" for role in ("student", "instructor"))
EXAM = f"exam-{COURSE}"
START = "examspark_start_session"


@pytest.fixture
def room(table):
    return classroom()


def console(event: dict) -> dict:
    return importlib.import_module(route(START).import_path).lambda_handler(event, LambdaContext())


def start_event(**extra: object) -> dict:
    return {"examConfigId": EXAM, "body": {"user_id": STUDENT, "context_id": ""}, **extra}


def test_acting_as_a_user_without_naming_the_operator_is_refused_and_changes_nothing(room, dynamo_calls):
    answer = console(start_event(actAs=principal_context("user", STUDENT)))
    assert answer["statusCode"] == 400 and '"operator"' in answer["error"]
    assert "refused before running" in answer["summary"]
    assert dynamo_calls.total == 0
    assert events(COURSE) == []


@pytest.mark.parametrize("operator", ["", "two words", "x" * 129, 7])
def test_an_operator_name_that_names_no_one_is_refused(room, operator):
    answer = console(start_event(operator=operator, actAs=principal_context("user", STUDENT)))
    assert answer["statusCode"] == 400
    assert events(COURSE) == []


def test_acting_as_a_user_records_the_user_and_the_operator(room):
    answer = console(start_event(operator="ops-alice", actAs=principal_context("user", STUDENT)))
    assert answer["statusCode"] in (200, 201), answer
    (event,) = events(COURSE)
    assert (event["actorKind"], event["actorId"], event["operator"]) == ("user", STUDENT, "ops-alice")
    listed = call("list_audit_events", {"courseId": COURSE}, as_user=INSTRUCTOR)
    assert listed.body["items"][0]["actor"] == {"kind": "user", "id": STUDENT, "operator": "ops-alice"}


def test_without_act_as_the_change_is_recorded_as_the_named_operator(room):
    assert console(start_event(operator="ops-alice"))["statusCode"] in (200, 201)
    (event,) = events(COURSE)
    assert (event["actorKind"], event["actorId"], event.get("operator")) == ("operator", "ops-alice", None)


def test_without_act_as_or_a_name_the_operator_is_the_console_operator(room):
    assert console(start_event())["statusCode"] in (200, 201)
    (event,) = events(COURSE)
    assert (event["actorKind"], event["actorId"]) == ("operator", "console-operator")


def test_http_requests_never_carry_an_operator(room):
    answer = call(START, {"examConfigId": EXAM}, as_user=STUDENT, body={"user_id": STUDENT, "context_id": ""})
    assert answer.status in (200, 201)
    (event,) = events(COURSE)
    assert "operator" not in event
    listed = call("list_audit_events", {"courseId": COURSE}, as_user=INSTRUCTOR)
    assert listed.body["items"][0]["actor"] == {"kind": "user", "id": STUDENT, "operator": None}
