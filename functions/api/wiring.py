"""Builds the domain services for one request from the data layer and the caller (the only place
route modules get repositories from)."""

from __future__ import annotations

from functions.core.rights import Access
from functions.core.services.sessions import SessionService
from functions.data.directory import DirectoryRepository
from functions.data.exams import ExamRepository
from functions.data.sessions import SessionRepository
from functions.data.stats import stats_op
from functions.platform.clock import utcnow
from functions.platform.http import RouteApp


def access(app: RouteApp, directory: DirectoryRepository | None = None) -> Access:
    return Access(app.principal, directory or DirectoryRepository())


def session_service(app: RouteApp) -> SessionService:
    directory = DirectoryRepository()
    return SessionService(
        people=directory, exams=ExamRepository(), sessions=SessionRepository(), stats_op=stats_op,
        access=access(app, directory), now=utcnow(),
    )
