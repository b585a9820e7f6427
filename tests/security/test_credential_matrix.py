"""The matrix's token-level cells in process: every non-public route's own credential check
(functions/platform/http.py, ``authenticated``) refuses anonymous, garbled, expired and ``alg: none`` credentials
with a 401 in API Gateway's shape (the body the REQUEST authorizer's refusals had), before the store is asked, and
its answer says nothing about the credentials."""

from __future__ import annotations

import importlib
import json

import pytest

from functions.platform.auth import mint_jwt
from functions.platform.events import proxy_event
from functions.platform.gateway import GATEWAY_RESPONSES, gateway_body
from functions.routes import ROUTES, route
from tests.conftest import TEST_SECRET, LambdaContext
from tests.security.matrix import TOKEN_PRINCIPALS
from tests.security.tokens import bad_authorizations

PROTECTED = [r for r in ROUTES if not r.public]
UNAUTHORIZED = gateway_body(*GATEWAY_RESPONSES["UNAUTHORIZED"])


def invoke(route_name: str, authorization: str | None) -> dict[str, object]:
    r = route(route_name)
    headers = {"Authorization": authorization} if authorization is not None else {}
    event = proxy_event(r, {name: f"mx-{name.lower()}" for name in r.path_params}, headers=headers,
                        body={"x": 1} if r.method in ("POST", "PUT", "PATCH", "DELETE") else None)
    return importlib.import_module(r.import_path).lambda_handler(event, LambdaContext())


@pytest.mark.parametrize("principal", TOKEN_PRINCIPALS)
@pytest.mark.parametrize("r", PROTECTED, ids=[r.name for r in PROTECTED])
def test_every_route_refuses(dynamo_calls, r, principal):
    authorization = bad_authorizations(TEST_SECRET)[principal]
    answer = invoke(r.name, authorization)
    assert answer["statusCode"] == 401, answer
    assert json.loads(str(answer["body"])) == UNAUTHORIZED
    if authorization:
        token = authorization.split(" ", 1)[1]
        assert token not in str(answer) and token.split(".")[1] not in str(answer)
    assert dynamo_calls.total == 0, dynamo_calls.counts


def test_a_valid_token_passes_so_the_refusals_are_about_the_token(table):
    answer = invoke("list_roles", f"Bearer {mint_jwt('mx-ada-admin')}")
    assert answer["statusCode"] == 200, answer
