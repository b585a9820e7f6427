"""Builds the Open edX services for one request (repositories, the caller's Access, the request's now)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from functions.api.wiring import access
from functions.core.services.course_exams import CourseScope
from functions.data.aliases import AliasRepository
from functions.data.exams import ExamRepository
from functions.platform.clock import utcnow
from functions.platform.http import RouteApp

# Each factory imports its own service and repositories (as functions/api/wiring.py does): a route's cold start
# loads only what it builds (the special exams list needs none of the attempts', allowances' or proctoring's).
if TYPE_CHECKING:
    from functions.core.services.allowances import AllowanceService
    from functions.core.services.attempt_reports import ExamAttemptService
    from functions.core.services.course_exams import SpecialExamService
    from functions.core.services.proctoring import ProctoringService
    from functions.data.directory import DirectoryRepository


def scope(app: RouteApp, directory: DirectoryRepository | None = None) -> CourseScope:
    """Raises 401 before any read when the request carries no principal."""
    return CourseScope(access=access(app, directory), exams=ExamRepository(), aliases=AliasRepository(),
                       now=utcnow())


def special_exams(app: RouteApp) -> SpecialExamService:
    from functions.core.services.course_exams import SpecialExamService
    from functions.data.course_walks import CourseWalks

    return SpecialExamService(scope(app), CourseWalks())


def proctoring(app: RouteApp) -> ProctoringService:
    from functions.core.services.proctoring import ProctoringService
    from functions.data.proctoring import ProctoringRepository

    return ProctoringService(scope(app), ProctoringRepository())


def attempts(app: RouteApp) -> ExamAttemptService:
    from functions.core.services.attempt_reports import ExamAttemptService
    from functions.data.course_walks import CourseWalks
    from functions.data.learners import LearnerRepository
    from functions.data.resets import ResetBatch
    from functions.data.sessions import SessionRepository
    from functions.data.stats import stats_op

    return ExamAttemptService(scope(app), CourseWalks(), LearnerRepository(), batches=ResetBatch,
                              stats_op=stats_op, work=SessionRepository())


def allowances(app: RouteApp) -> AllowanceService:
    from functions.core.services.allowances import AllowanceService
    from functions.data.allowances import AllowanceRepository
    from functions.data.course_walks import CourseWalks
    from functions.data.directory import DirectoryRepository
    from functions.data.learners import LearnerRepository

    directory = DirectoryRepository()
    return AllowanceService(scope(app, directory), people=directory, aliases=AliasRepository(),
                            learners=LearnerRepository(), lists=CourseWalks(), store=AllowanceRepository())
