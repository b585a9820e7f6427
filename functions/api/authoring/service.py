"""Builds the authoring service for one request (repositories, the caller's Access, the request's now)."""

from __future__ import annotations

from functions.api.wiring import access
from functions.core.services.audit_trail import AuditTrailService
from functions.core.services.authoring import AuthoringService
from functions.data.audit import AuditRepository
from functions.data.directory import DirectoryRepository
from functions.data.exams import ExamRepository
from functions.data.resets import ResetBatch
from functions.data.stats import stats_op
from functions.platform.clock import utcnow
from functions.platform.http import RouteApp


def authoring(app: RouteApp) -> AuthoringService:
    """Raises 401 before any read when the request carries no principal."""
    directory = DirectoryRepository()
    return AuthoringService(directory=directory, content=ExamRepository(), access=access(app, directory),
                            now=utcnow())


def audit_trail(app: RouteApp) -> AuditTrailService:
    """A course's audit events, and restores from them."""
    return AuditTrailService(access=access(app), events=AuditRepository(), batches=ResetBatch, stats_op=stats_op,
                             now=utcnow())
