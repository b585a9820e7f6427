"""cfn-lint finds nothing in the synthesized template."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.infra.conftest import Synth

# One xdist worker runs them all (make test uses --dist loadgroup): the app is synthesized once.
pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("infra")]

CFN_LINT = "import sys; from cfnlint.runner import main; sys.exit(main())"  # the cfn-lint script, same venv
IGNORED = [
    # W3005: CDK adds DependsOn on a function's role (to order it after the role's DefaultPolicy); the
    # GetAtt on the role already implies it. Redundant, harmless, and not ours to change.
    "W3005",
]


def test_template_is_cfn_lint_clean(synth: Synth, tmp_path: Path) -> None:
    template = tmp_path / "template.json"
    template.write_text(synth.template_path.read_text())
    result = subprocess.run(
        [sys.executable, "-c", CFN_LINT, "--ignore-checks", *IGNORED, "--", str(template)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
