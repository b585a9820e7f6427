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
from functions.core.listing import Chunk, ListQuery, Page
from functions.core.models import Attempt, Exam, Session, User
from functions.core.ports import UnitOfWork
from functions.core.services.course_exams import CourseScope, is_special
from functions.core.services.work_removal import StudentWork, WorkRemoval
from functions.core.special_exam_ports import CourseLists, Learners


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


# Orderings the store keeps (ListOrder.field): the latest start (the default, newest first), username,
# email. edX's other fields (exam_name, time_limit, type, completed_at, status) would need the whole course
# read: they are ignored as unknown fields are (DRF's OrderingFilter), and the list keeps its default order.
ORDERINGS = {"started_at": "time", "start_time": "time", "username": "username", "user.username": "username",
             "email": "email", "user.email": "email"}


def phases(query: ListQuery, rows: Callable[[Session, bool], list[AttemptView]],
           keep: Callable[[Session], bool]) -> list[listing.Phase[Session, AttemptView]]:
    """The ordered lists a page reads: under a search, those whose username starts with it, then those whose
    email does (and not their username), in the ordering's field first; otherwise one list."""
    field = ORDERINGS.get(query.field, "") if query.ordering else ""
    # No ordering: newest first; under a search (lists by name), by username going up.
    forward = not query.descending if field else bool(query.needle)
    needle = query.needle

    def phase(by: str, unless: str | None = None) -> listing.Phase[Session, AttemptView]:
        def of(session: Session) -> list[AttemptView]:
            if not keep(session) or (needle and not _starts(session, by, needle)):
                return []
            if unless and _starts(session, unless, needle):
                return []  # listed in the first phase already
            return rows(session, forward)
        return listing.Phase(listing.ListOrder(by, needle if by != "time" else "", forward), of)

    if needle:
        first, second = ("email", "username") if field == "email" else ("username", "email")
        return [phase(first), phase(second, unless=first)]
    return [phase(field or "time")]


def _starts(session: Session, by: str, needle: str) -> bool:
    value = session.username if by == "username" else session.email
    return (value or "").strip().lower().startswith(needle)


@dataclass
class ExamAttemptService:
    scope: CourseScope
    lists: CourseLists
    learners: Learners
    unit: UnitOfWork
    work: StudentWork  # the student's sessions and extension on one exam (the removal's reads)

    # --- lists -----------------------------------------------------------------------------------
    def exam_attempts(self, course_id: str, exam_ref: str, query: ListQuery,
                      cursor: listing.Cursor | None = None) -> Page[AttemptView]:
        self.scope.require(course_id, acts.right("list_attempts"), "see exam attempts")
        exam = self.scope.exam(course_id, exam_ref)
        return self._page(course_id, exam.id, {exam.id: exam}, query, cursor)

    def course_attempts(self, course_id: str, query: ListQuery,
                        cursor: listing.Cursor | None = None) -> Page[AttemptView]:
        self.scope.require(course_id, acts.right("list_attempts"), "see exam attempts")
        exams = {e.id: e for e in self.lists.course_exams(course_id) if is_special(e)}
        if not exams:
            return Page([], 0, query, more=False)
        return self._page(course_id, None, exams, query, cursor)

    def _page(self, course_id: str, exam_id: str | None, exams: dict[str, Exam], query: ListQuery,
              cursor: listing.Cursor | None) -> Page[AttemptView]:
        """A page read in order from the course's (or the exam's) sessions; ``count`` from the exams'
        attempts counters (under a search: what is known, docs/openedx.md)."""
        now = self.scope.now

        def rows(session: Session, forward: bool) -> list[AttemptView]:
            views = sorted(attempt_views(session, exams[session.exam_id], now), key=lambda v: (v.start_time, v.id))
            return views if forward else views[::-1]

        def read(order: listing.ListOrder, limit: int, start: dict[str, str] | None) -> Chunk[Session]:
            # The time list of one exam is its own; name lists are the course's (rows of other exams drop).
            return self.lists.sessions(course_id, exam_id if order.field == "time" else None, order, limit, start)

        exact = None if query.needle else sum(
            self.lists.attempt_counts(sorted(exams)).values())
        page = listing.paged(phases(query, rows, lambda s: s.exam_id in exams), read, query, cursor, exact)
        return replace(page, rows=self._with_users(page.rows))

    def _with_users(self, views: list[AttemptView]) -> list[AttemptView]:
        users = self.learners.users(sorted({v.user_id for v in views})) if views else {}
        return [replace(v, user=users.get(v.user_id)) for v in views]

    # --- reset -----------------------------------------------------------------------------------
    def reset(self, course_id: str, exam_ref: str, username: str) -> int:
        """Remove all of the student's work on the exam (every session, every LTI context): the one removal
        act (core/services/work_removal.py: course:admin, inside the window, whole); how many sessions."""
        removal = WorkRemoval(self.scope.access, self.work, self.unit, self.scope.now)
        removal.require_right(course_id)
        exam = self.scope.exam(course_id, exam_ref)
        user = self.learners.by_username(username)
        missing = NotFound(f"user '{username[:256]}' has no attempts on exam {exam_ref}", field="username")
        if user is None:  # the same answer whether the user exists or not: staff may not learn who has an account
            raise missing
        return len(removal.remove(exam, user.id, f"openedx reset of exam {exam_ref} for {username}", missing))
