"""The examdesk stack: composes the constructs in infra/constructs and nothing else.

The parent stack holds what routes share; each dialect's routes are a nested stack (route_functions.py).
``routes`` and ``actions`` default to the registry and the recorded DynamoDB actions; tests pass others (a
doubled registry: tests/infra/test_resource_count.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aws_cdk import CfnOutput, Stack
from constructs import Construct

from functions.routes import ROUTES, Route
from infra.config import FUNCTIONS_DIR, PYPROJECT, UV_LOCK, DeployConfig
from infra.constructs.api import Api
from infra.constructs.backfill_job import BackfillJob
from infra.constructs.code_assets import CodeAssets
from infra.constructs.identity import Identity
from infra.constructs.importer_schedule import ImporterSchedule
from infra.constructs.monitoring import Monitoring
from infra.constructs.permissions import load_actions
from infra.constructs.prewarm_schedule import PrewarmSchedule
from infra.constructs.route_functions import RouteFunctions
from infra.constructs.table import ExamTable
from infra.constructs.waf import ApiFirewall


class ExamdeskStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, *, config: DeployConfig,
                 routes: Sequence[Route] = ROUTES, actions: dict[str, frozenset[str]] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        actions = load_actions() if actions is None else actions
        table = ExamTable(self, "ExamTable").table
        assets = CodeAssets(self, "Code", functions_dir=FUNCTIONS_DIR, pyproject=PYPROJECT, uv_lock=UV_LOCK)
        self.monitoring = Monitoring(self, "Monitoring", config=config)
        # OAuth2 for machine clients (Cognito): its tokens verified by every route, its app clients for credentials.
        self.identity = Identity(self, "Identity", table=table, assets=assets, config=config, actions=actions)
        self.api = Api(self, "Api", routes=routes, config=config)
        self.route_functions = RouteFunctions(self, "RouteFunctions", routes=routes, actions=actions, api=self.api,
                                              monitoring=self.monitoring, table=table, assets=assets, config=config,
                                              identity=self.identity)
        self.importer = ImporterSchedule(self, "Importer", table=table, assets=assets, config=config, actions=actions)
        self.prewarm = PrewarmSchedule(self, "Prewarm", table=table, assets=assets, config=config, actions=actions,
                                       aliases=self.route_functions.aliases)
        # The operator's one-off list backfill (docs/operations.md): no schedule, no route.
        self.backfill = BackfillJob(self, "Backfill", table=table, assets=assets, config=config, actions=actions)

        self.firewall = ApiFirewall(self, "Firewall", stage=self.api.rest_api.deployment_stage, config=config)
        self.monitoring.watch_api(self.api.rest_api)
        self.monitoring.watch_table(table)
        self.monitoring.watch_importer(self.importer.function, self.importer.dead_letters)
        self.monitoring.watch_function(self.monitoring, "Importer", self.importer.function, self.importer.timeout)
        self.monitoring.watch_function(self.monitoring, "CredentialSweep", self.identity.sweep,
                                       self.identity.sweep_timeout)
        self.monitoring.watch_dead_letters("CredentialSweep", self.identity.dead_letters)
        self.monitoring.watch_function(self.monitoring, "Prewarm", self.prewarm.function, self.prewarm.timeout)
        self.monitoring.watch_dead_letters("Prewarm", self.prewarm.dead_letters)
        self.monitoring.watch_function(self.monitoring, "Backfill", self.backfill.function, self.backfill.timeout)

        CfnOutput(self, "ApiUrl", value=self.api.rest_api.url)
        CfnOutput(self, "TableName", value=table.table_name)
        CfnOutput(self, "AlarmTopicArn", value=self.monitoring.topic.topic_arn)
        CfnOutput(self, "DashboardName", value=self.monitoring.dashboard.dashboard_name)
