"""The Cognito pieces (infra/constructs/identity.py): a user pool nobody signs up to, a resource server with one
scope per right, a domain (the token URL), every protected route trusting the pool's issuer, and the credential routes
(only they) told the pool and allowed to manage its app clients, on this pool only."""

from __future__ import annotations

from typing import Any

import pytest

from functions.core.rights import ALL_RIGHTS
from functions.platform import settings
from functions.routes import route
from infra.constructs.identity import CLIENT_ACTIONS, CREDENTIAL_ROUTES
from tests.infra.conftest import Synth
from tests.infra.test_permissions import role_of, statements_of_role

pytestmark = pytest.mark.infra


def only(synth: Synth, resource_type: str) -> tuple[str, dict[str, Any]]:
    (found,) = synth.of_type(resource_type).items()
    return found


def test_the_pool_admits_no_users_and_is_kept(synth: Synth) -> None:
    _, pool = only(synth, "AWS::Cognito::UserPool")
    props = pool["Properties"]
    assert props["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert props["DeletionProtection"] == "ACTIVE" and pool["DeletionPolicy"] == "Retain"
    assert props["MfaConfiguration"] == "ON"
    assert props["Policies"]["PasswordPolicy"]["MinimumLength"] >= 16


def test_the_resource_server_has_one_scope_per_right(synth: Synth) -> None:
    _, server = only(synth, "AWS::Cognito::UserPoolResourceServer")
    props = server["Properties"]
    assert props["Identifier"] == "examdesk"
    assert sorted(s["ScopeName"] for s in props["Scopes"]) == sorted(r.value for r in ALL_RIGHTS)
    pool_id, _ = only(synth, "AWS::Cognito::UserPool")
    assert props["UserPoolId"] == {"Ref": pool_id}


def test_a_domain_serves_the_token_url(synth: Synth) -> None:
    _, domain = only(synth, "AWS::Cognito::UserPoolDomain")
    assert "Domain" in domain["Properties"]
    outputs = synth.template["Outputs"]
    token_url = next(v for k, v in outputs.items() if k.startswith("Identity") and "TokenUrl" in k)
    assert "/oauth2/token" in str(token_url["Value"])


def test_every_protected_route_trusts_the_pools_issuer(synth: Synth) -> None:
    from functions.routes import ROUTES

    pool_id, _ = only(synth, "AWS::Cognito::UserPool")
    for r in ROUTES:
        if not r.public:
            _, fn = synth.function_for(r.handler)
            issuer = fn["Properties"]["Environment"]["Variables"][settings.CLIENT_ISSUER]
            assert {"Fn::GetAtt": [pool_id, "ProviderURL"]} == issuer, r.name


def test_only_the_credential_routes_know_the_pool(synth: Synth) -> None:
    pool_id, _ = only(synth, "AWS::Cognito::UserPool")
    for name in ("list_credentials", "get_credential", "create_course", *CREDENTIAL_ROUTES):
        _, fn = synth.function_for(route(name).handler)
        variables = fn["Properties"]["Environment"]["Variables"]
        if name in CREDENTIAL_ROUTES:
            assert variables[settings.USER_POOL_ID] == {"Ref": pool_id}
        else:
            assert settings.USER_POOL_ID not in variables


def test_app_client_management_is_allowed_on_this_pool_only(synth: Synth) -> None:
    pool_id, _ = only(synth, "AWS::Cognito::UserPool")
    role_id = role_of(synth, route("create_credential").handler)
    cognito = [s for s in statements_of_role(synth, role_id)
               if any(str(a).startswith("cognito-idp:") for a in _as_list(s["Action"]))]
    assert cognito, "the credential routes cannot manage app clients"
    for statement in cognito:
        assert set(_as_list(statement["Action"])) <= set(CLIENT_ACTIONS)
        assert _as_list(statement["Resource"]) == [{"Fn::GetAtt": [pool_id, "Arn"]}]
    read_role = role_of(synth, route("list_credentials").handler)
    assert not [s for s in statements_of_role(synth, read_role) if "cognito" in str(s["Action"])]


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_a_schedule_sweeps_ended_overlap_windows(synth: Synth) -> None:
    from infra.constructs.identity import SWEEP_HANDLER

    pool_id, _ = only(synth, "AWS::Cognito::UserPool")
    fn_id, fn = synth.function_for(SWEEP_HANDLER)
    assert fn["Properties"]["Environment"]["Variables"][settings.USER_POOL_ID] == {"Ref": pool_id}
    rules = [r for r in synth.of_type("AWS::Events::Rule").values()
             if any(t["Arn"] == {"Fn::GetAtt": [fn_id, "Arn"]} for t in r["Properties"]["Targets"])]
    assert [r["Properties"]["ScheduleExpression"] for r in rules] == ["rate(5 minutes)"]
    statements = statements_of_role(synth, role_of(synth, SWEEP_HANDLER))
    cognito = [s for s in statements if "cognito" in str(s["Action"])]
    assert cognito and all(_as_list(s["Resource"]) == [{"Fn::GetAtt": [pool_id, "Arn"]}] for s in cognito)
