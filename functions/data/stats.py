"""The per-exam statistics item (see core/statistics.py) as DynamoDB operations."""

from __future__ import annotations

from typing import Any

from functions.data import keys
from functions.data.store import Store, op_update


def stats_op(exam_id: str, delta: dict[str, float]) -> dict[str, Any] | None:
    """One atomic ADD of every counter in ``delta``, to go in the same transaction as the session write."""
    if not delta:
        return None
    names = {f"#a{i}": name for i, name in enumerate(delta)}
    values = {f":a{i}": value for i, value in enumerate(delta.values())}
    expression = "ADD " + ", ".join(f"#a{i} :a{i}" for i in range(len(delta)))
    return op_update(keys.exam_stats_key(exam_id), expression, names, values)


class StatsRepository:
    def __init__(self, store: Store | None = None) -> None:
        self.store = store or Store()

    def get_many(self, exam_ids: list[str]) -> list[dict[str, Any]]:
        return self.store.batch_get([keys.exam_stats_key(e) for e in exam_ids])
