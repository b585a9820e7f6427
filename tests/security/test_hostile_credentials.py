"""Hostile credentials (issue 17): oversize or malformed Authorization headers are refused by the route's own
credential check (401) before it touches the store; the store being down is the same documented 503 with
Retry-After, in the route's dialect shape, for a JWT caller and an integration-key caller alike, through the local
runner's dispatch, which mirrors API Gateway."""

from __future__ import annotations

import base64
import json

import pytest

from functions.platform.auth import hash_secret, mint_jwt
from tests.conftest import TEST_SECRET, call

CLEF = "\U0001d11e"


def basic(key_id: str, secret: str = "s3cret") -> str:
    return "Basic " + base64.b64encode(f"{key_id}:{secret}".encode()).decode()


HOSTILE = {
    "header over 4 KB": "Bearer " + "a" * 5000,
    "non-ASCII header": "Bearer " + CLEF * 10,
    "NUL in header": "Bearer a\u0000b",
    "key id over DynamoDB's 2 KB key": basic("k" * 3000),
    "key id at 2 KB": basic("k" * 2040),
    "multi-byte key id": basic(CLEF * 300),
    "control characters in key id": basic("a\u0000\u001bb"),
    "empty key id": basic(""),
    "secret over 256": basic("demo-integration", "s" * 300),
    "not base64": "Basic %%%%",
    "not UTF-8": "Basic " + base64.b64encode(b"\xff\xfe:\xff").decode(),
    "huge JWT": "Bearer " + ".".join(["e" * 1300] * 3),
    "subject over the byte limit": "Bearer " + mint_jwt(CLEF * 200, secret=TEST_SECRET),
}


def list_roles(authorization: str) -> int:
    return call("list_roles", headers={"Authorization": authorization}).status


@pytest.mark.parametrize("authorization", list(HOSTILE.values()), ids=list(HOSTILE))
def test_hostile_credentials_are_401_before_the_store(dynamo_calls, authorization):
    assert list_roles(authorization) == 401
    assert dynamo_calls.total == 0, dynamo_calls.counts


def test_a_well_formed_unknown_key_is_looked_up_once_then_refused(dynamo_calls):
    assert list_roles(basic("no-such-key")) == 401
    assert dict(dynamo_calls.counts) == {"GetItem": 1}


def test_a_real_key_passes_so_the_refusals_are_about_the_shape(table):
    from datetime import UTC, datetime

    from functions.core.credentials import Credential, CredentialKind
    from functions.data.writers import seed

    key = Credential(id="mx-key", kind=CredentialKind.BASIC, name="test key", courses=["c1"], rights=["course:view"],
                     secret_hash=hash_secret("s3cret"), created_at=datetime.now(UTC), created_by="test")
    seed("credential", key.public(), credential=key)
    answer = call("list_roles", headers={"Authorization": basic("mx-key")})
    assert answer.status != 401, answer.body  # past the credential check (a key without the right: 403 or 200)


@pytest.fixture
def store_down(monkeypatch):
    """The table's endpoint refuses connections (a killed DynamoDB Local)."""
    from functions.data import dynamo
    from functions.platform import settings

    monkeypatch.setenv(settings.DYNAMODB_ENDPOINT, "http://127.0.0.1:9")
    settings.settings.cache_clear()
    dynamo.client.cache_clear()
    yield
    settings.settings.cache_clear()
    dynamo.client.cache_clear()


def test_the_store_down_is_the_same_503_for_jwt_and_integration_key_callers(store_down):
    from infra.local.server import RouteTable, dispatch

    routes = RouteTable()
    as_user = {"Authorization": f"Bearer {mint_jwt('ada', secret=TEST_SECRET)}"}
    as_key = {"Authorization": basic("demo-integration", "demo-secret-for-local-use-only")}
    answers = [dispatch(routes, "GET", "/authoring/courses/focus1f8-district", headers, b"")
               for headers in (as_user, as_key)]
    for status, headers, text in answers:
        assert status == 503 and headers.get("Retry-After") == "1", (status, headers, text)
        assert json.loads(text)["error"]["code"] == "unavailable", text  # the route's own shape, for both
