"""Integration credentials over HTTP against the local runner on DynamoDB Local: an HTTP Basic key and an OAuth
client each created, used, rotated (old and new secret both work inside the overlap window, only the new one
after it), revoked (refused after), every step audited; the token endpoint's RFC 6749 answers."""

from __future__ import annotations

import base64
import time
import uuid
from typing import Any

import pytest
import requests

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

RUN = uuid.uuid4().hex[:8]
COURSE = f"cred-{RUN}"
OVERLAP = 3  # seconds: long enough to use both secrets, short enough to wait out


def ok(answer: requests.Response, *statuses: int) -> Any:
    assert answer.status_code in (statuses or (200,)), answer.text
    return answer.json()


def basic(user: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{secret}".encode()).decode()


@pytest.fixture(scope="module")
def course(api):
    ok(api.request("POST", "/authoring/courses", as_user="ada", json={"id": COURSE, "title": COURSE}), 201)
    return COURSE


def issue(api, kind: str, rights: list[str]) -> dict[str, Any]:
    body = ok(api.request("POST", "/authoring/credentials", as_user="ada",
                          json={"kind": kind, "name": f"{kind} {RUN}", "courses": [COURSE], "rights": rights}), 201)
    assert body["status"] == "active" and len(body["secret"]) >= 40
    return body


def read_course(api, authorization: str) -> int:
    return api.request("GET", f"/authoring/courses/{COURSE}", auth=authorization).status_code


def rotate(api, credential_id: str) -> dict[str, Any]:
    return ok(api.request("POST", f"/authoring/credentials/{credential_id}/rotate", as_user="ada",
                          json={"overlapSeconds": OVERLAP}))


def audited(api, credential_id: str) -> list[str]:
    events = ok(api.request("GET", f"/authoring/audit-events?objectId={credential_id}&limit=100", as_user="ada"))
    for event in events["items"]:  # never a secret or its hash in the trail
        assert "sha256$" not in str(event) and "secret" not in str(event).lower()
    return sorted(e["action"] for e in events["items"])


def token(api, client_id: str, secret: str, **form: str) -> requests.Response:
    return requests.post(api.base + "/oauth2/token", data={"grant_type": "client_credentials", **form},
                         auth=(client_id, secret), timeout=15)


def used_and_audited(api, authorization: str, actor: dict[str, str]) -> None:
    """A write made with the credential is in the course's audit trail under the credential's name."""
    ok(api.request("PUT", f"/authoring/courses/{COURSE}/enrollments/kevin", auth=authorization,
                   json={"role": "student"}))
    events = ok(api.request("GET", f"/authoring/courses/{COURSE}/audit-events?action=enrollment.put",
                            as_user="ada"))["items"]
    assert actor in [e["actor"] for e in events]


def test_an_http_basic_key_lives_and_dies_over_http(api, course):
    key = issue(api, "basic", ["course:view", "course:admin"])
    old = basic(key["id"], key["secret"])
    assert read_course(api, old) == 200
    used_and_audited(api, old, {"kind": "key", "id": key["id"], "operator": None})
    listed = ok(api.request("GET", "/authoring/credentials?limit=100", as_user="ada"))
    mine = next(c for c in listed["items"] if c["id"] == key["id"])
    assert "secret" not in mine and mine["kind"] == "basic"
    rotated = rotate(api, key["id"])
    new = basic(key["id"], rotated["secret"])
    assert rotated["previousValidUntil"] and rotated["secret"] != key["secret"]
    assert (read_course(api, old), read_course(api, new)) == (200, 200)  # inside the window: both
    time.sleep(OVERLAP + 0.5)
    assert (read_course(api, old), read_course(api, new)) == (401, 200)  # after it: only the new one
    assert ok(api.request("POST", f"/authoring/credentials/{key['id']}/revoke", as_user="ada"))["status"] == "revoked"
    assert read_course(api, new) == 401
    again = api.request("POST", f"/authoring/credentials/{key['id']}/rotate", as_user="ada", json={})
    assert again.status_code == 409
    assert audited(api, key["id"]) == ["credential.create", "credential.revoke", "credential.rotate"]


def test_an_oauth_client_lives_and_dies_over_http(api, course):
    client = issue(api, "oauth", ["course:view", "course:admin"])
    assert client["scopes"] == ["examdesk/course:view", "examdesk/course:admin"]
    first = token(api, client["id"], client["secret"])
    assert first.status_code == 200 and first.headers["Cache-Control"] == "no-store"
    granted = first.json()
    assert granted["token_type"] == "Bearer" and granted["expires_in"] == 3600
    assert granted["scope"] == "examdesk/course:view examdesk/course:admin"
    bearer = f"Bearer {granted['access_token']}"
    assert read_course(api, bearer) == 200
    used_and_audited(api, bearer, {"kind": "client", "id": client["id"], "operator": None})
    assert read_course(api, basic(client["id"], client["secret"])) == 401  # an OAuth secret is not a Basic key
    rotated = rotate(api, client["id"])
    assert token(api, client["id"], client["secret"]).status_code == 200  # old secret, inside the window
    assert token(api, client["id"], rotated["secret"]).status_code == 200
    time.sleep(OVERLAP + 0.5)
    late = token(api, client["id"], client["secret"])
    assert late.status_code == 401 and late.json()["error"] == "invalid_client"
    assert "Basic" in late.headers["WWW-Authenticate"]
    fresh = token(api, client["id"], rotated["secret"])
    assert fresh.status_code == 200
    ok(api.request("POST", f"/authoring/credentials/{client['id']}/revoke", as_user="ada"))
    assert token(api, client["id"], rotated["secret"]).json()["error"] == "invalid_client"
    assert read_course(api, f"Bearer {fresh.json()['access_token']}") == 401  # issued tokens die with it
    assert audited(api, client["id"]) == ["credential.create", "credential.revoke", "credential.rotate"]


def test_the_token_endpoint_answers_as_rfc_6749_says(api, course):
    client = issue(api, "oauth", ["course:view", "attempt:manage"])
    cid, secret = client["id"], client["secret"]
    narrow = token(api, cid, secret, scope="examdesk/course:view").json()
    assert narrow["scope"] == "examdesk/course:view"
    assert token(api, cid, secret, scope="examdesk/exam:author").json()["error"] == "invalid_scope"
    in_body = requests.post(api.base + "/oauth2/token", timeout=15,
                            data={"grant_type": "client_credentials", "client_id": cid, "client_secret": secret})
    assert in_body.status_code == 200  # client_secret_post (RFC 6749 2.3.1)
    both = requests.post(api.base + "/oauth2/token", auth=(cid, secret), timeout=15,
                         data={"grant_type": "client_credentials", "client_id": cid, "client_secret": secret})
    assert (both.status_code, both.json()["error"]) == (400, "invalid_request")
    wrong_grant = requests.post(api.base + "/oauth2/token", auth=(cid, secret), data={"grant_type": "password"},
                                timeout=15)
    assert (wrong_grant.status_code, wrong_grant.json()["error"]) == (400, "unsupported_grant_type")
    no_grant = requests.post(api.base + "/oauth2/token", auth=(cid, secret), data={"scope": ""}, timeout=15)
    assert (no_grant.status_code, no_grant.json()["error"]) == (400, "invalid_request")
    as_json = requests.post(api.base + "/oauth2/token", auth=(cid, secret), timeout=15,
                            json={"grant_type": "client_credentials"})
    assert (as_json.status_code, as_json.json()["error"]) == (400, "invalid_request")
    unknown = token(api, f"nobody-{RUN}", "x")
    assert (unknown.status_code, unknown.json()["error"]) == (401, "invalid_client")
    key = issue(api, "basic", ["course:view"])
    assert token(api, key["id"], key["secret"]).json()["error"] == "unauthorized_client"
    assert requests.get(api.base + "/oauth2/token", timeout=15).status_code == 405
    keys = requests.get(api.base + "/.well-known/jwks.json", timeout=15).json()["keys"]
    assert keys and keys[0]["kty"] == "RSA" and keys[0]["alg"] == "RS256" and "d" not in keys[0]


def test_a_token_carries_only_its_scopes_and_courses(api, course):
    client = issue(api, "oauth", ["course:view", "course:admin"])
    viewer = token(api, client["id"], client["secret"], scope="examdesk/course:view").json()["access_token"]
    bearer = f"Bearer {viewer}"
    assert read_course(api, bearer) == 200
    # course:admin was not asked for: the enrollments list (course:view) works, the audit trail does not
    assert api.request("GET", f"/authoring/courses/{COURSE}/audit-events", auth=bearer).status_code == 403
    assert api.request("GET", "/authoring/courses/focus1f8-district", auth=bearer).status_code == 404
    assert api.request("GET", "/authoring/credentials", auth=bearer).status_code == 403  # never manages keys
