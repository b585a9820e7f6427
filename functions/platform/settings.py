"""Configuration from the environment, read when first needed (never at import time)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

TABLE_NAME = "EXAMDESK_TABLE_NAME"
DYNAMODB_ENDPOINT = "EXAMDESK_DYNAMODB_ENDPOINT"
JWT_SECRET = "EXAMDESK_JWT_SECRET"  # HS256, local runs and tests only
JWKS_URL = "EXAMDESK_JWKS_URL"  # RS256, deployed
JWT_ISSUER = "EXAMDESK_JWT_ISSUER"
JWT_AUDIENCE = "EXAMDESK_JWT_AUDIENCE"
# OAuth clients' access tokens (docs/credentials.md): Cognito's user pool issuer when deployed, the local
# runner's own URL locally; the JWKS defaults to <issuer>/.well-known/jwks.json, where both publish it.
CLIENT_ISSUER = "EXAMDESK_CLIENT_ISSUER"
CLIENT_JWKS_URL = "EXAMDESK_CLIENT_JWKS_URL"
USER_POOL_ID = "EXAMDESK_USER_POOL_ID"  # deployed: OAuth clients are this Cognito pool's app clients
# Seconds a route process keeps a credential record it read (Basic keys, OAuth clients): the revocation delay
# (docs/credentials.md). 0 reads the table for every request (the local runner and the tests).
CREDENTIAL_CACHE_SECONDS = "EXAMDESK_CREDENTIAL_CACHE_SECONDS"
DEFAULT_CREDENTIAL_CACHE_SECONDS = 60
API_BASE_URL = "EXAMDESK_API_BASE_URL"  # absolute links are built on it (functions/platform/links.py)
DEFAULT_API_BASE_URL = "http://localhost:8000"
# The pre-warm job (functions/jobs/prewarm.py): route name -> deployed function name (JSON, set by CDK), the
# most environments per function, and each route's expected warm duration in ms (JSON; unlisted: the default).
PREWARM_FUNCTIONS = "EXAMDESK_PREWARM_FUNCTIONS"
PREWARM_CAP = "EXAMDESK_PREWARM_CAP"
PREWARM_DURATIONS_MS = "EXAMDESK_PREWARM_DURATIONS_MS"
PREWARM_DEFAULT_DURATION_MS = 200  # `make run`'s address; the runner sets the port it bound


@dataclass(frozen=True)
class Settings:
    table_name: str
    dynamodb_endpoint: str | None
    jwt_secret: str | None
    jwks_url: str | None
    jwt_issuer: str
    jwt_audience: str
    api_base_url: str
    client_issuer: str | None = None
    client_jwks_url: str | None = None
    user_pool_id: str | None = None
    credential_cache_seconds: float = DEFAULT_CREDENTIAL_CACHE_SECONDS


@lru_cache(maxsize=1)
def settings() -> Settings:
    client_issuer = os.environ.get(CLIENT_ISSUER) or None
    return Settings(
        table_name=os.environ.get(TABLE_NAME, "examdesk"),
        dynamodb_endpoint=os.environ.get(DYNAMODB_ENDPOINT) or None,
        jwt_secret=os.environ.get(JWT_SECRET) or None,
        jwks_url=os.environ.get(JWKS_URL) or None,
        jwt_issuer=os.environ.get(JWT_ISSUER, "examdesk"),
        jwt_audience=os.environ.get(JWT_AUDIENCE, "examdesk-api"),
        api_base_url=os.environ.get(API_BASE_URL) or DEFAULT_API_BASE_URL,
        client_issuer=client_issuer,
        user_pool_id=os.environ.get(USER_POOL_ID) or None,
        client_jwks_url=os.environ.get(CLIENT_JWKS_URL) or (f"{client_issuer}/.well-known/jwks.json"
                                                             if client_issuer else None),
        credential_cache_seconds=float(os.environ.get(CREDENTIAL_CACHE_SECONDS) or DEFAULT_CREDENTIAL_CACHE_SECONDS),
    )


@dataclass(frozen=True)
class PrewarmSettings:
    functions: dict[str, str]
    cap: int
    durations_s: dict[str, float]


def prewarm_settings() -> PrewarmSettings:
    """Read per run (the job is small): a malformed value is a configuration error, raised as such."""
    import json

    from functions.core.prewarm import DEFAULT_CAP, ROUTES

    durations = {**dict.fromkeys(ROUTES, PREWARM_DEFAULT_DURATION_MS),
                 **json.loads(os.environ.get(PREWARM_DURATIONS_MS) or "{}")}
    return PrewarmSettings(functions=json.loads(os.environ.get(PREWARM_FUNCTIONS) or "{}"),
                           cap=int(os.environ.get(PREWARM_CAP) or DEFAULT_CAP),
                           durations_s={route: float(ms) / 1000 for route, ms in durations.items()})
