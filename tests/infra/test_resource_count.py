"""The stack stays well under CloudFormation's 500-resources-per-stack limit as routes are added."""

from __future__ import annotations

import pytest

from functions.routes import ROUTES
from tests.infra.conftest import Synth

# One xdist worker runs them all (make test uses --dist loadgroup): the app is synthesized once.
pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("infra")]

LIMIT = 450  # CloudFormation allows 500; leave headroom for alarms, a WAF, a custom domain
EXPECTED_ROUTES = 60


def test_resource_count_is_under_the_limit(synth: Synth, capsys: pytest.CaptureFixture[str]) -> None:
    count = len(synth.resources)
    # Per route: function + log group + API method + invoke permission (+ new path segments, shared).
    per_route = 4
    path_segments = len(synth.of_type("AWS::ApiGateway::Resource"))
    fixed = count - per_route * len(ROUTES) - path_segments
    projected = fixed + (per_route + path_segments / len(ROUTES)) * EXPECTED_ROUTES
    with capsys.disabled():
        print(
            f"\nCloudFormation resources: {count} for {len(ROUTES)} routes "
            f"(fixed {fixed}, ~{per_route + path_segments / len(ROUTES):.1f} per route; "
            f"~{projected:.0f} projected at {EXPECTED_ROUTES} routes)"
        )
    assert count < LIMIT
