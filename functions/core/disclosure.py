"""What a student may see of their own session: scores and answer keys (staff always see everything)."""

from __future__ import annotations

from functions.core.errors import Conflict, Forbidden
from functions.core.models import Exam, Session
from functions.core.rights import Principal


def as_owner(principal: Principal, session: Session) -> bool:
    """Is the caller the session's student (rather than staff or an integration key)?"""
    return principal.user_id == session.user_id


def scores_hidden(principal: Principal, session: Session, exam: Exam) -> bool:
    """Exams with ``show_score_on_complete`` off keep scores from the student (staff still see them)."""
    return as_owner(principal, session) and not exam.show_score_on_complete


def require_results_visible(principal: Principal, session: Session, exam: Exam) -> None:
    """Results carry the answer keys: a student sees them only once the attempt is complete, and only when the
    exam shows scores on completion. Staff and integration keys see them at any time."""
    if not as_owner(principal, session):
        return
    attempt = session.current
    if attempt is None or not attempt.complete:
        raise Conflict(f"results are shown once attempt {attempt.number if attempt else 0} is complete; "
                       "it is IN_PROGRESS")
    if not exam.show_score_on_complete:
        raise Forbidden(f"exam config '{exam.id}' does not show scores or answer keys to students")
