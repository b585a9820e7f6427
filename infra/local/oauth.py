"""The local runner's OAuth2 token endpoint and JWKS: Cognito's part, played on 127.0.0.1.

Deployed, Cognito's user pool domain serves ``POST /oauth2/token`` (client credentials grant) for the app clients
of its ``examdesk`` resource server, and the pool publishes its keys at ``<issuer>/.well-known/jwks.json``
(infra/constructs/identity.py). This is the same contract on the runner's own origin: same paths, same request
(HTTP Basic client authentication or ``client_id`` / ``client_secret`` in the form body, RFC 6749 2.3.1), same
answer and error shapes (RFC 6749 5.1 / 5.2), and access tokens with Cognito's claims (``token_use: access``,
``client_id``, ``scope``, no ``aud``) signed RS256 with a key made when the runner starts. The routes
verify them exactly as they verify Cognito's: by the issuer's JWKS (functions/platform/auth.py).

It is not a route in functions/routes.py on purpose: a route there becomes a Lambda, and no examdesk Lambda
issues tokens when deployed. Clients are the table's OAuth credentials (functions/core/credentials.py): the
secret is checked against its hash, inside a rotation's overlap window the old one too, never once revoked.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qs

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from functions.core.credentials import TOKEN_TTL_SECONDS, CredentialKind, scope_rights, scopes_for, secret_matches
from functions.core.errors import InvalidInput
from functions.data.credentials import CredentialRepository
from functions.platform.settings import settings

TOKEN_PATH = "/oauth2/token"  # Cognito's path on the user pool domain
JWKS_PATH = "/.well-known/jwks.json"  # Cognito's path under the issuer
Answer = tuple[int, dict[str, str], str]


@lru_cache(maxsize=1)
def signing_key() -> tuple[str, Any]:
    """(kid, private key): made once per runner process; tokens of an earlier run fail verification."""
    return uuid.uuid4().hex, rsa.generate_private_key(public_exponent=65537, key_size=2048)


def jwks() -> dict[str, Any]:
    kid, key = signing_key()
    public = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    return {"keys": [{**public, "kid": kid, "alg": "RS256", "use": "sig"}]}


def _json(status: int, body: dict[str, Any], extra: dict[str, str] | None = None) -> Answer:
    # RFC 6749 5.1: token answers (and their errors) must not be cached.
    headers = {"Content-Type": "application/json;charset=UTF-8", "Cache-Control": "no-store", "Pragma": "no-cache"}
    return status, {**headers, **(extra or {})}, json.dumps(body)


def _error(status: int, error: str, description: str, basic: bool = False) -> Answer:
    # RFC 6749 5.2: a client that authenticated with the Authorization header gets 401 and WWW-Authenticate.
    extra = {"WWW-Authenticate": 'Basic realm="examdesk"'} if basic and status == 401 else None
    return _json(status, {"error": error, "error_description": description}, extra)


class Refused(Exception):
    def __init__(self, answer: Answer) -> None:
        super().__init__(answer[2])
        self.answer = answer


def _client_credentials(headers: dict[str, str], form: dict[str, list[str]]) -> tuple[str, str, bool]:
    """(client id, secret, by Basic header), or Refused with the error answer."""
    authorization = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
    in_body = "client_id" in form or "client_secret" in form
    scheme, _, value = authorization.strip().partition(" ")
    if authorization and scheme.lower() != "basic":
        raise Refused(_error(401, "invalid_client", "client authentication must be HTTP Basic or the form body",
                             True))
    if authorization and in_body:
        raise Refused(_error(400, "invalid_request", "use one client authentication method, not both"))
    if authorization:
        try:
            client_id, secret = base64.b64decode(value.strip(), validate=True).decode().split(":", 1)
        except (ValueError, UnicodeDecodeError):
            raise Refused(_error(401, "invalid_client", "Basic credentials must be base64 of "
                                 "client_id:client_secret", True)) from None
        return client_id, secret, True
    if not in_body:
        raise Refused(_error(401, "invalid_client", "client authentication is required"))
    return form.get("client_id", [""])[0], form.get("client_secret", [""])[0], False


def token_endpoint(method: str, headers: dict[str, str], body: bytes) -> Answer:
    if method != "POST":
        status, out, text = _error(405, "invalid_request", "the token endpoint takes POST")
        return status, {**out, "Allow": "POST"}, text
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    if content_type.split(";")[0].strip().lower() != "application/x-www-form-urlencoded":
        return _error(400, "invalid_request", "send application/x-www-form-urlencoded")
    try:
        form = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=bool(body))
    except (UnicodeDecodeError, ValueError):
        return _error(400, "invalid_request", "the body is not a valid form")
    repeated = next((name for name, values in form.items() if len(values) > 1), None)
    if repeated:  # RFC 6749 3.1: parameters must not be sent more than once
        return _error(400, "invalid_request", f"{repeated} is sent more than once")
    try:
        client_id, secret, by_basic = _client_credentials(headers, form)
    except Refused as refused:
        return refused.answer
    client = CredentialRepository().get(client_id) if client_id else None
    if not secret_matches(client, secret, datetime.now(UTC)) or client is None:
        return _error(401, "invalid_client", "unknown client, wrong secret, or a revoked client", by_basic)
    grant = form.get("grant_type", [""])[0]
    if not grant:
        return _error(400, "invalid_request", "grant_type is required")
    if grant != "client_credentials":
        return _error(400, "unsupported_grant_type", "only client_credentials is supported")
    if client.kind != CredentialKind.OAUTH:
        return _error(400, "unauthorized_client", "this credential is an HTTP Basic key, not an OAuth client")
    try:
        rights = scope_rights(client, form["scope"][0] if "scope" in form else None)
    except InvalidInput as error:
        return _error(400, "invalid_scope", error.message)
    now = int(time.time())
    scope = " ".join(scopes_for(rights))
    claims = {"sub": client.id, "token_use": "access", "scope": scope, "auth_time": now, "iss": issuer(),
              "exp": now + TOKEN_TTL_SECONDS, "iat": now, "version": 2, "jti": str(uuid.uuid4()),
              "client_id": client.id}
    kid, key = signing_key()
    token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})
    return _json(200, {"access_token": token, "token_type": "Bearer", "expires_in": TOKEN_TTL_SECONDS,
                       "scope": scope})


def issuer() -> str:
    return settings().client_issuer or ""


def jwks_endpoint(method: str) -> Answer:
    if method not in ("GET", "HEAD"):
        return 405, {"Allow": "GET", "Content-Type": "application/json"}, json.dumps({"message": "use GET"})
    return 200, {"Content-Type": "application/json", "Cache-Control": "max-age=3600"}, json.dumps(jwks())
