"""cdk-nag's AwsSolutions and Serverless packs pass: nothing unacknowledged, and every acknowledgment is on the
resource it concerns (never a whole stack) and says why."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, CfnResource, Stack, Validations
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Annotations, Match
from cdk_nag import AwsSolutionsChecks, ServerlessChecks

from infra.application import NAG_PACKS
from infra.constructs.nag import acknowledge
from tests.infra.conftest import Synth

# One xdist worker runs them all (make test uses --dist loadgroup): the app is synthesized once.
pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("infra")]

MIN_REASON = 20


def validation_report(synth: Synth) -> dict[str, Any]:
    report: dict[str, Any] = json.loads((synth.outdir / "validation-report.json").read_text())
    return report


def test_no_unacknowledged_findings(synth: Synth) -> None:
    findings = [
        f"{violation['ruleName']} ({violation['severity']}) at "
        + ", ".join(c["constructPath"] for c in violation.get("violatingConstructs", []))
        for plugin in validation_report(synth)["pluginReports"]
        for violation in plugin.get("violations", [])
        if plugin["pluginName"] in ("AwsSolutions", "Serverless") or violation["severity"] in ("error", "fatal")
    ]
    assert findings == []


def test_no_error_annotations(synth: Synth) -> None:
    assert Annotations.from_stack(synth.stack).find_error("*", Match.any_value()) == []


def acknowledgments(synth: Synth) -> list[tuple[Any, str, str]]:
    key = Validations.ACKNOWLEDGED_RULES_METADATA_KEY
    return [
        (construct, rule, reason)
        for construct in synth.stack.node.find_all()
        for entry in construct.node.metadata
        if entry.type == key
        for rule, reason in entry.data.items()
    ]


def test_the_app_runs_the_aws_solutions_and_serverless_packs(tmp_path: Path) -> None:
    """The packs build_app installs catch a finding of each: a queue without TLS (AwsSolutions) and without a
    redrive policy (Serverless)."""
    assert (AwsSolutionsChecks, ServerlessChecks) == NAG_PACKS
    app = App(outdir=str(tmp_path))
    sqs.Queue(Stack(app, "Canary"), "Queue", enforce_ssl=False, encryption=sqs.QueueEncryption.SQS_MANAGED)
    Validations.of(app).add_plugins(*(pack(app) for pack in NAG_PACKS))
    with pytest.raises(Exception, match="AwsSolutions-SQS4") as failure:
        app.synth()
    assert "Serverless-SQSRedrivePolicy" in str(failure.value)


def test_every_acknowledgment_has_a_reason(synth: Synth) -> None:
    acks = acknowledgments(synth)
    assert acks, "expected the stack's acknowledgments to be recorded"
    for construct, rule, reason in acks:
        assert rule.removeprefix("Annotation::").startswith(("AwsSolutions-", "Serverless-")), (construct, rule)
        assert isinstance(reason, str) and len(reason.strip()) >= MIN_REASON, (construct.node.path, rule, reason)


def test_every_acknowledgment_is_scoped_to_a_resource_not_a_stack(synth: Synth) -> None:
    for construct, rule, _ in acknowledgments(synth):
        assert not isinstance(construct, Stack), (construct.node.path, rule)
        resources = [c for c in construct.node.find_all() if isinstance(c, CfnResource)]
        # A construct and what it builds for one purpose (a role and its policy, a method, a function).
        assert 1 <= len(resources) <= 4, (construct.node.path, rule, [r.node.path for r in resources])


def test_print_acknowledged_rules(synth: Synth, capsys: pytest.CaptureFixture[str]) -> None:
    rules = sorted({(rule.removeprefix("Annotation::"), reason) for _, rule, reason in acknowledgments(synth)})
    with capsys.disabled():
        print(f"\ncdk-nag acknowledgments ({len(rules)} distinct):")
        for rule, reason in rules:
            print(f"  {rule}: {reason}")


def test_an_unacknowledged_finding_fails_the_synth(tmp_path: Path) -> None:
    """Canary for the wiring: the plugin runs during synth, and only the named finding is acknowledged."""
    app = App(outdir=str(tmp_path))
    stack = Stack(app, "Canary")
    queue = sqs.Queue(stack, "Queue", enforce_ssl=False)
    acknowledge(queue, "AwsSolutions-SQS3", "A canary queue: no dead-letter queue on purpose.")
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    with pytest.raises(Exception, match="AwsSolutions-SQS4") as failure:
        app.synth()
    assert "AwsSolutions-SQS3" not in str(failure.value)


def test_acknowledging_without_a_reason_is_refused() -> None:
    stack = Stack(App(), "NoReason")
    with pytest.raises(ValueError, match="specific reason"):
        acknowledge(stack, "AwsSolutions-L1", "because")
