"""The routes' own JWS verifier (functions/platform/jws.py, standard library only) against tokens pyjwt and
cryptography sign: what they accept it accepts, and every forgery, tampering, algorithm swap and claim failure is
refused; the JWKS is fetched once per process and again for an unknown key at most once a minute; credential
records are kept per process for the documented time (functions/platform/auth.py)."""

from __future__ import annotations

import json
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from functions.core.errors import Unauthenticated, Unavailable
from functions.platform import auth, jws

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER = rsa.generate_private_key(public_exponent=65537, key_size=2048)
SECRET = "a-test-secret-of-enough-length-0123456789"


def public_jwk(key: Any, kid: str = "k1", **extra: Any) -> dict[str, Any]:
    return {**json.loads(RSAAlgorithm.to_jwk(key.public_key())), "kid": kid, "alg": "RS256", "use": "sig", **extra}


def key_set(*jwks: dict[str, Any]) -> jws.KeySet:
    keys = jws.KeySet("https://issuer.invalid/jwks.json")
    keys.keys = {j["kid"]: k for j in jwks if (k := jws.RsaKey.from_jwk(j)) is not None}
    keys.fetched_at = time.monotonic()
    return keys


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {"sub": "kevin", "iss": "examdesk", "aud": "examdesk-api", "iat": now, "exp": now + 60}
    return {k: v for k, v in {**base, **overrides}.items() if v is not None}


def rs256(payload: dict[str, Any] | None = None, key: Any = KEY, kid: str = "k1", **headers: Any) -> str:
    return jwt.encode(payload or claims(), key, algorithm="RS256", headers={"kid": kid, **headers})


def verify(token: str, keys: jws.KeySet | None = None, audience: str | None = "examdesk-api") -> dict[str, Any]:
    parsed = jws.parse(token)
    jws.verify_rs256(parsed, keys or key_set(public_jwk(KEY)))
    jws.check_claims(parsed.claims, required=("exp", "sub", "iss", "aud"), issuer="examdesk", audience=audience)
    return parsed.claims


def test_pyjwt_signed_tokens_verify_and_agree_with_pyjwt() -> None:
    for payload in (claims(), claims(aud=["other", "examdesk-api"]), claims(exp=time.time() + 30.5)):
        token = rs256(payload)
        assert verify(token) == jwt.decode(token, KEY.public_key(), algorithms=["RS256"], audience="examdesk-api",
                                           issuer="examdesk")
    hs = jwt.encode(claims(), SECRET, algorithm="HS256")
    jws.verify_hs256(jws.parse(hs), SECRET)


def _flip(token: str, part: int) -> str:
    parts = token.split(".")
    segment = parts[part]
    parts[part] = segment[:10] + ("A" if segment[10] != "A" else "B") + segment[11:]
    return ".".join(parts)


FORGED = {
    "signed by another key": lambda: rs256(key=OTHER),
    "payload changed": lambda: _flip(rs256(), 1),
    "signature changed": lambda: _flip(rs256(), 2),
    "header changed": lambda: _flip(rs256(), 0),
    "alg none": lambda: jwt.encode(claims(), None, algorithm="none", headers={"kid": "k1"}),  # type: ignore[arg-type]
    # The classic confusion: HS256 keyed with the RSA public key's bytes.
    "HS256 with the public key": lambda: "{}.{}.{}".format(*_hs_with_public_key()),
    "unknown kid": lambda: rs256(kid="k9"),
    "no kid": lambda: jwt.encode(claims(), KEY, algorithm="RS256"),
    "crit header": lambda: rs256(crit=["exp"]),
    "signature truncated": lambda: rs256()[:-4],
    "two segments": lambda: ".".join(rs256().split(".")[:2]),
    "not base64url": lambda: rs256().replace(".", ".!", 1),
    "payload not an object": lambda: "{}.{}.{}".format(*_segments(b'{"alg":"RS256","kid":"k1"}', b"[1]")),
}


def _segments(header: bytes, payload: bytes) -> tuple[str, str, str]:
    import base64

    enc = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()  # noqa: E731
    return enc(header), enc(payload), enc(b"x" * 256)


def _hs_with_public_key() -> tuple[str, str, str]:
    import base64
    import hashlib
    import hmac

    from cryptography.hazmat.primitives import serialization

    pem = KEY.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    enc = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()  # noqa: E731
    header, payload = enc(b'{"alg":"HS256","kid":"k1"}'), enc(json.dumps(claims()).encode())
    signature = hmac.new(pem, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return header, payload, enc(signature)


@pytest.mark.parametrize("token", list(FORGED.values()), ids=list(FORGED))
def test_forged_and_malformed_tokens_are_refused(token: Any) -> None:
    with pytest.raises(Unauthenticated):
        verify(token())


CLAIMS = {
    "expired": claims(exp=int(time.time()) - 1),
    "exp now": claims(exp=int(time.time())),
    "exp true": claims(exp=True),
    "no exp": claims(exp=None),
    "no sub": claims(sub=None),
    "sub not a string": claims(sub=42),
    "other issuer": claims(iss="evil"),
    "no aud": claims(aud=None),
    "other aud": claims(aud="other"),
    "aud list without us": claims(aud=["a", "b"]),
    "aud list of numbers": claims(aud=[1, 2]),
    "nbf in the future": claims(nbf=int(time.time()) + 300),
    "iat in the future": claims(iat=int(time.time()) + 300),
}


@pytest.mark.parametrize("payload", list(CLAIMS.values()), ids=list(CLAIMS))
def test_claims_are_checked_as_pyjwt_checks_them(payload: dict[str, Any]) -> None:
    token = rs256(payload)
    with pytest.raises(Unauthenticated):
        verify(token)
    with pytest.raises(jwt.PyJWTError):  # pyjwt refuses the same token
        jwt.decode(token, KEY.public_key(), algorithms=["RS256"], audience="examdesk-api", issuer="examdesk",
                   options={"require": ["exp", "sub", "iss", "aud"]})


def test_a_string_exp_is_refused_where_pyjwt_reads_it_as_a_number() -> None:
    """RFC 7519 2: a NumericDate is a JSON number; pyjwt's int() also takes "9999999999". Stricter, on purpose."""
    with pytest.raises(Unauthenticated):
        verify(rs256(claims(exp="9999999999")))


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
def test_unusable_keys_are_skipped() -> None:
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # pyjwt warns; we refuse
    assert jws.RsaKey.from_jwk(public_jwk(small)) is None
    assert jws.RsaKey.from_jwk(public_jwk(KEY, use="enc")) is None
    assert jws.RsaKey.from_jwk(public_jwk(KEY, alg="RS512")) is None
    assert jws.RsaKey.from_jwk({"kty": "EC", "kid": "e"}) is None
    assert jws.RsaKey.from_jwk({"kty": "RSA", "n": "!!", "e": "AQAB"}) is None
    with pytest.raises(Unauthenticated):
        verify(rs256(key=small), key_set(public_jwk(small)))


class Issuer:
    """An identity provider's JWKS endpoint (urllib.request.urlopen replaced: unit tests open no sockets), counting
    its fetches; it can be down."""

    def __init__(self) -> None:
        self.url = "https://issuer.invalid/.well-known/jwks.json"
        self.jwks = [public_jwk(KEY)]
        self.fetches = 0
        self.down = False

    def urlopen(self, url: str, timeout: float) -> Any:
        import io

        assert url == self.url and timeout <= 5
        self.fetches += 1
        if self.down:
            raise OSError("connection refused")
        return io.BytesIO(json.dumps({"keys": self.jwks}).encode())


@pytest.fixture
def issuer(monkeypatch: Any) -> Issuer:
    import urllib.request

    found = Issuer()
    monkeypatch.setattr(urllib.request, "urlopen", found.urlopen)
    return found


def test_the_jwks_is_fetched_once_and_again_for_a_new_key_at_most_once_a_minute(issuer: Issuer,
                                                                                  monkeypatch: Any) -> None:
    keys = jws.KeySet(issuer.url)
    for _ in range(3):
        verify(rs256(), keys)
    assert issuer.fetches == 1
    with pytest.raises(Unauthenticated):  # an unknown kid right after a fetch: no second fetch
        verify(rs256(kid="rotated"), keys)
    assert issuer.fetches == 1
    issuer.jwks = [public_jwk(KEY), public_jwk(OTHER, kid="rotated")]
    later = time.monotonic() + 61
    monkeypatch.setattr(jws.time, "monotonic", lambda: later)
    verify(rs256(key=OTHER, kid="rotated"), keys)  # the issuer rotated: fetched again, accepted
    assert issuer.fetches == 2


def test_an_unreachable_issuer_is_a_503_but_keys_held_keep_working(issuer: Issuer, monkeypatch: Any) -> None:
    issuer.down = True
    with pytest.raises(Unavailable):
        verify(rs256(), jws.KeySet(issuer.url))
    issuer.down = False
    keys = jws.KeySet(issuer.url)
    verify(rs256(), keys)
    issuer.down = True
    later = time.monotonic() + 7200  # past the lifespan: a refresh is due and fails
    monkeypatch.setattr(jws.time, "monotonic", lambda: later)
    verify(rs256(), keys)
    assert issuer.fetches == 3


def test_credential_records_are_kept_for_the_ttl_and_unknown_ids_never(monkeypatch: Any) -> None:
    reads: list[str] = []
    store = {"k1": {"kind": "basic"}}

    def lookup(credential_id: str) -> dict[str, Any] | None:
        reads.append(credential_id)
        return store.get(credential_id)

    kept = auth.CachedCredentials(lookup, ttl=60, size=2)
    now = [1000.0]
    monkeypatch.setattr(auth.time, "monotonic", lambda: now[0])
    assert kept("k1") == kept("k1") == {"kind": "basic"}
    assert kept("ghost") is None and kept("ghost") is None
    assert reads == ["k1", "ghost", "ghost"]
    now[0] += 61  # the revocation delay has passed: read again
    del store["k1"]
    assert kept("k1") is None and reads[-1] == "k1"
    store.update({"a": {}, "b": {}, "c": {}})
    for name in ("a", "b", "c"):
        kept(name)
    assert list(kept.items) == ["b", "c"]  # bounded: the oldest goes
    assert auth.CachedCredentials(lookup, ttl=0)("a") == {} and auth.CachedCredentials(lookup, ttl=0).items == {}
