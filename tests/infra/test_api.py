"""The REST API has one method per route, wired to that route's function (which verifies the caller itself: no
authorizer), a stage throttle sized from the exam-day model, and a web ACL limiting each caller per dialect with 429s in
the dialect's own shape."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, Stack, Validations
from aws_cdk import aws_lambda as lambda_
from cdk_nag import AwsSolutionsChecks

from functions.core import prewarm
from functions.platform.gateway import GATEWAY_HEADERS, GATEWAY_RESPONSES, gateway_body
from functions.routes import ROUTES, Route
from infra.application import cdk_json_context
from infra.config import DeployConfig
from infra.constructs.api import Api
from infra.constructs.waf import ApiFirewall
from tests.infra.conftest import Synth

# One xdist worker runs them all (make test uses --dist loadgroup): the app is synthesized once.
pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("infra")]


def resource_paths(synth: Synth) -> dict[str, str]:
    """Logical id of each AWS::ApiGateway::Resource -> its full path, following ParentId up to the root."""
    resources = synth.of_type("AWS::ApiGateway::Resource")

    def path_of(logical_id: str) -> str:
        props = resources[logical_id]["Properties"]
        parent = props["ParentId"]
        prefix = "" if "Fn::GetAtt" in parent else path_of(parent["Ref"])  # GetAtt RestApi.RootResourceId
        return f"{prefix}/{props['PathPart']}"

    return {logical_id: path_of(logical_id) for logical_id in resources}


def methods_by_route(synth: Synth) -> dict[tuple[str, str], dict[str, Any]]:
    paths = resource_paths(synth)
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for method in synth.of_type("AWS::ApiGateway::Method").values():
        props = method["Properties"]
        resource = props["ResourceId"]
        path = "/" if "Fn::GetAtt" in resource else paths[resource["Ref"]]
        key = (props["HttpMethod"], path)
        assert key not in found, f"two methods for {key}"
        found[key] = props
    return found


def integration_function(method: dict[str, Any]) -> str:
    """The logical id of the Lambda function a proxy integration invokes."""
    integration = method["Integration"]
    assert integration["Type"] == "AWS_PROXY" and integration["IntegrationHttpMethod"] == "POST"
    parts = integration["Uri"]["Fn::Join"][1]
    # A function's ARN is its GetAtt; an exam-day route's ``live`` alias (functions/core/prewarm.py) is its Ref.
    (function_id,) = {p["Fn::GetAtt"][0] if "Fn::GetAtt" in p else p["Ref"]
                      for p in parts if isinstance(p, dict) and ("Fn::GetAtt" in p or "Ref" in p)
                      and not str(p.get("Ref", "")).startswith("AWS::")}  # the partition, the region
    return str(function_id)


def behind_alias(synth: Synth, logical_id: str) -> str:
    """The function a ``live`` alias points at, or ``logical_id`` itself when it is a function."""
    alias = synth.of_type("AWS::Lambda::Alias").get(logical_id)
    return str(alias["Properties"]["FunctionName"]["Ref"]) if alias else logical_id


def test_exactly_the_routes_have_methods(synth: Synth) -> None:
    declared = sorted(key for key in methods_by_route(synth) if key[0] != "ANY")
    assert declared == sorted((r.method, r.path) for r in ROUTES)


def test_every_route_path_answers_other_methods_405_with_allow(synth: Synth) -> None:
    methods = methods_by_route(synth)
    allowed: dict[str, set[str]] = {}
    for route in ROUTES:
        allowed.setdefault(route.path, set()).add(route.method)
    assert sorted(path for method, path in methods if method == "ANY") == sorted(allowed)
    for path, verbs in allowed.items():
        any_method = methods[("ANY", path)]
        assert any_method["AuthorizationType"] == "NONE"
        integration = any_method["Integration"]
        assert integration["Type"] == "MOCK" and integration["PassthroughBehavior"] == "WHEN_NO_MATCH"
        (response,) = integration["IntegrationResponses"]
        assert response["StatusCode"] == "405" and "SelectionPattern" not in response  # whatever the mock says
        assert response["ResponseParameters"] == {"method.response.header.Allow": f"'{', '.join(sorted(verbs))}'"}
        body = json.loads(response["ResponseTemplates"]["application/json"])
        assert body["status_code"] == 405 and body["error"] == "method_not_allowed"
        assert any_method["MethodResponses"] == [
            {"StatusCode": "405", "ResponseParameters": {"method.response.header.Allow": True}}]


def test_an_integration_timeout_is_a_504_not_the_default_503(synth: Synth) -> None:
    responses = {r["Properties"]["ResponseType"]: r["Properties"]["StatusCode"]
                 for r in synth.of_type("AWS::ApiGateway::GatewayResponse").values()}
    assert responses["INTEGRATION_TIMEOUT"] == "504" and responses["DEFAULT_5XX"] == "503"


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_method_invokes_its_route_function_with_no_authorizer_in_front(synth: Synth, route: Route) -> None:
    method = methods_by_route(synth)[(route.method, route.path)]
    function_id, _ = synth.function_for(route.handler)
    invoked = integration_function(method)
    assert (invoked != function_id) == (route.name in prewarm.ROUTES)  # the exam-day routes: through the alias
    assert behind_alias(synth, invoked) == function_id
    assert method["OperationName"] == route.name
    # One cold start per cold request: the function verifies the credentials (functions/platform/auth.py).
    assert method["AuthorizationType"] == "NONE" and "AuthorizerId" not in method
    assert method["RequestParameters"] == {f"method.request.path.{p}": True for p in route.path_params}
    assert "RequestValidatorId" in method


def test_no_authorizer_and_every_protected_route_gets_the_token_issuers(synth: Synth) -> None:
    from functions.platform import settings

    assert synth.of_type("AWS::ApiGateway::Authorizer") == {}
    for route in ROUTES:
        _, fn = synth.function_for(route.handler)
        variables = fn["Properties"]["Environment"]["Variables"]
        names = {settings.JWT_ISSUER, settings.JWT_AUDIENCE, settings.CLIENT_ISSUER, settings.CREDENTIAL_CACHE_SECONDS}
        if route.public:
            assert not names & set(variables), route.name
        else:
            assert names <= set(variables), route.name
            assert variables[settings.CREDENTIAL_CACHE_SECONDS] == "60"  # the revocation delay, docs/credentials.md


def test_each_route_function_may_be_invoked_by_api_gateway(synth: Synth) -> None:
    invoked = {
        behind_alias(synth, p["Properties"]["FunctionName"]["Fn::GetAtt"][0] if "Fn::GetAtt" in
                     p["Properties"]["FunctionName"] else p["Properties"]["FunctionName"]["Ref"])
        for p in synth.of_type("AWS::Lambda::Permission").values()
        if p["Properties"]["Principal"] == "apigateway.amazonaws.com"
    }
    for route in ROUTES:
        assert synth.function_for(route.handler)[0] in invoked, route.name


def test_stage_logs_throttles_and_traces(synth: Synth) -> None:
    (stage,) = synth.of_type("AWS::ApiGateway::Stage").values()
    props = stage["Properties"]
    assert props["TracingEnabled"] is True
    access_log = props["AccessLogSetting"]
    assert access_log["Format"].startswith("{") and "$context.requestId" in access_log["Format"]
    (settings,) = props["MethodSettings"]
    assert settings["HttpMethod"] == "*" and settings["ResourcePath"] == "/*"
    assert settings["MetricsEnabled"] is True
    assert settings["LoggingLevel"] in ("ERROR", "INFO")
    assert settings["DataTraceEnabled"] is False
    # Per method, from the model: 100,000 starts within 60 s = 1,667/s on the start method (docs/operations.md).
    assert settings["ThrottlingRateLimit"] >= 100_000 / 60 and settings["ThrottlingBurstLimit"] >= 2 * 1_667


def test_gateway_responses_are_the_dialect_neutral_bodies(synth: Synth) -> None:
    responses = {
        r["Properties"]["ResponseType"]: r["Properties"]
        for r in synth.of_type("AWS::ApiGateway::GatewayResponse").values()
    }
    assert sorted(responses) == sorted(GATEWAY_RESPONSES)
    for response_type, (status, code, message) in GATEWAY_RESPONSES.items():
        props = responses[response_type]
        assert props["StatusCode"] == str(status)
        assert json.loads(props["ResponseTemplates"]["application/json"]) == gateway_body(status, code, message)
        headers = GATEWAY_HEADERS.get(response_type, {})
        expected_headers = {f"gatewayresponse.header.{k}": f"'{v}'" for k, v in headers.items()}
        assert props.get("ResponseParameters", {}) == expected_headers, response_type
    assert "AUTHORIZER_FAILURE" not in responses  # no authorizer: the store down is the route's own 503


def test_every_route_function_builds_links_on_the_api_url_not_on_request_headers(synth: Synth) -> None:
    from functions.platform.settings import API_BASE_URL

    handlers = {r.handler for r in ROUTES}
    functions = [f["Properties"] for f in synth.of_type("AWS::Lambda::Function").values()
                 if f["Properties"].get("Handler") in handlers]
    assert len(functions) == len(ROUTES)
    for function in functions:
        url = function["Environment"]["Variables"][API_BASE_URL]
        text = json.dumps(url)
        assert "execute-api" in text and "/prod" in text and "RestApi" in text, url


def test_public_and_protected_routes_pass_cdk_nag(tmp_path: Path) -> None:
    """No route is public yet; this builds the Api construct alone with one that is."""
    app = App(outdir=str(tmp_path), context=cdk_json_context())
    stack = Stack(app, "PublicRoute")
    function = lambda_.Function.from_function_attributes(
        stack, "Fn", function_arn=f"arn:aws:lambda:{stack.region}:{stack.account}:function:f", same_environment=True,
        skip_permissions=True,
    )
    routes = [
        Route("health", "GET", "/health", "examdesk.health", "examdesk", "read", "Health check", public=True),
        Route("get_thing", "GET", "/things/{thingId}", "examdesk.get_thing", "examdesk", "read", "Get a thing"),
    ]
    config = DeployConfig.from_node(app.node)
    api = Api(stack, "Api", routes=routes, config=config)
    for route in routes:
        api.add_route(stack, route, function)
    ApiFirewall(stack, "Firewall", stage=api.rest_api.deployment_stage, config=config)
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    template = app.synth().get_stack_by_name("PublicRoute").template  # raises on a cdk-nag finding
    methods = {
        m["Properties"]["OperationName"]: m["Properties"]
        for m in template["Resources"].values()
        if m["Type"] == "AWS::ApiGateway::Method" and m["Properties"]["HttpMethod"] != "ANY"
    }
    assert methods["health"]["AuthorizationType"] == "NONE" and "AuthorizerId" not in methods["health"]
    assert methods["get_thing"]["AuthorizationType"] == "NONE"  # its function checks the credentials
