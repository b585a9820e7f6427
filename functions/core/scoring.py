"""Scoring of choice items, objective roll-ups, scaling, and the session score across attempts."""

from __future__ import annotations

from functions.core.models import Attempt, Item, ObjectiveScore, Score, ScoringPolicy, Session


def score_item(item: Item, responses: dict[str, list[int]]) -> Score:
    """One point per question whose selected options are exactly its keys."""
    actual = 0
    for question in item.questions:
        keys = {i for i, option in enumerate(question.options) if option.is_key}
        if set(responses.get(question.id, [])) == keys and keys:
            actual += 1
    return Score(actual=actual, min=0, max=len(item.questions))


def score_attempt(attempt: Attempt, items: dict[str, Item], item_ids: list[str], score_min: float,
                  score_max: float) -> None:
    """Fills the attempt's item, objective and point scores and its scaled score (in place)."""
    attempt.item_scores = {i: score_item(items[i], attempt.responses.get(i, {})) for i in item_ids}
    attempt.alignments = {i: list(items[i].alignment_ids) for i in item_ids if items[i].alignment_ids}
    attempt.objective_scores = objective_scores(item_ids, attempt.item_scores, attempt.alignments)
    attempt.points = _sum(list(attempt.item_scores.values()))
    attempt.score_actual = scale(attempt.points, score_min, score_max)


def objective_scores(item_ids: list[str], item_scores: dict[str, Score], alignments: dict[str, list[str]]
                     ) -> dict[str, ObjectiveScore]:
    """Each objective's roll-up of its aligned items' scores, in the drawn order (what an attempt's stored
    objective scores are rebuilt from: they are not stored twice)."""
    objectives: dict[str, list[Score]] = {}
    for item_id in item_ids:
        score = item_scores.get(item_id)
        if score is None:
            continue
        for objective_id in alignments.get(item_id, []):
            objectives.setdefault(objective_id, []).append(score)
    return {oid: ObjectiveScore(score=_sum(scores), scores=scores) for oid, scores in objectives.items()}


def _sum(scores: list[Score]) -> Score:
    return Score(actual=sum(s.actual for s in scores), min=sum(s.min for s in scores),
                 max=sum(s.max for s in scores), is_scorable=any(s.is_scorable for s in scores))


def scale(points: Score, score_min: float, score_max: float) -> float:
    if points.max <= points.min:
        return score_min
    fraction = (points.actual - points.min) / (points.max - points.min)
    return round(score_min + fraction * (score_max - score_min), 2)


def resolve_session_score(policy: ScoringPolicy, session: Session, score_min: float = 0,
                          score_max: float = 100) -> float | None:
    scored = [a for a in session.attempts if a.complete and a.score_actual is not None and not a.superseded]
    if not scored:
        return None
    if policy is ScoringPolicy.HIGHEST:
        return max(a.score_actual for a in scored if a.score_actual is not None)
    if policy is ScoringPolicy.LATEST:
        return scored[-1].score_actual
    # Average the exact fractions, then round once: averaging rounded scores drifts (66.66 instead of 66.67).
    if all(a.points is not None for a in scored):
        fractions = [_fraction(a.points) for a in scored if a.points is not None]
        return round(score_min + sum(fractions) / len(fractions) * (score_max - score_min), 2)
    return round(sum(a.score_actual for a in scored if a.score_actual is not None) / len(scored), 2)


def _fraction(points: Score) -> float:
    return 0.0 if points.max <= points.min else (points.actual - points.min) / (points.max - points.min)
