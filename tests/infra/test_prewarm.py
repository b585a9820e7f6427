"""The exam-day pre-warm's infrastructure: API Gateway invokes the exam-day functions' ``live`` alias (a published
version), and a job every 5 minutes may set provisioned concurrency on exactly those aliases."""

from __future__ import annotations

import json

import pytest

from functions.core import prewarm
from infra.constructs.prewarm_schedule import PREWARM_HANDLER, PROVISIONED_CONCURRENCY_ACTIONS
from tests.infra.conftest import Synth

pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("infra")]


def _methods(synth: Synth) -> dict[str, dict]:
    return {m["Properties"]["OperationName"]: m for m in synth.of_type("AWS::ApiGateway::Method").values()
            if "OperationName" in m["Properties"]}


def test_the_exam_day_routes_invoke_their_live_alias_and_the_others_their_function(synth: Synth) -> None:
    aliases = synth.of_type("AWS::Lambda::Alias")
    versions = synth.of_type("AWS::Lambda::Version")
    assert len(aliases) == len(prewarm.ROUTES) == len(versions)
    for alias in aliases.values():
        assert alias["Properties"]["Name"] == "live"
        version_id = alias["Properties"]["FunctionVersion"]["Fn::GetAtt"][0]
        assert version_id in versions
    methods = _methods(synth)
    assert set(prewarm.ROUTES) <= set(methods)
    for route, method in methods.items():
        uri = json.dumps(method["Properties"]["Integration"]["Uri"])
        through_alias = [a for a in aliases if a in uri]
        assert len(through_alias) == (1 if route in prewarm.ROUTES else 0), route
    invoked = {json.dumps(p["Properties"]["FunctionName"]) for p in synth.of_type("AWS::Lambda::Permission").values()
               if p["Properties"]["Principal"] == "apigateway.amazonaws.com"}
    assert all(any(a in f for f in invoked) for a in aliases)  # API Gateway may invoke each alias


def test_the_job_runs_every_5_minutes_and_may_touch_only_the_aliases_provisioned_concurrency(synth: Synth) -> None:
    job_id, job = synth.function_for(PREWARM_HANDLER)
    (rule,) = [r for r in synth.of_type("AWS::Events::Rule").values()
               if r["Properties"]["Targets"][0]["Arn"] == {"Fn::GetAtt": [job_id, "Arn"]}]
    assert rule["Properties"]["ScheduleExpression"] == "rate(5 minutes)"
    assert "DeadLetterConfig" in rule["Properties"]["Targets"][0]
    assert job["Properties"]["ReservedConcurrentExecutions"] == 1
    assert "EXAMDESK_PREWARM_FUNCTIONS" in job["Properties"]["Environment"]["Variables"]
    role = job["Properties"]["Role"]["Fn::GetAtt"][0]
    statements = [s for p in synth.of_type("AWS::IAM::Policy").values()
                  if {"Ref": role} in p["Properties"]["Roles"]
                  for s in p["Properties"]["PolicyDocument"]["Statement"]]
    actions = [(s, s["Action"] if isinstance(s["Action"], list) else [s["Action"]]) for s in statements]
    (statement,) = [s for s, names in actions if any(str(a).startswith("lambda:") for a in names)]
    assert sorted(statement["Action"]) == sorted(PROVISIONED_CONCURRENCY_ACTIONS)
    assert len(statement["Resource"]) == len(prewarm.ROUTES)
    configs = [c for c in synth.of_type("AWS::Lambda::EventInvokeConfig").values()
               if c["Properties"]["FunctionName"] == {"Ref": job_id}]
    assert configs and "OnFailure" in configs[0]["Properties"]["DestinationConfig"]
