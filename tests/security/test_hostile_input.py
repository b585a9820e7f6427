"""Hostile input, generated from the route registry (issue 17), on moto.

For every route of functions/routes.py and every place it takes input: its path parameters (the registry),
its query parameters and their documented limits (docs/openapi.json, generated from the route modules and
drift-tested), every field of its body (the fields of the matrix's well-formed request, tests/security/
matrix.py, which has a row for every route, plus the top-level properties of its OpenAPI body schema), the
Idempotency-Key header of write routes; the whole body too. Each place gets deep nesting, huge numbers,
multi-byte strings at and past the documented limit, NUL and control characters, unpaired surrogates and page
tokens naming keys over DynamoDB's byte limits. Every answer must be below 500 and, when refused, in the
dialect's error shape with the table unchanged; what is past a limit or hostile must be a 4xx.

Credentials (the Authorization header) are the routes' credential check's: test_hostile_credentials.py (401 before any
DynamoDB call). A new route is covered by adding it to the registry: its places come from the registry and the
generated OpenAPI, its baseline request from its matrix row (which test_authorization_matrix.py demands) or,
until it has one, a bare request with placeholder ids.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from functions.platform.errors import error_model
from functions.platform.gateway import GatewayError
from functions.providers.masterytrack import SIGNATURE_HEADER, TIMESTAMP_HEADER
from functions.routes import ROUTES, Route
from tests.conftest import LambdaContext, principal_context
from tests.security import world as w
from tests.security.matrix import MATRIX, PRINCIPALS, ROWS, Req

OPENAPI = json.loads((Path(__file__).parents[2] / "docs" / "openapi.json").read_text())
CLEF = "\U0001d11e"  # 4 bytes in UTF-8, 2 UTF-16 code units
RAW = "@@raw@@"  # a body value replaced by raw JSON text after encoding
DEEP = "[" * 5000 + "]" * 5000
HUGE = "1" * 5000
SIGNED_HEADERS = (SIGNATURE_HEADER, TIMESTAMP_HEADER)
BUDGET_SECONDS = 120  # CPU seconds of this process (moto runs in it), whatever the machine load


@dataclass(frozen=True)
class Case:
    place: str  # "path:courseId", "query:nextToken", "body:questions.0.options", "body", "header:..."
    value: Any
    raw: str | None = None  # raw JSON text standing for the value in the body
    must_refuse: bool = True  # past a limit or hostile: a 4xx; at a limit: anything but a 5xx


def _operation(route: Route) -> dict[str, Any]:
    return OPENAPI["paths"][route.path][route.method.lower()]


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = OPENAPI["components"]["schemas"][name]
    return schema


def _max_length(schema: dict[str, Any] | None) -> int | None:
    """The documented maxLength of a string schema (through $ref, anyOf, oneOf, arrays' items)."""
    if not schema:
        return None
    schema = _resolve(schema)
    if "maxLength" in schema:
        return int(schema["maxLength"])
    for key in ("anyOf", "oneOf", "allOf"):
        for option in schema.get(key, []):
            found = _max_length(option)
            if found is not None:
                return found
    return _max_length(schema.get("items"))


def _field_schema(schema: dict[str, Any] | None, path: tuple[str, ...]) -> dict[str, Any] | None:
    for part in path:
        if not schema:
            return None
        schema = _resolve(schema)
        options = [schema, *(_resolve(o) for k in ("anyOf", "oneOf") for o in schema.get(k, []))]
        found = None
        for option in options:
            if part.isdigit() and "items" in option:
                found = option["items"]
            elif part in option.get("properties", {}):
                found = option["properties"][part]
            if found is not None:
                break
        schema = found
    return schema


def _body_schema(route: Route) -> dict[str, Any] | None:
    content = _operation(route).get("requestBody", {}).get("content", {})
    return content.get("application/json", {}).get("schema")


def _leaves(value: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _leaves(inner, (*path, key))
    elif isinstance(value, list) and value:
        yield from _leaves(value[0], (*path, "0"))
        yield path
    else:
        yield path


def _oversize_tokens() -> list[str]:
    """Well-formed page tokens (the seed's base64 JSON list of "id=…|sk=…") whose keys are past DynamoDB's
    byte limits (partition 2,048, sort 1,024) while short enough in characters."""
    def token(pk: str, sk: str) -> str:
        text = json.dumps([f"id={pk}|sk={sk}"], ensure_ascii="\ud800" in pk)  # a surrogate can only be escaped
        return base64.b64encode(text.encode()).decode()
    return [token("c", CLEF * 300), token(CLEF * 520, "s"), token("a\u0000b", "s"), token("\ud800", "s")]


def _string_cases(place: str, limit: int | None, token: bool) -> list[Case]:
    cases = [Case(place, "a\u0000b"), Case(place, "\u001b[31m"), Case(place, "x\ud800y"),
             Case(place, "9" * 5000, must_refuse=False), Case(place, "[" * 5000, must_refuse=False),
             Case(place, CLEF * 600, must_refuse=False)]
    if limit is None:  # no documented limit in characters: the byte limits must hold anyway
        cases += [Case(place, CLEF * n, must_refuse=False) for n in (128, 256, 300, 512)]
    else:
        cases += [Case(place, CLEF * limit, must_refuse=False), Case(place, "\u00e9" * limit, must_refuse=False),
                  Case(place, CLEF * (limit + 1)), Case(place, "a" * (limit + 1))]
    if token:
        cases += [Case(place, t) for t in _oversize_tokens()]
    return cases


def cases_for(route: Route, baseline: Any) -> list[Case]:
    operation = _operation(route)
    params = {(p["in"], p["name"]): p.get("schema") for p in operation.get("parameters", [])}
    cases: list[Case] = []
    for name in route.path_params:
        cases += _string_cases(f"path:{name}", _max_length(params.get(("path", name))), token=False)
    for (where, name), schema in params.items():
        if where == "query":
            token = "token" in name.lower() or name == "page"
            cases += _string_cases(f"query:{name}", _max_length(schema), token)
    if route.method in ("POST", "PUT", "PATCH", "DELETE"):
        schema = _body_schema(route)
        fields = set(_leaves(baseline)) if isinstance(baseline, dict | list) else set()
        fields |= {(name,) for name in _resolve(schema).get("properties", {})} if schema else set()
        for field in sorted(fields):
            if not field:
                continue
            place = "body:" + ".".join(field)
            token = "token" in field[-1].lower()
            cases += _string_cases(place, _max_length(_field_schema(schema, field)), token)
            cases += [Case(place, RAW, DEEP), Case(place, RAW, HUGE), Case(place, RAW, "-" + HUGE + ".5"),
                      Case(place, RAW, "1e999999", must_refuse=False)]
        cases += [Case("body", RAW, DEEP), Case("body", RAW, "{" + '"a":{' * 3000 + "}" * 3001),
                  Case("body", RAW, HUGE), Case("body", RAW, '"\\u0000"'), Case("body", RAW, '{"a": "\\ud800"}'),
                  Case("body", RAW, "[" * 40 + "]" * 40)]
        # Form bodies (canvasapi sends quiz_extensions[][user_id]=...): every body route gets them. Past the
        # form limits they are refused whoever the route; well-formed ones only by the routes that read a body.
        cases += [Case("form", "quiz_extensions" + "[a]" * 5000 + "=1"),
                  Case("form", "&".join(f"quiz_extensions[][extra_time]={n}" for n in range(2000))),
                  Case("form", "quiz_extensions[][user_id]=a%00b&quiz_extensions[][extra_time]=5"),
                  Case("form", "quiz_extensions[][user_id]=" + "%F0%9D%84%9E" * 300
                       + "&quiz_extensions[][extra_time]=5", must_refuse=False),
                  Case("form", "quiz_extensions[][user_id]=x&quiz_extensions[][extra_time]=" + HUGE, must_refuse=False),
                  Case("form", "quiz_extensions[][user_id]=%ED%A0%80&quiz_extensions[][extra_time]=5",
                       must_refuse=False)]
        if route.public:  # signed instead of authorized: its credentials are headers the route reads itself
            for header in SIGNED_HEADERS:
                cases += [Case(f"header:{header}", v) for v in
                          ("9" * 5000, "\u00b2", CLEF * 100, "a" * 5000, "a\u0000b", "sha256=" + "0" * 5000)]
        if route.takes_idempotency_key:
            cases += [Case("header:Idempotency-Key", "k" * 300), Case("header:Idempotency-Key", "a\u0000b"),
                      Case("header:Idempotency-Key+body", RAW, DEEP)]
    return cases


def _set(document: Any, path: list[str], value: Any) -> Any:
    document = json.loads(json.dumps(document))
    if not path:
        return value
    target = document
    for part in path[:-1]:
        target = target[int(part)] if isinstance(target, list) else target.setdefault(part, {})
    last = path[-1]
    if isinstance(target, list):
        target[int(last)] = value
    elif isinstance(target, dict):
        target[last] = value
    return document


def build_event(route: Route, request: Any, case: Case, authorizer: dict[str, str] | None) -> dict[str, Any]:
    from functions.platform.events import proxy_event

    path = dict(request.path)
    query = {k: list(v) for k, v in (request.query or {}).items()}
    body: Any = request.body
    headers = dict(request.headers or {})
    if route.public:  # well-formed (if wrongly signed) credentials, so that each hostile one is met alone
        headers |= {TIMESTAMP_HEADER: str(int(time.time())), SIGNATURE_HEADER: "sha256=" + "0" * 64}
    kind, _, name = case.place.partition(":")
    if kind == "path":
        path[name] = case.value
    elif kind == "query":
        query[name] = [case.value]
    elif kind == "header":
        headers[name.removesuffix("+body")] = case.value if case.raw is None else "hostile-key-1"
    if kind == "body" or name.endswith("+body"):
        body = _set(body if body is not None else {}, name.split(".") if kind == "body" and name else [],
                    case.value)
    if kind == "form":
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        return proxy_event(route, path, query=query or None, body=case.value, headers=headers, authorizer=authorizer)
    text = None if body is None else json.dumps(body)
    if case.raw is not None and text is not None:
        text = text.replace(json.dumps(RAW), case.raw)
    for name_, value in path.items():
        path[name_] = value
    return proxy_event(route, path, query=query or None, body=text, headers=headers, authorizer=authorizer)


def _principal(route_name: str) -> dict[str, str] | None:
    row = MATRIX.get(route_name)
    if row is None:
        return principal_context("user", w.ADMIN)
    expected = row.expected()
    who = "admin" if expected["admin"] < 300 else next((p for p in PRINCIPALS if expected[p] < 300), None)
    if who is None:
        return None  # the public webhook: no principal
    users = {"own": w.OLIVE, "ta": w.TA, "instr": w.INSTRUCTOR, "admin": w.ADMIN}
    return principal_context("user", users[who])


def _digest() -> list[tuple[str, str]]:
    table = w._moto_table()
    out = []
    for hash_key, entries in table.items.items():
        values = entries.values() if isinstance(entries, dict) else [entries]
        out.extend((str(hash_key), json.dumps(item.to_json(), sort_keys=True)) for item in values)
    return sorted(out)


PARTITION_KEY_BYTES, SORT_KEY_BYTES = 2048, 1024  # DynamoDB's limits, in UTF-8 bytes


def _key_attributes() -> dict[str, int]:
    from functions.data import keys

    limits = {keys.PK: PARTITION_KEY_BYTES, keys.SK: SORT_KEY_BYTES}
    for index in keys.INDEXES:
        limits |= {index.pk: PARTITION_KEY_BYTES, index.sk: SORT_KEY_BYTES}
    return limits


def _oversize_keys(params: dict[str, Any]) -> list[str]:
    """What real DynamoDB would refuse (ValidationException) and moto lets through: a key attribute in a key,
    an item, a start key or a key condition over its byte limit."""
    limits = _key_attributes()
    found: list[str] = []

    def check(item: Any) -> None:
        for name, limit in limits.items():
            value = (item or {}).get(name, {}).get("S") if isinstance(item, dict) else None
            if isinstance(value, str) and len(value.encode("utf-8", "surrogatepass")) > limit:
                found.append(f"{name}: {len(value.encode('utf-8', 'surrogatepass'))} bytes")

    for name in ("Key", "Item", "ExclusiveStartKey"):
        check(params.get(name))
    for table in (params.get("RequestItems") or {}).values():
        for entry in table.get("Keys", []) if isinstance(table, dict) else table:
            check(entry)
            check((entry.get("PutRequest") or {}).get("Item"))
            check((entry.get("DeleteRequest") or {}).get("Key"))
    for entry in params.get("TransactItems") or []:
        for operation in entry.values():
            check(operation.get("Key"))
            check(operation.get("Item"))
    values = params.get("ExpressionAttributeValues") or {}
    for placeholder, limit in ((":pk", PARTITION_KEY_BYTES), (":prefix", SORT_KEY_BYTES)):
        if "KeyConditionExpression" in params and placeholder in values:
            text = values[placeholder].get("S", "")
            if len(text.encode("utf-8", "surrogatepass")) > limit:
                found.append(f"key condition {placeholder}")
    return found


def _enforce_key_limits(params: dict[str, Any], **_: Any) -> None:
    from botocore.exceptions import ClientError

    oversize = _oversize_keys(params)
    if oversize:
        raise ClientError({"Error": {"Code": "ValidationException", "Message": f"key too large: {oversize}"}},
                          "DynamoDB")


def _shape_ok(dialect: str, status: int, body: Any) -> bool:
    model = GatewayError if status == 401 else error_model(dialect)
    try:
        model.model_validate(body)
    except ValidationError:
        return False
    return True


@pytest.fixture(scope="module")
def world() -> Iterator[w.World]:
    from functions.data import dynamo

    with w.moto_world({row.lacks for row in ROWS}) as built:
        built.digest = _digest()  # type: ignore[attr-defined]
        dynamo.client().meta.events.register("before-parameter-build.dynamodb.*", _enforce_key_limits)
        yield built


_clock = {"spent": 0.0}


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_hostile_input_is_refused_in_the_dialects_shape_and_changes_nothing(world: w.World, route: Route) -> None:
    import importlib

    started = time.process_time()
    module = importlib.import_module(route.import_path)
    row = MATRIX.get(route.name)  # a route without a matrix row yet is still covered, from a bare request
    request = row.request(world) if row else Req({name: "mx-x" for name in route.path_params},
                                                  body={} if route.method in ("POST", "PUT", "PATCH") else None)
    authorizer = _principal(route.name)
    failures = []
    cases = cases_for(route, request.body)
    assert cases, f"{route.name}: no input places found"
    for case in cases:
        event = build_event(route, request, case, authorizer)
        response = module.lambda_handler(event, LambdaContext())
        status = int(response["statusCode"])
        body = json.loads(response.get("body") or "null")
        shown = f"{case.place}={str(case.raw or case.value)[:40]!r}: {status} {str(body)[:300]}"
        if status >= 500:
            failures.append(f"5xx {shown}")
        elif status >= 400:
            if not _shape_ok(route.dialect, status, body):
                failures.append(f"not in the {route.dialect} error shape: {shown}")
            if _digest() != world.digest:  # type: ignore[attr-defined]
                failures.append(f"refused but the table changed: {shown}")
                world.restore()
        else:
            if case.must_refuse:
                failures.append(f"accepted: {shown}")
            world.restore()
    _clock["spent"] += time.process_time() - started
    assert not failures, f"{route.name}: {len(failures)} of {len(cases)} cases:\n" + "\n".join(failures[:40])
    assert _clock["spent"] < BUDGET_SECONDS, f"the hostile-input cases took {_clock['spent']:.0f} s"
