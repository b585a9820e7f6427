"""The per-exam statistics (see core/statistics.py) as DynamoDB operations, write-sharded.

Each change is one atomic ADD on ONE shard of the exam (``keys.EXAM_STATS_SHARDS``), in the same transaction as
the session write it belongs to; the shard is chosen from the session id, so one session's changes always land
on the same shard. Totals are exact because every counter is a sum and a reader adds up every shard: a
read is one BatchGetItem key per shard (``keys.exam_stats_keys``: 193 per exam, in calls of at most 100 keys).
"""

from __future__ import annotations

import random
import zlib
from typing import Any

from functions.core import statistics
from functions.data import keys
from functions.data.store import Store, op_update


def shard_of(shard_by: str | None) -> int:
    """The shard a session's changes go to; a change summed over several sessions (a staff batch) may go to
    any shard (it is counted once wherever it lands)."""
    if shard_by is None:
        return random.randrange(keys.EXAM_STATS_SHARDS)
    return zlib.crc32(shard_by.encode()) % keys.EXAM_STATS_SHARDS


def stats_op(exam_id: str, delta: dict[str, float], shard_by: str | None = None) -> dict[str, Any] | None:
    """One atomic ADD of every counter in ``delta`` on the shard of ``shard_by`` (the session id), to go in the
    same transaction as the session write."""
    if not delta:
        return None
    names = {f"#a{i}": name for i, name in enumerate(delta)}
    values = {f":a{i}": value for i, value in enumerate(delta.values())}
    expression = "ADD " + ", ".join(f"#a{i} :a{i}" for i in range(len(delta)))
    return op_update(keys.exam_stats_key(exam_id, shard_of(shard_by)), expression, names, values)


def stats_keys(exam_ids: list[str]) -> list[dict[str, str]]:
    return [k for e in exam_ids for k in keys.exam_stats_keys(e)]


def by_exam(found: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The statistics items among ``found`` (any items), combined per exam into one item (exams with none are
    absent): ``{"id": exam, "sk": "exam-stats", "sessions": ..., "scored": ..., "scoreSum": ..., "h:<score>": ...}``."""
    shards: dict[str, list[dict[str, Any]]] = {}
    for item in found:
        exam_id = keys.exam_stats_exam(item)
        if exam_id is not None:
            shards.setdefault(exam_id, []).append(item)
    return {exam_id: {**keys.exam_stats_key(exam_id), **statistics.combine(items)}
            for exam_id, items in shards.items()}


class StatsRepository:
    def __init__(self, store: Store | None = None) -> None:
        self.store = store or Store()

    def get_many(self, exam_ids: list[str]) -> list[dict[str, Any]]:
        """Each exam's statistics combined over its shards, in ``exam_ids`` order (exams with none left out)."""
        combined = by_exam(self.store.batch_get(stats_keys(exam_ids)))
        return [combined[e] for e in exam_ids if e in combined]
