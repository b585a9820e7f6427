"""The REST API: one method per route (from functions/routes.py), stage throttling and logging.

No authorizer: each route's function verifies the caller's credentials itself (functions/platform/auth.py), so a
cold request pays one cold start, not an authorizer's and then the route's (docs/performance.md, "A cold request").
Per-caller rate limits are the web ACL's (infra/constructs/waf.py); the stage's throttle is sized from the exam-day
model (docs/operations.md, "Throttling").
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from aws_cdk import RemovalPolicy, Stack
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from functions.platform.gateway import GATEWAY_HEADERS, GATEWAY_RESPONSES, gateway_body
from functions.routes import Route
from infra.config import DeployConfig
from infra.constructs.nag import acknowledge

STAGE = "prod"  # API Gateway's default stage name, named so the base URL below can say it

# JSON access logs: the standard fields plus what explains a 401/403/5xx without turning on execution logs.
_F = apigw.AccessLogField
ACCESS_LOG_FIELDS = {
    "requestId": _F.context_request_id(),
    "ip": _F.context_identity_source_ip(),
    "userAgent": _F.context_identity_user_agent(),
    "requestTime": _F.context_request_time(),
    "httpMethod": _F.context_http_method(),
    "resourcePath": _F.context_resource_path(),
    "path": _F.context_path(),
    "status": _F.context_status(),
    "protocol": _F.context_protocol(),
    "responseLength": _F.context_response_length(),
    "responseLatency": _F.context_response_latency(),
    "integrationLatency": _F.context_integration_latency(),
    "errorMessage": _F.context_error_message(),
    "xrayTraceId": _F.context_xray_trace_id(),
}


class Api(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        routes: Sequence[Route],
        config: DeployConfig,
    ) -> None:
        super().__init__(scope, construct_id)
        self.access_logs = logs.LogGroup(
            self,
            "AccessLogs",
            retention=logs.RetentionDays.ONE_YEAR,
            removal_policy=RemovalPolicy.RETAIN,  # who called what, when: keep it past the stack
        )
        self.rest_api = apigw.RestApi(
            self,
            "RestApi",
            description="examdesk: exam administration API (ExamSpark, Open edX, Canvas, LearningStudio, "
            "PowerPath dialects and the authoring API)",
            endpoint_types=[apigw.EndpointType.REGIONAL],
            # Execution logging needs the account-level API Gateway CloudWatch role (one per region).
            cloud_watch_role=True,
            deploy_options=apigw.StageOptions(
                stage_name=STAGE,
                access_log_destination=apigw.LogGroupLogDestination(self.access_logs),
                access_log_format=apigw.AccessLogFormat.custom(json.dumps(ACCESS_LOG_FIELDS)),
                # Applied to each method on its own (API Gateway's stage default), within the account's
                # regional limit that every method shares (docs/operations.md, "Throttling").
                throttling_rate_limit=config.throttle_rate_limit,
                throttling_burst_limit=config.throttle_burst_limit,
                tracing_enabled=True,
                metrics_enabled=True,
                logging_level=apigw.MethodLoggingLevel.ERROR,
                data_trace_enabled=False,  # full request logging would write tokens and answers to logs
            ),
        )
        # API Gateway checks that each method's path parameters are present; bodies are validated in the
        # route modules (pydantic), the one place their schemas live (and the OpenAPI document's source).
        self.validator = self.rest_api.add_request_validator(
            "PathParameters", validate_request_parameters=True, validate_request_body=False
        )

        # Answers API Gateway gives before any route runs (401, 404, 413, 429...): one dialect-neutral body,
        # defined in functions/platform/gateway.py so the local runner mirrors exactly these.
        for response_type, (status, code, message) in GATEWAY_RESPONSES.items():
            self.rest_api.add_gateway_response(
                f"Gateway{response_type.title().replace('_', '')}",
                type=apigw.ResponseType.of(response_type),
                status_code=str(status),
                templates={"application/json": json.dumps(gateway_body(status, code, message))},
                response_headers={name: f"'{value}'" for name, value in GATEWAY_HEADERS.get(response_type, {}).items()}
                or None,
            )

        # Every route's path exists here (the parent stack); the methods are added by the dialects' nested
        # stacks (infra/constructs/route_functions.py), so that the parent holds one resource per path segment.
        self.resources: dict[str, apigw.Resource] = {
            route.path: self.rest_api.root.resource_for_path(route.path) for route in routes}
        # Absolute links (pagination, Link headers) are built on this URL, never on request headers
        # (functions/platform/links.py); every route function gets it (route_functions.py). Built from the API's
        # id, not rest_api.url: that names the stage, which depends on the methods, which depend on the
        # functions (a cycle).
        stack = Stack.of(self)
        self.base_url = config.api_base_url or (
            f"https://{self.rest_api.rest_api_id}.execute-api.{stack.region}.{stack.url_suffix}/{STAGE}")
        self.methods: dict[str, apigw.Method] = {}

        rest_api = self.rest_api.node.default_child
        assert rest_api is not None
        acknowledge(
            rest_api,
            "AwsSolutions-APIG2",
            "Path parameters are validated by API Gateway (request validator above); request bodies are "
            "validated in each route's Lambda with pydantic models, the single source of their schemas.",
        )
        acknowledge(
            self.rest_api.node.find_child("CloudWatchRole"),
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
            "AmazonAPIGatewayPushToCloudWatchLogs]",
            "The account-level API Gateway logging role uses the AWS managed policy AWS documents for it; "
            "it only lets API Gateway write its own execution and access logs.",
        )

    def add_route(self, scope: Construct, route: Route, function: lambda_.IFunction) -> apigw.Method:
        """The route's method, created in ``scope`` (its dialect's nested stack) on the parent's resource."""
        method = apigw.Method(
            scope,
            f"{route.name}Method",
            resource=self.resources[route.path],
            http_method=route.method,
            integration=apigw.AwsIntegration(
                proxy=True, service="lambda", path=f"2015-03-31/functions/{function.function_arn}/invocations"),
            options=apigw.MethodOptions(
                operation_name=route.name,
                authorization_type=apigw.AuthorizationType.NONE,  # the function verifies credentials
                request_validator=self.validator,
                request_parameters={f"method.request.path.{name}": True for name in route.path_params},
            ),
        )
        # One invoke permission per method, for any stage: naming the stage would make the method's stack
        # depend on the stage, which depends on the deployment, which depends on the method (a cycle).
        function.add_permission(
            f"{route.name}ApiInvoke", principal=iam.ServicePrincipal("apigateway.amazonaws.com"),
            source_arn=self.rest_api.arn_for_execute_api(route.method, re.sub(r"\{\w+\}", "*", route.path), "*"))
        if not route.public:
            reason = ("Callers are people with their identity provider's JWTs (JWKS), integrations with Basic keys "
                      "and OAuth clients with Cognito access tokens: all verified by the route's own function before "
                      "anything else runs (functions/platform/auth.py), which answers 401 itself. A gateway "
                      "authorizer would be a second Lambda cold start in series with the route's.")
            acknowledge(method, "AwsSolutions-APIG4", reason)
            acknowledge(method, "AwsSolutions-COG4", reason)
        if route.public:
            reason = f"{route.name} is declared public=True in functions/routes.py: it serves anonymous callers."
            acknowledge(method, "AwsSolutions-APIG4", reason)
            acknowledge(method, "AwsSolutions-COG4", reason)
        self.methods[route.name] = method
        return method

    def add_method_not_allowed(self, scope: Construct, path: str, allowed: Sequence[str]) -> apigw.Method:
        """``ANY`` on the path, answered by API Gateway itself: 405 with ``Allow`` (explicit methods win over
        ANY, so this only answers the methods no route declares). No Lambda, no authorizer: what a path
        accepts is public (docs/openapi.json) and nothing runs."""
        allow = ", ".join(sorted(set(allowed)))
        body = gateway_body(405, "method_not_allowed", f"this path accepts {allow}")
        method = apigw.Method(
            scope,
            f"{''.join(p.strip('{}').title() for p in path.split('/')) or 'Root'}NotAllowed",
            resource=self.resources[path],
            http_method="ANY",
            integration=apigw.MockIntegration(
                request_templates={"application/json": '{"statusCode": 405}'},
                passthrough_behavior=apigw.PassthroughBehavior.WHEN_NO_MATCH,  # any body: still the 405
                integration_responses=[apigw.IntegrationResponse(
                    status_code="405",  # the default response: whatever the mock answers
                    response_parameters={"method.response.header.Allow": f"'{allow}'"},
                    response_templates={"application/json": json.dumps(body)},
                )],
            ),
            options=apigw.MethodOptions(
                authorization_type=apigw.AuthorizationType.NONE,
                method_responses=[apigw.MethodResponse(
                    status_code="405", response_parameters={"method.response.header.Allow": True})],
            ),
        )
        reason = (f"ANY {path} only answers 405 with the Allow header from a mock integration: no function, no "
                  "data; a caller needs no credentials to learn which methods a path accepts (the OpenAPI says).")
        acknowledge(method, "AwsSolutions-APIG4", reason)
        acknowledge(method, "AwsSolutions-COG4", reason)
        return method
