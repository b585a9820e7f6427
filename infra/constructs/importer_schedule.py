"""The results importer: a Lambda run by an EventBridge schedule (every 5 minutes unless configured).

Each tick invokes it once per work-queue shard (``{"shard": n}``): a pass is bound by the CPU its DynamoDB and
provider calls cost (docs/performance.md), so four instances finish a large pass about four times sooner.
Each holds ``PROVIDER_CALLS_PER_SHARD`` provider calls at once: 16 in all, as one whole-queue pass held."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from constructs import Construct

from functions.data.keys import WORK_QUEUE_SHARDS
from functions.providers.config import IMPORTER_CONCURRENCY
from infra.config import DeployConfig
from infra.constructs.code_assets import CodeAssets
from infra.constructs.function import ExamdeskFunction, FunctionRole
from infra.constructs.providers import grant_provider_secrets, provider_environment

IMPORTER_HANDLER = "functions.jobs.import_results.lambda_handler"
PROVIDER_CALLS_PER_SHARD = 16 // WORK_QUEUE_SHARDS
IMPORTER_MEMORY_MB = 1769  # one full vCPU


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
        grant_provider_secrets(self, role.role, config)
        minutes = config.importer_rate_minutes
        self.function = ExamdeskFunction(
            self,
            "Importer",
            name="import-results",
            handler=IMPORTER_HANDLER,
            description=f"Imports pending external-test results (runs every {minutes} minutes)",
            role=role,
            assets=assets,
            table=table,
            config=config,
            environment={**provider_environment(config), IMPORTER_CONCURRENCY: str(PROVIDER_CALLS_PER_SHARD)},
            # A pass stops claiming work before its time is up; the next pass picks up the rest. A pass is bound
            # by CPU (botocore: docs/performance.md), and Lambda gives one full vCPU at 1,769 MB.
            timeout=Duration.minutes(min(5, minutes)),
            memory_size=IMPORTER_MEMORY_MB,
        ).function
        self.rule = events.Rule(
            self,
            "Schedule",
            description=f"Run the examdesk results importer every {minutes} minutes",
            schedule=events.Schedule.rate(Duration.minutes(minutes)),
            targets=[targets.LambdaFunction(self.function, event=events.RuleTargetInput.from_object({"shard": n}),
                                            retry_attempts=2, max_event_age=Duration.minutes(minutes))
                     for n in range(WORK_QUEUE_SHARDS)],
        )
