"""The published Open edX spec (../shared/specs/openedx-instructor-v2-special-exams.swagger.yaml), unamended,
run by schemathesis (PyPI, its CLI) against the local runner on DynamoDB Local, authenticated as irene with Open
edX's ``Authorization: JWT <token>``: all phases (examples, coverage, fuzzing, stateful) and all checks. Every
response must match the spec's schemas and content types, every status must be one the spec documents for the
operation or one of the gateway-level statuses every route shares (tests/contract/openedx_checks.py), every
schema-valid request must be accepted and every schema-violating one rejected, and no request may get a server
error. Methods the spec does not declare (OPTIONS, TRACE, QUERY, ...) must be a 405 with ``Allow``.

Two runs: one with generated course ids (irene is refused: 403 in the spec's error shape) and one pinned to
the demo's Open edX course ``course-v1:edX+DemoX+Demo_Course`` with dictionaries of its real learners,
exams, allowance types and values, so grants, removals, bulk grants and a reset succeed and their answers
are checked too. ``make fuzz`` runs the same with many more examples (FUZZ_EXAMPLES).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from functions.core.numeric_ids import Kind, number
from infra.local.demo_data import OPENEDX_COURSE

pytestmark = [pytest.mark.e2e, pytest.mark.contract, pytest.mark.xdist_group("e2e")]

ROOT = Path(__file__).resolve().parents[2]
# A verbatim copy of the published spec (Swagger 2.0), kept in the repository so a clean clone tests against it
# with nothing beside it; test_the_copy_is_the_published_spec compares the two.
SPEC = ROOT / "tests" / "fixtures" / "specs" / "openedx-instructor-v2-special-exams.swagger.yaml"
SHARED_SPEC = ROOT.parent / "shared" / "specs" / SPEC.name
ST = Path(sys.executable).with_name("st")
# Examples per operation: bounded for make test (the generated-ids run uses half: it mostly meets 403s);
# make fuzz sets FUZZ_EXAMPLES for a long run.
MAX_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", 20))
SEED = 20240401  # fixed so a failure reproduces; change it to explore other inputs
# The one check replaced, and why: the spec documents per operation only what edX's views answer; API Gateway
# also answers 401/403/404/405/413/429/503 on every route by itself. Its replacement is the same check widened by
# exactly those (tests/contract/openedx_checks.py). Every other check runs as schemathesis ships it.
REPLACED_CHECKS = {"status_code_conformance": "documented_or_gateway_status",
                   # our documented refusal of control characters in strings (openedx_checks.py, docs/openedx.md)
                   "positive_data_acceptance": "accepted_unless_control_characters"}
# Checks left out for one operation, and why (docs/openedx.md lists them too).
EXCLUSIONS = {
    # The spec types proctoring_escalation_email as any string; edX validates it as an address, and so do we:
    # "7\b" is refused with the 400 the operation documents, never stored as where escalations go.
    ("updateProctoringSettings", "accepted_unless_control_characters"):
        "an escalation email that is not an address is a 400 (documented for this operation)",
}


def checks_config() -> str:
    """All checks (schemathesis' default) but the replaced one; the per-operation exclusions. In the config
    file, not on the command line: a check named there would override an operation's ``enabled = false``."""
    replaced = "".join(f"{check}.enabled = false\n" for check in REPLACED_CHECKS)
    return f"[checks]\n{replaced}" + "".join(f'\n[[operations]]\ninclude-operation-id = "{operation}"\n'
                                              f"checks.{check}.enabled = false\n" for operation, check in EXCLUSIONS)


def demo_course_config() -> str:
    exams = [number(Kind.EXAM, e) for e in ("edx-demo-proctored", "edx-demo-timed", "edx-demo-practice")]
    return f"""
[dictionaries.learners]
values = ["kevin", "maria", "maria@example.edu", "nobody"]
[dictionaries.types]
values = ["additional_time_granted", "time_multiplier", "review_policy_exception"]
[dictionaries.values]
values = ["15", "1.5", "May use a scribe"]
[dictionaries.exams]
values = {exams}
[dictionaries.usernames]
values = ["kevin", "maria", "nobody"]

[parameters]
"path.course_id" = "{OPENEDX_COURSE}"
"path.exam_id" = {exams[0]}
"path.username" = {{ dictionary = "usernames", probability = 0.5 }}
"body.user_ids[*]" = {{ dictionary = "learners", probability = 0.9 }}
"body.allowance_type" = {{ dictionary = "types", probability = 0.9 }}
"body.value" = {{ dictionary = "values", probability = 0.9 }}
"body.exam_ids[*]" = {{ dictionary = "exams", probability = 0.9 }}

[[operations]]
include-operation-id = "resetExamAttempt"
parameters = {{ "path.exam_id" = {exams[1]} }}
"""


def run_schemathesis(api: Any, folder: Path, extra_config: str, examples: int
                     ) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    config_file, report = folder / "schemathesis.toml", folder / "report.json"
    config_file.write_text(checks_config() + extra_config)
    command = [str(ST), "--config-file", str(config_file), "--no-color", "run", str(SPEC), "--url", api.base,
               "-H", f"Authorization: JWT {api.token('irene')}", "--max-examples", str(examples),
               "--seed", str(SEED), "--workers", "1", "--request-timeout", "30",
               "--report", "json", "--report-json-path", str(report)]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "tests.contract.openedx_checks", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(command, capture_output=True, text=True, timeout=1800, cwd=folder, env=env)
    return done, json.loads(report.read_text()) if report.exists() else {}


@pytest.mark.parametrize("scope", ["generated course ids", "the demo Open edX course"])
def test_every_response_conforms_to_the_published_spec(api, tmp_path, scope):
    demo = "demo" in scope
    done, report = run_schemathesis(api, tmp_path, demo_course_config() if demo else "",
                                    MAX_EXAMPLES if demo else MAX_EXAMPLES // 2)
    cases = report.get("test_cases", {})
    summary = (f"schemathesis ({scope}): {report.get('operations', {}).get('tested')} operations, "
               f"{cases.get('generated')} cases, {cases.get('with_failures')} with failures, "
               f"{len(report.get('errors', []))} errors")
    print(summary)
    assert done.returncode == 0, f"{summary}\n{done.stdout[-15000:]}\n{done.stderr[-3000:]}"
    assert report["operations"]["tested"] == 11 and cases["with_failures"] == 0 and cases["generated"] > 100
    if demo:  # the writes were reached and succeeded, not only refused
        rates = report["valid_rates"]
        for operation in ("POST /api/instructor/v2/courses/{course_id}/special_exams/{exam_id}/allowance",
                          "DELETE /api/instructor/v2/courses/{course_id}/special_exams/{exam_id}/allowance",
                          "POST /api/instructor/v2/courses/{course_id}/special_exams/allowances"):
            assert sum(phase["accepted"] for phase in rates[operation].values()) > 0, operation


@pytest.mark.skipif(not SHARED_SPEC.exists(), reason="no ../shared beside this clone")
def test_the_copy_is_the_published_spec():
    assert SPEC.read_bytes() == SHARED_SPEC.read_bytes()


def test_the_spec_is_run_as_published():
    """No amendment: the file schemathesis reads is the published one, and the replaced check is defined."""
    from tests.contract import openedx_checks

    assert yaml.safe_load(SPEC.read_text())["swagger"] == "2.0"
    assert all(hasattr(openedx_checks, name) for name in REPLACED_CHECKS.values())
