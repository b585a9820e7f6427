"""cfn-lint, with the serverless rules of cfn-lint-serverless, finds nothing in any synthesized template (the
parent and each nested stack) but the findings acknowledged below, each with its reason."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.infra.conftest import Synth

# One xdist worker runs them all (make test uses --dist loadgroup): the app is synthesized once.
pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("infra")]

CFN_LINT = "import sys; from cfnlint.runner import main; sys.exit(main())"  # the cfn-lint script, same venv
SERVERLESS_RULES = "cfn_lint_serverless.rules"
LINT_REASONS = "examdesk:cfn-lint-acknowledged"  # infra/constructs/nag.acknowledge_lint


def lint(templates: list[Path], *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", CFN_LINT, "--append-rules", SERVERLESS_RULES, *extra, "--",
                           *map(str, templates)], capture_output=True, text=True, check=False, timeout=600)


def copies(synth: Synth, tmp_path: Path) -> list[Path]:
    return [Path(shutil.copy(path, tmp_path / path.name)) for path in synth.template_paths]


def test_templates_are_cfn_lint_clean_with_the_serverless_rules(synth: Synth, tmp_path: Path) -> None:
    """No rule is ignored globally: each acknowledged finding is ignored on its own resource only."""
    result = lint(copies(synth, tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_resource_level_acknowledgment_has_a_reason(synth: Synth) -> None:
    acknowledged = 0
    for logical_id, resource in synth.resources.items():
        metadata = resource.get("Metadata", {})
        ignored = metadata.get("cfn-lint", {}).get("config", {}).get("ignore_checks", [])
        reasons = metadata.get(LINT_REASONS, {})
        assert sorted(reasons) == sorted(ignored), logical_id
        assert all(len(reason) >= 20 for reason in reasons.values()), logical_id
        acknowledged += len(ignored)
    assert acknowledged


def test_the_serverless_rules_run(synth: Synth, tmp_path: Path) -> None:
    """Without the resource-level acknowledgments, the serverless rules report what they concern."""
    stripped = []
    for path in copies(synth, tmp_path):
        template = json.loads(path.read_text())
        for resource in template["Resources"].values():
            resource.get("Metadata", {}).pop("cfn-lint", None)
        path.write_text(json.dumps(template))
        stripped.append(path)
    fired = {line.split()[0] for line in lint(stripped).stdout.splitlines() if line[:1] in ("E", "W")}
    assert {"WS1004", "ES6000", "ES7000"} <= fired
