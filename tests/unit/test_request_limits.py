"""RouteApp's request limits (functions/platform/request_limits.py) at and just past each limit."""

from __future__ import annotations

import json

import pytest

from functions.platform import request_limits as limits


def refused(event: dict) -> dict | None:
    answer = limits.refusal({"headers": {"Content-Type": "application/json"}, **event}, "examdesk")
    return None if answer is None else json.loads(answer["body"])["error"]


def test_nesting_at_the_limit_passes_and_one_deeper_is_refused():
    assert refused({"body": "[" * limits.MAX_DEPTH + "]" * limits.MAX_DEPTH}) is None
    error = refused({"body": "[" * (limits.MAX_DEPTH + 1) + "]" * (limits.MAX_DEPTH + 1)})
    assert error and f"at most {limits.MAX_DEPTH}" in error["message"]
    # Brackets inside strings are text, not nesting.
    assert refused({"body": json.dumps({"a": "[" * 5000})}) is None


def test_numbers_at_the_limit_pass_and_one_digit_more_is_refused():
    assert refused({"body": '{"n": ' + "9" * limits.MAX_NUMBER_DIGITS + "}"}) is None
    error = refused({"body": '{"n": ' + "9" * (limits.MAX_NUMBER_DIGITS + 1) + "}"})
    assert error and "digits" in error["message"]
    assert refused({"body": json.dumps({"n": "9" * 5000})}) is None  # digits in a string are text


@pytest.mark.parametrize(("text", "ok"), [
    ('{"a": "tab\\tline\\ncr\\r"}', True), ('{"a": "\\u0000"}', False), ('{"a": "\\u001b[31m"}', False),
    ('{"a": "\\b"}', False), ('{"a": "\\\\u0000"}', True),  # an escaped backslash, then the text "u0000"
    ('{"a": "\\ud834\\udd1e"}', True), ('{"a": "\\ud834"}', False), ('{"\\udd1e": 1}', False),
])
def test_control_characters_and_unpaired_surrogates(text, ok):
    assert (refused({"body": text}) is None) is ok


def test_form_bodies():
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    assert refused({"headers": form, "body": "&".join(["a=1"] * limits.MAX_FORM_FIELDS)}) is None
    assert refused({"headers": form, "body": "&".join(["a=1"] * (limits.MAX_FORM_FIELDS + 1))})
    assert refused({"headers": form, "body": "a" + "[b]" * (limits.MAX_DEPTH + 1) + "=1"})
    assert refused({"headers": form, "body": "a=x%00y"})


def test_path_parameters_are_counted_in_utf8_bytes():
    clef = "\U0001d11e"
    assert refused({"pathParameters": {"id": clef * (limits.MAX_ID_BYTES // 4)}}) is None
    error = refused({"pathParameters": {"id": clef * (limits.MAX_ID_BYTES // 4) + "a"}})
    assert error and error["field"] == "id" and f"at most {limits.MAX_ID_BYTES} bytes" in error["message"]
    assert refused({"pathParameters": {"id": "a\u0085b"}})  # C1 controls too


def test_query_values_are_counted_in_utf8_bytes():
    assert refused({"queryStringParameters": {"t": "a" * (limits.MAX_QUERY_BYTES - 1)}}) is None
    assert refused({"queryStringParameters": {"t": "\u00e9" * limits.MAX_QUERY_BYTES}})
    assert refused({"multiValueQueryStringParameters": {"t": ["ok", "x\ud800"]}})


def test_body_size_is_a_413():
    answer = limits.refusal({"body": "a" * (limits.MAX_BODY_BYTES + 1)}, "canvas")
    assert answer and answer["statusCode"] == 413 and "errors" in json.loads(answer["body"])
