"""What the functions that call external test providers get: the providers' URLs, references to their secrets
in SSM Parameter Store (resolved and cached by functions/providers/config.py), and the right to read them.

Each function gets only the secrets its code reads: the MasteryTrack write-back (public) verifies a signature
with the webhook secret and calls no provider; the routes and the importer that call providers need the
Edulastic token and the MasteryTrack API key, never the webhook secret."""

from __future__ import annotations

from collections.abc import Iterable

from aws_cdk import ArnFormat, Stack
from aws_cdk import aws_iam as iam
from constructs import Construct

from functions.providers import config as provider_config
from functions.routes import Route
from infra.config import DeployConfig

# SecureString parameters an operator creates before the first deploy (docs/deploy.md says how).
SECRET_PARAMETERS = {
    provider_config.EDULASTIC_TOKEN: "edulastic-token",
    provider_config.MASTERYTRACK_API_KEY: "masterytrack-api-key",
    provider_config.MASTERYTRACK_WEBHOOK_SECRET: "masterytrack-webhook-secret",
}
PROVIDER_SECRETS = (provider_config.EDULASTIC_TOKEN, provider_config.MASTERYTRACK_API_KEY)
WEBHOOK_SECRETS = (provider_config.MASTERYTRACK_WEBHOOK_SECRET,)


def secrets_of(route: Route) -> tuple[str, ...]:
    """The secret variables a route's code reads: none, the webhook's own, or the provider credentials."""
    if not route.external:
        return ()
    return WEBHOOK_SECRETS if route.public else PROVIDER_SECRETS


def provider_environment(config: DeployConfig, secrets: Iterable[str] = PROVIDER_SECRETS) -> dict[str, str]:
    secrets = tuple(secrets)
    environment: dict[str, str] = {}
    if set(secrets) & set(PROVIDER_SECRETS):  # provider callers: where the providers are, how often to poll
        environment = {
            provider_config.EDULASTIC_URL: config.edulastic_url,
            provider_config.MASTERYTRACK_URL: config.masterytrack_url,
            provider_config.MASTERYTRACK_EMAIL: config.masterytrack_email,
            # A pending assignment is looked at again one schedule period later (and backs off from there).
            provider_config.IMPORTER_POLL: str(config.importer_rate_minutes * 60),
        }
    for variable in secrets:
        environment[variable] = f"ssm:{config.secret_parameter_prefix}{SECRET_PARAMETERS[variable]}"
    return environment


def secret_arns(scope: Construct, config: DeployConfig, secrets: Iterable[str]) -> list[str]:
    stack = Stack.of(scope)
    return [
        stack.format_arn(service="ssm", resource="parameter",
                         resource_name=f"{config.secret_parameter_prefix}{SECRET_PARAMETERS[v]}".lstrip("/"),
                         arn_format=ArnFormat.SLASH_RESOURCE_NAME)
        for v in sorted(secrets)
    ]


def grant_provider_secrets(scope: Construct, role: iam.IRole, config: DeployConfig,
                           secrets: Iterable[str] = PROVIDER_SECRETS) -> None:
    """ssm:GetParameter on exactly the named parameters (SecureStrings under the AWS-managed aws/ssm key,
    whose key policy lets SSM decrypt for principals of the account: no kms grant needed)."""
    arns = secret_arns(scope, config, secrets)
    if arns:
        role.add_to_principal_policy(iam.PolicyStatement(actions=["ssm:GetParameter"], resources=arns))
