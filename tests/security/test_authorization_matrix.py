"""The authorization matrix (tests/security/matrix.py) on moto: every registry route x every principal, each
cell a call of the route's real lambda_handler on one data set built once for the module (and put back
after every write). A cell checks the status and that no foreign data appears anywhere in the answer.

The token-level principals (anonymous, garbled, expired, ``alg: none``) are the credential check's: see
test_credential_matrix.py (in process) and test_gateway_matrix.py (through the local runner)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from functions.core.rights import ALL_RIGHTS
from functions.routes import ROUTES, route
from tests.conftest import call, principal_context
from tests.security import world as w
from tests.security.matrix import MATRIX, PRINCIPALS, ROWS, Row

BETA_KEY = principal_context("key", "mx-beta-integration", courses=w.BETA,
                             rights=",".join(sorted(r.value for r in ALL_RIGHTS)))


def person(uid: str) -> set[str]:
    return {uid, w.NAMES[uid], w.email(uid)}


ALPHA_PEOPLE = person(w.OLIVE) | person(w.PERCY)
ALPHA_COURSE = {w.ALPHA_TITLE, *(w.EXAM_TITLES[e] for e in (w.LIVE, w.DONE, w.FRESH, w.GONE))}
BETA_DATA = {w.BETA, w.BETA_TITLE, w.BETA_EXAM, w.EXAM_TITLES[w.BETA_EXAM], w.BETA_LESSON, *person(w.BIANCA),
             w.NAMES[w.BETA_INSTRUCTOR], w.email(w.BETA_INSTRUCTOR)}


def caller(row: Row, principal: str) -> dict[str, str]:
    if principal == "key":
        return BETA_KEY
    user = {"own": w.OLIVE, "other": w.PERCY if row.owned else w.BIANCA, "ta": w.TA, "instr": w.INSTRUCTOR,
            "oinstr": w.BETA_INSTRUCTOR, "custom": w.custom_user(row.lacks), "admin": w.ADMIN}[principal]
    return principal_context("user", user)


def foreign(row: Row, principal: str, status: int, request_text: str) -> set[str]:
    """What this principal must not see in this answer (anything it sent itself excepted)."""
    if principal == "admin":
        return set()
    if principal in ("oinstr", "key") or (principal == "other" and not row.owned):
        markers = ALPHA_PEOPLE | ALPHA_COURSE  # not a member of ALPHA: nothing of it
    else:
        markers = set(BETA_DATA)  # a member of ALPHA: nothing of BETA
        if status >= 400:
            markers |= ALPHA_PEOPLE  # refused: nobody's data
        elif principal == "own":
            markers |= person(w.PERCY)  # a student sees only their own
        elif principal == "other":
            markers |= person(w.OLIVE)
    return {m for m in markers if m not in request_text}


@pytest.fixture(scope="module")
def world() -> Iterator[w.World]:
    with w.moto_world({row.lacks for row in ROWS}) as built:
        yield built


def test_every_registry_route_has_exactly_one_row():
    assert sorted(MATRIX) == sorted(r.name for r in ROUTES), (
        f"routes without a row in tests/security/matrix.py: {sorted({r.name for r in ROUTES} - set(MATRIX))}")
    for row in ROWS:
        statuses = row.expected()
        assert set(row.xfail) <= set(PRINCIPALS), row.route
        if not route(row.route).public:  # someone may do it: the request is well formed
            assert any(s < 300 for s in statuses.values()), f"{row.route}: nobody succeeds"


def _cells() -> list[Any]:
    cells = []
    for row in ROWS:
        for principal in PRINCIPALS:
            marks = [pytest.mark.xfail(reason=row.xfail[principal], strict=True)] if principal in row.xfail else []
            cells.append(pytest.param(row.route, principal, marks=marks, id=f"{row.route}-{principal}"))
    return cells


_dirty = {"state": False}


@pytest.mark.parametrize(("route_name", "principal"), _cells())
def test_cell(world: w.World, route_name: str, principal: str) -> None:
    row = MATRIX[route_name]
    if _dirty["state"]:
        world.restore()
    request = row.request(world)
    _dirty["state"] = route(route_name).access == "write"
    answer = call(route_name, request.path, authorizer=caller(row, principal), query=request.query,
                  body=request.body, headers=request.headers)
    expected = row.expected()[principal]
    text = json.dumps(answer.body) + json.dumps(answer.headers)
    assert answer.status == expected, f"{route_name} as {principal}: {answer.status}, expected {expected}: {text}"
    request_text = json.dumps([request.path, request.query, request.body])
    leaked = sorted(m for m in foreign(row, principal, answer.status, request_text) if m in text)
    assert not leaked, f"{route_name} as {principal} ({answer.status}) shows foreign data {leaked}: {text}"
