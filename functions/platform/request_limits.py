"""Limits RouteApp applies to every request before its route runs, and before the idempotency layer sees it
(docs/architecture.md, "Limits"). A new route cannot forget them: they are not the route's to apply.

- Body: at most MAX_BODY_BYTES (413). JSON bodies are measured before they are parsed: at most MAX_DEPTH
  levels of nesting, no number of more than MAX_NUMBER_DIGITS digits (Python's json would recurse until it
  crashes, and its int() stops at 4,300 digits), no control character but tab, LF and CR, no unpaired UTF-16
  surrogate (it cannot be written to the store as UTF-8). Form bodies: at most MAX_FORM_FIELDS fields, keys
  nested at most MAX_DEPTH brackets deep, the same characters refused.
- Path parameters (every one of ours is an id that ends up in a key): at most MAX_ID_BYTES UTF-8 bytes, no
  control characters. Query values: at most MAX_QUERY_BYTES UTF-8 bytes (a page token is the longest), no
  control characters.

Each refusal is a 400 (413 for size) in the route's dialect, naming the limit. The other limits (page sizes,
list lengths, string lengths in characters) are pydantic / Powertools constraints on each route's parameters
and bodies, so they appear in the OpenAPI document as maxLength, maximum and maxItems.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from itertools import accumulate
from typing import Any
from urllib.parse import parse_qsl

from pydantic import AfterValidator

from functions.platform.errors import proxy_error
from functions.routes import Route

MAX_BODY_BYTES = 256 * 1024  # far above any valid body (the largest, an item, is bounded by its model)
BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")
# The deepest valid body (ExamSpark responses: body > responses > item > questions > question > response >
# options > option) nests 8 levels; 32 leaves room and stays far below Python's recursion limit (1,000).
MAX_DEPTH = 32
# No number of ours needs more than 10 digits; a float's shortest form has at most 17 significant digits
# (plus leading zeros); 40 stays far below the 4,300 digits at which int() refuses.
MAX_NUMBER_DIGITS = 40
MAX_FORM_FIELDS = 1000
# Every id a caller sends is at most 128 characters (our ids are ASCII, so 128 bytes); 512 bytes is 128
# characters of any script. A key holds at most two caller ids plus our prefixes and generated parts (e.g.
# session#<exam>#<user>#<session>): 2 x 512 + 64 stays within DynamoDB's 1,024-byte sort key.
MAX_ID_BYTES = 512
MAX_QUERY_BYTES = 2048  # a page token (at most 2,048 base64 characters) is the longest query value

_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_LONG_NUMBER = re.compile(rf"\d{{{MAX_NUMBER_DIGITS + 1},}}")
# An escaped control character inside a JSON string (raw ones are invalid JSON): \u0000-\u001f but tab, LF,
# CR; \u007f; \b and \f. The look-behind makes sure the backslash is not itself escaped.
_JSON_CONTROL = re.compile(r"(?<!\\)(?:\\\\)*\\(?:u00(?:0[0-8bBcCeEfF]|1[0-9a-fA-F]|7[fF])|[bf])")
_TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # in a body: tab, LF, CR are text
_PARAM_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # in a path or query value: none
FORM = "application/x-www-form-urlencoded"


def within_id_bytes(value: str) -> str:
    """A pydantic after-validator for ids in bodies (``Annotated[str, ..., ID_BYTES]``): the byte limit
    that path parameters get here, for the body fields that become keys."""
    if len(value.encode("utf-8", "surrogatepass")) > MAX_ID_BYTES:
        raise ValueError(f"at most {MAX_ID_BYTES} bytes in UTF-8")
    return value


ID_BYTES = AfterValidator(within_id_bytes)
ID_BYTES_NOTE = f"at most {MAX_ID_BYTES} bytes in UTF-8"


class Refused(Exception):
    def __init__(self, status: int, message: str, field: str) -> None:
        super().__init__(message)
        self.status, self.message, self.field = status, message, field


def added_errors(route: Route) -> set[int]:
    """Statuses RouteApp itself can answer for this route (documented with the route's own)."""
    added = {400, 503}  # a parameter or body over a limit; the store unavailable (with Retry-After)
    if route.method in BODY_METHODS:
        added.add(413)
    if route.takes_idempotency_key:
        added.add(409)  # 422 (key reused) is added to the OpenAPI document by infra/local/openapi.py
    return added


def body_size(event: dict[str, Any]) -> int:
    body = event.get("body")
    if not body:
        return 0
    text = str(body)
    if event.get("isBase64Encoded"):
        return len(text) * 3 // 4 - text[-2:].count("=")
    return len(text.encode("utf-8", "surrogatepass"))


def utf8_size(value: str, where: str) -> int:
    """UTF-8 bytes of ``value`` (what DynamoDB counts); an unpaired surrogate has none: refused."""
    try:
        return len(value.encode("utf-8"))
    except UnicodeEncodeError:
        raise Refused(400, f"{where} holds an unpaired UTF-16 surrogate; send valid Unicode text", where) from None


def refusal(event: dict[str, Any], dialect: str) -> dict[str, Any] | None:
    """The dialect's 400 / 413 for a request over one of these limits (None: within all of them)."""
    try:
        size = body_size(event)
        if size > MAX_BODY_BYTES:
            raise Refused(413, f"the request body is {size} bytes; at most {MAX_BODY_BYTES} bytes (256 KB) are "
                               "accepted", "body")
        check_path(event.get("pathParameters") or {})
        check_query(event)
        check_body(event)
    except Refused as refused:
        code = "too_large" if refused.status == 413 else "invalid_input"
        return proxy_error(dialect, refused.status, code, refused.message, refused.field)
    return None


def check_path(params: dict[str, Any]) -> None:
    for name, value in params.items():
        text = str(value)
        if _PARAM_CONTROL.search(text):
            raise Refused(400, f"path parameter {name} holds a control character", name)
        size = utf8_size(text, name)
        if size > MAX_ID_BYTES:
            raise Refused(400, f"path parameter {name} is {size} bytes in UTF-8; at most {MAX_ID_BYTES} bytes are "
                               "accepted", name)


def check_query(event: dict[str, Any]) -> None:
    multi = event.get("multiValueQueryStringParameters") or {}
    single = {k: [v] for k, v in (event.get("queryStringParameters") or {}).items()}
    for name, values in {**single, **multi}.items():
        for value in values or ():
            text = str(value)
            if _PARAM_CONTROL.search(text) or _PARAM_CONTROL.search(str(name)):
                raise Refused(400, f"query parameter {str(name)[:64]!r} holds a control character", str(name)[:64])
            size = utf8_size(text, str(name)[:64]) + utf8_size(str(name), "query")
            if size > MAX_QUERY_BYTES:
                raise Refused(400, f"query parameter {str(name)[:64]!r} is {size} bytes in UTF-8; at most "
                                   f"{MAX_QUERY_BYTES} bytes are accepted", str(name)[:64])


def body_text(event: dict[str, Any]) -> str:
    """The body as text (base64 bodies decoded); a body that is not UTF-8 is refused."""
    body = event.get("body")
    if not body:
        return ""
    text = str(body)
    if event.get("isBase64Encoded"):
        try:
            return base64.b64decode(text, validate=True).decode("utf-8")
        except (binascii.Error, ValueError):
            raise Refused(400, "the request body is not valid base64-encoded UTF-8", "body") from None
    return text


def check_body(event: dict[str, Any]) -> None:
    text = body_text(event)
    if not text:
        return
    headers = {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()}
    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == FORM:
        check_form(text)
    elif content_type.startswith("multipart/"):
        return  # no route takes one: Powertools refuses it (415)
    else:
        check_json(text)


def check_json(text: str) -> None:
    """Measure a JSON text before it is parsed; then make sure every string in it is valid, storable text.
    Text that is not JSON at all is left to the route (its own "not valid JSON" 400)."""
    bare = _STRING.sub('""', text)  # strings out: brackets and digits inside them do not count
    depth = _depth(bare)
    if depth > MAX_DEPTH:
        raise Refused(400, f"the request body nests {depth} levels deep; at most {MAX_DEPTH} are accepted", "body")
    long_number = _LONG_NUMBER.search(bare)
    if long_number:
        digits = len(long_number.group(0))
        raise Refused(400, f"a number in the request body has {digits} digits; at most {MAX_NUMBER_DIGITS} are "
                           "accepted", "body")
    if _JSON_CONTROL.search(text):
        raise Refused(400, "the request body holds a control character; only tab, line feed and carriage "
                           "return are accepted in text", "body")
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        return
    try:
        json.dumps(document, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise Refused(400, "the request body holds an unpaired UTF-16 surrogate (\\ud800-\\udfff); send valid "
                           "Unicode text", "body") from None


def check_form(text: str) -> None:
    try:
        pairs = parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS)
    except ValueError:
        raise Refused(400, f"the form body has more than {MAX_FORM_FIELDS} fields", "body") from None
    for key, value in pairs:
        if key.count("[") > MAX_DEPTH:
            raise Refused(400, f"form field {key[:64]!r} nests more than {MAX_DEPTH} levels deep", "body")
        if _TEXT_CONTROL.search(key) or _TEXT_CONTROL.search(value):
            raise Refused(400, f"form field {key[:64]!r} holds a control character", "body")


def _depth(bare: str) -> int:
    opened = bare.count("[") + bare.count("{")
    if opened <= MAX_DEPTH:
        return opened
    brackets = re.sub(r"[^\[\]{}]", "", bare)
    return max(accumulate(1 if c in "[{" else -1 for c in brackets))
