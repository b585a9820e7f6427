"""Integration credentials on moto: a route checking the credentials it is called with against what the credential
routes wrote (rotation window, revocation; the record kept per process for the documented time), the operator's
console event, refusals that change nothing, and the DynamoDB calls of the credential check and of the variants (the
per-route counts are in test_authoring_routes.py)."""

from __future__ import annotations

import base64
import time

import pytest

from functions.platform import auth, settings
from tests.conftest import LambdaContext, call
from tests.integration.test_authoring_support import ADMIN, snapshot
from tests.integration.test_authoring_support import world as _world

world = _world  # the shared fixture


def basic(user: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{secret}".encode()).decode()}


def read_course(user: str, secret: str) -> int:
    """A key reading its course through a route, which checks the Basic credentials itself."""
    return call("get_course", {"courseId": "course-1"}, headers=basic(user, secret)).status


def issue(**body: object) -> dict:
    answer = call("create_credential", as_user=ADMIN, body={"kind": "basic", "name": "sync", "courses": ["course-1"],
                                                            "rights": ["course:view"], **body})
    assert answer.status == 201, answer.body
    return answer.body


def test_a_route_follows_rotation_and_revocation(world, dynamo_calls):
    key = issue()
    dynamo_calls.reset()
    assert read_course(key["id"], key["secret"]) == 200
    assert dict(dynamo_calls.counts) == {"GetItem": 2}  # the credential, then the course (a key's rights are its own)
    rotated = call("rotate_credential", {"credentialId": key["id"]}, as_user=ADMIN, body={"overlapSeconds": 1})
    assert rotated.status == 200
    assert read_course(key["id"], key["secret"]) == 200  # inside the window
    assert read_course(key["id"], rotated.body["secret"]) == 200
    time.sleep(1.1)
    assert read_course(key["id"], key["secret"]) == 401
    assert call("revoke_credential", {"credentialId": key["id"]}, as_user=ADMIN).body["status"] == "revoked"
    assert read_course(key["id"], rotated.body["secret"]) == 401
    assert read_course("no-such-key", "whatever") == 401


@pytest.fixture
def kept_a_minute(monkeypatch):
    """The deployed setting: a route process keeps a credential record 60 s (docs/credentials.md)."""
    monkeypatch.setenv(settings.CREDENTIAL_CACHE_SECONDS, "60")
    settings.settings.cache_clear()
    auth.stored_credentials.cache_clear()
    yield
    settings.settings.cache_clear()
    auth.stored_credentials.cache_clear()


def test_a_warm_route_reads_a_key_once_a_minute_so_revocation_waits_that_long(world, dynamo_calls, kept_a_minute):
    key = issue()
    dynamo_calls.reset()
    assert read_course(key["id"], key["secret"]) == 200
    assert read_course(key["id"], key["secret"]) == 200
    assert dict(dynamo_calls.counts) == {"GetItem": 3}  # the credential once, the course twice
    assert read_course(key["id"], "a-wrong-secret") == 401  # the kept record still checks the secret
    call("revoke_credential", {"credentialId": key["id"]}, as_user=ADMIN)
    assert read_course(key["id"], key["secret"]) == 200  # the documented delay: at most 60 s on a warm instance
    auth.stored_credentials().items.clear()  # what 60 s do
    assert read_course(key["id"], key["secret"]) == 401


def test_the_secret_is_shown_once_and_stored_only_as_a_hash(world):
    key = issue()
    assert key["secret"] not in "".join(snapshot())
    shown = call("get_credential", {"credentialId": key["id"]}, as_user=ADMIN).body
    listed = call("list_credentials", as_user=ADMIN, query={"limit": ["100"]}).body["items"]
    for view in (shown, *listed):
        assert "secret" not in view and "secretHash" not in view
    assert key["id"] in [c["id"] for c in listed]


def test_an_operator_issues_a_credential_from_the_console(world):
    from functions.api.authoring.create_credential import lambda_handler

    event = {"body": {"kind": "oauth", "name": "From the console", "courses": ["*"], "rights": ["course:view"]}}
    answer = lambda_handler(event, LambdaContext())
    assert answer["statusCode"] == 201 and answer["body"]["secret"] and answer["summary"]
    events = call("list_institution_audit_events", as_user=ADMIN,
                  query={"objectId": [answer["body"]["id"]]}).body["items"]
    assert [(e["action"], e["actor"]["kind"]) for e in events] == [("credential.create", "operator")]


@pytest.mark.parametrize("body,field", [
    ({"courses": ["no-such-course"]}, "courses"),
    ({"courses": ["*", "course-1"]}, "courses"),
    ({"rights": ["root"]}, "rights.0"),
    ({"kind": "saml"}, "kind"),
    ({"id": "has:colon"}, "id"),
    ({"secret": "mine"}, "secret"),
])
def test_bad_issues_are_400_naming_the_field_and_change_nothing(world, body, field):
    before = snapshot()
    answer = call("create_credential", as_user=ADMIN, body={"kind": "basic", "name": "x", "courses": ["course-1"],
                                                            "rights": ["course:view"], **body})
    assert answer.status == 400 and answer.body["error"]["field"] == field, answer.body
    assert snapshot() == before


def test_a_taken_id_is_409_and_revoked_credentials_refuse_changes(world):
    key = issue(id="fixed-id")
    before = snapshot()
    assert call("create_credential", as_user=ADMIN, body={"id": "fixed-id", "kind": "oauth", "name": "x",
                                                          "courses": ["*"], "rights": ["course:view"]}).status == 409
    assert snapshot() == before
    call("revoke_credential", {"credentialId": key["id"]}, as_user=ADMIN)
    before = snapshot()
    assert call("rotate_credential", {"credentialId": key["id"]}, as_user=ADMIN, body={}).status == 409
    assert call("revoke_credential", {"credentialId": key["id"]}, as_user=ADMIN).status == 409
    assert call("rotate_credential", {"credentialId": "ghost"}, as_user=ADMIN, body={}).status == 404
    assert snapshot() == before


def test_every_course_costs_no_course_read(world, dynamo_calls):
    dynamo_calls.reset()
    issue(courses=["*"])
    assert dict(dynamo_calls.counts) == {"GetItem": 1, "TransactWriteItems": 1}


def test_the_scheduled_sweep_closes_an_ended_window(world):
    from functions.jobs.close_overlaps import lambda_handler

    key = issue()
    call("rotate_credential", {"credentialId": key["id"]}, as_user=ADMIN, body={"overlapSeconds": 1})
    assert lambda_handler({}, LambdaContext())["closed"] == []  # the window is still open
    time.sleep(1.1)
    assert lambda_handler({}, LambdaContext())["closed"] == [key["id"]]
    shown = call("get_credential", {"credentialId": key["id"]}, as_user=ADMIN).body
    assert shown["previousValidUntil"] is None and shown["version"] == 3
    events = call("list_institution_audit_events", as_user=ADMIN, query={"objectId": [key["id"]]}).body["items"]
    assert (events[0]["action"], events[0]["actor"]) == ("credential.overlap-end",
                                                          {"kind": "system", "id": "credential-sweep",
                                                           "operator": None})


def test_an_idempotency_key_never_stores_a_secret(world):
    headers = {"Idempotency-Key": "same-key"}
    first = call("create_credential", as_user=ADMIN, headers=headers,
                 body={"kind": "basic", "name": "a", "courses": ["course-1"], "rights": ["course:view"]})
    second = call("create_credential", as_user=ADMIN, headers=headers,
                  body={"kind": "basic", "name": "a", "courses": ["course-1"], "rights": ["course:view"]})
    assert first.status == second.status == 201 and first.body["id"] != second.body["id"]  # not replayed
    assert not any("idempotency#" in item for item in snapshot())
    assert first.body["secret"] not in "".join(snapshot())
