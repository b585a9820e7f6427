"""LearningStudio answer shapes (wrapper objects, camelCase), from domain objects. docs/learningstudio.md."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from functions.api.learningstudio.params import reset_id
from functions.core.models import Attempt
from functions.core.services.exam_instances import AttemptState, Instance, Reset

STATES = {AttemptState.IN_PROGRESS: "inProgress", AttemptState.SUBMITTED: "submitted",
          AttemptState.TIMED_OUT: "timedOut"}


def _at(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def attempt(value: Attempt, state: AttemptState) -> dict[str, Any]:
    return {"number": value.number, "status": STATES[state], "startedAt": _at(value.started_at),
            "endsAt": _at(value.ends_at), "submittedAt": _at(value.submitted_at), "limitedBy": value.limited_by.value}


def user_exam(found: Instance) -> dict[str, Any]:
    """``id`` is the exam id (what the user-exam paths take); ``instanceId`` the session id the ExamSpark
    routes show."""
    session = found.session
    current = session.current
    return {
        "id": session.exam_id,
        "instanceId": session.id,
        "sessionIds": list(found.session_ids),  # every door's session of this exam; the reset removes them all
        "userId": session.user_id,
        "courseId": session.course_id,
        "status": "completed" if found.completed else "inProgress",
        "attempts": [attempt(a, s) for a, s in zip(session.attempts, found.states, strict=True)],
        "currentAttempt": current.number if current else 0,
        "questionSet": {"draw": session.draw_number, "itemIds": list(session.item_ids)},
        "beganAt": _at(session.created_at),
        "completedAt": _at(current.submitted_at or current.ends_at) if found.completed and current else None,
        "updatedAt": _at(session.updated_at),
    }


def user_exams(found: list[Instance], next_token: str | None) -> dict[str, Any]:
    return {"exams": [user_exam(i) for i in found], "nextToken": next_token}


def reset(found: Reset) -> dict[str, Any]:
    removal = found.removal
    return {
        "id": reset_id(removal),
        "examId": removal.session.exam_id,
        "userId": removal.session.user_id,
        "courseId": removal.session.course_id,
        "resetBy": removal.removed_by,
        "resetAt": _at(removal.removed_at),
        "reason": removal.reason,
        "status": "restored" if removal.restored_at else "restorable",
        "restoredBy": removal.restored_by,
        "restoredAt": _at(removal.restored_at),
        "savedAnswers": found.saved_answers,
        "exam": user_exam(found.instance),
    }


def reset_answer(found: list[Reset]) -> dict[str, Any]:
    """A reset removes the user's instance and any other session of the exam started for them through another
    door (an LMS launch context): the instance's reset, and every reset of the request (restorable together
    from their one audit event)."""
    return {"reset": reset(found[0]), "resets": [reset(r) for r in found]}


def resets(found: list[Reset], next_token: str | None) -> dict[str, Any]:
    return {"resets": [reset(r) for r in found], "nextToken": next_token}
