"""Least privilege by action: each function's role grants exactly the DynamoDB actions its code calls
(infra/dynamodb_actions.json, recorded from the tests: tests/dynamodb_actions.py), queries on the exact index
ARNs, and only the secrets it reads."""

from __future__ import annotations

from typing import Any

import pytest

from functions.providers import config as provider_config
from functions.routes import ROUTES, Route
from infra.constructs.backfill_job import BACKFILL_HANDLER
from infra.constructs.identity import CREDENTIAL_ROUTES, SWEEP, SWEEP_HANDLER
from infra.constructs.importer_schedule import IMPORTER_HANDLER
from infra.constructs.permissions import BACKFILL, IMPORTER, PREWARM, load_actions
from infra.constructs.prewarm_schedule import PREWARM_HANDLER
from infra.constructs.providers import SECRET_PARAMETERS
from tests.infra.conftest import Synth

# One xdist worker runs them all (make test uses --dist loadgroup): the app is synthesized once.
pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("infra")]

ACTIONS = load_actions()
HANDLERS = {route.name: route.handler for route in ROUTES} | {IMPORTER: IMPORTER_HANDLER, SWEEP: SWEEP_HANDLER,
                                                                PREWARM: PREWARM_HANDLER,
                                                                BACKFILL: BACKFILL_HANDLER}


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
    return {action for statement in statements_of_role(synth, role_id) if statement["Effect"] == "Allow"
            for action in _as_list(statement["Action"])}


def _table_id(synth: Synth) -> str:
    (table_id,) = synth.of_type("AWS::DynamoDB::Table")
    return table_id


def granted_dynamodb(synth: Synth, role_id: str) -> set[str]:
    """The role's DynamoDB grants as recorded actions: ``GetItem`` on the table, ``Query@gsi2`` on an index."""
    table_arn = {"Fn::GetAtt": [_table_id(synth), "Arn"]}
    granted = set()
    for statement in statements_of_role(synth, role_id):
        actions = [a for a in _as_list(statement["Action"]) if a.startswith("dynamodb:") or a == "*"]
        if not actions:
            continue
        assert statement["Effect"] == "Allow" and "Condition" not in statement
        for resource in _as_list(statement["Resource"]):
            if resource == table_arn:
                suffix = ""
            else:
                base, index = resource["Fn::Join"][1]
                assert base == table_arn and index.startswith("/index/") and "*" not in index, resource
                suffix = "@" + index.removeprefix("/index/")
            granted |= {a.removeprefix("dynamodb:") + suffix for a in actions}
    return granted


def test_the_recorded_actions_name_every_function_and_nothing_else() -> None:
    assert set(ACTIONS) == set(HANDLERS), "run `make record-actions` (tests/dynamodb_actions.py)"
    for name, actions in ACTIONS.items():
        assert actions, name
        scans = "Scan" in actions or any(a.startswith("Scan@") for a in actions)
        # Only the operator's list backfill, off every request path, scans (the table, never an index).
        assert scans == (name == BACKFILL), f"{name} scans"
    assert not any(a.startswith("Scan@") for a in ACTIONS[BACKFILL])


@pytest.mark.parametrize("name", sorted(HANDLERS))
def test_each_role_grants_exactly_what_its_function_calls(synth: Synth, name: str) -> None:
    assert granted_dynamodb(synth, role_of(synth, HANDLERS[name])) == set(ACTIONS[name])


def test_functions_share_a_role_exactly_when_their_needs_are_the_same(synth: Synth) -> None:
    needs = {r.name: (ACTIONS[r.name], r.external, r.public, r.name in CREDENTIAL_ROUTES) for r in ROUTES}
    for a in ROUTES:
        for b in ROUTES:
            same_role = role_of(synth, a.handler) == role_of(synth, b.handler)
            assert same_role == (needs[a.name] == needs[b.name]), (a.name, b.name)


def test_the_importer_and_the_backfill_have_roles_of_their_own(synth: Synth) -> None:
    for handler in (IMPORTER_HANDLER, BACKFILL_HANDLER):
        role = role_of(synth, handler)
        users = [fn for fn in synth.of_type("AWS::Lambda::Function").values()
                 if fn["Properties"]["Role"]["Fn::GetAtt"][0] == role]
        assert len(users) == 1, handler


def ssm_parameters(synth: Synth, role_id: str) -> set[str]:
    names = set()
    for statement in statements_of_role(synth, role_id):
        if any(a.startswith("ssm:") for a in _as_list(statement["Action"])):
            assert _as_list(statement["Action"]) == ["ssm:GetParameter"]
            for resource in _as_list(statement["Resource"]):
                text = "".join(p if isinstance(p, str) else "" for p in resource["Fn::Join"][1])
                assert "*" not in text
                names.add(text.rsplit("/", 1)[-1])
    return names


PROVIDER = {SECRET_PARAMETERS[provider_config.EDULASTIC_TOKEN], SECRET_PARAMETERS[provider_config.MASTERYTRACK_API_KEY]}
WEBHOOK = {SECRET_PARAMETERS[provider_config.MASTERYTRACK_WEBHOOK_SECRET]}


def expected_secrets(route: Route) -> set[str]:
    if not route.external:
        return set()
    return WEBHOOK if route.public else PROVIDER


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_each_function_reads_only_its_own_secrets(synth: Synth, route: Route) -> None:
    assert ssm_parameters(synth, role_of(synth, route.handler)) == expected_secrets(route)
    env = synth.function_for(route.handler)[1]["Properties"].get("Environment", {}).get("Variables", {})
    referenced = {str(v).rsplit("/", 1)[-1] for v in env.values() if str(v).startswith("ssm:")}
    assert referenced == expected_secrets(route)


def test_the_webhook_can_read_only_its_own_secret(synth: Synth) -> None:
    (webhook,) = [r for r in ROUTES if r.public and r.external]
    assert ssm_parameters(synth, role_of(synth, webhook.handler)) == WEBHOOK


def test_the_importer_reads_the_provider_secrets(synth: Synth) -> None:
    assert ssm_parameters(synth, role_of(synth, IMPORTER_HANDLER)) == PROVIDER


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


def test_only_the_scheduled_functions_may_send_to_their_dead_letter_queues(synth: Synth) -> None:
    scheduled = {role_of(synth, IMPORTER_HANDLER), role_of(synth, SWEEP_HANDLER), role_of(synth, PREWARM_HANDLER)}
    assert len(scheduled) == 3
    for role_id in function_roles(synth):
        sends = {a for a in allowed_actions(synth, role_id) if a.startswith("sqs:")}
        assert bool(sends) == (role_id in scheduled), role_id
