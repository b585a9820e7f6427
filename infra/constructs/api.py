"""The REST API: one method per route (from functions/routes.py), a cached REQUEST authorizer, stage logging."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from functions.platform import settings
from functions.platform.gateway import GATEWAY_HEADERS, GATEWAY_RESPONSES, gateway_body
from functions.routes import Route
from infra.config import DeployConfig
from infra.constructs.nag import acknowledge

AUTHORIZER_CACHE_TTL = Duration.seconds(300)
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
    "principalId": _F.context_authorizer_principal_id(),
    "authorizerError": _F.context_authorizer_error(),
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
        functions: Mapping[str, lambda_.IFunction],
        authorizer_function: lambda_.IFunction,
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
                throttling_rate_limit=config.throttle_rate_limit,
                throttling_burst_limit=config.throttle_burst_limit,
                tracing_enabled=True,
                metrics_enabled=True,
                logging_level=apigw.MethodLoggingLevel.ERROR,
                data_trace_enabled=False,  # full request logging would write tokens and answers to logs
            ),
        )
        self.authorizer = apigw.RequestAuthorizer(
            self,
            "Authorizer",
            handler=authorizer_function,
            identity_sources=[apigw.IdentitySource.header("Authorization")],
            # The cached policy is reused for every method called with the same header: the authorizer
            # must return a policy that covers the whole API, not just event["methodArn"].
            results_cache_ttl=AUTHORIZER_CACHE_TTL,
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

        # Absolute links (pagination, Link headers) are built on this URL, never on request headers
        # (functions/platform/links.py). Built from the API's id, not rest_api.url: that names the stage, which
        # depends on the methods, which depend on these functions (a cycle).
        stack = Stack.of(self)
        base_url = config.api_base_url or (
            f"https://{self.rest_api.rest_api_id}.execute-api.{stack.region}.{stack.url_suffix}/{STAGE}")
        for function in functions.values():
            if isinstance(function, lambda_.Function):
                function.add_environment(settings.API_BASE_URL, base_url)

        self.methods: dict[str, apigw.Method] = {}
        for route in routes:
            resource = self.rest_api.root.resource_for_path(route.path)
            method = resource.add_method(
                route.method,
                # One invoke permission per method (no extra test-invoke permission): keeps the stack small.
                apigw.LambdaIntegration(functions[route.name], allow_test_invoke=False),
                operation_name=route.name,
                authorization_type=apigw.AuthorizationType.NONE if route.public else None,
                authorizer=None if route.public else self.authorizer,
                request_validator=self.validator,
                request_parameters={f"method.request.path.{name}": True for name in route.path_params},
            )
            if route.public:
                reason = f"{route.name} is declared public=True in functions/routes.py: it serves anonymous callers."
                acknowledge(method, "AwsSolutions-APIG4", reason)
                acknowledge(method, "AwsSolutions-COG4", reason)
            self.methods[route.name] = method

        acknowledge(
            self.rest_api,
            "AwsSolutions-COG4",
            "Callers are LMS and proctoring integrations with their own JWTs (JWKS) and API keys, verified by "
            "the Lambda REQUEST authorizer on every non-public method; there is no Cognito user pool.",
        )
        acknowledge(
            self.rest_api,
            "AwsSolutions-APIG2",
            "Path parameters are validated by API Gateway (request validator above); request bodies are "
            "validated in each route's Lambda with pydantic models, the single source of their schemas.",
        )
        acknowledge(
            self.rest_api,
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
            "AmazonAPIGatewayPushToCloudWatchLogs]",
            "The account-level API Gateway logging role uses the AWS managed policy AWS documents for it; "
            "it only lets API Gateway write its own execution and access logs.",
        )
        acknowledge(
            self.rest_api.deployment_stage,
            "AwsSolutions-APIG3",
            "No WAFv2 web ACL yet: stage throttling and the authorizer cover abuse for now; a web ACL is "
            "a per-account cost decision and can be associated with this stage without code changes.",
        )
