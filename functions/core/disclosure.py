"""The one disclosure rule: what a caller may see of a student's session, wherever it is rendered.

- Staff (anyone but the session's student) and integration keys see everything.
- The student sees scores (the session's score, item, objective and point results) only when the exam shows
  scores on completion (``show_score_on_complete``).
- The student sees answer keys only when scores are shown, the current attempt is complete, and they can start
  no further attempt (Canvas's "after the last attempt"), unless the exam says keys follow every attempt
  (``show_keys_after_each_attempt``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from functions.core.errors import Conflict, Forbidden
from functions.core.models import Exam, Session
from functions.core.rights import Principal


@dataclass(frozen=True)
class Disclosure:
    scores: bool
    keys: bool


FULL = Disclosure(scores=True, keys=True)


def as_owner(principal: Principal, session: Session) -> bool:
    """Is the caller the session's student (rather than staff or an integration key)?"""
    return principal.user_id == session.user_id


def disclosure(principal: Principal, session: Session, exam: Exam, further_attempt: Callable[[], bool]
               ) -> Disclosure:
    """``further_attempt``: can the student still start another attempt? Asked only when it decides (it
    reads the student's other sessions and extension)."""
    if not as_owner(principal, session):
        return FULL
    scores = exam.show_score_on_complete
    current = session.current
    if not scores or current is None or not current.complete:
        return Disclosure(scores=scores, keys=False)
    return Disclosure(scores=True, keys=exam.show_keys_after_each_attempt or not further_attempt())


def scores_hidden(principal: Principal, session: Session, exam: Exam) -> bool:
    """Exams with ``show_score_on_complete`` off keep scores from the student (staff still see them)."""
    return as_owner(principal, session) and not exam.show_score_on_complete


def require_results_visible(principal: Principal, session: Session, exam: Exam) -> None:
    """Results are for a student only once the attempt is complete, and only when the exam shows scores on
    completion (keys may still be withheld: ``disclosure``). Staff and integration keys see them at any time."""
    if not as_owner(principal, session):
        return
    attempt = session.current
    if attempt is None or not attempt.complete:
        raise Conflict(f"results are shown once attempt {attempt.number if attempt else 0} is complete; "
                       "it is IN_PROGRESS")
    if not exam.show_score_on_complete:
        raise Forbidden(f"exam config '{exam.id}' does not show scores or answer keys to students")
