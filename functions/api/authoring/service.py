"""Builds the authoring service for one request (repositories, the caller's Access, the request's now)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from functions.api.wiring import access, unit
from functions.core.services.audit_trail import AuditTrailService
from functions.core.services.authoring import AuthoringService
from functions.data.audit import AuditRepository
from functions.data.directory import DirectoryRepository
from functions.data.exams import ExamRepository
from functions.platform.clock import utcnow
from functions.platform.http import RouteApp

if TYPE_CHECKING:
    from functions.core.services.credentials import CredentialService


def authoring(app: RouteApp) -> AuthoringService:
    """Raises 401 before any read when the request carries no principal."""
    directory, now = DirectoryRepository(), utcnow()
    return AuthoringService(directory=directory, content=ExamRepository(), unit=unit(app, now),
                            access=access(app, directory), now=now)


def audit_trail(app: RouteApp) -> AuditTrailService:
    """A course's audit events, and restores from them."""
    from functions.data.sessions import SessionRepository

    return AuditTrailService(access=access(app), events=AuditRepository(), removals=SessionRepository(),
                             unit=unit(app), now=utcnow())


def credentials(app: RouteApp) -> CredentialService:
    """Integration credentials (HTTP Basic keys and OAuth clients): institution administrators only."""
    from functions.core.services.credentials import CredentialService
    from functions.data.credentials import CredentialRepository
    from functions.platform.settings import settings

    app_clients = None
    if settings().user_pool_id:  # deployed: OAuth clients are the Cognito pool's app clients too
        from functions.data.cognito_clients import CognitoClients

        app_clients = CognitoClients()
    now = utcnow()
    return CredentialService(store=CredentialRepository(), unit=unit(app, now), access=access(app), now=now,
                             app_clients=app_clients)
