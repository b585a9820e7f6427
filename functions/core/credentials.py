"""Integration credentials: HTTP Basic keys and OAuth2 clients, one model and one set of rules.

A credential is issued for some courses (or ``*``: every course) and some rights; its secret is shown once and
stored only as a hash. Rotating makes a new secret current and keeps the old one valid for an overlap window
(at most two secrets at a time, as Cognito allows per app client); revoking refuses both at once. The
authorizer (``functions/platform/auth.py``) and the token endpoint (``infra/local/oauth.py``) check a secret
with ``secret_matches``; OAuth scopes map to rights with ``scope_rights`` (docs/credentials.md).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import ConfigDict, Field
from pydantic.alias_generators import to_camel

from functions.core.errors import InvalidInput
from functions.core.models import Model
from functions.core.rights import ALL_RIGHTS

# Basic credentials are "key:secret": a key id never holds ':' (so no ':' here, unlike other ids).
CREDENTIAL_ID_PATTERN = r"^[A-Za-z0-9._-]{1,128}$"
_CREDENTIAL_ID = re.compile(CREDENTIAL_ID_PATTERN)
ALL_COURSES = "*"
MAX_COURSES = 50
DEFAULT_OVERLAP_SECONDS = 3600
MAX_OVERLAP_SECONDS = 7 * 24 * 3600
# Scopes are the resource server's identifier + a right, as Cognito spells custom scopes: examdesk/course:view.
RESOURCE_SERVER = "examdesk"
TOKEN_TTL_SECONDS = 3600  # Cognito's default access-token validity; the local token endpoint issues the same


class CredentialKind(StrEnum):
    BASIC = "basic"  # Authorization: Basic base64(id:secret) on every request (ExamSpark integrations)
    OAUTH = "oauth"  # client credentials grant at the token URL, then Bearer <access token>


class Credential(Model):
    """Stored with camelCase attributes (``secretHash`` as the first keys had); never shown with its hashes."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True, alias_generator=to_camel)

    id: str
    kind: CredentialKind = CredentialKind.BASIC
    name: str = ""
    courses: list[str] = Field(default_factory=list)
    rights: list[str] = Field(default_factory=list)
    secret_hash: str
    previous_secret_hash: str | None = None
    previous_valid_until: datetime | None = None
    created_at: datetime | None = None
    created_by: str | None = None
    rotated_at: datetime | None = None
    revoked_at: datetime | None = None
    revoked_by: str | None = None
    version: int = 1

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    def public(self) -> dict[str, Any]:
        """What the API and the audit trail show: everything but the hashes."""
        data = self.model_dump(mode="json", exclude={"secret_hash", "previous_secret_hash"})
        data["status"] = "revoked" if self.revoked else "active"
        data["scopes"] = scopes_for(self.rights) if self.kind == CredentialKind.OAUTH else []
        return data


def hash_secret(secret: str) -> str:
    """Secrets are 256-bit random strings we generate, so a fast hash cannot be dictionary-attacked."""
    return "sha256$" + hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> str:
    """256 bits as 64 hex digits: within Cognito's custom client secrets (24..64 of ``[\\w+]``), so the same
    secret serves a Basic key, the local token endpoint and a Cognito app client."""
    return secrets.token_hex(32)


def secret_matches(credential: Credential | None, secret: str, now: datetime) -> bool:
    """The current secret, or the previous one inside its overlap window; never for a revoked credential.
    Both hashes are compared every time (and a dummy when the credential is unknown), so timing tells nothing."""
    given = hash_secret(secret)
    current = credential.secret_hash if credential else hash_secret(secrets.token_hex(8))
    previous = (credential.previous_secret_hash if credential else None) or hash_secret(secrets.token_hex(8))
    in_window = bool(credential and credential.previous_valid_until and now < credential.previous_valid_until)
    ok_current = hmac.compare_digest(current, given)
    ok_previous = hmac.compare_digest(previous, given) and in_window
    return credential is not None and not credential.revoked and (ok_current or ok_previous)


def rotated(credential: Credential, new_hash: str, now: datetime, overlap_seconds: int, by: str) -> Credential:
    """The old current secret stays valid until now + overlap (0: refused at once); an older one is dropped."""
    return credential.model_copy(update={
        "secret_hash": new_hash, "previous_secret_hash": credential.secret_hash if overlap_seconds else None,
        "previous_valid_until": now + timedelta(seconds=overlap_seconds) if overlap_seconds else None,
        "rotated_at": now, "version": credential.version + 1, "created_by": credential.created_by or by,
    })


def scopes_for(rights: list[str]) -> list[str]:
    return [f"{RESOURCE_SERVER}/{right}" for right in rights]


def scope_rights(credential: Credential, scope: str | None) -> list[str]:
    """The rights a token asked for with ``scope`` (space-separated, RFC 6749 3.3) carries: all of the client's
    when omitted (its registered default, as Cognito does); a scope it was not issued is ``invalid_scope``."""
    if scope is None or not scope.strip():
        return list(credential.rights)
    wanted = scope.split()
    granted = set(scopes_for(credential.rights))
    refused = [s for s in wanted if s not in granted]
    if refused:
        raise InvalidInput(f"scope {refused[0]!r} is not one this client was issued", field="scope")
    return [s.removeprefix(f"{RESOURCE_SERVER}/") for s in dict.fromkeys(wanted)]


def rights_from_scopes(scopes: str) -> list[str]:
    """A verified access token's ``scope`` claim -> rights (scopes of other resource servers are ignored)."""
    prefix = f"{RESOURCE_SERVER}/"
    known = {r.value for r in ALL_RIGHTS}
    return [s.removeprefix(prefix) for s in scopes.split() if s.startswith(prefix) and s.removeprefix(prefix) in known]


def check_grant(credential_id: str | None, courses: list[str], rights: list[str]) -> None:
    """What a credential may be issued with: a valid id, 1..50 distinct courses (or ``*``), known rights."""
    if credential_id is not None and not _CREDENTIAL_ID.match(credential_id):
        raise InvalidInput("id must be 1..128 of A-Z a-z 0-9 . _ - (no ':')", field="id")
    if not courses or len(courses) > MAX_COURSES or len(set(courses)) != len(courses):
        raise InvalidInput(f"courses must be 1..{MAX_COURSES} distinct course ids, or ['*']", field="courses")
    if ALL_COURSES in courses and len(courses) > 1:
        raise InvalidInput("'*' (every course) stands alone", field="courses")
    if any("," in c for c in courses):  # the authorizer hands courses to the route comma-separated
        raise InvalidInput("a course id with ',' cannot be named", field="courses")
    known = {r.value for r in ALL_RIGHTS}
    if not rights or len(set(rights)) != len(rights) or any(r not in known for r in rights):
        raise InvalidInput(f"rights must be distinct, from {sorted(known)}", field="rights")
