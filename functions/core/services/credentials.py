"""The lifecycle of integration credentials (HTTP Basic keys and OAuth clients): create, list, get, rotate,
revoke. Institution administrators (and the console operator) only: a key or an OAuth client never manages
credentials, whatever its rights, so a leaked credential cannot mint itself a wider one. Every change is one
transaction with its audit event (institution-wide: ``GET /authoring/audit-events``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from functions.core.changes import Saved, Work
from functions.core.credentials import (
    ALL_COURSES,
    DEFAULT_OVERLAP_SECONDS,
    MAX_OVERLAP_SECONDS,
    Credential,
    CredentialKind,
    check_grant,
    hash_secret,
    new_secret,
    rotated,
    scopes_for,
)
from functions.core.errors import CHANGED_MEANWHILE, ConcurrentUpdate, Conflict, Forbidden, InvalidInput, NotFound
from functions.core.ports import UnitOfWork
from functions.core.rights import Access


class CredentialStore(Protocol):
    def get(self, credential_id: str, *, consistent: bool = False) -> Credential | None: ...
    def list_page(self, limit: int, token: str | None) -> tuple[list[Credential], str | None]: ...
    def missing_courses(self, course_ids: list[str]) -> list[str]: ...


class AppClients(Protocol):
    """Deployed, OAuth clients are also Cognito app clients (functions/data/cognito_clients.py): Cognito's token
    endpoint checks their secrets, which we make and hand over."""

    def create(self, name: str, scopes: list[str], secret: str) -> str: ...
    def rotate(self, client_id: str, secret: str, keep_previous: bool) -> str: ...
    def drop_secret(self, client_id: str, secret_id: str) -> None: ...
    def keep_newest(self, client_id: str) -> None: ...
    def delete(self, client_id: str) -> None: ...


@dataclass(frozen=True)
class Issued:
    """A credential with the secret that was just made: the only time the secret is ever shown."""

    credential: Credential
    secret: str


@dataclass
class CredentialService:
    store: CredentialStore
    unit: UnitOfWork  # writes each change with its audit event (core/changes.py)
    access: Access
    now: datetime
    app_clients: AppClients | None = None  # None: the table alone (the local runner's token endpoint)

    def _require_admin(self) -> None:
        principal = self.access.principal
        if principal.kind not in ("user", "operator"):
            raise Forbidden("integration credentials are managed by institution administrators, not by credentials")
        self.access.require_global_admin()

    def _commit(self, action: str, before: Credential | None, after: Credential) -> None:
        """One transaction, institution-wide: the credential (a change only over the version read) and its audit
        event, which shows no hashes."""
        extra = {"credential": after} if before is None else {"credential": after, "read_version": before.version}
        change = Saved("credential", after.id, before.public() if before else None, after.public(), extra)
        conflict = f"credential '{after.id}' already exists" if before is None else CHANGED_MEANWHILE
        self.unit.commit(Work(action, None, [change], conflict=conflict))

    def create(self, kind: CredentialKind, name: str, courses: list[str], rights: list[str],
               credential_id: str | None = None) -> Issued:
        self._require_admin()
        check_grant(credential_id, courses, rights)
        if courses != [ALL_COURSES]:
            missing = self.store.missing_courses(courses)
            if missing:
                raise InvalidInput(f"course '{missing[0]}' does not exist", field="courses")
        secret = new_secret()
        prefix = "key" if kind == CredentialKind.BASIC else "client"
        cognito = self.app_clients if kind == CredentialKind.OAUTH else None
        if cognito is not None:
            if credential_id is not None:
                raise InvalidInput("Cognito names OAuth clients: leave id out", field="id")
            credential_id = cognito.create(name, scopes_for(rights), secret)
        credential = Credential(
            id=credential_id or f"{prefix}-{uuid.uuid4().hex}", kind=kind, name=name, courses=courses,
            rights=rights, secret_hash=hash_secret(secret), created_at=self.now,
            created_by=f"{self.access.principal.kind}:{self.access.principal.subject}",
        )
        try:
            self._commit("credential.create", None, credential)
        except Exception:
            if cognito is not None:  # no app client without its record
                cognito.delete(credential.id)
            raise
        return Issued(credential, secret)

    def list_page(self, limit: int, token: str | None) -> tuple[list[Credential], str | None]:
        self._require_admin()
        return self.store.list_page(limit, token)

    def get(self, credential_id: str) -> Credential:
        self._require_admin()
        return self._existing(credential_id)

    def _existing(self, credential_id: str) -> Credential:
        credential = self.store.get(credential_id, consistent=True)
        if credential is None:
            raise NotFound(f"credential '{credential_id}' not found")
        return credential

    def rotate(self, credential_id: str, overlap_seconds: int | None) -> Issued:
        """A new current secret; the old one keeps working for ``overlap_seconds`` (default one hour)."""
        self._require_admin()
        overlap = DEFAULT_OVERLAP_SECONDS if overlap_seconds is None else overlap_seconds
        if not 0 <= overlap <= MAX_OVERLAP_SECONDS:
            raise InvalidInput(f"overlapSeconds must be 0..{MAX_OVERLAP_SECONDS}", field="overlapSeconds")
        before = self._existing(credential_id)
        if before.revoked:
            raise Conflict(f"credential '{credential_id}' is revoked; create a new one")
        secret = new_secret()
        by = f"{self.access.principal.kind}:{self.access.principal.subject}"
        after = rotated(before, hash_secret(secret), self.now, overlap, by)
        cognito = self.app_clients if before.kind == CredentialKind.OAUTH else None
        added = cognito.rotate(before.id, secret, keep_previous=overlap > 0) if cognito else None
        try:
            self._commit("credential.rotate", before, after)
        except Exception:
            if cognito is not None and added is not None:  # the old secret stays the current one
                cognito.drop_secret(before.id, added)
            raise
        return Issued(after, secret)

    def revoke(self, credential_id: str) -> Credential:
        """Every secret refused from now on (new tokens at once; a cached authorization within its lifetime)."""
        self._require_admin()
        before = self._existing(credential_id)
        if before.revoked:
            raise Conflict(f"credential '{credential_id}' is already revoked")
        after = before.model_copy(update={
            "revoked_at": self.now, "revoked_by": f"{self.access.principal.kind}:{self.access.principal.subject}",
            "previous_secret_hash": None, "previous_valid_until": None, "version": before.version + 1,
        })
        self._commit("credential.revoke", before, after)
        if self.app_clients is not None and before.kind == CredentialKind.OAUTH:
            # After the table: if this fails, the authorizer already refuses the client's tokens (it reads
            # the record), only Cognito still answers its token requests until an operator deletes the client.
            self.app_clients.delete(before.id)
        return after

    def close_overlaps(self, page_size: int = 100) -> list[str]:
        """The scheduled sweep (functions/jobs/close_overlaps.py): every credential whose overlap window has
        ended forgets its old secret; deployed, Cognito deletes it (its token endpoint knows no windows). The
        ids it closed. A system act, so no administrator check: only the schedule (and IAM) invokes it."""
        closed: list[str] = []
        token: str | None = None
        while True:
            page, token = self.store.list_page(page_size, token)
            for before in page:
                ended = before.previous_valid_until is not None and before.previous_valid_until <= self.now
                if not ended or before.revoked:
                    continue
                if self.app_clients is not None and before.kind == CredentialKind.OAUTH:
                    self.app_clients.keep_newest(before.id)
                after = before.model_copy(update={"previous_secret_hash": None, "previous_valid_until": None,
                                                  "version": before.version + 1})
                try:
                    self._commit("credential.overlap-end", before, after)
                except ConcurrentUpdate:  # changed meanwhile (a rotation): the next tick looks again
                    continue
                closed.append(before.id)
            if token is None:
                return closed
