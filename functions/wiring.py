"""The composition root: the one place services are built from the data layer, for routes and jobs alike.

A route passes its ``RouteApp`` and a job a ``JobCaller``: both name the caller (``principal``), whether it may
write (read routes have read-only table access) and the request id. Each factory imports its own service and
repositories, so a function's cold start loads only what it builds (the provider adapters and their models,
for instance, only where providers are called).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from functions.core.rights import Access, Directory, Principal
from functions.platform.clock import utcnow

if TYPE_CHECKING:
    from functions.core.canvas_ids import Ref
    from functions.core.ports import UnitOfWork
    from functions.core.services.allowances import AllowanceService
    from functions.core.services.attempt_reports import ExamAttemptService
    from functions.core.services.attempts import AttemptService
    from functions.core.services.audit_trail import AuditTrailService
    from functions.core.services.authoring import AuthoringService
    from functions.core.services.course_exams import CourseScope, SpecialExamService
    from functions.core.services.course_reads import QuizCatalog
    from functions.core.services.credentials import CredentialService
    from functions.core.services.exam_instances import UserExamService
    from functions.core.services.extensions import ExtensionService
    from functions.core.services.external_imports import WritebackService
    from functions.core.services.external_ports import Providers
    from functions.core.services.external_tests import ExternalTestService
    from functions.core.services.import_pass import ImportPass
    from functions.core.services.lessons import LessonService
    from functions.core.services.proctoring import ProctoringService
    from functions.core.services.results import ResultsService
    from functions.core.services.session_list import SessionListService
    from functions.core.services.sessions import SessionService
    from functions.data.directory import DirectoryRepository
    from functions.data.exam_windows import ExamWindowRepository


class Caller(Protocol):
    """Who a service acts for. ``RouteApp`` is one (functions/platform/http.py); a job passes a JobCaller."""

    @property
    def principal(self) -> Principal: ...

    @property
    def writes(self) -> bool: ...

    @property
    def request_id(self) -> str: ...


@dataclass(frozen=True)
class JobCaller:
    """A scheduled job or a console invocation acting as ``principal``."""

    principal: Principal
    writes: bool = True
    request_id: str = ""


def unit(caller: Caller, now: datetime | None = None) -> UnitOfWork:
    """Where the caller's changes are written (core/changes.py): one transaction per unit, its audit event
    naming the caller."""
    from functions.data.unit_of_work import DynamoUnitOfWork

    return DynamoUnitOfWork(caller.principal, now or utcnow())


def directory() -> DirectoryRepository:
    from functions.data.directory import DirectoryRepository

    return DirectoryRepository()


def access(caller: Caller, people: Directory | None = None) -> Access:
    """The caller and their rights (raises 401 before any read when a request carries no principal)."""
    return Access(caller.principal, people or directory())


# --- sessions (ExamSpark, LearningStudio, Canvas grants) ---------------------------------------------
def session_service(caller: Caller) -> SessionService:
    from functions.core.services.sessions import SessionService
    from functions.data.exams import ExamRepository
    from functions.data.sessions import SessionRepository

    people, now = directory(), utcnow()
    return SessionService(people=people, exams=ExamRepository(), sessions=SessionRepository(),
                          unit=unit(caller, now), access=access(caller, people), now=now,
                          persist_expiry=caller.writes)  # read routes show expiry, the next write stores it


def attempt_service(caller: Caller) -> AttemptService:
    from functions.core.services.attempts import AttemptService

    return AttemptService(session_service(caller))


def results_service(caller: Caller) -> ResultsService:
    from functions.core.services.results import ResultsService
    from functions.data.exams import ExamRepository

    return ResultsService(session_service(caller), ExamRepository())


def session_list_service(caller: Caller) -> SessionListService:
    from functions.core.services.session_list import SessionListService
    from functions.data.exams import ExamRepository
    from functions.data.session_lists import SessionListRepository
    from functions.data.sessions import SessionRepository

    return SessionListService(pages=SessionListRepository(), exams=ExamRepository(), access=access(caller),
                              now=utcnow(), details=SessionRepository().with_currents)


def user_exam_service(caller: Caller) -> UserExamService:
    from functions.core.services.exam_instances import UserExamService
    from functions.data.sessions import SessionRepository

    return UserExamService(service=session_service(caller), store=SessionRepository())


# --- Canvas -------------------------------------------------------------------------------------------
def extension_service(caller: Caller) -> ExtensionService:
    from functions.core.services.extensions import ExtensionService
    from functions.data.extensions import ExtensionRepository

    sessions = session_service(caller)
    return ExtensionService(people=sessions.people, exams=sessions.exams, store=ExtensionRepository(),
                            unit=sessions.unit, sessions=sessions, access=sessions.access, now=sessions.now)


def quiz_catalog(caller: Caller) -> QuizCatalog:
    from functions.core.services.course_reads import QuizCatalog
    from functions.core.services.external_tests import MemoDirectory
    from functions.data.quizzes import QuizRepository

    people = MemoDirectory(directory())  # the rights check and the caller's enrollment: one read
    return QuizCatalog(people=people, store=QuizRepository(), access=access(caller, people), now=utcnow())


def canvas_ids(refs: list[Ref]) -> dict[Ref, str]:
    """Our ids for the Canvas ids of one request (core/canvas_ids.py): one read for all its numbers."""
    from functions.core.canvas_ids import resolve
    from functions.data.aliases import AliasRepository

    return resolve(AliasRepository(), refs)


# --- Open edX -----------------------------------------------------------------------------------------
def course_scope(caller: Caller, people: Directory | None = None) -> CourseScope:
    from functions.core.services.course_exams import CourseScope
    from functions.data.aliases import AliasRepository
    from functions.data.exams import ExamRepository

    return CourseScope(access=access(caller, people), exams=ExamRepository(), aliases=AliasRepository(),
                       now=utcnow())


def special_exams(caller: Caller) -> SpecialExamService:
    from functions.core.services.course_exams import SpecialExamService
    from functions.data.course_walks import CourseWalks

    return SpecialExamService(course_scope(caller), CourseWalks())


def proctoring(caller: Caller) -> ProctoringService:
    from functions.core.services.proctoring import ProctoringService
    from functions.data.proctoring import ProctoringRepository

    return ProctoringService(course_scope(caller), ProctoringRepository(), unit=unit(caller))


def exam_attempts(caller: Caller) -> ExamAttemptService:
    from functions.core.services.attempt_reports import ExamAttemptService
    from functions.data.course_walks import CourseWalks
    from functions.data.learners import LearnerRepository
    from functions.data.sessions import SessionRepository

    return ExamAttemptService(course_scope(caller), CourseWalks(), LearnerRepository(), unit=unit(caller),
                              work=SessionRepository())


def allowances(caller: Caller) -> AllowanceService:
    from functions.core.services.allowances import AllowanceService
    from functions.data.aliases import AliasRepository
    from functions.data.course_walks import CourseWalks
    from functions.data.extensions import ExtensionRepository
    from functions.data.learners import LearnerRepository

    people = directory()
    return AllowanceService(course_scope(caller, people), people=people, aliases=AliasRepository(),
                            learners=LearnerRepository(), lists=CourseWalks(), store=ExtensionRepository(),
                            unit=unit(caller))


# --- authoring, the audit trail, credentials --------------------------------------------------------
def authoring(caller: Caller) -> AuthoringService:
    from functions.core.services.authoring import AuthoringService
    from functions.data.exams import ExamRepository

    people, now = directory(), utcnow()
    return AuthoringService(directory=people, content=ExamRepository(), unit=unit(caller, now),
                            access=access(caller, people), now=now)


def audit_trail(caller: Caller) -> AuditTrailService:
    """A course's audit events, and restores from them."""
    from functions.core.services.audit_trail import AuditTrailService
    from functions.data.audit import AuditRepository
    from functions.data.sessions import SessionRepository

    now = utcnow()
    return AuditTrailService(access=access(caller), events=AuditRepository(), removals=SessionRepository(),
                             unit=unit(caller, now), now=now)


def credentials(caller: Caller) -> CredentialService:
    """Integration credentials (HTTP Basic keys and OAuth clients): institution administrators, and the
    credential sweep (functions/jobs/close_overlaps.py)."""
    from functions.core.services.credentials import CredentialService
    from functions.data.credentials import CredentialRepository
    from functions.platform.settings import settings

    app_clients = None
    if settings().user_pool_id:  # deployed: OAuth clients are the Cognito pool's app clients too
        from functions.data.cognito_clients import CognitoClients

        app_clients = CognitoClients()
    now = utcnow()
    return CredentialService(store=CredentialRepository(), unit=unit(caller, now), access=access(caller), now=now,
                             app_clients=app_clients)


# --- PowerPath external tests and the importer ----------------------------------------------------------
def lesson_service(caller: Caller) -> LessonService:
    from functions.core.services.external_tests import MemoDirectory
    from functions.core.services.lessons import LessonService
    from functions.data.external_tests import LessonRepository

    people, now = MemoDirectory(directory()), utcnow()
    return LessonService(lessons=LessonRepository(), people=people, unit=unit(caller, now),
                         access=access(caller, people), now=now)


def external_test_service(caller: Caller, owner: str | None = None) -> ExternalTestService:
    """``owner``: who holds an assignment's lease while importing it (a route: its request)."""
    from functions.core.services.external_tests import ExternalTestService, MemoDirectory
    from functions.data.external_tests import ExternalTestRepository, LessonRepository
    from functions.providers.config import provider_settings
    from functions.providers.registry import provider

    people, now = MemoDirectory(directory()), utcnow()  # rights and the student check read a user once
    return ExternalTestService(
        lessons=LessonRepository(), assignments=ExternalTestRepository(), people=people, providers=provider,
        unit=unit(caller, now), access=access(caller, people), now=now,
        owner=owner or f"request:{caller.request_id}", poll_every=provider_settings().poll_every,
        max_failures=provider_settings().max_failures,
    )


def writeback_service() -> WritebackService:
    """No caller identity: the write-back is authenticated by its signature, not by a credential."""
    from functions.core.services.external_imports import WritebackService
    from functions.data.external_tests import ExternalTestRepository

    return WritebackService(queue=ExternalTestRepository(), now=utcnow())


def import_pass(caller: Caller, *, owner: str, concurrency: int, limit: int,
                clock: Callable[[], datetime] | None = None, providers: Providers | None = None,
                time_left: Any = None, horizon: timedelta = timedelta(0), shards: list[int] | None = None
                ) -> ImportPass:
    """The scheduled pass: each imported outcome is its own unit (its audit event names ``caller``), a batch of
    them one transaction (data/imported_outcomes.py); ``concurrency`` provider calls at once."""
    from functions.core.services.external_imports import AssignmentImporter
    from functions.core.services.import_pass import ImportPass
    from functions.data.dynamo import MAX_POOL_CONNECTIONS
    from functions.data.external_tests import ExternalTestRepository, LessonRepository
    from functions.data.imported_outcomes import ImportUnitOfWork
    from functions.providers.config import provider_settings
    from functions.providers.registry import provider

    clock = clock or utcnow
    settings = provider_settings()
    outcomes = ImportUnitOfWork(caller.principal, clock)
    importer = AssignmentImporter(LessonRepository(), directory(), providers or provider, outcomes, clock=clock,
                                  poll_every=settings.poll_every, max_failures=settings.max_failures)
    return ImportPass(queue=ExternalTestRepository(), unit=outcomes, importer=importer, clock=clock, owner=owner,
                      concurrency=concurrency,
                      workers=min(3 * concurrency, MAX_POOL_CONNECTIONS),  # one DynamoDB connection each
                      limit=limit, time_left=time_left, horizon=horizon, shards=shards)


def exam_windows() -> ExamWindowRepository:
    """The exams' open and close entries the pre-warm job reads (functions/jobs/prewarm.py)."""
    from functions.data.exam_windows import ExamWindowRepository

    return ExamWindowRepository()
