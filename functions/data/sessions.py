"""Exam sessions (the live item at ``exam-session``, history at ``exam-session#v<n>``) and extensions."""

from __future__ import annotations

from typing import Any

from functions.core.models import Extension, Session
from functions.data import keys
from functions.data.store import NEW_ITEM, SAME_VERSION, Store, from_item, op_put, to_item


def session_item(session: Session) -> dict[str, Any]:
    index = keys.session_index(session.course_id, session.exam_id, session.user_id, session.id)
    return to_item(session, keys.session_key(session.id), index)


class SessionRepository:
    def __init__(self, store: Store | None = None) -> None:
        self.store = store or Store()

    def get_session(self, session_id: str, *, consistent: bool = False) -> Session | None:
        return self.store.get_model(Session, keys.session_key(session_id), consistent=consistent)

    def create_session(self, session: Session, *, extra_ops: list[dict[str, Any]] | None = None) -> None:
        """Conditional: raises ConcurrentUpdate if a session with this id already exists."""
        self.store.transact([op_put(session_item(session), NEW_ITEM), *(extra_ops or [])],
                            conflict_message=f"session '{session.id}' already exists")

    def save_session(self, session: Session, *, keep_history_of: Session | None = None,
                     extra_ops: list[dict[str, Any]] | None = None) -> None:
        """Write ``session`` (whose version was bumped by the caller) only if the stored one is still the
        version before it. ``keep_history_of`` writes that earlier state as ``exam-session#v<n>`` in the
        same transaction, so resets and rescoring stay restorable."""
        ops = [op_put(session_item(session), SAME_VERSION, {"#version": "version"},
                      {":expected": session.version - 1})]
        if keep_history_of is not None:
            history = to_item(keep_history_of, keys.session_history_key(session.id, keep_history_of.version))
            ops.append(op_put(history, NEW_ITEM))
        ops.extend(extra_ops or [])
        self.store.transact(ops, conflict_message="the session was changed by another request; retry")

    def session_history(self, session_id: str, limit: int = 50) -> list[Session]:
        page = self.store.query_page(session_id, keys.SESSION_HISTORY_PREFIX, limit=limit, forward=False)
        return [from_item(Session, i) for i in page.items]

    # --- extensions ------------------------------------------------------------------------------
    def get_extension(self, exam_id: str, user_id: str) -> Extension | None:
        return self.store.get_model(Extension, keys.extension_key(exam_id, user_id))

    def extension_op(self, extension: Extension) -> dict[str, Any]:
        index = keys.extension_index(extension.course_id, extension.exam_id, extension.user_id)
        return op_put(to_item(extension, keys.extension_key(extension.exam_id, extension.user_id), index))
