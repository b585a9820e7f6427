"""What every examdesk Lambda shares: runtime, architecture, logging, tracing, layer, and a shared role."""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import ArnFormat, CfnElement, Duration, RemovalPolicy, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from functions.platform import settings
from infra.config import DeployConfig
from infra.constructs.code_assets import ARCHITECTURE, RUNTIME, CodeAssets
from infra.constructs.nag import acknowledge

SERVICE = "examdesk"
LOG_RETENTION = logs.RetentionDays.ONE_MONTH
MAX_FUNCTION_NAME = 64


def log_group_prefix(scope: Construct, group: str) -> str:
    """``/examdesk/<stack>/<group>/``: one prefix per role, so a role's log grant is one ARN, not one per
    function (a per-function list would outgrow IAM's 10 KB inline-policy limit at ~60 routes)."""
    return f"/{SERVICE}/{Stack.of(scope).stack_name}/{group}/"


def _logical_id(resource: Construct) -> str:
    stack = Stack.of(resource)
    child = resource.node.default_child
    assert isinstance(child, CfnElement)
    return str(stack.resolve(stack.get_logical_id(child)))


class FunctionRole(Construct):
    """One execution role shared by a group of functions: CloudFormation counts one role, not one per route.

    No AWS managed policy (AWSLambdaBasicExecutionRole allows every log group in the account); log writes
    are scoped to this group's log-group prefix.
    """

    def __init__(self, scope: Construct, construct_id: str, *, group: str, description: str) -> None:
        super().__init__(scope, construct_id)
        self.log_group_prefix = log_group_prefix(self, group)
        self.role = iam.Role(
            self, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"), description=description
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
            "Log writes are scoped to this role's own log-group prefix (its functions' explicit log groups, "
            "created in this stack); the wildcard only covers their log streams.",
        )
        acknowledge(
            self.role,
            "AwsSolutions-IAM5[Resource::*]",
            "X-Ray PutTraceSegments/PutTelemetryRecords (added by active tracing) support no resource-level "
            "permissions; AWS documents Resource '*' for them.",
        )

    def grant_table(self, table: dynamodb.Table, *, write: bool) -> None:
        """Read (GetItem, Query, Scan, BatchGetItem...) or read/write on the table and its indexes."""
        if write:
            table.grant_read_write_data(self.role)
        else:
            table.grant_read_data(self.role)
        acknowledge(
            self.role,
            f"AwsSolutions-IAM5[Resource::<{_logical_id(table)}.Arn>/index/*]",
            "Queries on this table's own GSIs (declared in functions/data/keys.py); the wildcard is "
            "limited to index ARNs of this one table.",
        )


class ExamdeskFunction(Construct):
    """A Python 3.12 arm64 Lambda on the shared code asset and layer, with its own log group."""

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
    ) -> None:
        super().__init__(scope, construct_id)
        # A predictable name (<stack>-<route>) so operators find and invoke a route's function directly.
        function_name = f"{Stack.of(self).stack_name}-{name}"
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
            code=assets.code,
            layers=[assets.layer],
            role=role.role,
            memory_size=memory_size,
            timeout=timeout,
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
        acknowledge(
            self.function,
            "AwsSolutions-L1",
            "Pinned to Python 3.12 on purpose: the layer's wheels are built for cp312 (pip --python-version "
            "3.12) and the code is tested on 3.12; moving runtimes is a deliberate, tested change.",
        )
