import base64
import time

import jwt
import pytest

from functions.core.errors import Unauthenticated
from functions.platform.auth import authenticate, hash_secret, mint_jwt
from tests.conftest import TEST_SECRET

KEYS = {"k1": {"secretHash": hash_secret("s3cret"), "courses": ["c1"], "rights": ["course:view"]}}


def claims(**overrides):
    now = int(time.time())
    return {"sub": "kevin", "iss": "examdesk", "aud": "examdesk-api", "exp": now + 60, **overrides}


def test_bearer_and_jwt_schemes():
    token = mint_jwt("kevin")
    assert authenticate(f"Bearer {token}", KEYS.get).subject == "kevin"
    assert authenticate(f"JWT {token}", KEYS.get).kind == "user"


def test_basic_key_is_scoped():
    principal = authenticate("Basic " + base64.b64encode(b"k1:s3cret").decode(), KEYS.get)
    assert principal.kind == "key" and principal.key_courses == {"c1"} and principal.key_rights == {"course:view"}


@pytest.mark.parametrize("header", [
    None, "", "Bearer", "Token abc", "Bearer not.a.jwt",
    "Bearer " + jwt.encode(claims(exp=int(time.time()) - 10), TEST_SECRET, algorithm="HS256"),
    "Bearer " + jwt.encode(claims(), "wrong-secret-wrong-secret-wrong-secret", algorithm="HS256"),
    "Bearer " + jwt.encode(claims(iss="evil"), TEST_SECRET, algorithm="HS256"),
    "Bearer " + jwt.encode(claims(aud="other"), TEST_SECRET, algorithm="HS256"),
    "Bearer " + jwt.encode({k: v for k, v in claims().items() if k != "exp"}, TEST_SECRET, algorithm="HS256"),
    "Bearer " + jwt.encode(claims(), None, algorithm="none"),
    "Basic " + base64.b64encode(b"k1:wrong").decode(),
    "Basic " + base64.b64encode(b"nokey:s3cret").decode(),
    "Basic !!!",
    "Bearer " + "a" * 5000,
])
def test_refused_credentials(header):
    with pytest.raises(Unauthenticated):
        authenticate(header, KEYS.get)
