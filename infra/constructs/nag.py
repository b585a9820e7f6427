"""cdk-nag 3 acknowledgments: CDK's own ``Validations.of(...).acknowledge`` (v3 removed NagSuppressions)."""

from __future__ import annotations

from aws_cdk import Acknowledgment, CfnResource, Validations
from constructs import IConstruct


def acknowledge(scope: IConstruct, rule: str, reason: str) -> None:
    """Acknowledge one cdk-nag finding on ``scope`` and everything below it, with the reason it is accepted.

    ``rule`` is a rule id (``AwsSolutions-L1``) or one finding of it (``AwsSolutions-IAM5[Resource::*]``);
    cdk-nag 3 has no prefix matching, so each finding is named on its own.
    """
    if len(reason.strip()) < 20:
        raise ValueError(f"acknowledging {rule} needs a specific reason, got {reason!r}")
    Validations.of(scope).acknowledge(Acknowledgment(id=rule, reason=reason))


LINT_REASONS = "examdesk:cfn-lint-acknowledged"  # rule -> reason, beside cfn-lint's own ignore list


def acknowledge_lint(resource: IConstruct, rule: str, reason: str) -> None:
    """Acknowledge one cfn-lint rule on one CloudFormation resource (cfn-lint reads the resource's
    ``Metadata.cfn-lint.config.ignore_checks``), with the reason recorded beside it in the template."""
    if len(reason.strip()) < 20:
        raise ValueError(f"acknowledging {rule} needs a specific reason, got {reason!r}")
    cfn = resource if isinstance(resource, CfnResource) else resource.node.default_child
    if not isinstance(cfn, CfnResource):
        raise TypeError(f"{resource.node.path} is not a CloudFormation resource")
    reasons = dict(cfn.get_metadata(LINT_REASONS) or {})
    reasons[rule] = reason
    cfn.add_metadata(LINT_REASONS, reasons)
    cfn.add_metadata("cfn-lint", {"config": {"ignore_checks": sorted(reasons)}})
