"""One Lambda per route in functions/routes.py. Read routes share a read-only role, write routes another, and
the few routes that call external providers a third (write, plus their secrets in SSM)."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Duration
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from functions.routes import Route
from infra.config import DeployConfig
from infra.constructs.code_assets import CodeAssets
from infra.constructs.function import ExamdeskFunction, FunctionRole
from infra.constructs.providers import grant_provider_secrets, provider_environment

# A provider call is up to 3 attempts of 3 s with backoff: room for that, inside API Gateway's 29 s.
EXTERNAL_TIMEOUT = Duration.seconds(20)
DEFAULT_TIMEOUT = Duration.seconds(10)


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
        self.external_role = FunctionRole(
            self, "ExternalRole", group="external",
            description="examdesk routes that call external test providers: read/write table, provider secrets",
        )
        self.external_role.grant_table(table, write=True)
        grant_provider_secrets(self, self.external_role.role, config)
        roles = {"read": self.read_role, "write": self.write_role}

        self.functions: dict[str, lambda_.Function] = {}
        for route in routes:
            if route.access not in roles:  # fail closed: an unknown access level gets no role at all
                raise ValueError(f"route {route.name}: access must be 'read' or 'write', got {route.access!r}")
            if route.name in self.functions:
                raise ValueError(f"route name {route.name} is declared twice")
            external = route.external and route.access == "write"
            self.functions[route.name] = ExamdeskFunction(
                self,
                route.name,
                name=route.name,
                handler=route.handler,
                description=f"{route.method} {route.path}: {route.summary}",
                role=self.external_role if external else roles[route.access],
                assets=assets,
                table=table,
                config=config,
                environment=provider_environment(config) if external else None,
                timeout=EXTERNAL_TIMEOUT if external else DEFAULT_TIMEOUT,
            ).function
