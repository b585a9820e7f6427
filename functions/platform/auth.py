"""Credential verification: Bearer / JWT tokens (pyjwt) and Basic integration keys (hashed in the table).

JWTs: RS256 through a JWKS URL when deployed, HS256 with a local secret otherwise; ``exp``, issuer and
audience required. ``alg: none``, a bad signature, a wrong issuer or audience and expiry all fail.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
import time
from functools import lru_cache
from typing import Any

import jwt

from functions.core.errors import Unauthenticated
from functions.core.rights import Principal
from functions.platform.settings import settings

MAX_HEADER = 4096
# Integration keys are ids we issue (visible ASCII) and 256-bit secrets: anything else is refused before the
# store is asked (a key id over DynamoDB's 2,048-byte partition key was a 5xx).
_KEY_ID = re.compile(r"^[\x21-\x39\x3b-\x7e]{1,128}$")  # visible ASCII but ':'
MAX_SECRET = 256
MAX_SUBJECT_BYTES = 512  # a token's subject becomes a user key (functions/platform/request_limits.py)


def hash_secret(secret: str) -> str:
    """Secrets are 256-bit random strings we generate, so a fast hash cannot be dictionary-attacked."""
    return "sha256$" + hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> str:
    return secrets.token_urlsafe(32)


@lru_cache(maxsize=1)
def _jwks_client() -> Any:
    return jwt.PyJWKClient(settings().jwks_url or "", cache_keys=True, lifespan=3600)


def verify_jwt(token: str) -> Principal:
    s = settings()
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


def verify_basic(encoded: str, lookup_key: Any) -> Principal:
    """``Basic base64(key_id:secret)``; ``lookup_key(key_id)`` returns the stored key item or None."""
    try:
        key_id, secret = base64.b64decode(encoded, validate=True).decode().split(":", 1)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise Unauthenticated("Basic credentials must be base64 of key:secret") from None
    if not _KEY_ID.match(key_id) or not 0 < len(secret) <= MAX_SECRET:
        raise Unauthenticated("Basic credentials must be a key id of 1 to 128 visible ASCII characters and a "
                              f"secret of 1 to {MAX_SECRET} characters") from None
    stored = lookup_key(key_id)
    # Compare even when the key is unknown, so timing does not reveal which key ids exist.
    expected = stored["secretHash"] if stored else hash_secret(secrets.token_hex(8))
    if not hmac.compare_digest(expected, hash_secret(secret)) or not stored:
        raise Unauthenticated("unknown key or wrong secret")
    return Principal(
        kind="key", subject=key_id, key_courses=frozenset(stored.get("courses", [])),
        key_rights=frozenset(stored.get("rights", [])),
    )


def authenticate(authorization: str | None, lookup_key: Any) -> Principal:
    if not authorization:
        raise Unauthenticated("credentials are required")
    if len(authorization) > MAX_HEADER or not authorization.isascii():
        raise Unauthenticated(f"the Authorization header must be at most {MAX_HEADER} ASCII characters")
    scheme, _, value = authorization.strip().partition(" ")
    scheme = scheme.lower()
    if scheme in ("bearer", "jwt") and value.strip():
        return verify_jwt(value.strip())
    if scheme == "basic" and value.strip():
        return verify_basic(value.strip(), lookup_key)
    raise Unauthenticated("use 'Bearer <jwt>', 'JWT <jwt>' or 'Basic <key:secret>'")
