"""The Canvas extension body parser: JSON and canvasapi's form encoding, and every way a body is refused."""

from __future__ import annotations

import base64
import json
from urllib.parse import urlencode

import pytest

from functions.api.canvas.parse import MAX_BODY_BYTES, grants
from functions.core.errors import InvalidInput, TooLarge
from functions.core.extensions import Grant

JSON = {"content-type": "application/json"}
FORM = {"content-type": "application/x-www-form-urlencoded; charset=utf-8"}


def parse(body, headers=JSON, b64=False):
    text = body if isinstance(body, str) else json.dumps(body)
    if b64:
        text = base64.b64encode(text.encode()).decode()
    return grants({"body": text, "isBase64Encoded": b64}, headers)


def refused(body, headers=JSON, error=InvalidInput):
    with pytest.raises(error) as caught:
        parse(body, headers)
    return caught.value.message


def test_json_body_with_numbers_as_numbers_or_text():
    got = parse({"quiz_extensions": [
        {"user_id": 3, "extra_attempts": 2, "extra_time": "20", "manually_unlocked": True},
        {"user_id": "maria", "extend_from_now": 20.0, "manually_unlocked": "false"},
    ]})
    assert got == [Grant(user_id="3", extra_attempts=2, extra_time=20, manually_unlocked=True),
                   Grant(user_id="maria", extend_from_now=20, manually_unlocked=False)]


def test_canvasapi_form_encoding_groups_entries_as_rails_does():
    body = urlencode([("quiz_extensions[][user_id]", "1"), ("quiz_extensions[][extra_time]", "60"),
                      ("quiz_extensions[][extra_attempts]", "1"), ("quiz_extensions[][user_id]", "2"),
                      ("quiz_extensions[][extra_attempts]", "3"), ("quiz_extensions[][user_id]", "3"),
                      ("quiz_extensions[][manually_unlocked]", "True")])
    assert parse(body, FORM) == [Grant(user_id="1", extra_time=60, extra_attempts=1),
                                 Grant(user_id="2", extra_attempts=3),
                                 Grant(user_id="3", manually_unlocked=True)]


def test_indexed_form_keys_and_base64_bodies():
    body = "quiz_extensions[0][user_id]=a&quiz_extensions[1][user_id]=b&quiz_extensions[0][extra_time]=5"
    assert parse(body, FORM, b64=True) == [Grant(user_id="a", extra_time=5), Grant(user_id="b")]


@pytest.mark.parametrize("field,value,limit", [
    ("extra_attempts", 101, "0 to 100"), ("extra_attempts", -1, "0 to 100"),
    ("extra_time", 10081, "0 to 10080"), ("extend_from_now", 1441, "1 to 1440"),
    ("extend_from_now", 0, "1 to 1440"), ("extend_from_end_at", 1441, "1 to 1440"),
    ("extra_time", "sixty", "0 to 10080"), ("extra_time", 1.5, "0 to 10080"),
    ("extra_time", True, "0 to 10080"),
    ("extra_attempts", [1], "0 to 100"), ("extra_time", "", "0 to 10080"),
])
def test_every_limit_and_non_numbers_are_named(field, value, limit):
    message = refused({"quiz_extensions": [{"user_id": "kim"}, {"user_id": "lee", field: value}]})
    assert f"quiz_extensions[1].{field}" in message and limit in message


def test_form_values_are_checked_the_same_way():
    message = refused("quiz_extensions[][user_id]=1&quiz_extensions[][extra_time]=abc", FORM)
    assert "quiz_extensions[0].extra_time" in message and "0 to 10080" in message


def test_both_extend_keys_are_refused():
    message = refused({"quiz_extensions": [{"user_id": "k", "extend_from_now": 5, "extend_from_end_at": 5}]})
    assert "extend_from_now" in message and "extend_from_end_at" in message
    assert "mutually exclusive" in message


@pytest.mark.parametrize("body,headers,named", [
    ('{"quiz_extensions": [', JSON, "not valid JSON"),
    ("", JSON, "empty"),
    ({"quiz_extensions": []}, JSON, "at least one"),
    ({"quiz_extensions": {"user_id": 1}}, JSON, "list"),
    ([{"user_id": 1}], JSON, "quiz_extensions"),
    ({"quiz_extensions": [5]}, JSON, "quiz_extensions[0] must be an object"),
    ({"quiz_extensions": [{}]}, JSON, "quiz_extensions[0].user_id is required"),
    ({"quiz_extensions": [{"user_id": ""}]}, JSON, "user_id is required"),
    ({"quiz_extensions": [{"user_id": True}]}, JSON, "user_id is required"),
    ({"quiz_extensions": [{"user_id": "x" * 300}]}, JSON, "user_id is required"),
    ({"quiz_extensions": [{"user_id": "a", "extra_tme": 5}]}, JSON, "unknown field(s) extra_tme"),
    ({"quiz_extensions": [{"user_id": "a"}], "as_user": 1}, JSON, "unknown field(s) as_user"),
    ({"quiz_extensions": [{"user_id": "a", "manually_unlocked": "maybe"}]}, JSON, "true or false"),
    ("quiz_extensions[][user_id]=1&&&=", FORM, "malformed"),
    ("quiz_extensions[][user_id]=1&nonsense=2", FORM, "unexpected form field 'nonsense'"),
    ("quiz_extensions[0][user_id]=1&quiz_extensions[0][user_id]=2", FORM, "given twice"),
    ("user_id=1", {"content-type": "text/plain"}, "Content-Type"),
])
def test_malformed_bodies_are_400_naming_the_problem(body, headers, named):
    assert named in refused(body, headers)


def test_bad_base64_is_400():
    with pytest.raises(InvalidInput, match="base64"):
        grants({"body": "!!!", "isBase64Encoded": True}, JSON)


def test_too_many_entries_and_too_large_bodies_are_413():
    assert "at most 100" in refused({"quiz_extensions": [{"user_id": str(n)} for n in range(101)]},
                                    error=TooLarge)
    assert str(MAX_BODY_BYTES) in refused({"quiz_extensions": [{"user_id": "a" * MAX_BODY_BYTES}]},
                                          error=TooLarge)


def test_the_domain_grant_guards_its_own_limits():
    with pytest.raises(InvalidInput, match="0 to 10080"):
        Grant(user_id="a", extra_time=20000)
    with pytest.raises(InvalidInput, match="mutually exclusive"):
        Grant(user_id="a", extend_from_now=1, extend_from_end_at=1)


@pytest.mark.parametrize("body", ['{"quiz_extensions": ' + "[" * 5000 + "]" * 5000 + "}",
                                  '{"quiz_extensions": [{"user_id": "a", "extra_time": ' + "9" * 5000 + "}]}",
                                  '{"quiz_extensions": [{"user_id": "a\\u0000b", "extra_time": 5}]}'])
def test_the_parser_itself_bounds_depth_digits_and_characters(body):
    # Issue 17: deep nesting crashed json.loads (RecursionError, a 500); RouteApp measures every body first,
    # and this parser does too, so it is safe wherever it is called.
    with pytest.raises(InvalidInput):
        grants({"body": body}, {"content-type": "application/json"})


@pytest.mark.parametrize("user_id", ["\U0001d11e" * 129, "\u00e9" * 257])
def test_a_form_user_id_is_checked_in_bytes_too(user_id):
    # 129 four-byte characters are 516 bytes: within 256 characters, past the 512 bytes a key part may hold.
    body = urlencode({"quiz_extensions[][user_id]": user_id, "quiz_extensions[][extra_time]": "5"})
    with pytest.raises(InvalidInput, match="bytes"):
        grants({"body": body}, {"content-type": "application/x-www-form-urlencoded"})
