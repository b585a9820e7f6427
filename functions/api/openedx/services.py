"""Builds the Open edX services for one request (repositories, the caller's Access, the request's now)."""

from __future__ import annotations

from functions.api.wiring import access, unit
from functions.core.services.allowances import AllowanceService
from functions.core.services.attempt_reports import ExamAttemptService
from functions.core.services.course_exams import CourseScope, SpecialExamService
from functions.core.services.proctoring import ProctoringService
from functions.data.aliases import AliasRepository
from functions.data.course_walks import CourseWalks
from functions.data.directory import DirectoryRepository
from functions.data.exams import ExamRepository
from functions.data.extensions import ExtensionRepository
from functions.data.learners import LearnerRepository
from functions.data.proctoring import ProctoringRepository
from functions.data.sessions import SessionRepository
from functions.platform.clock import utcnow
from functions.platform.http import RouteApp


def scope(app: RouteApp, directory: DirectoryRepository | None = None) -> CourseScope:
    """Raises 401 before any read when the request carries no principal."""
    return CourseScope(access=access(app, directory), exams=ExamRepository(), aliases=AliasRepository(),
                       now=utcnow())


def special_exams(app: RouteApp) -> SpecialExamService:
    return SpecialExamService(scope(app), CourseWalks())


def proctoring(app: RouteApp) -> ProctoringService:
    return ProctoringService(scope(app), ProctoringRepository(), unit=unit(app))


def attempts(app: RouteApp) -> ExamAttemptService:
    return ExamAttemptService(scope(app), CourseWalks(), LearnerRepository(), unit=unit(app),
                              work=SessionRepository())


def allowances(app: RouteApp) -> AllowanceService:
    directory = DirectoryRepository()
    return AllowanceService(scope(app, directory), people=directory, aliases=AliasRepository(),
                            learners=LearnerRepository(), lists=CourseWalks(), store=ExtensionRepository(),
                            unit=unit(app))
