"""One Lambda per route in functions/routes.py; read routes share a read-only role, write routes another."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from functions.routes import Route
from infra.config import DeployConfig
from infra.constructs.code_assets import CodeAssets
from infra.constructs.function import ExamdeskFunction, FunctionRole


class RouteFunctions(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        routes: Sequence[Route],
        table: dynamodb.Table,
        assets: CodeAssets,
        config: DeployConfig,
    ) -> None:
        super().__init__(scope, construct_id)
        self.read_role = FunctionRole(
            self, "ReadRole", group="read", description="examdesk read routes: read-only table access"
        )
        self.read_role.grant_table(table, write=False)
        self.write_role = FunctionRole(
            self, "WriteRole", group="write", description="examdesk write routes: read/write table access"
        )
        self.write_role.grant_table(table, write=True)
        roles = {"read": self.read_role, "write": self.write_role}

        self.functions: dict[str, lambda_.Function] = {}
        for route in routes:
            if route.access not in roles:  # fail closed: an unknown access level gets no role at all
                raise ValueError(f"route {route.name}: access must be 'read' or 'write', got {route.access!r}")
            if route.name in self.functions:
                raise ValueError(f"route name {route.name} is declared twice")
            self.functions[route.name] = ExamdeskFunction(
                self,
                route.name,
                name=route.name,
                handler=route.handler,
                description=f"{route.method} {route.path}: {route.summary}",
                role=roles[route.access],
                assets=assets,
                table=table,
                config=config,
            ).function
