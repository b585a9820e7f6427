"""The matrix's token-level cells over HTTP: the local runner (API Gateway's stand-in; each route checks the
credentials itself) answers 401 to anonymous, garbled, expired and ``alg: none`` credentials on every registry
route, in the gateway's shape, without echoing the credentials. The public MasteryTrack write-back is refused too:
no signature, no write (401 from the route itself)."""

from __future__ import annotations

import pytest

from functions.routes import ROUTES
from tests.e2e.harness import SECRET
from tests.security.matrix import MATRIX, TOKEN_PRINCIPALS
from tests.security.tokens import bad_authorizations, sample_path

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


@pytest.mark.parametrize("route", ROUTES, ids=[r.name for r in ROUTES])
def test_every_route_refuses_bad_credentials(api, route):
    assert route.name in MATRIX
    path = sample_path(route.path)
    for principal, authorization in bad_authorizations(SECRET).items():
        assert principal in TOKEN_PRINCIPALS
        headers = {"Authorization": authorization} if authorization else {}
        body = {"x": 1} if route.method in ("POST", "PUT", "PATCH", "DELETE") else None
        answer = api.request(route.method, path, headers=headers, json=body)
        assert answer.status_code == 401, f"{route.name} with {principal}: {answer.status_code} {answer.text}"
        assert answer.headers["content-type"].startswith("application/json")
        if authorization:
            token = authorization.split(" ", 1)[1]
            assert token not in answer.text and token.split(".")[1] not in answer.text
        if not route.public:
            assert answer.json()["status_code"] == 401 and answer.json()["errors"], answer.text
