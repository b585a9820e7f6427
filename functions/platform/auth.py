"""Credential verification: Bearer / JWT tokens (pyjwt) and Basic integration keys (hashed in the table).

Users' JWTs: RS256 through a JWKS URL when deployed, HS256 with a local secret otherwise; ``exp``, issuer and
audience required. ``alg: none``, a bad signature, a wrong issuer or audience and expiry all fail.

OAuth clients' access tokens (client credentials grant): RS256 from the client-token issuer (Cognito's user
pool when deployed, the local runner's token endpoint locally), verified by that issuer's JWKS (keys cached
an hour, fetched again for an unknown ``kid``). Cognito access tokens carry no ``aud``: ``token_use`` must be
``access`` and ``client_id`` must name an OAuth credential in the table that is not revoked; the token's
scopes (``examdesk/<right>``) are its rights, in the courses the client was issued for.
"""

from __future__ import annotations

import base64
import binascii
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import jwt
from pydantic import ValidationError

from functions.core.credentials import (
    Credential,
    CredentialKind,
    hash_secret,
    new_secret,
    rights_from_scopes,
    secret_matches,
)
from functions.core.errors import Unauthenticated
from functions.core.rights import Principal
from functions.platform.settings import settings

__all__ = ["authenticate", "hash_secret", "mint_jwt", "new_secret", "verify_basic", "verify_jwt"]

MAX_HEADER = 4096
LookupKey = Callable[[str], "dict[str, Any] | None"]
# Integration keys are ids we issue (visible ASCII) and 256-bit secrets: anything else is refused before the
# store is asked (a key id over DynamoDB's 2,048-byte partition key was a 5xx).
_KEY_ID = re.compile(r"^[\x21-\x39\x3b-\x7e]{1,128}$")  # visible ASCII but ':'
MAX_SECRET = 256
MAX_SUBJECT_BYTES = 512  # a token's subject becomes a user key (functions/platform/request_limits.py)


@lru_cache(maxsize=1)
def _jwks_client() -> Any:
    return jwt.PyJWKClient(settings().jwks_url or "", cache_keys=True, lifespan=3600)


@lru_cache(maxsize=1)
def client_jwks() -> Any:
    """The client-token issuer's keys, cached per process (a warm authorizer fetches them once an hour)."""
    return jwt.PyJWKClient(settings().client_jwks_url or "", cache_keys=True, lifespan=3600)


def _stored(lookup_key: LookupKey, key_id: str) -> Credential | None:
    item = lookup_key(key_id) if key_id else None
    try:
        return Credential.model_validate({"id": key_id, **item}) if item else None
    except ValidationError:
        return None


def verify_client_token(token: str, lookup_key: LookupKey) -> Principal:
    s = settings()
    try:
        key = client_jwks().get_signing_key_from_jwt(token).key
        claims = jwt.decode(token, key, algorithms=["RS256"], issuer=s.client_issuer,
                            options={"require": ["exp", "iat", "sub", "iss", "client_id", "token_use"],
                                     "verify_aud": False})
    except jwt.ExpiredSignatureError:
        raise Unauthenticated("the token has expired") from None
    except (jwt.PyJWTError, ValueError) as error:
        raise Unauthenticated(f"the token is not valid: {error}") from None
    if claims.get("token_use") != "access":
        raise Unauthenticated("only access tokens are accepted")
    client_id = str(claims["client_id"])
    client = _stored(lookup_key, client_id)
    if client is None or client.kind != CredentialKind.OAUTH or client.revoked:
        raise Unauthenticated("the token's client is unknown or revoked")
    rights = frozenset(rights_from_scopes(str(claims.get("scope", "")))) & frozenset(client.rights)
    return Principal(kind="client", subject=client_id, key_courses=frozenset(client.courses), key_rights=rights)


def verify_jwt(token: str, lookup_key: LookupKey | None = None) -> Principal:
    s = settings()
    if s.client_issuer and lookup_key is not None:
        try:
            issuer = jwt.decode(token, options={"verify_signature": False}).get("iss")
        except jwt.PyJWTError as error:
            raise Unauthenticated(f"the token is not valid: {error}") from None
        if issuer == s.client_issuer:  # only routes the token; its signature and claims are verified next
            return verify_client_token(token, lookup_key)
    try:
        if s.jwks_url:
            key: Any = _jwks_client().get_signing_key_from_jwt(token).key
            algorithms = ["RS256"]
        elif s.jwt_secret:
            key, algorithms = s.jwt_secret, ["HS256"]
        else:
            raise Unauthenticated("token verification is not configured")
        claims = jwt.decode(
            token, key, algorithms=algorithms, audience=s.jwt_audience, issuer=s.jwt_issuer,
            options={"require": ["exp", "sub", "iss", "aud"]},
        )
    except jwt.ExpiredSignatureError:
        raise Unauthenticated("the token has expired") from None
    except (jwt.PyJWTError, ValueError) as error:
        raise Unauthenticated(f"the token is not valid: {error}") from None
    subject = str(claims["sub"])
    if not subject or len(subject.encode("utf-8", "surrogatepass")) > MAX_SUBJECT_BYTES:
        raise Unauthenticated(f"the token's subject must be 1 to {MAX_SUBJECT_BYTES} bytes")
    return Principal(kind="user", subject=subject)


def mint_jwt(user_id: str, ttl_seconds: int = 8 * 3600, secret: str | None = None) -> str:
    """Local and test tokens (HS256). Deployed tokens come from the identity provider behind the JWKS URL."""
    s = settings()
    now = int(time.time())
    claims = {"sub": user_id, "iss": s.jwt_issuer, "aud": s.jwt_audience, "iat": now, "exp": now + ttl_seconds}
    return jwt.encode(claims, secret or s.jwt_secret or "", algorithm="HS256")


def basic_pair(encoded: str) -> tuple[str, str]:
    """``base64(id:secret)`` -> (id, secret), else Unauthenticated."""
    try:
        key_id, secret = base64.b64decode(encoded, validate=True).decode().split(":", 1)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise Unauthenticated("Basic credentials must be base64 of key:secret") from None
    if not _KEY_ID.match(key_id) or not 0 < len(secret) <= MAX_SECRET:
        raise Unauthenticated("Basic credentials must be a key id of 1 to 128 visible ASCII characters and a "
                              f"secret of 1 to {MAX_SECRET} characters") from None
    return key_id, secret


def verify_basic(encoded: str, lookup_key: LookupKey, now: datetime | None = None) -> Principal:
    """``Basic base64(key_id:secret)``; ``lookup_key(key_id)`` returns the stored key item or None. The current
    secret or, inside a rotation's overlap window, the previous one; never a revoked key or an OAuth client's
    secret (those get tokens at the token URL)."""
    key_id, secret = basic_pair(encoded)
    stored = _stored(lookup_key, key_id)
    # secret_matches compares even when the key is unknown, so timing does not reveal which key ids exist.
    if not secret_matches(stored, secret, now or datetime.now(UTC)) or stored is None \
            or stored.kind != CredentialKind.BASIC:
        raise Unauthenticated("unknown key, wrong secret, or a revoked key")
    return Principal(kind="key", subject=key_id, key_courses=frozenset(stored.courses),
                     key_rights=frozenset(stored.rights))


def authenticate(authorization: str | None, lookup_key: LookupKey) -> Principal:
    if not authorization:
        raise Unauthenticated("credentials are required")
    if len(authorization) > MAX_HEADER or not authorization.isascii():
        raise Unauthenticated(f"the Authorization header must be at most {MAX_HEADER} ASCII characters")
    scheme, _, value = authorization.strip().partition(" ")
    scheme = scheme.lower()
    if scheme in ("bearer", "jwt") and value.strip():
        return verify_jwt(value.strip(), lookup_key)
    if scheme == "basic" and value.strip():
        return verify_basic(value.strip(), lookup_key)
    raise Unauthenticated("use 'Bearer <jwt>', 'JWT <jwt>' or 'Basic <key:secret>'")
