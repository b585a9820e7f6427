"""The list backfill: an operator's one-off job (functions/jobs/backfill_lists.py; runbook: docs/operations.md,
"Backfilling the lists"). No schedule and no API route: an operator invokes it from the Lambda console or
``aws lambda invoke``, one invocation per Scan segment. Its role is its own and the only one that may Scan the
table (infra/dynamodb_actions.json, ``backfill-lists``); nothing else may invoke it."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct

from infra.config import DeployConfig
from infra.constructs.code_assets import CodeAssets
from infra.constructs.function import ExamdeskFunction
from infra.constructs.nag import acknowledge
from infra.constructs.permissions import BACKFILL, make_role, needs_of

BACKFILL_HANDLER = "functions.jobs.backfill_lists.lambda_handler"
TIMEOUT = Duration.minutes(15)  # Lambda's longest; a run stops scanning by core/backfill.MAX_SECONDS to answer


class BackfillJob(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, table: dynamodb.Table, assets: CodeAssets,
                 config: DeployConfig, actions: dict[str, frozenset[str]]) -> None:
        super().__init__(scope, construct_id)
        self.role = make_role(self, "Role", needs=needs_of(BACKFILL, actions), table=table, config=config,
                              description="examdesk list backfill (operator's job)")
        function = ExamdeskFunction(
            self,
            "Backfill",
            name=BACKFILL,
            handler=BACKFILL_HANDLER,
            description="Operator's one-off job: moves items written before the write-sharded lists to their "
                        "current shapes (dry run unless the event says dry_run false)",
            role=self.role,
            assets=assets,
            table=table,
            config=config,
            timeout=TIMEOUT,
            synchronous=False,
        )
        acknowledge(function.function, "Serverless-LambdaDLQ",
                    "Invoked only by an operator, synchronously (console test or aws lambda invoke): the answer "
                    "or the error goes back to the operator, who re-runs from the answered cursor; no event is "
                    "ever queued for it.")
        self.function = function.function
        self.timeout = function.timeout
