"""The matrix's token-level cells in process: the API Gateway REQUEST authorizer
(functions/platform/authorizer.py) refuses anonymous, garbled, expired and ``alg: none`` credentials for every
non-public route of the registry (API Gateway then answers 401), and says nothing about them in its answer."""

from __future__ import annotations

import pytest

from functions.platform import authorizer
from functions.routes import ROUTES
from tests.conftest import TEST_SECRET, LambdaContext
from tests.security.matrix import TOKEN_PRINCIPALS
from tests.security.tokens import bad_authorizations, sample_path

PROTECTED = [r for r in ROUTES if not r.public]


def event(method: str, path: str, authorization: str | None) -> dict[str, object]:
    headers = {"Authorization": authorization} if authorization is not None else {}
    return {"type": "REQUEST", "methodArn": f"arn:aws:execute-api:us-east-1:000000000000:mx-api/prod/{method}{path}",
            "httpMethod": method, "path": path, "headers": headers}


@pytest.mark.parametrize("principal", TOKEN_PRINCIPALS)
@pytest.mark.parametrize("route", PROTECTED, ids=[r.name for r in PROTECTED])
def test_the_authorizer_refuses(route, principal):
    authorization = bad_authorizations(TEST_SECRET)[principal]
    with pytest.raises(Exception, match=r"^Unauthorized$"):  # the exact message API Gateway maps to 401
        authorizer.lambda_handler(event(route.method, sample_path(route.path), authorization), LambdaContext())


def test_a_valid_token_passes_so_the_refusals_are_about_the_token():
    from functions.platform.auth import mint_jwt

    answer = authorizer.authorize(event("GET", "/authoring/roles", f"Bearer {mint_jwt('mx-ada-admin')}"))
    assert answer["context"]["subject"] == "mx-ada-admin"
    assert answer["policyDocument"]["Statement"][0]["Effect"] == "Allow"
