"""One Lambda per route (plus the importer and the credential sweep; no authorizer), all with the same runtime
settings."""

from __future__ import annotations

import json
from typing import Any

import pytest

from functions.platform import settings
from functions.routes import ROUTES
from infra.config import LAMBDA_PYTHON
from infra.constructs import bytecode
from infra.constructs.backfill_job import BACKFILL_HANDLER
from infra.constructs.identity import SWEEP_HANDLER
from infra.constructs.importer_schedule import IMPORTER_HANDLER
from infra.constructs.prewarm_schedule import PREWARM_HANDLER
from tests.infra.conftest import JWKS_URL, Synth

# One xdist worker runs them all (make test uses --dist loadgroup): the app is synthesized once.
pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("infra")]

ALL_HANDLERS = [route.handler for route in ROUTES] + [IMPORTER_HANDLER, SWEEP_HANDLER, PREWARM_HANDLER,
                                                      BACKFILL_HANDLER]


def test_one_function_per_route_plus_importer_credential_sweep_prewarm_and_backfill(synth: Synth) -> None:
    assert len(synth.of_type("AWS::Lambda::Function")) == len(ROUTES) + 4  # no authorizer
    assert sorted(synth.functions_by_handler()) == sorted(ALL_HANDLERS)


@pytest.mark.parametrize("handler", ALL_HANDLERS)
def test_each_handler_is_on_exactly_one_function(synth: Synth, handler: str) -> None:
    assert len(synth.functions_by_handler().get(handler, [])) == 1


def _props(synth: Synth) -> list[tuple[str, dict[str, Any]]]:
    return [(k, v["Properties"]) for k, v in synth.of_type("AWS::Lambda::Function").items()]


def test_route_functions_are_named_after_the_stack_and_route(synth: Synth) -> None:
    for route in ROUTES:
        _, fn = synth.function_for(route.handler)
        assert fn["Properties"]["FunctionName"] == f"{synth.stack.stack_name}-{route.name}"


def test_runtime_settings_are_shared(synth: Synth) -> None:
    (layer_id,) = synth.of_type("AWS::Lambda::LayerVersion")
    for logical_id, props in _props(synth):
        assert props["Runtime"] == f"python{LAMBDA_PYTHON}", logical_id
        assert props["Architectures"] == ["arm64"], logical_id
        assert props["MemorySize"] == (1769 if logical_id.startswith("Importer") else 512), logical_id
        assert props["TracingConfig"] == {"Mode": "Active"}, logical_id
        assert props["LoggingConfig"]["LogFormat"] == "JSON", logical_id
        assert props["Layers"] == [{"Ref": layer_id}], logical_id
        env = props["Environment"]["Variables"]
        assert env[settings.TABLE_NAME] == {"Ref": _table_logical_id(synth)}
        assert env["POWERTOOLS_SERVICE_NAME"] == "examdesk"
        assert env["POWERTOOLS_METRICS_NAMESPACE"] == "examdesk"
        assert env["POWERTOOLS_LOG_LEVEL"] == props["LoggingConfig"]["ApplicationLogLevel"]


def test_route_functions_time_out_after_10_seconds_or_20_when_calling_providers(synth: Synth) -> None:
    for route in ROUTES:
        _, fn = synth.function_for(route.handler)
        assert fn["Properties"]["Timeout"] == (20 if route.external else 10), route.name


def test_every_function_logs_to_its_own_log_group_with_retention(synth: Synth) -> None:
    log_groups = synth.of_type("AWS::Logs::LogGroup")
    used = [props["LoggingConfig"]["LogGroup"]["Ref"] for _, props in _props(synth)]
    assert len(set(used)) == len(used), "two functions share a log group"
    for ref in used:
        assert log_groups[ref]["Properties"]["RetentionInDays"] > 0
    # No log-retention custom resources (one Lambda-backed resource per function otherwise).
    assert all(g["Properties"]["RetentionInDays"] == 30 for g in log_groups.values() if "LogGroupName" in
               g["Properties"] and str(g["Properties"]["LogGroupName"]).startswith("/examdesk/"))
    assert not synth.of_type("Custom::LogRetention")


def test_routes_get_jwt_settings_to_verify_tokens_themselves(synth: Synth) -> None:
    for route in ROUTES:
        env = synth.function_for(route.handler)[1]["Properties"]["Environment"]["Variables"]
        if route.public:  # signed by its own scheme (the MasteryTrack write-back): no tokens
            assert settings.JWKS_URL not in env
            continue
        assert env[settings.JWT_ISSUER] == "examdesk"
        assert env[settings.JWT_AUDIENCE] == "examdesk-api"
        assert env[settings.JWKS_URL] == JWKS_URL
    for handler in (IMPORTER_HANDLER, SWEEP_HANDLER, BACKFILL_HANDLER):  # no caller to verify
        assert settings.JWKS_URL not in synth.function_for(handler)[1]["Properties"]["Environment"]["Variables"]


def test_code_asset_is_a_staged_copy_of_functions_only(synth: Synth) -> None:
    _, fn = synth.function_for(ROUTES[0].handler)
    key = fn["Properties"]["Code"]["S3Key"]
    asset_dir = synth.outdir / f"asset.{key.removesuffix('.zip')}"
    assert sorted(p.name for p in asset_dir.iterdir()) == ["functions"]
    assert (asset_dir / "functions" / "routes.py").is_file()
    # Bytecode for the runtime's Python, unchecked-hash (PEP 552 flags = 1): a cold start compiles nothing.
    sources = sorted(asset_dir.rglob("*.py"))
    compiled = {p.parent.parent / (p.name.split(".")[0] + ".py"): p for p in asset_dir.rglob("*.pyc")}
    if bytecode.can_compile():
        assert set(compiled) == set(sources)
        for path in compiled.values():
            assert path.name.endswith(f".cpython-{LAMBDA_PYTHON.replace('.', '')}.pyc")
            assert int.from_bytes(path.read_bytes()[4:8], "little") == 1, path
    else:
        assert not compiled
    # Every function runs the same asset.
    assert {props["Code"]["S3Key"] for _, props in _props(synth)} == {key}


def _table_logical_id(synth: Synth) -> str:
    (logical_id,) = synth.of_type("AWS::DynamoDB::Table")
    return logical_id


def test_the_backfill_is_invoked_by_operators_only(synth: Synth) -> None:
    """No schedule, no route, no permission for any service to invoke it; Lambda's longest timeout, which a run's
    time limit stays under (core/backfill.MAX_SECONDS) so that it answers its cursor."""
    from functions.core.backfill import MAX_SECONDS

    fn_id, fn = synth.function_for(BACKFILL_HANDLER)
    assert fn["Properties"]["Timeout"] == 900 and MAX_SECONDS + 30 <= 900
    assert fn["Properties"]["FunctionName"] == f"{synth.stack.stack_name}-backfill-lists"
    for kind in ("AWS::Lambda::Permission", "AWS::Events::Rule", "AWS::Lambda::EventSourceMapping"):
        for resource in synth.of_type(kind).values():
            assert fn_id not in json.dumps(resource), kind
