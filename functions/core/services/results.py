"""A session's results: its items with questions, options, keys and responses, objectives, points."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from functions.core import acts, disclosure
from functions.core.disclosure import Disclosure
from functions.core.errors import NotFound
from functions.core.models import Exam, Item, Objective, Session
from functions.core.ports import ExamStore
from functions.core.services.sessions import SessionService


class Catalog(ExamStore, Protocol):
    def get_objectives(self, objective_ids: list[str]) -> dict[str, Objective]: ...


@dataclass
class Results:
    session: Session
    exam: Exam
    items: list[Item]  # in the session's order
    objectives: dict[str, Objective]  # aligned to those items
    shown: Disclosure  # answer keys only once the student can start no further attempt (core/disclosure.py)


@dataclass
class ResultsService:
    service: SessionService
    catalog: Catalog

    def results(self, session_id: str) -> Results:
        """The caller's own session (once complete: core/disclosure.py) or any in a course they may view."""
        service = self.service
        session = service.sessions.get_session(session_id)
        if session is None:
            raise NotFound(f"exam session '{session_id}' not found")
        service.access.require_own_or(session.course_id, session.user_id, acts.right("read_results"))
        exam = service.exam(session.exam_id)
        session, items = service.with_items(session)  # the drawn items and the attempt's results: one read
        session = service.settle(session, exam, items)
        disclosure.require_results_visible(service.access.principal, session, exam)
        drawn = [items[i] for i in session.item_ids if i in items]
        objective_ids = list(dict.fromkeys(o for item in drawn for o in item.alignment_ids))
        objectives = self.catalog.get_objectives(objective_ids) if objective_ids else {}
        return Results(session, exam, drawn, objectives, service.disclosure(session, exam, keys=True))
