"""The exam-day pre-warm: a Lambda run by an EventBridge schedule every 5 minutes (functions/jobs/prewarm.py).

It sets provisioned concurrency on the exam-day functions' ``live`` aliases (infra/constructs/route_functions.py)
around exams' opens and closes, and releases it after: never always-on (docs/performance.md). Its role may read
its DynamoDB entry's actions (infra/dynamodb_actions.json, ``prewarm``) and get, put and delete the provisioned
concurrency config of those aliases only. Failures take the importer's path (dead_letters.py)."""

from __future__ import annotations

from aws_cdk import Duration, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from functions.core.prewarm import TICK
from functions.platform import settings
from infra.config import DeployConfig
from infra.constructs.code_assets import CodeAssets
from infra.constructs.dead_letters import acknowledge_invoke_config, dead_letter_queue, fail_into
from infra.constructs.function import ExamdeskFunction
from infra.constructs.permissions import PREWARM, make_role, needs_of

PREWARM_HANDLER = "functions.jobs.prewarm.lambda_handler"
PROVISIONED_CONCURRENCY_ACTIONS = ("lambda:GetProvisionedConcurrencyConfig",
                                   "lambda:PutProvisionedConcurrencyConfig",
                                   "lambda:DeleteProvisionedConcurrencyConfig")


class PrewarmSchedule(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, table: dynamodb.Table, assets: CodeAssets,
                 config: DeployConfig, actions: dict[str, frozenset[str]],
                 aliases: dict[str, lambda_.Alias]) -> None:
        super().__init__(scope, construct_id)
        self.role = make_role(self, "Role", needs=needs_of(PREWARM, actions), table=table, config=config,
                              description="examdesk exam-day pre-warm")
        self.role.role.add_to_policy(iam.PolicyStatement(
            actions=list(PROVISIONED_CONCURRENCY_ACTIONS), resources=[a.function_arn for a in aliases.values()]))
        every = Duration.minutes(int(TICK.total_seconds() // 60))
        self.dead_letters = dead_letter_queue(self, "DeadLetters", "pre-warm")
        names = {route: alias.lambda_.function_name for route, alias in sorted(aliases.items())}
        function = ExamdeskFunction(
            self,
            "Prewarm",
            name="prewarm",
            handler=PREWARM_HANDLER,
            description="Provisions the exam-day functions' environments around exams' opens and closes",
            role=self.role,
            assets=assets,
            table=table,
            config=config,
            environment={settings.PREWARM_FUNCTIONS: Stack.of(self).to_json_string(names)},
            timeout=Duration.minutes(1),
            reserved_concurrency=1,  # one pass at a time: two would race on the same configs
            synchronous=False,
        )
        self.function = function.function
        self.timeout = function.timeout
        fail_into(self.function, self.dead_letters, every=every, what="pre-warm")
        self.rule = events.Rule(
            self, "Schedule", description="Run the examdesk exam-day pre-warm every 5 minutes",
            schedule=events.Schedule.rate(every),
            targets=[targets.LambdaFunction(self.function, retry_attempts=1, max_event_age=every,
                                            dead_letter_queue=self.dead_letters)])
        acknowledge_invoke_config(self.rule, "pre-warm")
