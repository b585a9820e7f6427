"""The results importer: a Lambda run by an EventBridge schedule every 15 minutes."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from constructs import Construct

from infra.config import DeployConfig
from infra.constructs.code_assets import CodeAssets
from infra.constructs.function import ExamdeskFunction, FunctionRole

IMPORTER_HANDLER = "functions.jobs.import_results.lambda_handler"
SCHEDULE = events.Schedule.rate(Duration.minutes(15))


class ImporterSchedule(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        table: dynamodb.Table,
        assets: CodeAssets,
        config: DeployConfig,
    ) -> None:
        super().__init__(scope, construct_id)
        role = FunctionRole(
            self, "Role", group="importer", description="examdesk results importer: read/write table access"
        )
        role.grant_table(table, write=True)
        self.function = ExamdeskFunction(
            self,
            "Importer",
            name="import-results",
            handler=IMPORTER_HANDLER,
            description="Imports pending external-test results (runs every 15 minutes)",
            role=role,
            assets=assets,
            table=table,
            config=config,
            # Calls external providers for a batch of pending imports; well inside the 15-minute period.
            timeout=Duration.minutes(5),
        ).function
        self.rule = events.Rule(
            self,
            "Every15Minutes",
            description="Run the examdesk results importer",
            schedule=SCHEDULE,
            targets=[targets.LambdaFunction(self.function, retry_attempts=2, max_event_age=Duration.minutes(15))],
        )
