"""What each kind of function imports at cold start (issue 8): the heavy modules load only where they are used.

Module sets, not timings (timings are `make bench`'s job): each case imports one function's module in a fresh
interpreter with Lambda's reserved environment (bench/coldstart.py's, so the X-Ray SDK and Powertools behave as
deployed) and reports which of the watched modules were loaded.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bench.coldstart import ROOT, lambda_env
from functions.routes import ROUTES

WATCHED = ("jwt", "cryptography", "requests", "charset_normalizer", "functions.platform.idempotency",
           "functions.providers.edulastic", "functions.providers.masterytrack", "aws_xray_sdk")
# The Open edX services a route builds only when it is theirs (functions/api/openedx/services.py).
OPENEDX_SERVICES = ("functions.core.services.allowances", "functions.core.services.attempt_reports",
                    "functions.core.services.proctoring")
PROBE = """
import json, sys, {module}
from aws_xray_sdk.core import patcher
print(json.dumps({{"loaded": [m for m in {watched!r} if m in sys.modules],
                   "patched": sorted(patcher._PATCHED_MODULES)}}))
"""


def cold_import(module: str) -> dict[str, list[str]]:
    probe = PROBE.format(module=module, watched=WATCHED + OPENEDX_SERVICES)
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=lambda_env(),
                          capture_output=True, text=True, timeout=120, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _first(**match: object) -> str:
    return next(r.import_path for r in ROUTES if all(getattr(r, k) == v for k, v in match.items()))


CASES = {
    "read route": _first(access="read", method="GET", dialect="examspark"),
    "POST write route": _first(access="write", method="POST", dialect="openedx"),
    "provider-calling route": next(r.import_path for r in ROUTES if r.external),
    "importer": "functions.jobs.import_results",
    "Open edX special exams list": "functions.api.openedx.list_special_exams",
}


@pytest.fixture(scope="module")
def loaded() -> dict[str, dict[str, list[str]]]:
    return {label: cold_import(module) for label, module in CASES.items()}


def test_tracer_patches_only_what_we_call_out_with(loaded: dict[str, dict[str, list[str]]]) -> None:
    """botocore (DynamoDB, SSM) and http.client (providers): patching "all" would import requests and friends."""
    for label, found in loaded.items():
        assert found["patched"] == ["botocore", "httplib"], label
        assert "aws_xray_sdk" in found["loaded"], label
        assert not {"requests", "charset_normalizer"} & set(found["loaded"]), label


def test_no_jwt_library_at_import(loaded: dict[str, dict[str, list[str]]]) -> None:
    for label, found in loaded.items():
        assert not {"jwt", "cryptography"} & set(found["loaded"]), label


def test_verifying_a_token_in_a_route_loads_no_jwt_library() -> None:
    """Routes verify credentials themselves (functions/platform/jws.py: the standard library), so pyjwt and
    cryptography (about 90 ms of CPU at cold start) never load, not even for the first request's token."""
    from functions.platform.auth import mint_jwt
    from tests.conftest import TEST_SECRET

    probe = (f"import json, sys, {CASES['read route']}\n"
             "from functions.platform import auth\n"
             f"assert auth.authenticate('Bearer {mint_jwt('kevin', secret=TEST_SECRET)}').subject == 'kevin'\n"
             "print(json.dumps([m for m in ('jwt', 'cryptography') if m in sys.modules]))")
    env = {**lambda_env(), "EXAMDESK_JWT_SECRET": TEST_SECRET}
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120, check=True)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


def test_idempotency_is_loaded_on_a_write_request_not_at_import(loaded: dict[str, dict[str, list[str]]]) -> None:
    for label, found in loaded.items():
        assert "functions.platform.idempotency" not in found["loaded"], label


def test_providers_only_in_the_importer_at_import(loaded: dict[str, dict[str, list[str]]]) -> None:
    """Provider-calling routes load their adapter on the first request that needs it; the importer needs one
    on every pass."""
    providers = {"functions.providers.edulastic", "functions.providers.masterytrack"}
    assert providers & set(loaded["importer"]["loaded"])
    for label in CASES.keys() - {"importer"}:
        assert not providers & set(loaded[label]["loaded"]), label


def test_the_cases_are_what_they_say() -> None:
    names = {r.import_path: r for r in ROUTES}
    assert names[CASES["read route"]].access == "read"
    assert names[CASES["POST write route"]].takes_idempotency_key
    assert names[CASES["provider-calling route"]].external


def test_the_special_exams_list_loads_no_other_open_edx_service(loaded: dict[str, dict[str, list[str]]]) -> None:
    """It was the dearest cold request (1.15x the reference): every Open edX route imported every Open edX
    service, its repositories and the allowance and attempt response models. Each factory imports its own now."""
    assert not set(OPENEDX_SERVICES) & set(loaded["Open edX special exams list"]["loaded"])
    assert "functions.core.services.allowances" in cold_import("functions.api.openedx.grant_allowance")["loaded"]
