"""The per-caller throttle's 429, through the local runner's dispatch (in process, on moto), which mirrors the web
ACL's rules (functions/platform/rate_limits.py; the template's own rules: tests/infra/test_waf.py): a caller over its
dialect's limit gets 429 in that dialect's error shape with Retry-After, while another caller, and the same caller
in another dialect, go on."""

from __future__ import annotations

import base64
import json

import pytest

from functions.platform import rate_limits
from functions.platform.auth import mint_jwt
from functions.platform.errors import error_model
from functions.routes import ROUTES
from infra.local.server import CallerCounts, RouteTable, dispatch
from tests.conftest import TEST_SECRET
from tests.security.tokens import sample_path


def bearer(user: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_jwt(user, secret=TEST_SECRET)}"}


def basic(key: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{key}:secret".encode()).decode()}


def a_path(limit: rate_limits.CallerLimit) -> tuple[str, str]:
    route = next(r for r in ROUTES if r.dialect == limit.dialect and r.method == "GET" and not r.public)
    return route.method, sample_path(route.path)


@pytest.mark.parametrize("limit", rate_limits.CALLER_LIMITS, ids=lambda limit: limit.name)
def test_a_caller_over_its_limit_gets_a_429_in_its_dialects_shape(table, limit):
    counts = CallerCounts(scale=1 / limit.limit)  # a limit of one request per minute
    method, path = a_path(limit)
    caller = basic("mx-integration") if limit.basic else bearer("mx-caller")
    first = dispatch(RouteTable(), method, path, caller, b"", counts)
    assert first[0] != 429, first
    status, headers, text = dispatch(RouteTable(), method, path, caller, b"", counts)
    assert status == 429 and headers["Retry-After"] == "60", (status, headers, text)
    body = json.loads(text)
    error_model(limit.dialect).model_validate(body)
    assert body == rate_limits.throttled_body(limit.dialect)
    # Another caller of the same dialect is not held back.
    other = basic("mx-other-integration") if limit.basic else bearer("mx-another-caller")
    assert dispatch(RouteTable(), method, path, other, b"", counts)[0] != 429


def test_one_caller_is_counted_per_dialect_and_anonymous_requests_are_not_counted(table):
    counts = CallerCounts(scale=2 / rate_limits.STAFF)  # two requests a minute for staff dialects
    caller, routes = bearer("mx-caller"), RouteTable()
    authoring = [dispatch(routes, "GET", "/authoring/roles", caller, b"", counts)[0] for _ in range(3)]
    assert authoring[:2] == [200, 200] and authoring[2] == 429
    assert dispatch(routes, "GET", "/api/v1/courses/mx-course", caller, b"", counts)[0] != 429  # Canvas: its own
    anonymous = [dispatch(routes, "GET", "/authoring/roles", {}, b"", counts)[0] for _ in range(3)]
    assert anonymous == [401, 401, 401]  # no credential: the route's 401, never this rule's 429
