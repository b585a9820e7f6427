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
from infra.constructs.dead_letters import (
    acknowledge_invoke_config,
    dead_letter_queue,
    fail_into,
)
from infra.constructs.function import ExamdeskFunction
from infra.constructs.permissions import IMPORTER, make_role, needs_of
from infra.constructs.providers import PROVIDER_SECRETS, provider_environment

IMPORTER_HANDLER = "functions.jobs.import_results.lambda_handler"
PROVIDER_CALLS_PER_SHARD = 16 // WORK_QUEUE_SHARDS
IMPORTER_MEMORY_MB = 1769  # one full vCPU
RESERVED_CONCURRENCY = WORK_QUEUE_SHARDS + 1  # a tick's shard runs, and an operator's console import


class ImporterSchedule(Construct):
    """The function, its schedule, and its failure path.

    EventBridge invokes asynchronously: Lambda retries a failed run ``RETRY_ATTEMPTS`` times, drops an event
    older than one schedule period (the next tick does the same work), and sends an event that failed every
    attempt to the dead-letter queue (its alarm: infra/constructs/monitoring.py). A run whose event
    EventBridge itself cannot deliver goes to the same queue. Reserved concurrency: one instance per shard, and
    one more for an operator's console import, so a slow tick cannot pile up instances against the providers.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        table: dynamodb.Table,
        assets: CodeAssets,
        config: DeployConfig,
        actions: dict[str, frozenset[str]],
    ) -> None:
        super().__init__(scope, construct_id)
        needs = needs_of(IMPORTER, actions, PROVIDER_SECRETS)
        self.role = make_role(self, "Role", needs=needs, table=table, config=config,
                              description="examdesk results importer")
        minutes = config.importer_rate_minutes
        self.dead_letters = dead_letter_queue(self, "DeadLetters", "importer")
        function = ExamdeskFunction(
            self,
            "Importer",
            name="import-results",
            handler=IMPORTER_HANDLER,
            description=f"Imports pending external-test results (runs every {minutes} minutes)",
            role=self.role,
            assets=assets,
            table=table,
            config=config,
            environment={**provider_environment(config, PROVIDER_SECRETS),
                         IMPORTER_CONCURRENCY: str(PROVIDER_CALLS_PER_SHARD)},
            # A pass stops claiming work before its time is up; the next pass picks up the rest. A pass is bound
            # by CPU (botocore: docs/performance.md), and Lambda gives one full vCPU at 1,769 MB.
            timeout=Duration.minutes(min(5, minutes)),
            memory_size=IMPORTER_MEMORY_MB,
            reserved_concurrency=RESERVED_CONCURRENCY,
            synchronous=False,
        )
        self.function = function.function
        self.timeout = function.timeout
        fail_into(self.function, self.dead_letters, every=Duration.minutes(minutes), what="importer")
        self.rule = events.Rule(
            self,
            "Schedule",
            description=f"Run the examdesk results importer every {minutes} minutes",
            schedule=events.Schedule.rate(Duration.minutes(minutes)),
            targets=[targets.LambdaFunction(self.function, event=events.RuleTargetInput.from_object({"shard": n}),
                                            retry_attempts=2, max_event_age=Duration.minutes(minutes),
                                            dead_letter_queue=self.dead_letters)
                     for n in range(WORK_QUEUE_SHARDS)],
        )
        acknowledge_invoke_config(self.rule, "importer")
