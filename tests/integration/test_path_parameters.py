"""Path parameters as API Gateway (REST, Lambda proxy) passes them: as the client sent them, percent-encoded or
not. Every route decodes each once (functions/platform/http.py DecodingResolver); a value whose decoding would
hold a key separator ('#', '|') is left as sent, so it names nothing (moto)."""

from __future__ import annotations

import importlib

from functions.routes import route
from tests.conftest import LambdaContext, call
from tests.factories import user

KEY = "course-v1:edX+DemoX+2026_T1"  # an Open edX course key: ids may hold '+' and ':'


def test_a_course_key_is_found_percent_encoded_or_not(table):
    user("ada", admin=True)
    created = call("create_course", body={"id": KEY, "title": "Demo"}, as_user="ada")
    assert created.status == 201 and created.body["id"] == KEY
    for sent in (KEY, "course-v1%3AedX%2BDemoX%2B2026_T1", "course-v1:edX%2BDemoX+2026_T1"):
        got = call("get_course", {"courseId": sent}, as_user="ada")
        assert got.status == 200 and got.body["id"] == KEY, sent


def session_message(answer) -> str:  # type: ignore[no-untyped-def]
    return str(answer.body["error"]["message"])


def test_decoded_once_and_never_into_a_key_separator(table):
    user("ada", admin=True)
    twice = call("examspark_get_session", {"sessionId": "s-1%253A2"}, as_user="ada")  # once: '%3A' stays
    assert twice.status == 404 and "s-1%3A2" in session_message(twice)
    for sent in ("a%23b", "a%7Cb"):  # decoded they would hold '#' or '|': looked up as sent
        kept = call("examspark_get_session", {"sessionId": sent}, as_user="ada")
        assert kept.status == 404 and sent in session_message(kept), kept.body


def test_a_console_event_s_values_are_taken_as_given(table):
    user("ada", admin=True)
    created = call("create_course", body={"id": KEY, "title": "Demo"}, as_user="ada")
    assert created.status == 201
    module = importlib.import_module(route("get_course").import_path)
    answer = module.lambda_handler({"courseId": KEY}, LambdaContext())
    assert answer["statusCode"] == 200 and answer["body"]["id"] == KEY
    sessions = importlib.import_module(route("examspark_get_session").import_path)
    missing = sessions.lambda_handler({"sessionId": "a/b%41"}, LambdaContext())
    assert missing["statusCode"] == 404 and "a/b%41" in missing["body"]["error"]["message"]
