"""What the functions that call external test providers get: the providers' URLs, references to their secrets
in SSM Parameter Store (resolved and cached by functions/providers/config.py), and the right to read them."""

from __future__ import annotations

from aws_cdk import ArnFormat, Stack
from aws_cdk import aws_iam as iam
from constructs import Construct

from functions.providers import config as provider_config
from infra.config import DeployConfig

# SecureString parameters an operator creates before the first deploy (docs/deploy.md says how).
SECRET_PARAMETERS = {
    provider_config.EDULASTIC_TOKEN: "edulastic-token",
    provider_config.MASTERYTRACK_API_KEY: "masterytrack-api-key",
    provider_config.MASTERYTRACK_WEBHOOK_SECRET: "masterytrack-webhook-secret",
}


def provider_environment(config: DeployConfig) -> dict[str, str]:
    environment = {
        provider_config.EDULASTIC_URL: config.edulastic_url,
        provider_config.MASTERYTRACK_URL: config.masterytrack_url,
        provider_config.MASTERYTRACK_EMAIL: config.masterytrack_email,
        # A pending assignment is looked at again one schedule period later (and backs off from there).
        provider_config.IMPORTER_POLL: str(config.importer_rate_minutes * 60),
    }
    for variable, name in SECRET_PARAMETERS.items():
        environment[variable] = f"ssm:{config.secret_parameter_prefix}{name}"
    return environment


def grant_provider_secrets(scope: Construct, role: iam.IRole, config: DeployConfig) -> None:
    """ssm:GetParameter on exactly the three parameters (SecureStrings under the AWS-managed aws/ssm key,
    whose key policy lets SSM decrypt for principals of the account: no kms grant needed)."""
    stack = Stack.of(scope)
    arns = [
        stack.format_arn(service="ssm", resource="parameter",
                         resource_name=f"{config.secret_parameter_prefix}{name}".lstrip("/"),
                         arn_format=ArnFormat.SLASH_RESOURCE_NAME)
        for name in SECRET_PARAMETERS.values()
    ]
    role.add_to_principal_policy(iam.PolicyStatement(actions=["ssm:GetParameter"], resources=arns))
