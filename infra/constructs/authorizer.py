"""The REQUEST authorizer's function: verifies JWTs (JWKS in AWS) and API keys, reads keys and users.

It has a role of its own holding only what its code calls (infra/dynamodb_actions.json, "authorizer"): it is
invoked for every request, before any rights are checked, so it gets no more than it reads."""

from __future__ import annotations

from aws_cdk import Annotations
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct

from functions.platform import settings
from infra.config import JWKS_URL as JWKS_URL_KEY
from infra.config import DeployConfig
from infra.constructs.code_assets import CodeAssets
from infra.constructs.function import ExamdeskFunction
from infra.constructs.permissions import AUTHORIZER, make_role, needs_of

AUTHORIZER_HANDLER = "functions.platform.authorizer.lambda_handler"


class AuthorizerFunction(Construct):
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
        role = make_role(self, "Role", needs=needs_of(AUTHORIZER, actions), table=table, config=config,
                         description="examdesk authorizer")
        environment = {settings.JWT_ISSUER: config.jwt_issuer, settings.JWT_AUDIENCE: config.jwt_audience}
        if config.jwks_url:
            environment[settings.JWKS_URL] = config.jwks_url
        else:  # a synth/deploy-time warning, not an error: API keys still work and tests need no JWKS
            Annotations.of(self).add_warning_v2(
                "examdesk:noJwksUrl",
                f"context {JWKS_URL_KEY} is not set: the deployed authorizer cannot verify bearer tokens "
                "(see docs/deploy.md)",
            )
        built = ExamdeskFunction(
            self,
            "Authorizer",
            name="authorizer",
            handler=AUTHORIZER_HANDLER,
            description="API Gateway REQUEST authorizer (Authorization header)",
            role=role,
            assets=assets,
            table=table,
            config=config,
            environment=environment,
        )
        self.function = built.function
        self.timeout = built.timeout
