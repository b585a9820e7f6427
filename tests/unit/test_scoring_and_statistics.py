from datetime import UTC, datetime

from functions.core import scoring, statistics
from functions.core.models import Attempt, Item, Option, Question, Score, ScoringPolicy, Session

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def item(iid, key, objective):
    return Item(id=iid, course_id="c", name=iid, alignment_ids=[objective], questions=[
        Question(id=f"{iid}q", options=[Option(id=str(i), content=str(i), is_key=i == key) for i in range(4)])])


def test_attempt_scores_items_objectives_points_and_scales():
    items = {"a": item("a", 2, "o1"), "b": item("b", 1, "o1"), "c": item("c", 3, "o2")}
    attempt = Attempt(number=1, started_at=T0, responses={"a": {"aq": [2]}, "b": {"bq": [0]}, "c": {"cq": [3]}})
    scoring.score_attempt(attempt, items, ["a", "b", "c"], 0, 100)
    assert attempt.item_scores["a"].actual == 1 and attempt.item_scores["b"].actual == 0
    assert attempt.objective_scores["o1"].score.actual == 1 and attempt.objective_scores["o1"].score.max == 2
    assert len(attempt.objective_scores["o1"].scores) == 2
    assert attempt.points is not None and (attempt.points.actual, attempt.points.max) == (2, 3)
    assert attempt.score_actual == 66.67


def test_selecting_extra_options_is_wrong():
    assert scoring.score_item(item("a", 2, "o"), {"aq": [1, 2]}).actual == 0


def test_policies():
    session = Session(id="s", exam_id="e", course_id="c", user_id="u", attempts=[
        Attempt(number=1, started_at=T0, submitted_at=T0, score_actual=80),
        Attempt(number=2, started_at=T0, submitted_at=T0, score_actual=40),
        Attempt(number=3, started_at=T0)])
    assert scoring.resolve_session_score(ScoringPolicy.HIGHEST, session) == 80
    assert scoring.resolve_session_score(ScoringPolicy.LATEST, session) == 40
    assert scoring.resolve_session_score(ScoringPolicy.AVERAGE, session) == 60


def test_statistics_stay_exact_when_a_score_is_removed():
    stats: dict[str, float] = {}

    def apply(delta):
        for k, v in delta.items():
            stats[k] = stats.get(k, 0) + v

    apply(statistics.score_change(None, None, new_session=True))
    apply(statistics.score_change(None, 50))
    apply(statistics.score_change(None, None, new_session=True))
    apply(statistics.score_change(None, 100))
    agg = statistics.aggregate([stats])
    assert (agg.sessions, agg.scored, agg.min_score, agg.max_score, agg.avg_score) == (2, 2, 50, 100, 75)
    apply(statistics.score_change(100, None))  # reset of the best session
    agg = statistics.aggregate([stats])
    assert (agg.scored, agg.min_score, agg.max_score, agg.avg_score) == (1, 50, 50, 50)


def test_average_rounds_once_from_exact_points():
    def done(n: int, actual: int, max_: int) -> Attempt:
        points = Score(actual=actual, min=0, max=max_)
        return Attempt(number=n, started_at=T0, submitted_at=T0, points=points,
                       score_actual=scoring.scale(points, 0, 100))

    session = Session(id="s", exam_id="e", course_id="c", user_id="u",
                      attempts=[done(1, 1, 3), done(2, 1, 3), done(3, 3, 3)])
    # exact: (1/3 + 1/3 + 1) / 3 = 5/9 = 55.555… ; from rounded scores: (33.33 + 33.33 + 100) / 3 = 55.553…
    assert scoring.resolve_session_score(ScoringPolicy.AVERAGE, session) == 55.56
    assert scoring.resolve_session_score(ScoringPolicy.AVERAGE, session, 0, 10) == 5.56


def test_statistics_split_over_shards_sum_exactly():
    """A session's changes go to its shard, a staff batch's to any: one shard may hold a negative count (a
    removal summed elsewhere), the sum over shards is the exam's exact statistics."""
    shards: list[dict] = [{}, {}, {}]

    def apply(shard: int, delta: dict[str, float]) -> None:
        for k, v in delta.items():
            shards[shard][k] = shards[shard].get(k, 0) + v

    apply(0, statistics.score_change(None, None, new_session=True))
    apply(0, statistics.score_change(None, 40))
    apply(1, statistics.score_change(None, None, new_session=True))
    apply(1, statistics.score_change(None, 90))
    apply(2, statistics.score_change(90, None, removed_session=True))  # the 90 removed, summed on shard 2
    assert shards[2]["h:90"] == -1 and shards[2]["sessions"] == -1
    assert statistics.combine(shards) == {"sessions": 1, "scored": 1, "scoreSum": 40, "h:40": 1, "h:90": 0}
    agg = statistics.aggregate(shards)
    assert (agg.sessions, agg.scored, agg.min_score, agg.max_score, agg.avg_score) == (1, 1, 40.0, 40.0, 40.0)
    # Per exam, then across exams: the same figures whichever way the items are grouped.
    assert statistics.aggregate([statistics.combine(shards[:2]), shards[2]]) == agg
