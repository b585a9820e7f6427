"""ExamSpark response shapes (../shared/seeds/examspark-exam-session-api.txt), from domain objects."""

from __future__ import annotations

from typing import Any

from functions.core import work
from functions.core.disclosure import FULL, Disclosure
from functions.core.models import Exam, Item, Objective, Question, Score, Session
from functions.core.services.results import Results
from functions.core.services.session_list import SessionList
from functions.data import keys

INCLUDES = ("results", "responses")


def number(value: float | None) -> float | int | None:
    """Whole numbers as JSON integers, as the seed shows them (1, 100), others as they are (66.67)."""
    return int(value) if value is not None and float(value).is_integer() else value


def score(value: Score | None) -> dict[str, Any] | None:
    if value is None:
        return None
    return {"actual": number(value.actual), "isScorable": value.is_scorable, "min": number(value.min),
            "max": number(value.max)}


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
    # Stored maps keep no order: items go in the session's drawn order and objectives by id, as on /results.
    return {
        "items": [{"id": item_id, "score": score(attempt.item_scores[item_id])}
                  for item_id in session.item_ids if item_id in attempt.item_scores],
        "objectives": {
            oid: {"id": oid, "score": score(o.score), "scores": [score(s) for s in o.scores]}
            for oid, o in sorted(attempt.objective_scores.items())
        },
        "points": score(attempt.points),
    }


def exam_session(session: Session, exam: Exam, include: tuple[str, ...] = (), *,
                 shown: Disclosure) -> dict[str, Any]:
    attempt = session.current
    hide_scores = not shown.scores
    body: dict[str, Any] = {
        "id": session.id,
        "studentId": session.user_id,
        "maturity": session.maturity.value,
        "name": session.name,
        "scoreActual": None if hide_scores else number(session.score_actual),
        "scoreMin": number(exam.score_min),
        "scoreMax": number(exam.score_max),
        "examId": f"{exam.id}/{keys.versioned(keys.EXAM)}",
        "workspaceId": exam.course_id,
        "attempt": work.ordinal(session, attempt) if attempt else 0,
        "attemptsUsed": work.attempts_used([session]),  # a reopen's continuation is not another attempt
        "startedAt": attempt.started_at.isoformat() if attempt else None,
        "endsAt": attempt.ends_at.isoformat() if attempt and attempt.ends_at else None,
        "submittedAt": attempt.submitted_at.isoformat() if attempt and attempt.submitted_at else None,
        "limitedBy": attempt.limited_by.value if attempt else None,
        "examSessionData": {"lti": session.lti},
    }
    if "responses" in include:
        body["responses"] = responses(session)
    if "results" in include:
        body["results"] = None if hide_scores else results(session)
    return body


def session_envelope(session: Session, exam: Exam, include: tuple[str, ...] = (), *,
                     shown: Disclosure) -> dict[str, Any]:
    """``shown``: core/disclosure.py's verdict for this caller (no default: every render decides it)."""
    return {"examSession": exam_session(session, exam, include, shown=shown),
            "examConfig": {"id": exam.id}}


# --- POST /api/exam-sessions -------------------------------------------------------------------------
def session_list(page: SessionList, include: tuple[str, ...]) -> dict[str, Any]:
    agg = page.aggregate
    return {
        "total": page.total,
        "nextToken": page.next_token,
        "aggregations": {"minScore": {"value": number(agg.min_score)},
                         "avgScore": {"value": number(agg.avg_score)},
                         "maxScore": {"value": number(agg.max_score)}},
        "metadata": None,
        # The list needs course:view in every config's course: staff, who see everything.
        "items": [session_envelope(session, exam, include, shown=FULL) for session, exam in page.rows],
    }


# --- GET /api/exam-session/{sessionId}/results ----------------------------------------------------------
def question_result(question: Question, selected: list[int] | None, keys_shown: bool = True) -> dict[str, Any]:
    """Withheld keys (core/disclosure.py) are an empty ``keys`` and ``isKey: null``, never a false answer."""
    return {
        "id": question.id,
        "interactionType": question.interaction_type,
        "keys": [{"value": o.id, "index": i} for i, o in enumerate(question.options) if o.is_key and keys_shown],
        "options": [{"id": o.id, "content": o.content, "isKey": o.is_key if keys_shown else None, "index": i}
                    for i, o in enumerate(question.options)],
        "response": {"options": [{"index": i} for i in selected]} if selected else {},
    }


def item_result(item: Item, session: Session, keys_shown: bool = True) -> dict[str, Any]:
    attempt = session.current
    saved = attempt.responses.get(item.id, {}) if attempt else {}
    return {
        "sk": keys.versioned(keys.ITEM),
        "name": item.name,
        "score": score(attempt.item_scores.get(item.id)) if attempt else None,
        "id": item.id,
        "alignmentIds": item.alignment_ids,
        "questions": [question_result(q, saved.get(q.id), keys_shown) for q in item.questions],
    }


def objective_result(objective_id: str, objective: Objective | None, session: Session) -> dict[str, Any]:
    attempt = session.current
    scored = attempt.objective_scores.get(objective_id) if attempt else None
    return {
        "score": score(scored.score) if scored else None,
        "id": objective_id,
        "text": objective.text if objective else None,
        "abbreviation": objective.abbreviation if objective else None,
        "scores": [score(s) for s in scored.scores] if scored else [],
    }


def session_results(found: Results) -> dict[str, Any]:
    session, exam = found.session, found.exam
    attempt = session.current
    objective_ids = sorted({o for item in found.items for o in item.alignment_ids})  # by id, as every route
    return {
        "examSession": {
            "id": session.id,
            "maturity": session.maturity.value,
            "name": session.name,
            "scoreActual": number(session.score_actual),
            "scoreMin": number(exam.score_min),
            "scoreMax": number(exam.score_max),
            "examId": exam.id,  # the seed's results route shows the bare id
            "examSessionData": {"lti": {"userId": session.user_id, **session.lti}},
            "keysShown": found.shown.keys,
        },
        "results": {
            "items": [item_result(item, session, found.shown.keys) for item in found.items],
            "objectives": {oid: objective_result(oid, found.objectives.get(oid), session)
                           for oid in objective_ids},
            "points": score(attempt.points) if attempt else None,
        },
        "examConfig": {"id": exam.id},
    }
