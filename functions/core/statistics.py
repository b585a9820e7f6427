"""Exact per-exam score statistics kept in O(shards) items: counts, a sum, and a histogram of scores.

min / max stay exact when a score is removed (reset, rescoring) because the histogram keeps every value's
count; the whole change is a set of atomic counter increments, so concurrent writers never lose one. Every
value is a sum, so an exam's statistics may be split over any number of items (write shards: a session's
changes go to one of them, a staff batch's to any) and still be read exactly by adding them up (``combine``):
a shard alone may even hold a negative count, the sum never does.
"""

from __future__ import annotations

from dataclasses import dataclass

HISTOGRAM_PREFIX = "h:"


def histogram_attribute(score: float) -> str:
    return f"{HISTOGRAM_PREFIX}{round(float(score), 2):g}"


def score_change(before: float | None, after: float | None, *, new_session: bool = False,
                 removed_session: bool = False, attempts: int = 0) -> dict[str, float]:
    """The counter increments that move one session's score from ``before`` to ``after``; ``attempts``: the
    change in the exam's number of attempts (the Open edX attempts lists' ``count``)."""
    delta: dict[str, float] = {}

    def add(name: str, value: float) -> None:
        delta[name] = delta.get(name, 0) + value

    if new_session:
        add("sessions", 1)
    if removed_session:
        add("sessions", -1)
    if attempts:
        add("attempts", attempts)
    if before is not None:
        add("scored", -1)
        add("scoreSum", -before)
        add(histogram_attribute(before), -1)
    if after is not None:
        add("scored", 1)
        add("scoreSum", after)
        add(histogram_attribute(after), 1)
    return {k: round(v, 4) for k, v in delta.items() if v != 0}


@dataclass(frozen=True)
class Aggregate:
    sessions: int
    scored: int
    score_sum: float
    min_score: float | None
    max_score: float | None

    @property
    def avg_score(self) -> float | None:
        return round(self.score_sum / self.scored, 2) if self.scored else None


COUNTERS = ("sessions", "attempts", "scored", "scoreSum")


def combine(stat_items: list[dict]) -> dict[str, float]:
    """The counters of several statistics items (an exam's shards, or several exams') added up."""
    total: dict[str, float] = {}
    for item in stat_items:
        for name, value in item.items():
            if name in COUNTERS or name.startswith(HISTOGRAM_PREFIX):
                total[name] = total.get(name, 0) + value
    return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in total.items()}


def aggregate(stat_items: list[dict]) -> Aggregate:
    """Combine the statistics items of several exams (or shards) into one: O(items), exact."""
    total = combine(stat_items)
    values = [float(k[len(HISTOGRAM_PREFIX):]) for k, v in total.items()
              if k.startswith(HISTOGRAM_PREFIX) and float(v) > 0]
    return Aggregate(int(total.get("sessions", 0)), int(total.get("scored", 0)),
                     round(float(total.get("scoreSum", 0)), 4), min(values, default=None),
                     max(values, default=None))
