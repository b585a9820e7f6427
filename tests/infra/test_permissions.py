"""Least privilege: read routes share one role that can only read; write routes share another."""

from __future__ import annotations

from typing import Any

import pytest

from functions.routes import ROUTES
from infra.constructs.authorizer import AUTHORIZER_HANDLER
from infra.constructs.importer_schedule import IMPORTER_HANDLER
from tests.infra.conftest import Synth

# One xdist worker runs them all (make test uses --dist loadgroup): the app is synthesized once.
pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("infra")]

DYNAMODB_READ_ACTIONS = {
    "dynamodb:BatchGetItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DescribeTable",
    "dynamodb:GetItem",
    "dynamodb:GetRecords",
    "dynamodb:GetShardIterator",
    "dynamodb:Query",
    "dynamodb:Scan",
    "dynamodb:TransactGetItems",
}
DYNAMODB_WRITE_ACTIONS = {
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:TransactWriteItems",
}


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def role_of(synth: Synth, handler: str) -> str:
    _, fn = synth.function_for(handler)
    role_id, attribute = fn["Properties"]["Role"]["Fn::GetAtt"]
    assert attribute == "Arn"
    return str(role_id)


def statements_of_role(synth: Synth, role_id: str) -> list[dict[str, Any]]:
    """Every statement that applies to the role: inline, attached AWS::IAM::Policy, customer-managed."""
    role = synth.resources[role_id]["Properties"]
    statements = [s for p in role.get("Policies", []) for s in _as_list(p["PolicyDocument"]["Statement"])]
    for policy_type in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
        for policy in synth.of_type(policy_type).values():
            if {"Ref": role_id} in policy["Properties"].get("Roles", []):
                statements += _as_list(policy["Properties"]["PolicyDocument"]["Statement"])
    return statements


def allowed_actions(synth: Synth, role_id: str) -> set[str]:
    return {
        action
        for statement in statements_of_role(synth, role_id)
        if statement["Effect"] == "Allow"
        for action in _as_list(statement["Action"])
    }


def dynamodb_actions(synth: Synth, role_id: str) -> set[str]:
    return {a for a in allowed_actions(synth, role_id) if a.lower().startswith("dynamodb:") or a == "*"}


def test_read_routes_share_one_role_and_write_routes_another(synth: Synth) -> None:
    read_roles = {role_of(synth, r.handler) for r in ROUTES if r.access == "read"}
    write_roles = {role_of(synth, r.handler) for r in ROUTES if r.access == "write" and not r.external}
    external_roles = {role_of(synth, r.handler) for r in ROUTES if r.access == "write" and r.external}
    assert len(read_roles) == 1 and len(write_roles) == 1 and len(external_roles) == 1
    assert len(read_roles | write_roles | external_roles) == 3


def ssm_resources(synth: Synth, role_id: str) -> list[Any]:
    return [resource for statement in statements_of_role(synth, role_id)
            if any(a.startswith("ssm:") for a in _as_list(statement["Action"]))
            for resource in _as_list(statement["Resource"])]


def test_only_provider_callers_may_read_provider_secrets(synth: Synth) -> None:
    for route in ROUTES:
        resources = ssm_resources(synth, role_of(synth, route.handler))
        if route.external:
            assert len(resources) == 3, route.name  # the three named parameters, no wildcard
            assert all("*" not in str(r) for r in resources)
        else:
            assert resources == [], route.name
    assert len(ssm_resources(synth, role_of(synth, IMPORTER_HANDLER))) == 3
    assert ssm_resources(synth, role_of(synth, AUTHORIZER_HANDLER)) == []


@pytest.mark.parametrize("route", [r for r in ROUTES if r.access == "read"], ids=lambda r: r.name)
def test_read_route_role_can_only_read(synth: Synth, route: Any) -> None:
    actions = dynamodb_actions(synth, role_of(synth, route.handler))
    assert actions, "a read route must be able to read"
    assert actions <= DYNAMODB_READ_ACTIONS, actions - DYNAMODB_READ_ACTIONS
    assert not actions & DYNAMODB_WRITE_ACTIONS


@pytest.mark.parametrize("route", [r for r in ROUTES if r.access == "write"], ids=lambda r: r.name)
def test_write_route_role_can_write(synth: Synth, route: Any) -> None:
    actions = dynamodb_actions(synth, role_of(synth, route.handler))
    assert {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"} <= actions


def test_authorizer_can_only_read(synth: Synth) -> None:
    actions = dynamodb_actions(synth, role_of(synth, AUTHORIZER_HANDLER))
    assert actions and actions <= DYNAMODB_READ_ACTIONS


def test_importer_can_read_and_write(synth: Synth) -> None:
    assert "dynamodb:PutItem" in dynamodb_actions(synth, role_of(synth, IMPORTER_HANDLER))


def function_roles(synth: Synth) -> set[str]:
    return {fn["Properties"]["Role"]["Fn::GetAtt"][0] for fn in synth.of_type("AWS::Lambda::Function").values()}


def test_function_roles_have_no_aws_managed_policies(synth: Synth) -> None:
    # AWSLambdaBasicExecutionRole would allow writing to every log group in the account.
    for role_id in function_roles(synth):
        assert not synth.resources[role_id]["Properties"].get("ManagedPolicyArns"), role_id


def test_no_action_wildcards(synth: Synth) -> None:
    for role_id in function_roles(synth):
        for action in allowed_actions(synth, role_id):
            assert "*" not in action, f"{role_id} allows {action}"


def test_table_grants_name_only_this_table(synth: Synth) -> None:
    (table_id,) = synth.of_type("AWS::DynamoDB::Table")
    for role_id in {role_of(synth, r.handler) for r in ROUTES}:
        for statement in statements_of_role(synth, role_id):
            if any(a.startswith("dynamodb:") for a in _as_list(statement["Action"])):
                assert _as_list(statement["Resource"]) == [
                    {"Fn::GetAtt": [table_id, "Arn"]},
                    {"Fn::Join": ["", [{"Fn::GetAtt": [table_id, "Arn"]}, "/index/*"]]},
                ]
