"""The web ACL limits each caller per dialect (functions/platform/rate_limits.py, docs/operations.md "Throttling"):
one rate-based rule per dialect's paths counting per Authorization header value, answering 429 in that dialect's own
error shape with Retry-After; per-IP rules only for the public write-back and as a backstop."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from functions.platform import rate_limits
from functions.platform.errors import error_model
from functions.routes import ROUTES
from tests.infra.conftest import Synth

pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("infra")]


@pytest.fixture(scope="module")
def acl(synth: Synth) -> dict[str, Any]:
    (web_acl,) = synth.of_type("AWS::WAFv2::WebACL").values()
    return web_acl["Properties"]


def rules(acl: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {rule["Name"]: rule for rule in acl["Rules"]}


def test_every_dialect_has_a_per_caller_rule_keyed_on_the_authorization_header(acl: dict[str, Any]) -> None:
    found = rules(acl)
    for limit in rate_limits.CALLER_LIMITS:
        statement = found[limit.name]["Statement"]["RateBasedStatement"]
        assert statement["AggregateKeyType"] == "CUSTOM_KEYS"
        assert statement["CustomKeys"] == [{"Header": {"Name": "authorization",
                                                       "TextTransformations": [{"Priority": 0, "Type": "NONE"}]}}]
        assert statement["Limit"] == limit.limit and statement["EvaluationWindowSec"] == 60
    assert {limit.dialect for limit in rate_limits.CALLER_LIMITS} == {r.dialect for r in ROUTES}


@pytest.mark.parametrize("limit", rate_limits.CALLER_LIMITS, ids=lambda limit: limit.name)
def test_a_throttled_caller_gets_a_429_in_its_dialects_shape_saying_when_to_retry(acl: dict[str, Any],
                                                                                limit: rate_limits.CallerLimit) -> None:
    response = rules(acl)[limit.name]["Action"]["Block"]["CustomResponse"]
    assert response["ResponseCode"] == 429
    assert response["ResponseHeaders"] == [{"Name": "Retry-After", "Value": "60"}]
    body = acl["CustomResponseBodies"][response["CustomResponseBodyKey"]]
    assert body["ContentType"] == "APPLICATION_JSON"
    parsed = json.loads(body["Content"])
    error_model(limit.dialect).model_validate(parsed)  # the dialect's own error shape
    assert "retry after 60 seconds" in json.dumps(parsed)
    if limit.dialect == "openedx":
        assert parsed["status_code"] == 429
    elif limit.dialect == "canvas":
        assert list(parsed) == ["errors"]
    else:
        assert parsed["error"]["code"] == "throttled"


def test_each_rule_counts_only_its_dialects_paths(acl: dict[str, Any]) -> None:
    """The scope-down's path pattern matches every route of the dialect (with or without the stage name in the
    path) and none of another's; integration keys (Basic) are counted apart where an integration starts exams."""
    for limit in rate_limits.CALLER_LIMITS:
        scope = rules(acl)[limit.name]["Statement"]["RateBasedStatement"]["ScopeDownStatement"]
        path_match = scope["AndStatement"]["Statements"][0] if "AndStatement" in scope else scope
        pattern = re.compile(path_match["RegexMatchStatement"]["RegexString"])
        for route in ROUTES:
            for path in (route.path, f"/prod{route.path}"):
                assert bool(pattern.search(path)) == (route.dialect == limit.dialect), (limit.name, path)
        if limit.basic is not None:
            scheme = scope["AndStatement"]["Statements"][1]
            basic = scheme if limit.basic else scheme["NotStatement"]["Statement"]
            assert basic["ByteMatchStatement"]["SearchString"] == "basic "
            assert basic["ByteMatchStatement"]["TextTransformations"] == [{"Priority": 0, "Type": "LOWERCASE"}]


def test_an_exam_start_by_one_integration_fits_its_limit_and_a_person_cannot_starve_others(acl: dict[str, Any]) -> None:
    """The model: 100,000 students start within 60 s. An integration starting them all stays under its limit;
    one person's token is held to a few requests a second."""
    found = rules(acl)
    for name in ("examspark-integration", "learningstudio-integration"):
        assert found[name]["Statement"]["RateBasedStatement"]["Limit"] >= rate_limits.MODEL_STUDENTS
    for name in ("examspark-person", "learningstudio-person"):
        assert found[name]["Statement"]["RateBasedStatement"]["Limit"] <= 60 * 10


def test_per_ip_rules_are_the_webhook_and_the_backstop_and_the_acl_guards_the_stage(synth: Synth,
                                                                                     acl: dict[str, Any]) -> None:
    found = rules(acl)
    by_ip = {name for name, rule in found.items()
             if rule["Statement"]["RateBasedStatement"]["AggregateKeyType"] == "IP"}
    assert by_ip == {"webhook-rate", "ip-backstop"}
    assert found["webhook-rate"]["Priority"] == 0 and found["ip-backstop"]["Priority"] == len(found) - 1
    assert len({rule["Priority"] for rule in found.values()}) == len(found)
    backstop = acl["CustomResponseBodies"][rate_limits.IP_BACKSTOP_BODY_KEY]
    assert json.loads(backstop["Content"])["status_code"] == 429
    assert acl["DefaultAction"] == {"Allow": {}}
    (association,) = synth.of_type("AWS::WAFv2::WebACLAssociation").values()
    assert "Stage" in json.dumps(association["Properties"]["ResourceArn"])
