"""Idempotency-Key and the body limit over HTTP: the local runner on DynamoDB Local (the record lives in the one
table, with its TTL attribute), as a client retrying after a lost answer sees it."""

from __future__ import annotations

import uuid

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def test_a_retried_create_answers_the_first_answer_and_a_reused_key_is_422(api):
    course = f"idem-{uuid.uuid4().hex[:12]}"
    key = {"Idempotency-Key": str(uuid.uuid4())}
    body = {"id": course, "title": "Idempotent course"}
    first = api.request("POST", "/authoring/courses", as_user="ada", headers=key, json=body)
    assert first.status_code == 201, first.text
    again = api.request("POST", "/authoring/courses", as_user="ada", headers=key, json=body)
    assert (again.status_code, again.json()) == (201, first.json())
    assert again.headers.get("Idempotent-Replayed") == "true"
    # Without the key, the same create is refused: the course exists (it was written once).
    assert api.request("POST", "/authoring/courses", as_user="ada", json=body).status_code == 409
    reused = api.request("POST", "/authoring/courses", as_user="ada", headers=key,
                         json={"id": course, "title": "Another title"})
    assert reused.status_code == 422
    assert reused.json()["error"]["code"] == "idempotency_key_reused"
    # Another caller's same key is theirs alone: no replay of ada's answer.
    other = api.request("POST", "/authoring/courses", as_user="irene", headers=key, json=body)
    assert other.status_code in (403, 409) and "Idempotent-Replayed" not in other.headers


def test_a_body_over_256_kb_is_413_naming_the_limit(api):
    answer = api.request("POST", "/authoring/courses", as_user="ada",
                         json={"id": "big", "title": "x" * (300 * 1024)})
    assert answer.status_code == 413
    assert "262144" in answer.json()["error"]["message"]


def test_the_served_openapi_documents_the_header(api):
    operation = api.request("GET", "/openapi.json").json()["paths"]["/authoring/courses"]["post"]
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in operation["parameters"])
    assert {"409", "413", "422"} <= set(operation["responses"])
