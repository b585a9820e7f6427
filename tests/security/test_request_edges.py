"""Fuzzing findings, pinned (moto): odd requests get a documented 4xx, never a 500."""

from __future__ import annotations

from tests.conftest import call


def test_a_malformed_multipart_body_is_a_415_not_a_500(table):
    # Powertools raised a bare ValueError ("Missing boundary in multipart/form-data content-type header").
    answer = call("create_user", as_user="ada", body='{"id": "x"}', headers={"Content-Type": "multipart/form-data"})
    assert answer.status == 415 and answer.body["error"]["code"] == "unsupported_media_type", answer.body


def test_a_path_parameter_the_resolver_cannot_match_is_a_400_not_an_undocumented_404(table):
    # API Gateway routes /special_exams for any course_id; Powertools' pattern refuses control characters.
    answer = call("openedx_list_special_exams", {"course_id": "o\u0094"}, as_user="ada")
    assert answer.status == 400 and answer.body["status_code"] == 400, answer.body
    answer = call("get_course", {"courseId": "a\u0007b"}, as_user="ada")
    assert answer.status == 400 and answer.body["error"]["field"] == "courseId", answer.body  # named by RouteApp


def test_a_hostile_body_with_an_idempotency_key_is_refused_before_the_idempotency_layer(dynamo_calls):
    # Issue 17: the same deep body under an Idempotency-Key killed the function (502): Powertools' record was
    # written, then the request hash recursed. RouteApp refuses it first: no DynamoDB call at all.
    for body in ("[" * 5000 + "]" * 5000, '{"id": ' + "1" * 5000 + "}", '{"title": "a\\u0000b"}'):
        answer = call("create_course", as_user="ada", body=body, headers={"Idempotency-Key": "k-hostile-1"})
        assert answer.status == 400 and answer.body["error"]["field"] == "body", answer.body
    assert dynamo_calls.total == 0, dynamo_calls.counts
