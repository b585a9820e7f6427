"""ExamSpark response shapes (../shared/seeds/examspark-exam-session-api.txt), from domain objects."""

from __future__ import annotations

from typing import Any

from functions.core.models import Exam, Score, Session
from functions.data import keys

INCLUDES = ("results", "responses")


def score(value: Score) -> dict[str, Any]:
    return {"actual": value.actual, "isScorable": value.is_scorable, "min": value.min, "max": value.max}


def responses(session: Session) -> dict[str, Any]:
    attempt = session.current
    saved = attempt.responses if attempt else {}
    return {
        item_id: {
            "questions": [
                {"id": qid, "response": {"options": [{"index": i} for i in indexes]}}
                for qid, indexes in saved.get(item_id, {}).items()
            ]
        } if saved.get(item_id) else {}
        for item_id in session.item_ids
    }


def results(session: Session) -> dict[str, Any] | None:
    attempt = session.current
    if attempt is None or attempt.points is None:
        return None
    return {
        "items": [{"id": item_id, "score": score(s)} for item_id, s in attempt.item_scores.items()],
        "objectives": {
            oid: {"id": oid, "score": score(o.score), "scores": [score(s) for s in o.scores]}
            for oid, o in attempt.objective_scores.items()
        },
        "points": score(attempt.points),
    }


def exam_session(session: Session, exam: Exam, include: tuple[str, ...] = ()) -> dict[str, Any]:
    attempt = session.current
    body: dict[str, Any] = {
        "id": session.id,
        "studentId": session.user_id,
        "maturity": session.maturity.value,
        "name": session.name,
        "scoreActual": session.score_actual,
        "scoreMin": exam.score_min,
        "scoreMax": exam.score_max,
        "examId": f"{exam.id}/{keys.versioned(keys.EXAM)}",
        "workspaceId": exam.course_id,
        "attempt": attempt.number if attempt else 0,
        "startedAt": attempt.started_at.isoformat() if attempt else None,
        "endsAt": attempt.ends_at.isoformat() if attempt and attempt.ends_at else None,
        "limitedBy": attempt.limited_by.value if attempt else None,
        "examSessionData": {"lti": session.lti},
    }
    if "responses" in include:
        body["responses"] = responses(session)
    if "results" in include:
        body["results"] = results(session)
    return body


def session_envelope(session: Session, exam: Exam, include: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"examSession": exam_session(session, exam, include), "examConfig": {"id": exam.id}}
