"""Compact JWS verification for the two algorithms examdesk accepts, on the standard library only.

Why not pyjwt here: importing it loads ``cryptography`` (every algorithm it supports), about 90 ms of CPU per cold
start on the benchmark machine, and credentials are now verified in every route's own process (docs/performance.md,
"A cold request"). What a route needs is small and fixed:

- **HS256** (RFC 7518 3.2; local runs and tests): HMAC-SHA256, compared in constant time.
- **RS256** (RFC 7518 3.3: RSASSA-PKCS1-v1_5 with SHA-256; users' identity provider and Cognito when deployed):
  verified by RFC 8017 8.2.2's *encode and compare*: the signature is raised to the public exponent and the whole
  block is compared with the one built from the digest (``00 01 FF.. 00 DigestInfo hash``), so no padding is ever
  parsed (the class of bugs behind Bleichenbacher's 2006 forgery). Keys under 2,048 bits are refused.

The algorithm is never taken from the token: the caller names the one it expects and a token with any other
``alg`` (``none``, HS256 against an RSA key...) is refused. A header with ``crit`` is refused (RFC 7515 4.1.11: we
understand no extension). pyjwt stays the tool that *signs* (tests, the local runner's token endpoint), and
tests/unit/test_jws.py checks this verifier against tokens it signs.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import threading
import time
from dataclasses import dataclass
from typing import Any

from functions.core.errors import Unauthenticated, Unavailable

_B64URL = re.compile(r"^[A-Za-z0-9_-]*$")
# DER of DigestInfo(sha256, NULL) before the 32-byte hash (RFC 8017 9.2, note 1).
SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")
MIN_RSA_BITS = 2048


class InvalidToken(Unauthenticated):
    def __init__(self, reason: str) -> None:
        super().__init__(f"the token is not valid: {reason}")


def b64url(segment: str) -> bytes:
    if not _B64URL.match(segment) or len(segment) % 4 == 1:
        raise InvalidToken("a segment is not base64url")
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _object(raw: bytes, what: str) -> dict[str, Any]:
    try:
        value = json.loads(raw)
    except ValueError:  # UnicodeDecodeError is a ValueError
        raise InvalidToken(f"its {what} is not JSON") from None
    if not isinstance(value, dict):
        raise InvalidToken(f"its {what} is not a JSON object")
    return value


@dataclass(frozen=True)
class Jws:
    header: dict[str, Any]
    claims: dict[str, Any]
    signing_input: bytes
    signature: bytes

    def expect(self, alg: str) -> None:
        if self.header.get("alg") != alg:
            raise InvalidToken(f"the algorithm must be {alg}")
        if "crit" in self.header:
            raise InvalidToken("it names critical extensions")


def parse(token: str) -> Jws:
    """The token's parts, decoded; nothing is verified yet."""
    parts = token.split(".")
    if len(parts) != 3:
        raise InvalidToken("a JWT has three dot-separated segments")
    header, claims = _object(b64url(parts[0]), "header"), _object(b64url(parts[1]), "payload")
    return Jws(header, claims, f"{parts[0]}.{parts[1]}".encode("ascii"), b64url(parts[2]))


def verify_hs256(jws: Jws, secret: str) -> None:
    jws.expect("HS256")
    expected = hmac.new(secret.encode("utf-8"), jws.signing_input, hashlib.sha256).digest()
    if not hmac.compare_digest(expected, jws.signature):
        raise InvalidToken("the signature does not match")


@dataclass(frozen=True)
class RsaKey:
    n: int
    e: int

    @classmethod
    def from_jwk(cls, jwk: Any) -> RsaKey | None:
        """An RS256 signing key from a JWK, or None when the JWK is not one (other type, use or algorithm,
        malformed, under 2,048 bits): such keys are skipped, as pyjwt's key set skips unusable keys."""
        if not isinstance(jwk, dict) or jwk.get("kty") != "RSA" or jwk.get("use", "sig") != "sig" \
                or jwk.get("alg", "RS256") != "RS256":
            return None
        try:
            n, e = (int.from_bytes(b64url(str(jwk[name])), "big") for name in ("n", "e"))
        except (KeyError, Unauthenticated):
            return None
        if n.bit_length() < MIN_RSA_BITS or e < 3 or e % 2 == 0:
            return None
        return cls(n, e)


def rs256_matches(key: RsaKey, signing_input: bytes, signature: bytes) -> bool:
    """RFC 8017 8.2.2 (RSASSA-PKCS1-v1_5-VERIFY) with SHA-256, by encoding and comparing the whole block."""
    k = (key.n.bit_length() + 7) // 8
    if len(signature) != k:
        return False
    s = int.from_bytes(signature, "big")
    if s >= key.n:
        return False
    encoded = pow(s, key.e, key.n).to_bytes(k, "big")
    t = SHA256_DIGEST_INFO + hashlib.sha256(signing_input).digest()
    expected = b"\x00\x01" + b"\xff" * (k - len(t) - 3) + b"\x00" + t
    return hmac.compare_digest(encoded, expected)


class KeySet:
    """An issuer's JWKS (``kid`` -> key), fetched on first use and kept ``lifespan`` seconds per process; fetched
    again for an unknown ``kid`` (the issuer rotated its keys) at most once per ``refetch_after`` seconds, so a
    stream of forged ``kid`` values cannot make every request call the issuer. If a refresh fails, the keys
    already held keep working; with none held, the request is a 503 (the issuer is down: not the caller's fault)."""

    def __init__(self, url: str, lifespan: float = 3600, refetch_after: float = 60, timeout: float = 3) -> None:
        self.url = url
        self.lifespan, self.refetch_after, self.timeout = lifespan, refetch_after, timeout
        self.keys: dict[str, RsaKey] = {}
        self.fetched_at = float("-inf")
        self.lock = threading.Lock()

    def key(self, kid: Any) -> RsaKey:
        if not isinstance(kid, str) or not kid:
            raise InvalidToken('its header names no key ("kid")')
        with self.lock:
            age = time.monotonic() - self.fetched_at
            if age >= self.lifespan or (kid not in self.keys and age >= self.refetch_after):
                self._refresh()
            found = self.keys.get(kid)
        if found is None:
            raise InvalidToken("its key is not one of the issuer's")
        return found

    def _refresh(self) -> None:
        if not self.url.startswith(("https://", "http://")):
            raise Unavailable("token verification is not configured: no JWKS URL")
        import urllib.request  # loaded by botocore already: no import cost

        try:
            with urllib.request.urlopen(self.url, timeout=self.timeout) as answer:  # http(s) only: checked above
                document = json.loads(answer.read())
        except (OSError, ValueError):
            if self.keys:  # keep verifying with the keys we have; try again after refetch_after
                self.fetched_at = time.monotonic() - self.lifespan + self.refetch_after
                return
            raise Unavailable("the token issuer's keys could not be fetched; retry shortly") from None
        entries = document.get("keys") if isinstance(document, dict) else None
        keys = {str(jwk.get("kid")): key for jwk in entries or [] if isinstance(jwk, dict)
                if (key := RsaKey.from_jwk(jwk)) is not None and jwk.get("kid")}
        self.keys, self.fetched_at = keys, time.monotonic()


def verify_rs256(jws: Jws, keys: KeySet) -> None:
    jws.expect("RS256")
    if not rs256_matches(keys.key(jws.header.get("kid")), jws.signing_input, jws.signature):
        raise InvalidToken("the signature does not match")


def _number(claims: dict[str, Any], name: str) -> float:
    value = claims[name]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidToken(f'"{name}" must be a number (seconds since 1970)')
    return value


def check_claims(claims: dict[str, Any], *, required: tuple[str, ...], issuer: str | None,
                 audience: str | None = None, now: float | None = None) -> None:
    """RFC 7519 4.1 as pyjwt checks them (no leeway): required claims present and not null; ``exp`` in the
    future; ``nbf`` and ``iat``, when present, not in the future; ``iss`` equal; ``aud`` (a string or a list of
    strings) naming ``audience`` when one is expected; ``sub``, when present, a string."""
    for name in required:
        if claims.get(name) is None:
            raise InvalidToken(f'it has no "{name}" claim')
    now = time.time() if now is None else now
    if "iat" in claims and _number(claims, "iat") > now:
        raise InvalidToken("it is not yet valid (iat)")
    if "nbf" in claims and _number(claims, "nbf") > now:
        raise InvalidToken("it is not yet valid (nbf)")
    if "exp" in claims and _number(claims, "exp") <= now:
        raise Unauthenticated("the token has expired")
    if issuer is not None and claims.get("iss") != issuer:
        raise InvalidToken("its issuer is not the expected one")
    if audience is not None:
        aud = claims.get("aud")
        audiences = [aud] if isinstance(aud, str) else aud if isinstance(aud, list) else None
        if audiences is None or not all(isinstance(a, str) for a in audiences) or audience not in audiences:
            raise InvalidToken("its audience is not this API")
    if "sub" in claims and not isinstance(claims["sub"], str):
        raise InvalidToken('"sub" must be a string')
