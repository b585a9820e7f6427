"""The results importer runs every 15 minutes."""

from __future__ import annotations

import pytest

from infra.constructs.importer_schedule import IMPORTER_HANDLER
from tests.infra.conftest import Synth

# One xdist worker runs them all (make test uses --dist loadgroup): the app is synthesized once.
pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("infra")]


def test_rule_targets_the_importer_every_15_minutes(synth: Synth) -> None:
    importer_id, _ = synth.function_for(IMPORTER_HANDLER)
    (rule,) = synth.of_type("AWS::Events::Rule").values()
    props = rule["Properties"]
    assert props["ScheduleExpression"] == "rate(15 minutes)"
    assert props["State"] == "ENABLED"
    assert [t["Arn"] for t in props["Targets"]] == [{"Fn::GetAtt": [importer_id, "Arn"]}]


def test_eventbridge_may_invoke_the_importer(synth: Synth) -> None:
    importer_id, _ = synth.function_for(IMPORTER_HANDLER)
    principals = {
        p["Properties"]["Principal"]
        for p in synth.of_type("AWS::Lambda::Permission").values()
        if p["Properties"]["FunctionName"] == {"Fn::GetAtt": [importer_id, "Arn"]}
    }
    assert principals == {"events.amazonaws.com"}
