"""Removing all of a student's sessions on an exam in one transaction (Open edX reset by username).

``SessionRemover`` writes through a ``SessionRepository``; here that repository's store queues the operations
instead of sending them, so several removals (and one summed statistics update) go out as ONE
TransactWriteItems.
"""

from __future__ import annotations

from typing import Any

from functions.data.extensions import BufferedStore
from functions.data.sessions import SessionRepository
from functions.data.store import Store


class ResetBatch:
    def __init__(self, store: Store | None = None) -> None:
        self.store = store or Store()
        self.buffer = BufferedStore()
        self.sessions = SessionRepository(self.buffer)
        self.operations: list[dict[str, Any]] = []

    def add(self, operations: list[dict[str, Any]]) -> None:
        self.operations.extend(operations)

    def size(self) -> int:
        return len(self.operations) + len(self.buffer.operations)

    def commit(self) -> None:
        self.store.transact(self.buffer.operations + self.operations,
                            conflict_message="an attempt was changed by another request meanwhile; retry")
