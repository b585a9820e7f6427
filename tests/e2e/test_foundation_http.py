"""The whole path over HTTP: authoring -> start -> read, on DynamoDB Local, plus the gateway's answers."""

from __future__ import annotations

import base64

import pytest

from infra.local.demo_data import DEMO_KEY, DEMO_SECRET, EXAM

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def test_openapi_and_swagger_are_served(api):
    spec = api.request("GET", "/openapi.json")
    assert spec.status_code == 200
    assert spec.json()["openapi"].startswith("3.")
    assert "/api/exam-session/{sessionId}" in spec.json()["paths"]
    assert "swagger-ui" in api.request("GET", "/docs").text


def test_start_and_read_a_demo_session(api):
    started = api.request("POST", f"/api/exam-config/{EXAM}/exam-session", as_user="kevin",
                          json={"user_id": "kevin", "context_id": "ctx-1"})
    assert started.status_code == 200, started.text
    session = started.json()["examSession"]
    again = api.request("POST", f"/api/exam-config/{EXAM}/exam-session", as_user="kevin",
                        json={"user_id": "kevin", "context_id": "ctx-1"})
    assert again.json()["examSession"]["id"] == session["id"]
    assert again.json()["examSession"]["startedAt"] == session["startedAt"]  # a second start never resets
    got = api.request("GET", f"/api/exam-session/{session['id']}?include[]=responses&include[]=results",
                      as_user="kevin")
    assert got.status_code == 200
    body = got.json()
    assert body["examConfig"] == {"id": EXAM}
    assert body["examSession"]["maturity"] == "IN_PROGRESS"
    assert set(body["examSession"]["responses"]) == {
        "b842bb5e-9957-403e-bc54-9a054b290158", "cdf02148-7888-4e4b-97ff-0003846baa4d",
        "993d673c-5c8d-43aa-99ea-8e417d1300dc"}
    # another student sees nothing of it; the course's TA and the integration key do
    assert api.request("GET", f"/api/exam-session/{session['id']}", as_user="maria").status_code == 404
    assert api.request("GET", f"/api/exam-session/{session['id']}", as_user="oscar").status_code == 404
    assert api.request("GET", f"/api/exam-session/{session['id']}", as_user="theo").status_code == 200
    basic = "Basic " + base64.b64encode(f"{DEMO_KEY}:{DEMO_SECRET}".encode()).decode()
    assert api.request("GET", f"/api/exam-session/{session['id']}", auth=basic).status_code == 200


@pytest.mark.parametrize("auth", [None, "Bearer garbage", "Basic Zm9vOmJhcg==", "Token abc"])
def test_gateway_refuses_bad_credentials(api, auth):
    answer = api.request("GET", "/api/exam-session/anything", auth=auth)
    assert answer.status_code == 401
    assert answer.json()["status_code"] == 401


def test_expired_and_unsigned_tokens_are_401(api):
    import jwt

    expired = api.token("kevin", ttl=-60)
    unsigned = jwt.encode({"sub": "kevin", "iss": "examdesk", "aud": "examdesk-api", "exp": 9999999999},
                          key=None, algorithm="none")
    for token in (expired, unsigned):
        assert api.request("GET", "/api/exam-session/x", auth=f"Bearer {token}").status_code == 401


def test_unknown_route_is_404(api):
    answer = api.request("GET", "/no/such/route", as_user="kevin")
    assert answer.status_code == 404
    assert api.request("QUERY", "/no/such/route").status_code == 404


@pytest.mark.parametrize("method", ["OPTIONS", "TRACE", "QUERY", "HEAD", "PUT", "BREW"])
def test_a_method_the_resource_lacks_is_405_with_allow_before_credentials(api, method):
    """As API Gateway answers it: no 501 HTML page for a method http.server has no handler for; the literal
    resource wins (…/special_exams/allowances is not …/special_exams/{exam_id})."""
    base = "/api/instructor/v2/courses/course-v1%3AedX%2BDemoX%2BDemo_Course/special_exams"
    for path, allowed in ((f"{base}/allowances", "GET, POST"), (f"{base}/12/allowance", "DELETE, POST"),
                          (f"/api/exam-session/{EXAM}", "GET")):
        answer = api.request(method, path)
        assert answer.status_code == 405 and answer.headers["Allow"] == allowed, (method, path, answer.text)
        assert answer.headers["Content-Type"] == "application/json"
        if method != "HEAD":
            assert answer.json()["status_code"] == 405 and method in answer.json()["message"]


def test_malformed_json_is_400_and_names_the_body(api):
    answer = api.request("POST", f"/api/exam-config/{EXAM}/exam-session", as_user="kevin",
                         data='{"user_id": ', headers={"Content-Type": "application/json"})
    assert answer.status_code == 400
    assert "JSON" in answer.json()["error"]["message"]
