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
