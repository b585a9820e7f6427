"""Integration credentials: the secret rules (overlap window, revocation), scopes -> rights, what may be issued,
the lifecycle service on fakes (including the Cognito app clients and their compensation), the Cognito adapter on
botocore's Stubber, and the routes' verification of OAuth access tokens (RS256, by the issuer's keys)."""

from __future__ import annotations

import base64
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import jwt
import pytest
from botocore.stub import Stubber
from cryptography.hazmat.primitives.asymmetric import rsa

from functions.core.changes import Saved
from functions.core.credentials import (
    Credential,
    CredentialKind,
    check_grant,
    hash_secret,
    rights_from_scopes,
    rotated,
    scope_rights,
    secret_matches,
)
from functions.core.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthenticated, Unavailable
from functions.core.rights import Principal
from functions.core.services.credentials import CredentialService
from functions.data.cognito_clients import CognitoClients
from functions.platform import auth, jws, settings
from tests.memory import Memory
from tests.memory_views import Credentials

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def cred(**changes: Any) -> Credential:
    base = Credential(id="k1", kind=CredentialKind.BASIC, name="n", courses=["c1"], rights=["course:view"],
                      secret_hash=hash_secret("old"))
    return base.model_copy(update=changes)


# --- rules -------------------------------------------------------------------------------------------
def test_rotation_keeps_the_old_secret_for_the_window_only():
    after = rotated(cred(), hash_secret("new"), NOW, 60, "user:ada")
    assert secret_matches(after, "new", NOW) and secret_matches(after, "old", NOW + timedelta(seconds=59))
    assert not secret_matches(after, "old", NOW + timedelta(seconds=60))
    again = rotated(after, hash_secret("newer"), NOW + timedelta(seconds=1), 60, "user:ada")
    assert not secret_matches(again, "old", NOW + timedelta(seconds=2))  # two secrets at most
    assert secret_matches(again, "new", NOW + timedelta(seconds=2))
    at_once = rotated(cred(), hash_secret("new"), NOW, 0, "user:ada")
    assert not secret_matches(at_once, "old", NOW) and at_once.previous_secret_hash is None


def test_a_revoked_or_unknown_credential_matches_nothing():
    assert not secret_matches(cred(revoked_at=NOW), "old", NOW)
    assert not secret_matches(None, "old", NOW)
    assert not secret_matches(cred(), "wrong", NOW)


def test_scopes_map_to_rights():
    client = cred(kind=CredentialKind.OAUTH, rights=["course:view", "attempt:manage"])
    assert scope_rights(client, None) == ["course:view", "attempt:manage"]
    assert scope_rights(client, "examdesk/course:view examdesk/course:view") == ["course:view"]
    with pytest.raises(InvalidInput):
        scope_rights(client, "examdesk/exam:author")
    assert rights_from_scopes("examdesk/course:view other/x examdesk/nonsense") == ["course:view"]
    assert client.public()["scopes"] == ["examdesk/course:view", "examdesk/attempt:manage"]
    assert "secret_hash" not in client.public() and "previous_secret_hash" not in client.public()


@pytest.mark.parametrize("credential_id,courses,rights", [
    ("has:colon", ["c1"], ["course:view"]), (None, [], ["course:view"]), (None, ["c1", "c1"], ["course:view"]),
    (None, ["*", "c1"], ["course:view"]), (None, ["c1"], []), (None, ["c1"], ["root"]),
    (None, ["c1"], ["course:view", "course:view"]), (None, [f"c{i}" for i in range(51)], ["course:view"]),
])
def test_what_may_not_be_issued(credential_id, courses, rights):
    with pytest.raises(InvalidInput):
        check_grant(credential_id, courses, rights)


# --- the service on the in-memory stores and unit of work (tests/memory.py) ---------------------------
def world() -> Memory:
    """Ada administers the institution, Irene does not; one course, c1."""
    memory = Memory()
    memory.user("ada", admin=True)
    memory.user("irene")
    memory.course("c1")
    return memory


class FakeCognito:
    def __init__(self) -> None:
        self.calls: list[tuple[str, ...]] = []

    def create(self, name: str, scopes: list[str], secret: str) -> str:
        self.calls.append(("create", name, " ".join(scopes)))
        return "cognito-client-1"

    def rotate(self, client_id: str, secret: str, keep_previous: bool) -> str:
        self.calls.append(("rotate", client_id, str(keep_previous)))
        return "secret-2"

    def drop_secret(self, client_id: str, secret_id: str) -> None:
        self.calls.append(("drop", client_id, secret_id))

    def delete(self, client_id: str) -> None:
        self.calls.append(("delete", client_id))


def service(who: str = "ada", kind: str = "user", memory: Memory | None = None,
            cognito: FakeCognito | None = None) -> CredentialService:
    memory = memory or world()
    principal = Principal(kind=kind, subject=who)
    return CredentialService(store=Credentials(memory), unit=memory.unit(principal, NOW),
                             access=memory.access(principal), now=NOW, app_clients=cognito)


def down(memory: Memory, times: int) -> None:
    """The next ``times`` commits fail as the table does when it is unreachable (nothing is written)."""
    def fail() -> None:
        raise Unavailable("store down")
    memory.before_commit.extend([fail] * times)


def test_the_lifecycle_is_audited_and_shows_secrets_once():
    memory = world()
    svc = service(memory=memory)
    issued = svc.create(CredentialKind.BASIC, "sync", ["c1"], ["course:view"])
    assert issued.credential.id.startswith("key-") and issued.credential.secret_hash == hash_secret(issued.secret)
    again = svc.rotate(issued.credential.id, 30)
    assert again.secret != issued.secret and again.credential.version == 2
    revoked = svc.revoke(issued.credential.id)
    assert revoked.revoked and revoked.revoked_by == "user:ada"
    assert [e.action for e in memory.events] == ["credential.create", "credential.rotate", "credential.revoke"]
    assert all(e.course_id is None and e.actor_id == "ada" for e in memory.events)  # institution-wide
    assert [c.ref for c in memory.all_changes() if isinstance(c, Saved)] == [issued.credential.id] * 3
    stored = Credentials(memory).get(issued.credential.id)
    assert stored == revoked and stored.version == 3  # the whole credential, hashes included
    assert all("secret_hash" not in str(e.changes) for e in memory.events)  # the audit trail shows no hashes
    with pytest.raises(Conflict):
        svc.rotate(issued.credential.id, None)
    with pytest.raises(Conflict):
        svc.revoke(issued.credential.id)
    with pytest.raises(NotFound):
        svc.rotate("nope", None)
    with pytest.raises(InvalidInput):
        svc.create(CredentialKind.BASIC, "x", ["ghost"], ["course:view"])
    with pytest.raises(InvalidInput):
        svc.rotate(issued.credential.id, 8 * 24 * 3600)


@pytest.mark.parametrize("who,kind", [("irene", "user"), ("k1", "key"), ("c1", "client")])
def test_only_administrators_manage_credentials(who, kind):
    with pytest.raises(Forbidden):
        service(who, kind).create(CredentialKind.OAUTH, "x", ["*"], ["course:admin"])


def test_a_wildcard_admin_key_still_may_not_mint_credentials():
    memory = world()
    principal = Principal(kind="key", subject="ops", key_courses=frozenset({"*"}),
                          key_rights=frozenset({"course:admin"}))
    svc = CredentialService(store=Credentials(memory), unit=memory.unit(principal, NOW),
                            access=memory.access(principal), now=NOW)
    with pytest.raises(Forbidden):
        svc.list_page(10, None)
    with pytest.raises(Forbidden):
        svc.create(CredentialKind.BASIC, "x", ["*"], ["course:admin"])
    assert memory.committed == [] and memory.saved_of("credential") == {}


def test_deployed_oauth_clients_are_cognito_app_clients():
    cognito = FakeCognito()
    svc = service(cognito=cognito)
    issued = svc.create(CredentialKind.OAUTH, "pp", ["c1"], ["course:view"])
    assert issued.credential.id == "cognito-client-1"
    svc.rotate(issued.credential.id, 0)
    svc.revoke(issued.credential.id)
    assert cognito.calls == [("create", "pp", "examdesk/course:view"), ("rotate", "cognito-client-1", "False"),
                             ("delete", "cognito-client-1")]
    with pytest.raises(InvalidInput):  # Cognito names the client
        svc.create(CredentialKind.OAUTH, "pp", ["c1"], ["course:view"], "my-id")
    svc.create(CredentialKind.BASIC, "basic", ["c1"], ["course:view"], "my-key")  # Basic keys never touch Cognito
    assert len(cognito.calls) == 3


def test_a_failed_write_undoes_the_cognito_change():
    cognito = FakeCognito()
    memory = world()
    svc = service(memory=memory, cognito=cognito)
    issued = svc.create(CredentialKind.OAUTH, "pp", ["c1"], ["course:view"])
    down(memory, 2)
    with pytest.raises(Unavailable):
        svc.rotate(issued.credential.id, 60)
    assert cognito.calls[-1] == ("drop", "cognito-client-1", "secret-2")
    with pytest.raises(Unavailable):
        svc.create(CredentialKind.OAUTH, "pp2", ["c1"], ["course:view"])
    assert cognito.calls[-1] == ("delete", "cognito-client-1")
    assert [e.action for e in memory.events] == ["credential.create"]  # the failed writes changed nothing
    assert Credentials(memory).get(issued.credential.id) == issued.credential


def test_secrets_fit_cognitos_custom_client_secrets():
    import re

    from functions.core.credentials import new_secret

    secret = new_secret()
    assert re.fullmatch(r"[\w+]{24,64}", secret) and len(set(new_secret() for _ in range(10))) == 10


# --- the Cognito adapter -----------------------------------------------------------------------------
def test_the_cognito_adapter_keeps_two_secrets_at_most():
    client = boto3.client("cognito-idp", region_name="us-east-1")
    stub = Stubber(client)
    pool, cid = "us-east-1_pool", "client123"
    stub.add_response("list_user_pool_client_secrets", {"ClientSecrets": [
        {"ClientSecretId": "old", "ClientSecretCreateDate": datetime(2026, 1, 1)},
        {"ClientSecretId": "older", "ClientSecretCreateDate": datetime(2025, 1, 1)}]},
        {"UserPoolId": pool, "ClientId": cid})
    stub.add_response("delete_user_pool_client_secret", {},
                      {"UserPoolId": pool, "ClientId": cid, "ClientSecretId": "older"})
    stub.add_response("add_user_pool_client_secret", {"ClientSecretDescriptor": {"ClientSecretId": "new"}},
                      {"UserPoolId": pool, "ClientId": cid, "ClientSecret": "s" * 43})
    with stub:
        assert CognitoClients(pool, client).rotate(cid, "s" * 43, keep_previous=True) == "new"
    stub.assert_no_pending_responses()
    stub.add_response("create_user_pool_client", {"UserPoolClient": {"ClientId": "made"}}, {
        "UserPoolId": pool, "ClientName": "Sync -Grades- -", "ClientSecret": "s" * 43,
        "AllowedOAuthFlows": ["client_credentials"], "AllowedOAuthScopes": ["examdesk/course:view"],
        "AllowedOAuthFlowsUserPoolClient": True, "AccessTokenValidity": 60,
        "TokenValidityUnits": {"AccessToken": "minutes"}, "PreventUserExistenceErrors": "ENABLED"})
    with stub:
        assert CognitoClients(pool, client).create("Sync (Grades) é", ["examdesk/course:view"], "s" * 43) == "made"
    stub.add_client_error("delete_user_pool_client", "InternalErrorException")
    with stub, pytest.raises(Unavailable):
        CognitoClients(pool, client).delete(cid)


# --- OAuth access tokens in the credential check ----------------------------------------------------------
ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_pool"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
CLIENTS = {"cid": {"kind": "oauth", "secretHash": hash_secret("x"), "courses": ["c1"],
                   "rights": ["course:view", "attempt:manage"]},
           "gone": {"kind": "oauth", "secretHash": hash_secret("x"), "courses": ["c1"], "rights": ["course:view"],
                    "revokedAt": NOW.isoformat()},
           "basic": {"kind": "basic", "secretHash": hash_secret("x"), "courses": ["c1"], "rights": ["course:view"]}}


KID = "test-kid"


def key_set(public_key: Any, kid: str = KID) -> jws.KeySet:
    """An issuer's key set as a route holds it after fetching the JWKS (no HTTP in unit tests)."""
    numbers = public_key.public_numbers()
    keys = jws.KeySet("https://issuer.invalid/.well-known/jwks.json")
    keys.keys, keys.fetched_at = {kid: jws.RsaKey(numbers.n, numbers.e)}, time.monotonic()
    return keys


@pytest.fixture
def cognito_issuer(monkeypatch):
    monkeypatch.setenv(settings.CLIENT_ISSUER, ISSUER)
    settings.settings.cache_clear()
    monkeypatch.setattr(auth, "client_jwks", lambda: key_set(KEY.public_key()))
    yield
    settings.settings.cache_clear()


def access_token(key: Any = KEY, **overrides: Any) -> str:
    now = int(time.time())
    claims = {"sub": "cid", "client_id": "cid", "token_use": "access", "iss": ISSUER, "iat": now, "exp": now + 60,
              "scope": "examdesk/course:view", "jti": str(uuid.uuid4()), **overrides}
    return jwt.encode({k: v for k, v in claims.items() if v is not None}, key, algorithm="RS256",
                      headers={"kid": KID})


def test_a_cognito_access_token_is_a_client_with_its_scopes_in_its_courses(cognito_issuer):
    principal = auth.authenticate(f"Bearer {access_token()}", CLIENTS.get)
    assert principal == Principal(kind="client", subject="cid", key_courses=frozenset({"c1"}),
                                  key_rights=frozenset({"course:view"}))


@pytest.mark.parametrize("token", [
    lambda: access_token(client_id="gone", sub="gone"),  # revoked
    lambda: access_token(client_id="basic", sub="basic"),  # a Basic key is no OAuth client
    lambda: access_token(client_id="ghost", sub="ghost"),
    lambda: access_token(token_use="id"),
    lambda: access_token(token_use=None),
    lambda: access_token(exp=int(time.time()) - 5),
    lambda: access_token(key=rsa.generate_private_key(public_exponent=65537, key_size=2048)),
    lambda: access_token(iss=ISSUER + "x"),  # another issuer goes to the users' verifier, and fails there
    lambda: jwt.encode({"iss": ISSUER, "client_id": "cid", "token_use": "access", "exp": int(time.time()) + 60},
                       None, algorithm="none"),
])
def test_refused_access_tokens(cognito_issuer, token):
    with pytest.raises(Unauthenticated):
        auth.authenticate(f"Bearer {token()}", CLIENTS.get)


def test_basic_refuses_oauth_secrets_and_honours_the_window():
    items = {"cid": CLIENTS["cid"], "k": {**CLIENTS["basic"], "previousSecretHash": hash_secret("old"),
                                          "previousValidUntil": (datetime.now(UTC) + timedelta(hours=1)).isoformat()}}
    header = lambda user, secret: "Basic " + base64.b64encode(f"{user}:{secret}".encode()).decode()  # noqa: E731
    with pytest.raises(Unauthenticated):
        auth.authenticate(header("cid", "x"), items.get)
    assert auth.authenticate(header("k", "old"), items.get).subject == "k"
    assert auth.authenticate(header("k", "x"), items.get).kind == "key"


def test_the_sweep_ends_passed_windows_only():
    cognito = FakeCognito()
    cognito.keep_newest = lambda client_id: cognito.calls.append(("keep_newest", client_id))  # type: ignore[method-assign]
    memory = world()
    ended = rotated(cred(id="ended", kind=CredentialKind.OAUTH), hash_secret("n"), NOW - timedelta(hours=2), 60, "u")
    running = rotated(cred(id="running"), hash_secret("n"), NOW, 600, "u")
    basic_ended = rotated(cred(id="basic-ended"), hash_secret("n"), NOW - timedelta(hours=2), 60, "u")
    for c in (ended, running, basic_ended, cred(id="plain")):
        memory.credential(c)
    svc = service("credential-sweep", "system", memory=memory, cognito=cognito)
    assert svc.close_overlaps(page_size=1) == ["basic-ended", "ended"]  # listed by id, a page at a time
    assert cognito.calls == [("keep_newest", "ended")]  # Basic keys have no Cognito side
    stored = Credentials(memory)
    assert stored.get("ended").previous_secret_hash is None and stored.get("running").previous_secret_hash
    assert stored.get("basic-ended").previous_secret_hash is None and stored.get("ended").version == ended.version + 1
    assert [e.action for e in memory.events] == ["credential.overlap-end", "credential.overlap-end"]
    assert [e.actor_kind for e in memory.events] == ["system", "system"]
    assert svc.close_overlaps() == []
