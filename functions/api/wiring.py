"""Builds the domain services for one request from the data layer and the caller (the only place
route modules get repositories from)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from functions.core.rights import Access, Directory
from functions.data.audit import audit_op
from functions.data.directory import DirectoryRepository
from functions.platform.clock import utcnow
from functions.platform.http import RouteApp

# Each factory imports its own service and repositories: a route's cold start loads only what it builds
# (the provider adapters and their models, for instance, only in the PowerPath routes that call providers).
if TYPE_CHECKING:
    from functions.core.canvas_ids import Ref
    from functions.core.ports import UnitOfWork
    from functions.core.services.attempts import AttemptService
    from functions.core.services.course_reads import QuizCatalog
    from functions.core.services.exam_instances import UserExamService
    from functions.core.services.extensions import ExtensionService
    from functions.core.services.external_imports import WritebackService
    from functions.core.services.external_tests import ExternalTestService
    from functions.core.services.lessons import LessonService
    from functions.core.services.results import ResultsService
    from functions.core.services.session_list import SessionListService
    from functions.core.services.sessions import SessionService


def unit(app: RouteApp, now: datetime | None = None) -> UnitOfWork:
    """Where the request's changes are written (core/changes.py): one transaction per unit, its audit event
    naming the caller at ``now`` (the service's, so the event and the objects it changed agree)."""
    from functions.data.unit_of_work import DynamoUnitOfWork

    return DynamoUnitOfWork(app.principal, now or utcnow())


def access(app: RouteApp, directory: Directory | None = None) -> Access:
    """The caller, their rights, and where their changes are recorded (the audit trail)."""
    return Access(app.principal, directory or DirectoryRepository(), audit=audit_op)


def session_service(app: RouteApp) -> SessionService:
    from functions.core.services.sessions import SessionService
    from functions.data.exams import ExamRepository
    from functions.data.sessions import SessionRepository
    from functions.data.unit_of_work import DynamoUnitOfWork

    directory = DirectoryRepository()
    now = utcnow()
    return SessionService(
        people=directory, exams=ExamRepository(), sessions=SessionRepository(),
        unit=DynamoUnitOfWork(app.principal, now), access=access(app, directory), now=now,
        persist_expiry=app.route.access == "write",  # read routes have read-only table access
    )


# --- ExamSpark attempts, results and session lists ---------------------------------------------------
def attempt_service(app: RouteApp) -> AttemptService:
    from functions.core.services.attempts import AttemptService

    return AttemptService(session_service(app))


def results_service(app: RouteApp) -> ResultsService:
    from functions.core.services.results import ResultsService
    from functions.data.exams import ExamRepository

    return ResultsService(session_service(app), ExamRepository())


def session_list_service(app: RouteApp) -> SessionListService:
    from functions.core.services.session_list import SessionListService
    from functions.data.exams import ExamRepository
    from functions.data.session_lists import SessionListRepository
    from functions.data.sessions import SessionRepository

    return SessionListService(pages=SessionListRepository(), exams=ExamRepository(), access=access(app),
                              now=utcnow(), details=SessionRepository().with_currents)


# --- Canvas quiz extensions ---------------------------------------------------------------------------
def extension_service(app: RouteApp) -> ExtensionService:
    from functions.core.services.extensions import ExtensionService
    from functions.data.extensions import ExtensionRepository

    sessions = session_service(app)
    return ExtensionService(people=sessions.people, exams=sessions.exams, store=ExtensionRepository(),
                            unit=sessions.unit, sessions=sessions, access=sessions.access, now=sessions.now)


def quiz_catalog(app: RouteApp) -> QuizCatalog:
    from functions.core.services.course_reads import QuizCatalog
    from functions.core.services.external_tests import MemoDirectory
    from functions.data.quizzes import QuizRepository

    directory = MemoDirectory(DirectoryRepository())  # the rights check and the caller's enrollment: one read
    return QuizCatalog(people=directory, store=QuizRepository(), access=access(app, directory), now=utcnow())


def canvas_ids(refs: list[Ref]) -> dict[Ref, str]:
    """Our ids for the Canvas ids of one request (core/canvas_ids.py): one read for all its numbers."""
    from functions.core.canvas_ids import resolve
    from functions.data.aliases import AliasRepository

    return resolve(AliasRepository(), refs)


# --- PowerPath external tests -------------------------------------------------------------------------
def lesson_service(app: RouteApp) -> LessonService:
    from functions.core.services.external_tests import MemoDirectory
    from functions.core.services.lessons import LessonService
    from functions.data.external_tests import LessonRepository

    directory = MemoDirectory(DirectoryRepository())
    return LessonService(lessons=LessonRepository(), people=directory, access=access(app, directory),
                         now=utcnow())


def external_test_service(app: RouteApp) -> ExternalTestService:
    from functions.core.services.external_tests import ExternalTestService, MemoDirectory
    from functions.data.external_tests import ExternalTestRepository, LessonRepository, enrollment_op
    from functions.providers.config import provider_settings
    from functions.providers.registry import provider

    directory = MemoDirectory(DirectoryRepository())  # rights and the student check read a user once
    return ExternalTestService(
        lessons=LessonRepository(), assignments=ExternalTestRepository(), people=directory, providers=provider,
        enroll_op=enrollment_op, access=access(app, directory), now=utcnow(),
        owner=f"request:{app.resolver.current_event.request_context.request_id}",
        poll_every=provider_settings().poll_every, max_failures=provider_settings().max_failures,
    )


def writeback_service() -> WritebackService:
    """No caller identity: the write-back is authenticated by its signature, not by our authorizer."""
    from functions.core.services.external_imports import WritebackService
    from functions.data.external_tests import ExternalTestRepository

    return WritebackService(queue=ExternalTestRepository(), now=utcnow())


# --- LearningStudio user exams ------------------------------------------------------------------------
def user_exam_service(app: RouteApp) -> UserExamService:
    from functions.core.services.exam_instances import UserExamService
    from functions.data.sessions import SessionRepository

    return UserExamService(service=session_service(app), store=SessionRepository())
