"""Removing a student's work on an exam (LearningStudio "reset exam for user", Open edX "reset attempts"): one
act, one rule, whichever door asks (docs/rulebook.md).

- Right: ``course:admin`` (LearningStudio's Course Administrator). Open edX lets course staff reset; we take the
  stricter rule, and an institution widens it with a custom role holding ``course:admin``.
- Window: only between the exam's scheduled start and end (or while the student is unlocked): a removal after
  the end would strand the student, who could not begin again.
- Effect: every live session of the student on the exam (one per launch context) is removed, each kept whole
  and restorable, in ONE transaction with the summed statistics change and one audit event; so the removal is
  whole, and one restore of that audit event undoes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from functions.core import timing, work
from functions.core.acts import ACTS
from functions.core.changes import Work
from functions.core.errors import Conflict, NotFound
from functions.core.models import Exam, Extension, Session, SessionRemoval
from functions.core.ports import UnitOfWork
from functions.core.rights import Access
from functions.core.services.removal import removed

MAX_REMOVED = work.MAX_REMOVED  # core/work.py: computed from the unit of work's sizes


class StudentWork(Protocol):
    def student_sessions(self, course_id: str, user_id: str, exam_id: str) -> list[Session]: ...

    def get_extension(self, exam_id: str, user_id: str) -> Extension | None: ...


def window_text(exam: Exam) -> str:
    at = lambda value: value.isoformat() if value else "never"  # noqa: E731
    return f"its scheduled start is {at(exam.opens_at)} and its scheduled end is {at(exam.closes_at)}"


@dataclass
class WorkRemoval:
    access: Access
    work: StudentWork
    unit: UnitOfWork  # the whole removal is one unit
    now: datetime

    def require_right(self, course_id: str) -> None:
        """Checked before anything is read: a non-member gets 404, a member without the right 403."""
        right = ACTS["remove_work"].requires
        assert right is not None
        self.access.require(course_id, right)

    def remove(self, exam: Exam, user_id: str, reason: str, missing: NotFound) -> list[SessionRemoval]:
        """Remove all of ``user_id``'s live sessions on ``exam``; ``missing``: the 404 (in the door's words)
        when there are none. The caller has passed ``require_right``."""
        extension = self.work.get_extension(exam.id, user_id)
        if not timing.window_open(exam, extension, self.now):
            raise Conflict(f"exam '{exam.id}' can be reset only between its scheduled start and end: "
                           f"{window_text(exam)}, and now is {self.now.isoformat()}")
        sessions = self.work.student_sessions(exam.course_id, user_id, exam.id)
        if not sessions:
            raise missing
        if len(sessions) > MAX_REMOVED:
            raise Conflict(f"the student has {len(sessions)} sessions of exam '{exam.id}'; one reset removes at "
                           f"most {MAX_REMOVED} (what one restore can put back), so nothing was removed")
        return self._remove(sorted(sessions, key=lambda s: s.id), reason)

    def _remove(self, sessions: list[Session], reason: str) -> list[SessionRemoval]:
        """One unit: each session removed (only the version read) and kept restorable; the statistics, the
        forgotten attempt counts and the one audit event follow (core/changes.py)."""
        subject = self.access.principal.subject
        changes = [removed(session, subject, reason, self.now) for session in sessions]
        self.unit.commit(Work("session.remove", sessions[0].course_id, list(changes),
                              conflict="an attempt was changed by another request meanwhile; retry"))
        return [c.removal for c in changes]
