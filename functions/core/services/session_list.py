"""Listing the sessions of several exam configs, with exact totals and score aggregations.

Cost is fixed per page: one read of the configs and their statistics items, one Query per config the page
walks, and (only when the page holds attempts past their end that no write has completed yet) one read of
their items to show them completed. ``total`` and the aggregations come from the statistics items, never
from a pass over sessions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from functions.core import acts, scoring, statistics
from functions.core.errors import Forbidden, InvalidInput
from functions.core.models import Exam, Session
from functions.core.ports import ExamStore
from functions.core.rights import Access
from functions.core.services.sessions import completed_at_end, expired

MAX_CONFIGS = 20
DEFAULT_LIMIT, MAX_LIMIT = 25, 100


class SessionPages(Protocol):
    def configs_and_stats(self, exam_ids: list[str]) -> tuple[dict[str, Exam], dict[str, dict[str, Any]]]: ...

    def sessions_page(self, exam_ids: list[str], limit: int, token: str | None
                      ) -> tuple[list[Session], str | None]: ...


@dataclass
class SessionList:
    rows: list[tuple[Session, Exam]]
    total: int
    aggregate: statistics.Aggregate
    next_token: str | None


@dataclass
class SessionListService:
    pages: SessionPages
    exams: ExamStore
    access: Access
    now: datetime
    # Sessions with their current attempt's responses and results (stored in their own items): one read for
    # the page, made only when the page shows them or scores an attempt past its end.
    details: Callable[[list[Session]], list[Session]] = lambda sessions: sessions

    def page(self, exam_ids: list[str], limit: int = DEFAULT_LIMIT, token: str | None = None, *,
             detail: bool = False) -> SessionList:
        exam_ids = list(dict.fromkeys(exam_ids))
        if not 1 <= len(exam_ids) <= MAX_CONFIGS:
            raise InvalidInput(f"filter.examConfigIds.include needs 1 to {MAX_CONFIGS} exam config ids",
                               field="filter.examConfigIds.include")
        if not 1 <= limit <= MAX_LIMIT:
            raise InvalidInput(f"limit must be 1..{MAX_LIMIT}", field="limit")
        exams, stats = self.pages.configs_and_stats(exam_ids)
        exam_ids = self._viewable(exam_ids, exams)
        if not exam_ids:
            if token:  # no token can belong to a list of nothing (garbled or not, the same 400)
                raise InvalidInput("nextToken does not belong to this list", field="nextToken")
            return SessionList([], 0, statistics.aggregate([]), None)
        sessions, next_token = self.pages.sessions_page(exam_ids, limit, token)
        if detail:
            sessions = self.details(sessions)
        rows = [(s, exams[s.exam_id]) for s in self._settled_views(sessions, exams)]
        aggregate = statistics.aggregate([stats[e] for e in exam_ids if e in stats])
        return SessionList(rows, aggregate.sessions, aggregate, next_token)

    def _viewable(self, exam_ids: list[str], exams: dict[str, Exam]) -> list[str]:
        """The configs the filter can match: a config that does not exist, or whose course the caller has no
        rights in, matches nothing (the two alike, so existence is never confirmed). A student (a member
        without course:view) is refused with a 403: totals and aggregations describe every student."""
        rights = {course: self.access.rights_in(course) for course in {e.course_id for e in exams.values()}}
        visible = [e for e in exam_ids if e in exams and rights[exams[e].course_id]]
        refused = sorted({exams[e].course_id for e in visible} - {
            course for course, held in rights.items() if acts.right("list_sessions") in held})
        if refused:
            raise Forbidden(f"listing exam sessions needs the '{acts.right('list_sessions').value}' right in course(s) "
                            f"{', '.join(refused)}; a student reads their own session with "
                            "GET /api/exam-session/{sessionId}")
        return visible

    def _settled_views(self, sessions: list[Session], exams: dict[str, Exam]) -> list[Session]:
        """Attempts past their end show as completed (as a GET shows them); the list itself writes nothing."""
        late = [s for s in sessions if expired(s, self.now)]
        if not late:
            return sessions
        late = self.details(late)  # a no-op for sessions read with them already
        items = self.exams.get_items(list(dict.fromkeys(i for s in late for i in s.item_ids)))
        views: dict[str, Session] = {}
        for session in late:
            if any(i not in items for i in session.item_ids):
                continue  # an item was deleted: show what is stored
            exam = exams[session.exam_id]
            view = completed_at_end(session)
            assert view.current is not None
            scoring.score_attempt(view.current, items, view.item_ids, exam.score_min, exam.score_max)
            view.score_actual = scoring.resolve_session_score(exam.scoring_policy, view, exam.score_min, exam.score_max)
            views[session.id] = view
        return [views.get(s.id, s) for s in sessions]
