"""cdk-nag 3 acknowledgments: CDK's own ``Validations.of(...).acknowledge`` (v3 removed NagSuppressions)."""

from __future__ import annotations

from aws_cdk import Acknowledgment, Validations
from constructs import IConstruct


def acknowledge(scope: IConstruct, rule: str, reason: str) -> None:
    """Acknowledge one cdk-nag finding on ``scope`` and everything below it, with the reason it is accepted.

    ``rule`` is a rule id (``AwsSolutions-L1``) or one finding of it (``AwsSolutions-IAM5[Resource::*]``);
    cdk-nag 3 has no prefix matching, so each finding is named on its own.
    """
    if len(reason.strip()) < 20:
        raise ValueError(f"acknowledging {rule} needs a specific reason, got {reason!r}")
    Validations.of(scope).acknowledge(Acknowledgment(id=rule, reason=reason))
