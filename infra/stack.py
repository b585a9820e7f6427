"""The examdesk stack: composes the constructs in infra/constructs and nothing else."""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Stack
from constructs import Construct

from functions.routes import ROUTES
from infra.config import FUNCTIONS_DIR, PYPROJECT, UV_LOCK, DeployConfig
from infra.constructs.api import Api
from infra.constructs.authorizer import AuthorizerFunction
from infra.constructs.code_assets import CodeAssets
from infra.constructs.identity import CREDENTIAL_ROUTES, Identity
from infra.constructs.importer_schedule import ImporterSchedule
from infra.constructs.route_functions import RouteFunctions
from infra.constructs.table import ExamTable


class ExamdeskStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, *, config: DeployConfig, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        table = ExamTable(self, "ExamTable").table
        assets = CodeAssets(self, "Code", functions_dir=FUNCTIONS_DIR, pyproject=PYPROJECT, uv_lock=UV_LOCK)
        self.route_functions = RouteFunctions(
            self, "RouteFunctions", routes=ROUTES, table=table, assets=assets, config=config
        )
        authorizer = AuthorizerFunction(self, "Authorizer", table=table, assets=assets, config=config)
        self.api = Api(
            self,
            "Api",
            routes=ROUTES,
            functions=self.route_functions.functions,
            authorizer_function=authorizer.function,
            config=config,
        )
        # OAuth2 for machine clients (Cognito): its tokens for the authorizer, its app clients for credentials.
        self.identity = Identity(self, "Identity", table=table, assets=assets, config=config)
        self.identity.connect(authorizer.function, [self.route_functions.functions[n] for n in CREDENTIAL_ROUTES])
        self.importer = ImporterSchedule(self, "Importer", table=table, assets=assets, config=config)

        CfnOutput(self, "ApiUrl", value=self.api.rest_api.url)
        CfnOutput(self, "TableName", value=table.table_name)
