"""What every examdesk Lambda shares: runtime, architecture, logging, tracing, layer, and a shared role."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from aws_cdk import ArnFormat, Duration, RemovalPolicy, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from functions.platform import settings
from infra.config import LAMBDA_PYTHON, DeployConfig
from infra.constructs.code_assets import ARCHITECTURE, RUNTIME, CodeAssets
from infra.constructs.nag import acknowledge, acknowledge_lint

SERVICE = "examdesk"
LOG_RETENTION = logs.RetentionDays.ONE_MONTH
MAX_FUNCTION_NAME = 64


def log_group_prefix(config: DeployConfig) -> str:
    """``/examdesk/<stack>/``: every function's log group is under it, so a role's log grant is one ARN, not one
    per function (a per-function list would outgrow IAM's 10 KB inline-policy limit). The top stack's name:
    functions live in nested stacks, whose own names are tokens."""
    return f"/{SERVICE}/{config.stack_name}/"


class FunctionRole(Construct):
    """One execution role shared by the functions whose code makes the same calls (infra/constructs/permissions.py).

    No AWS managed policy (AWSLambdaBasicExecutionRole allows every log group in the account); log writes
    are scoped to the stack's log-group prefix.
    """

    def __init__(self, scope: Construct, construct_id: str, *, config: DeployConfig, description: str) -> None:
        super().__init__(scope, construct_id)
        self.log_group_prefix = log_group_prefix(config)
        self.role = iam.Role(
            self, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"), description=description[:1000]
        )
        stack = Stack.of(self)
        log_groups = stack.format_arn(
            service="logs",
            resource="log-group",
            resource_name=f"{self.log_group_prefix}*",
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )
        self.role.add_to_policy(
            iam.PolicyStatement(actions=["logs:CreateLogStream", "logs:PutLogEvents"], resources=[log_groups])
        )
        acknowledge(
            self.role,
            "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:"
            f"{self.log_group_prefix}*]",
            "Log writes are scoped to this stack's log-group prefix (its functions' explicit log groups, "
            "created in this stack); the wildcard only covers their names and log streams.",
        )
        acknowledge(
            self.role,
            "AwsSolutions-IAM5[Resource::*]",
            "X-Ray PutTraceSegments/PutTelemetryRecords (added by active tracing) support no resource-level "
            "permissions; AWS documents Resource '*' for them.",
        )

    def grant_dynamodb(self, table: dynamodb.Table, actions: Iterable[str]) -> None:
        """Exactly ``actions`` (``GetItem``, ``Query@gsi2``...): item actions on the table's ARN, queries on an
        index on that index's own ARN."""
        on_table = sorted({a for a in actions if "@" not in a})
        on_index: dict[str, set[str]] = {}
        for action in actions:
            if "@" in action:
                name, index = action.split("@", 1)
                on_index.setdefault(name, set()).add(index)
        if on_table:
            self.role.add_to_policy(iam.PolicyStatement(
                actions=[f"dynamodb:{a}" for a in on_table], resources=[table.table_arn]))
        for name, indexes in sorted(on_index.items()):
            self.role.add_to_policy(iam.PolicyStatement(
                actions=[f"dynamodb:{name}"], resources=[f"{table.table_arn}/index/{i}" for i in sorted(indexes)]))


class ExamdeskFunction(Construct):
    """A Python arm64 Lambda (infra/config.LAMBDA_PYTHON) on the shared code asset and layer, with its own log
    group."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        name: str,
        handler: str,
        description: str,
        role: FunctionRole,
        assets: CodeAssets,
        table: dynamodb.ITable,
        config: DeployConfig,
        environment: Mapping[str, str] | None = None,
        timeout: Duration = Duration.seconds(10),
        memory_size: int = 512,
        reserved_concurrency: int | None = None,
        synchronous: bool = True,
    ) -> None:
        super().__init__(scope, construct_id)
        self.timeout = timeout
        # A predictable name (<stack>-<route>) so operators find and invoke a route's function directly.
        function_name = f"{config.stack_name}-{name}"
        if len(function_name) > MAX_FUNCTION_NAME:
            raise ValueError(f"Lambda name {function_name!r} is over {MAX_FUNCTION_NAME} characters")
        # An explicit log group (a plain AWS::Logs::LogGroup, no log-retention custom resource) whose
        # name falls under the role's log prefix.
        self.log_group = logs.LogGroup(
            self,
            "Logs",
            log_group_name=f"{role.log_group_prefix}{name}",
            retention=LOG_RETENTION,
            # Fixed names: a retained group would block re-creating the stack under the same name.
            removal_policy=RemovalPolicy.DESTROY,
        )
        self.function = lambda_.Function(
            self,
            "Function",
            function_name=function_name,
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            handler=handler,
            code=assets.code_for(self),
            layers=[assets.layer],
            role=role.role,
            memory_size=memory_size,
            timeout=timeout,
            reserved_concurrent_executions=reserved_concurrency,
            description=description[:256],
            tracing=lambda_.Tracing.ACTIVE,
            logging_format=lambda_.LoggingFormat.JSON,
            application_log_level_v2=lambda_.ApplicationLogLevel[config.log_level],
            log_group=self.log_group,
            environment={
                settings.TABLE_NAME: table.table_name,
                "POWERTOOLS_SERVICE_NAME": SERVICE,
                "POWERTOOLS_METRICS_NAMESPACE": SERVICE,
                "POWERTOOLS_LOG_LEVEL": config.log_level,
                **(environment or {}),
            },
        )
        acknowledge_lint(self.function, "WS1004",
                         "The rule knows only log groups named /aws/lambda/<function>; this function's log group is "
                         "attached by LoggingConfig.LogGroup, with retention (tests/infra/test_functions.py).")
        acknowledge_lint(self.function, "W3005",
                         "CDK orders the function after its role's policy with DependsOn; the GetAtt on the role "
                         "already implies the role itself. Redundant and harmless, CDK's choice.")
        if synchronous:
            acknowledge(self.function, "Serverless-LambdaDLQ",
                        "Invoked synchronously (by API Gateway): the caller receives the error "
                        "and the Route5xx / Errors alarms count it; a dead-letter queue only serves asynchronous "
                        "invocations.")
        latest = (f"Python {LAMBDA_PYTHON}, set once in infra/config.LAMBDA_PYTHON: the shipped bytecode is "
                  "compiled by an interpreter of the runtime's version, which the build machines have for 3.13 "
                  "(3.14 is a one-line change once they have it; the dependencies ship cp314 wheels).")
        acknowledge(self.function, "Serverless-LambdaLatestVersion", latest)
        acknowledge(
            self.function,
            "AwsSolutions-L1",
            latest,
        )
