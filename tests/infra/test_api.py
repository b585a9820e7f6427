"""The REST API has one method per route, wired to that route's function, behind the authorizer."""

from __future__ import annotations

from typing import Any

import pytest

from functions.routes import ROUTES, Route
from infra.constructs.authorizer import AUTHORIZER_HANDLER
from tests.infra.conftest import Synth

pytestmark = pytest.mark.infra


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
    (function_id,) = {p["Fn::GetAtt"][0] for p in parts if isinstance(p, dict) and "Fn::GetAtt" in p}
    return str(function_id)


def test_exactly_the_routes_have_methods(synth: Synth) -> None:
    assert sorted(methods_by_route(synth)) == sorted((r.method, r.path) for r in ROUTES)


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_method_invokes_its_route_function_behind_the_authorizer(synth: Synth, route: Route) -> None:
    method = methods_by_route(synth)[(route.method, route.path)]
    function_id, _ = synth.function_for(route.handler)
    assert integration_function(method) == function_id
    assert method["OperationName"] == route.name
    if route.public:
        assert method["AuthorizationType"] == "NONE"
        assert "AuthorizerId" not in method
    else:
        (authorizer_id,) = synth.of_type("AWS::ApiGateway::Authorizer")
        assert method["AuthorizationType"] == "CUSTOM"
        assert method["AuthorizerId"] == {"Ref": authorizer_id}
    assert method["RequestParameters"] == {f"method.request.path.{p}": True for p in route.path_params}
    assert "RequestValidatorId" in method


def test_request_authorizer_reads_the_authorization_header_and_caches(synth: Synth) -> None:
    (authorizer,) = synth.of_type("AWS::ApiGateway::Authorizer").values()
    props = authorizer["Properties"]
    assert props["Type"] == "REQUEST"
    assert props["IdentitySource"] == "method.request.header.Authorization"
    assert props["AuthorizerResultTtlInSeconds"] == 300
    function_id, _ = synth.function_for(AUTHORIZER_HANDLER)
    assert {"Fn::GetAtt": [function_id, "Arn"]} in props["AuthorizerUri"]["Fn::Join"][1]


def test_each_route_function_may_be_invoked_by_api_gateway(synth: Synth) -> None:
    invoked = {
        p["Properties"]["FunctionName"]["Fn::GetAtt"][0]
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
    assert settings["ThrottlingRateLimit"] > 0 and settings["ThrottlingBurstLimit"] > 0
