"""One Lambda per route in functions/routes.py, in a nested stack per dialect with its API methods and alarms.

A dialect's stack holds, per route: the function, its log group, its API method and invoke permission, and its
three alarms; per path, the ``ANY`` method that answers 405. The parent stack keeps what routes share (the
table, the API and its path resources, the roles, the monitoring topic and dashboard). This is what lets the
registry double without reaching CloudFormation's 500 resources or 1 MB per template
(tests/infra/test_resource_count.py synthesizes a doubled registry).

Each function's role is the shared role of the functions with the same needs (infra/constructs/permissions.py).
Every non-public route verifies its callers' credentials itself (functions/platform/auth.py): it gets the token
issuers' settings (``auth_environment``) and reads credential records with the GetItem its entry lists.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Annotations, Duration, NestedStack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from functions.core import prewarm
from functions.platform import settings
from functions.routes import Route
from infra.config import JWKS_URL as JWKS_URL_KEY
from infra.config import DeployConfig
from infra.constructs.api import Api
from infra.constructs.code_assets import CodeAssets
from infra.constructs.function import ExamdeskFunction
from infra.constructs.identity import CREDENTIAL_ROUTES, Identity
from infra.constructs.monitoring import Monitoring
from infra.constructs.nag import acknowledge_lint
from infra.constructs.permissions import SharedRoles, needs_of
from infra.constructs.providers import provider_environment, secrets_of

# A provider call is up to 3 attempts of 3 s with backoff: room for that, inside API Gateway's 29 s.
EXTERNAL_TIMEOUT = Duration.seconds(20)
DEFAULT_TIMEOUT = Duration.seconds(10)


def auth_environment(config: DeployConfig, identity: Identity) -> dict[str, str]:
    """What a route needs to verify credentials: the users' token issuer, audience and JWKS, the OAuth clients'
    token issuer (Cognito), and how long it keeps a credential record (the revocation delay)."""
    environment = {settings.JWT_ISSUER: config.jwt_issuer, settings.JWT_AUDIENCE: config.jwt_audience,
                   settings.CREDENTIAL_CACHE_SECONDS: str(settings.DEFAULT_CREDENTIAL_CACHE_SECONDS),
                   **identity.token_environment}
    if config.jwks_url:
        environment[settings.JWKS_URL] = config.jwks_url
    return environment


class DialectStack(NestedStack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        routes: Sequence[Route],
        not_allowed: dict[str, list[str]],
        roles: SharedRoles,
        actions: dict[str, frozenset[str]],
        api: Api,
        monitoring: Monitoring,
        table: dynamodb.Table,
        assets: CodeAssets,
        config: DeployConfig,
        identity: Identity,
    ) -> None:
        super().__init__(scope, construct_id, description=f"examdesk {construct_id}: routes, methods, alarms")
        self.functions: dict[str, lambda_.Function] = {}
        self.aliases: dict[str, lambda_.Alias] = {}
        for route in routes:
            secrets = secrets_of(route)
            needs = needs_of(route.name, actions, secrets, cognito=route.name in CREDENTIAL_ROUTES)
            role = roles.role_for(route.name, needs)
            environment = {settings.API_BASE_URL: api.base_url}
            if not route.public:
                environment.update(auth_environment(config, identity))
            if secrets:
                environment.update(provider_environment(config, secrets))
            if needs.cognito:
                environment.update(identity.client_environment)
            built = ExamdeskFunction(
                self,
                route.name,
                name=route.name,
                handler=route.handler,
                description=f"{route.method} {route.path}: {route.summary}",
                role=role,
                assets=assets,
                table=table,
                config=config,
                environment=environment,
                timeout=EXTERNAL_TIMEOUT if route.external else DEFAULT_TIMEOUT,
            )
            self.functions[route.name] = built.function
            target: lambda_.IFunction = built.function
            if route.name in prewarm.ROUTES:
                # An exam-day function: API Gateway invokes its ``live`` alias (a published version), on which
                # the pre-warm job sets provisioned concurrency around exams' opens and closes.
                target = self.aliases[route.name] = lambda_.Alias(
                    self, f"{route.name}Live", alias_name=prewarm.ALIAS, version=built.function.current_version)
            api.add_route(self, route, target)
            monitoring.watch_function(self, route.name, built.function, built.timeout)
        for path, methods in not_allowed.items():
            api.add_method_not_allowed(self, path, methods)


class RouteFunctions(Construct):
    """The dialects' nested stacks; ``functions`` maps every route name to its function, ``aliases`` each
    exam-day route (functions/core/prewarm.py) to the ``live`` alias API Gateway invokes."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        routes: Sequence[Route],
        actions: dict[str, frozenset[str]],
        api: Api,
        monitoring: Monitoring,
        table: dynamodb.Table,
        assets: CodeAssets,
        config: DeployConfig,
        identity: Identity,
    ) -> None:
        super().__init__(scope, construct_id)
        names = [route.name for route in routes]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"route names declared twice: {duplicates}")
        for route in routes:
            if route.access not in ("read", "write"):  # fail closed: an unknown access level is refused
                raise ValueError(f"route {route.name}: access must be 'read' or 'write', got {route.access!r}")
        self.roles = SharedRoles(self, "Roles", table=table, config=config, cognito=identity.client_statement)
        if not config.jwks_url:  # a synth/deploy-time warning, not an error: keys still work and tests need no JWKS
            Annotations.of(self).add_warning_v2(
                "examdesk:noJwksUrl",
                f"context {JWKS_URL_KEY} is not set: the deployed routes cannot verify users' bearer tokens "
                "(see docs/deploy.md)")
        self.stacks: dict[str, DialectStack] = {}
        self.functions: dict[str, lambda_.Function] = {}
        self.aliases: dict[str, lambda_.Alias] = {}
        by_dialect: dict[str, list[Route]] = {}
        allowed: dict[str, list[str]] = {}
        owner: dict[str, str] = {}  # a path's 405 method goes in the stack of the first dialect that uses it
        for route in routes:
            by_dialect.setdefault(route.dialect, []).append(route)
            allowed.setdefault(route.path, []).append(route.method)
            owner.setdefault(route.path, route.dialect)
        for dialect, members in by_dialect.items():
            paths = {path: allowed[path] for path in allowed if owner[path] == dialect}
            stack = DialectStack(self, f"{dialect.title()}Routes", routes=members, not_allowed=paths,
                                 roles=self.roles, actions=actions,
                                 api=api, monitoring=monitoring, table=table, assets=assets, config=config,
                                 identity=identity)
            self.stacks[dialect] = stack
            assert stack.nested_stack_resource is not None
            acknowledge_lint(stack.nested_stack_resource, "W3005",
                             "CDK makes a nested stack depend on the roles' policies its functions need; the "
                             "GetAtt parameters already imply the roles themselves. Redundant and harmless.")
            self.functions.update(stack.functions)
            self.aliases.update(stack.aliases)
