"""Attempt reports (the `list_attempts` act): every attempt of our sessions, listed per exam or course-wide,
and the `remove_work` act addressed by username. Open edX's attempt routes call it.

Every attempt of every session is one edX attempt (a session exists per exam, student and LTI context).
Expiry is applied as on every read: an attempt past its end shows as timed out and submitted (read routes
show it; the next write to the session stores it). The reset keeps each removed session whole, with who
removed it and when (core/services/removal.py), in ONE transaction with the summed statistics change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from functions.core import acts, attempt_status, listing, numeric_ids
from functions.core.attempt_status import Status
from functions.core.errors import NotFound
from functions.core.listing import ListQuery, Page
from functions.core.models import Attempt, Exam, Session, User
from functions.core.ports import StatsOps
from functions.core.services.course_exams import CourseScope, is_special
from functions.core.services.work_removal import StudentWork, WorkRemoval
from functions.core.special_exam_ports import CourseLists, Learners, ResetBatch


@dataclass(frozen=True)
class AttemptView:
    id: int
    user_id: str
    user: User | None
    exam: Exam
    status: Status
    start_time: datetime
    end_time: datetime | None
    allowed_time_limit_mins: int | None
    ready_to_resume: bool = False  # edX: an attempt in error that may resume; ours never error


def attempt_views(session: Session, exam: Exam, now: datetime) -> list[AttemptView]:
    incarnation = session.created_at.isoformat() if session.created_at else str(session.draw_number)
    return [_view(session, exam, attempt, incarnation, now) for attempt in session.attempts]


def _view(session: Session, exam: Exam, attempt: Attempt, incarnation: str, now: datetime) -> AttemptView:
    return AttemptView(
        id=numeric_ids.attempt_number(session.id, incarnation, attempt.number), user_id=session.user_id,
        user=None, exam=exam, status=attempt_status.status_of(attempt, now), start_time=attempt.started_at,
        end_time=attempt_status.ended_at(attempt, now),
        allowed_time_limit_mins=attempt_status.allowed_minutes(attempt),
    )


ORDERINGS = {
    "username": lambda v: listing.user_sort_value(v.user, "username"),
    "email": lambda v: listing.user_sort_value(v.user, "email"),
    "exam_name": lambda v: v.exam.title.lower(),
    "time_limit": lambda v: v.exam.time_limit_minutes,
    "type": lambda v: v.exam.type.value,
    "started_at": lambda v: v.start_time,
    "completed_at": lambda v: v.end_time,
    "status": lambda v: v.status.value,
}
ALIASES = {"user.username": "username", "user.email": "email", "proctored_exam.exam_name": "exam_name",
           "proctored_exam.time_limit_mins": "time_limit", "start_time": "started_at",
           "end_time": "completed_at"}
SORT_KEYS = {**ORDERINGS, **{alias: ORDERINGS[name] for alias, name in ALIASES.items()}}


@dataclass
class ExamAttemptService:
    scope: CourseScope
    lists: CourseLists
    learners: Learners
    batches: Callable[[], ResetBatch]  # a fresh write batch per transaction
    stats_op: StatsOps
    work: StudentWork  # the student's sessions and extension on one exam (the removal's reads)

    # --- lists -----------------------------------------------------------------------------------
    def exam_attempts(self, course_id: str, exam_ref: str, query: ListQuery) -> Page[AttemptView]:
        self.scope.require(course_id, acts.right("list_attempts"), "see exam attempts")
        exam = self.scope.exam(course_id, exam_ref)
        sessions = self.lists.exam_sessions(exam.id)
        views = [v for s in sessions for v in attempt_views(s, exam, self.scope.now)]
        return self._page(views, query)

    def course_attempts(self, course_id: str, query: ListQuery) -> Page[AttemptView]:
        self.scope.require(course_id, acts.right("list_attempts"), "see exam attempts")
        exams = {e.id: e for e in self.lists.course_exams(course_id) if is_special(e)}
        sessions = self.lists.course_sessions(course_id) if exams else []
        views = [v for s in sessions if s.exam_id in exams
                 for v in attempt_views(s, exams[s.exam_id], self.scope.now)]
        return self._page(views, query)

    def _page(self, views: list[AttemptView], query: ListQuery) -> Page[AttemptView]:
        """Newest first unless ``ordering`` says otherwise; users are read for every row only when the
        search or the ordering needs them, else for the page's rows."""
        if query.needs_users:
            views = self._with_users(views)
            views = [v for v in views if listing.matches(v.user, query.needle)]
        if query.ordering:
            views = listing.ordered(views, SORT_KEYS, query, tie=lambda v: v.id)
        else:
            views = sorted(views, key=lambda v: (v.start_time, v.id), reverse=True)
        rows = listing.page_of(views, query)
        return Page(rows if query.needs_users else self._with_users(rows), len(views), query)

    def _with_users(self, views: list[AttemptView]) -> list[AttemptView]:
        users = self.learners.users([v.user_id for v in views]) if views else {}
        return [replace(v, user=users.get(v.user_id)) for v in views]

    # --- reset -----------------------------------------------------------------------------------
    def reset(self, course_id: str, exam_ref: str, username: str) -> int:
        """Remove all of the student's work on the exam (every session, every LTI context): the one removal
        act (core/services/work_removal.py: course:admin, inside the window, whole); how many sessions."""
        removal = WorkRemoval(self.scope.access, self.work, self.batches, self.stats_op, self.scope.now)
        removal.require_right(course_id)
        exam = self.scope.exam(course_id, exam_ref)
        user = self.learners.by_username(username)
        missing = NotFound(f"user '{username[:256]}' has no attempts on exam {exam_ref}", field="username")
        if user is None:  # the same answer whether the user exists or not: staff may not learn who has an account
            raise missing
        return len(removal.remove(exam, user.id, f"openedx reset of exam {exam_ref} for {username}", missing))
