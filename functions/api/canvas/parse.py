"""The body of a Canvas quiz-extension request, as JSON or as the form encoding canvasapi sends
(``quiz_extensions[][user_id]=1&quiz_extensions[][extra_time]=60``), parsed into domain ``Grant``s.

Powertools' ``Body()`` only reads JSON, so the raw body is read here. Unlike Canvas, nothing is clamped or
guessed: a value out of range, not a whole number, both extend keys, an unknown field or a malformed body
is a 400 naming the field and the limit.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any
from urllib.parse import parse_qsl

from functions.core.errors import InvalidInput, TooLarge
from functions.core.extensions import EXCLUSIVE, LIMITS, MAX_GRANTS, Grant
from functions.platform import request_limits
from functions.platform.request_limits import MAX_ID_BYTES

MAX_BODY_BYTES = 64 * 1024  # 100 entries of every field fit in a fraction of this
MAX_USER_ID = 256
FIELDS = ("user_id", "extra_attempts", "extra_time", "manually_unlocked", *EXCLUSIVE)
ROOT = "quiz_extensions"
FORM = "application/x-www-form-urlencoded"
_FORM_KEY = re.compile(r"^quiz_extensions\[(\d{0,3})\]\[([a-z_]{1,32})\]$")
_WHOLE = re.compile(r"^\s*[+-]?\d{1,9}\s*$")
_TRUE, _FALSE = {"true", "1", "yes", "on"}, {"false", "0", "no", "off"}


def grants(event: dict[str, Any], headers: dict[str, str]) -> list[Grant]:
    """``event`` is the API Gateway proxy event; ``headers`` its headers with lowercased names."""
    text = _body_text(event)
    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == FORM:
        entries = _form_entries(text)
    elif content_type in ("", "application/json") or content_type.endswith("+json"):
        entries = _json_entries(text)
    else:
        raise InvalidInput(f"Content-Type {content_type!r} is not accepted; send application/json or {FORM}",
                           field="Content-Type")
    if not entries:
        raise InvalidInput(f"{ROOT} must list at least one student", field=ROOT)
    if len(entries) > MAX_GRANTS:
        raise TooLarge(f"{ROOT} lists {len(entries)} students; at most {MAX_GRANTS} per request")
    return [_grant(number, entry) for number, entry in enumerate(entries)]


def _body_text(event: dict[str, Any]) -> str:
    body = event.get("body")
    if not body:
        raise InvalidInput(f'the request body is empty; send {{"{ROOT}": [{{"user_id": ...}}]}}',
                           field="body")
    text = str(body)
    if event.get("isBase64Encoded"):
        try:
            text = base64.b64decode(text, validate=True).decode("utf-8")
        except (binascii.Error, ValueError):
            raise InvalidInput("the request body is not valid base64-encoded UTF-8", field="body") from None
    if len(text.encode("utf-8")) > MAX_BODY_BYTES:
        raise TooLarge(f"the request body is larger than {MAX_BODY_BYTES} bytes")
    return text


def _json_entries(text: str) -> list[Any]:
    try:
        request_limits.check_json(text)  # RouteApp measured it already; this parser is safe on its own too
    except request_limits.Refused as refused:
        raise InvalidInput(refused.message, field=refused.field) from None
    try:
        document = json.loads(text)
    except ValueError:
        raise InvalidInput("the request body is not valid JSON", field="body") from None
    if not isinstance(document, dict) or ROOT not in document:
        raise InvalidInput(f'the body must be an object {{"{ROOT}": [...]}}', field=ROOT)
    unknown = sorted(set(document) - {ROOT})
    if unknown:
        raise InvalidInput(f"unknown field(s) {', '.join(unknown)}; the body holds only {ROOT}",
                           field=unknown[0])
    entries = document[ROOT]
    if not isinstance(entries, list):
        raise InvalidInput(f"{ROOT} must be a list of objects", field=ROOT)
    return entries


def _form_entries(text: str) -> list[dict[str, str]]:
    """Rails' reading of ``a[][k]=v``: a key already present in the current entry starts the next entry;
    ``a[<n>][k]=v`` groups by n."""
    try:
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=True, max_num_fields=1000)
    except ValueError as error:
        raise InvalidInput(f"the form body is malformed: {error}", field="body") from None
    ordered: list[dict[str, str]] = []
    indexed: dict[str, dict[str, str]] = {}
    for key, value in pairs:
        match = _FORM_KEY.match(key)
        if not match:
            raise InvalidInput(f"unexpected form field {key[:80]!r}; expected {ROOT}[][<field>]",
                               field=key[:80])
        index, name = match.groups()
        if index:
            entry = indexed.setdefault(index, {})
            if not entry:
                ordered.append(entry)
            if name in entry:
                where = f"{ROOT}[{index}][{name}]"
                raise InvalidInput(f"{where} is given twice", field=where)
        else:
            if not ordered or name in ordered[-1]:
                ordered.append({})
            entry = ordered[-1]
        entry[name] = value
    return ordered


def _grant(number: int, entry: Any) -> Grant:
    where = f"{ROOT}[{number}]"
    if not isinstance(entry, dict):
        raise InvalidInput(f"{where} must be an object", field=where)
    unknown = sorted(set(entry) - set(FIELDS))
    if unknown:
        raise InvalidInput(f"{where}: unknown field(s) {', '.join(unknown)}; accepted: {', '.join(FIELDS)}",
                           field=f"{where}.{unknown[0]}")
    values: dict[str, Any] = {name: _whole(where, name, entry.get(name)) for name in LIMITS}
    if values[EXCLUSIVE[0]] is not None and values[EXCLUSIVE[1]] is not None:
        raise InvalidInput(f"{where}: {EXCLUSIVE[0]} and {EXCLUSIVE[1]} are mutually exclusive; send one",
                           field=f"{where}.{EXCLUSIVE[0]}")
    return Grant(user_id=_user_id(where, entry.get("user_id")),
                 manually_unlocked=_boolean(where, entry.get("manually_unlocked")), **values)


def _user_id(where: str, value: Any) -> str:
    """Our user ids are strings; canvasapi sends Canvas' integer ids as text, so numbers become text."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    text = value.strip() if isinstance(value, str) else ""
    if not text or len(text) > MAX_USER_ID or len(text.encode("utf-8", "surrogatepass")) > MAX_ID_BYTES:
        raise InvalidInput(f"{where}.user_id is required: a user id of 1 to {MAX_USER_ID} characters and at most "
                           f"{MAX_ID_BYTES} bytes in UTF-8",
                           field=f"{where}.user_id")
    return text


def _whole(where: str, name: str, value: Any) -> int | None:
    if value is None:
        return None
    low, high = LIMITS[name]
    whole_float = isinstance(value, float) and value.is_integer()
    whole_text = isinstance(value, str) and _WHOLE.match(value) is not None
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif whole_float or whole_text:
        number = int(value)
    if number is None or not low <= number <= high:
        shown = json.dumps(value)[:40] if not isinstance(value, str) else repr(value[:40])
        raise InvalidInput(f"{where}.{name} must be a whole number from {low} to {high}; got {shown}",
                           field=f"{where}.{name}")
    return number


def _boolean(where: str, value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower() if isinstance(value, str | int) else None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise InvalidInput(f"{where}.manually_unlocked must be true or false", field=f"{where}.manually_unlocked")
