"""Credential verification, in the route's own process (RouteApp): Bearer / JWT tokens and Basic integration keys.

There is no authorizer Lambda in front of the routes: a cold request would pay two cold starts in series
(docs/performance.md, "A cold request"). So what it verified is verified here, with what it cached kept per process:

- **Users' JWTs**: RS256 by the identity provider's JWKS when deployed, HS256 with a local secret otherwise
  (functions/platform/jws.py); ``exp``, ``sub``, ``iss`` and ``aud`` required. ``alg: none``, a bad signature, a
  wrong issuer or audience and expiry all fail. The JWKS is fetched once per process and kept an hour.
- **OAuth clients' access tokens** (client credentials grant): RS256 from the client-token issuer (Cognito's user
  pool deployed, the local runner's token endpoint locally), by that issuer's JWKS. Cognito access tokens carry no
  ``aud``: ``token_use`` must be ``access`` and ``client_id`` must name an OAuth credential in the table that is not
  revoked; the token's scopes (``examdesk/<right>``) are its rights, in the courses the client was issued for.
- **Basic keys**: ``base64(id:secret)`` against the hashed secrets in the table.

Credential records (Basic keys, OAuth clients) are read with one GetItem and kept ``EXAMDESK_CREDENTIAL_CACHE_SECONDS``
(60 by default; 0 locally and in tests) per process: a revocation takes effect within that time
(docs/credentials.md). Unknown ids are not kept, so a key created a moment ago works at once.

Imports stay small: the JWT path uses the standard library only, and the credential model and repository load only
when a Basic key or an OAuth token arrives.
"""

from __future__ import annotations

import base64
import binascii
import re
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from functions.core.errors import Unauthenticated
from functions.core.rights import Principal
from functions.platform import jws
from functions.platform.settings import settings

if TYPE_CHECKING:
    from functions.core.credentials import Credential

__all__ = ["authenticate", "hash_secret", "mint_jwt", "new_secret", "verify_basic", "verify_jwt"]

MAX_HEADER = 4096
LookupKey = Callable[[str], "dict[str, Any] | None"]
# Integration keys are ids we issue (visible ASCII) and 256-bit secrets: anything else is refused before the
# store is asked (a key id over DynamoDB's 2,048-byte partition key was a 5xx).
_KEY_ID = re.compile(r"^[\x21-\x39\x3b-\x7e]{1,128}$")  # visible ASCII but ':'
MAX_SECRET = 256
MAX_SUBJECT_BYTES = 512  # a token's subject becomes a user key (functions/platform/request_limits.py)
JWKS_LIFESPAN = 3600  # seconds a process keeps an issuer's keys
CACHED_CREDENTIALS = 1000  # records a process keeps at most (the oldest go first)


def hash_secret(secret: str) -> str:
    from functions.core.credentials import hash_secret as hashed

    return hashed(secret)


def new_secret() -> str:
    from functions.core.credentials import new_secret as made

    return made()


@lru_cache(maxsize=1)
def user_jwks() -> jws.KeySet:
    """The users' identity provider's keys, kept per process (a warm route fetches them once an hour)."""
    return jws.KeySet(settings().jwks_url or "", lifespan=JWKS_LIFESPAN)


@lru_cache(maxsize=1)
def client_jwks() -> jws.KeySet:
    """The client-token issuer's keys, kept per process (a warm route fetches them once an hour)."""
    return jws.KeySet(settings().client_jwks_url or "", lifespan=JWKS_LIFESPAN)


class CachedCredentials:
    """``lookup(id)`` results kept ``ttl`` seconds per process (found records only). Thread-safe: the local
    runner and the importer share a process between threads."""

    def __init__(self, lookup: LookupKey, ttl: float, size: int = CACHED_CREDENTIALS) -> None:
        self.lookup, self.ttl, self.size = lookup, ttl, size
        self.items: dict[str, tuple[float, dict[str, Any]]] = {}
        self.lock = threading.Lock()

    def __call__(self, credential_id: str) -> dict[str, Any] | None:
        now = time.monotonic()
        with self.lock:
            kept = self.items.get(credential_id)
        if kept is not None and now < kept[0]:
            return kept[1]
        item = self.lookup(credential_id)
        if item is not None and self.ttl > 0:
            with self.lock:
                self.items.pop(credential_id, None)
                while len(self.items) >= self.size:
                    self.items.pop(next(iter(self.items)))
                self.items[credential_id] = (now + self.ttl, item)
        return item


@lru_cache(maxsize=1)
def stored_credentials() -> CachedCredentials:
    """The table's credential records, as routes read them (one GetItem, kept per process for a short time)."""
    from functions.data.credentials import CredentialRepository

    return CachedCredentials(lambda credential_id: CredentialRepository().get_item(credential_id),
                             settings().credential_cache_seconds)


def _table_lookup(credential_id: str) -> dict[str, Any] | None:
    # Built on first use: a user's token never needs the credential repository (nor its imports).
    return stored_credentials()(credential_id)


def _stored(lookup_key: LookupKey, key_id: str) -> Credential | None:
    from pydantic import ValidationError

    from functions.core.credentials import Credential

    item = lookup_key(key_id) if key_id else None
    try:
        return Credential.model_validate({"id": key_id, **item}) if item else None
    except ValidationError:
        return None


def verify_client_token(token: jws.Jws, lookup_key: LookupKey) -> Principal:
    from functions.core.credentials import CredentialKind, rights_from_scopes

    s = settings()
    jws.verify_rs256(token, client_jwks())
    claims = token.claims
    jws.check_claims(claims, required=("exp", "iat", "sub", "iss", "client_id", "token_use"), issuer=s.client_issuer)
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
    parsed = jws.parse(token)
    if s.client_issuer and lookup_key is not None and parsed.claims.get("iss") == s.client_issuer:
        return verify_client_token(parsed, lookup_key)  # only routes the token; it is verified there
    if s.jwks_url:
        jws.verify_rs256(parsed, user_jwks())
    elif s.jwt_secret:
        jws.verify_hs256(parsed, s.jwt_secret)
    else:
        raise Unauthenticated("token verification is not configured")
    jws.check_claims(parsed.claims, required=("exp", "sub", "iss", "aud"), issuer=s.jwt_issuer,
                     audience=s.jwt_audience)
    subject = parsed.claims["sub"]
    if not subject or len(subject.encode("utf-8", "surrogatepass")) > MAX_SUBJECT_BYTES:
        raise Unauthenticated(f"the token's subject must be 1 to {MAX_SUBJECT_BYTES} bytes")
    return Principal(kind="user", subject=subject)


def mint_jwt(user_id: str, ttl_seconds: int = 8 * 3600, secret: str | None = None) -> str:
    """Local and test tokens (HS256). Deployed tokens come from the identity provider behind the JWKS URL."""
    import jwt  # only local tools and tests sign tokens

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
    from functions.core.credentials import CredentialKind, secret_matches

    key_id, secret = basic_pair(encoded)
    stored = _stored(lookup_key, key_id)
    # secret_matches compares even when the key is unknown, so timing does not reveal which key ids exist.
    if not secret_matches(stored, secret, now or datetime.now(UTC)) or stored is None \
            or stored.kind != CredentialKind.BASIC:
        raise Unauthenticated("unknown key, wrong secret, or a revoked key")
    return Principal(kind="key", subject=key_id, key_courses=frozenset(stored.courses),
                     key_rights=frozenset(stored.rights))


def authenticate(authorization: str | None, lookup_key: LookupKey | None = None) -> Principal:
    """The caller named by an ``Authorization`` header, or Unauthenticated (401); Unavailable (503) when the store
    or the token issuer's keys cannot be read. Hostile headers are refused before anything is read.
    ``lookup_key`` defaults to the table's credentials, kept per process (``stored_credentials``)."""
    if not authorization:
        raise Unauthenticated("credentials are required")
    if len(authorization) > MAX_HEADER or not authorization.isascii():
        raise Unauthenticated(f"the Authorization header must be at most {MAX_HEADER} ASCII characters")
    scheme, _, value = authorization.strip().partition(" ")
    scheme = scheme.lower()
    lookup = _table_lookup if lookup_key is None else lookup_key
    if scheme in ("bearer", "jwt") and value.strip():
        return verify_jwt(value.strip(), lookup)
    if scheme == "basic" and value.strip():
        return verify_basic(value.strip(), lookup)
    raise Unauthenticated("use 'Bearer <jwt>', 'JWT <jwt>' or 'Basic <key:secret>'")
