"""Exam sessions (the live item at ``exam-session``, history at ``exam-session#v<n>``) and extensions."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from functions.core.models import Extension, Session, SessionRemoval
from functions.data import keys
from functions.data.course_walks import walk
from functions.data.store import (
    NEW_ITEM,
    SAME_VERSION,
    UNVERSIONED,
    Store,
    from_item,
    op_check,
    op_delete,
    op_put,
    op_update,
    to_item,
)


def session_item(session: Session) -> dict[str, Any]:
    """The session with its index keys: its list positions follow its latest attempt's start and the
    learner's name as recorded on it (data/keys.py session_index)."""
    latest = session.current.started_at if session.current else session.created_at
    started = latest.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ") if latest else ""
    index = keys.session_index(session.course_id, session.exam_id, session.user_id, session.id, started=started,
                               username=session.username, email=session.email)
    return to_item(session, keys.session_key(session.id), index)


def extension_index(extension: Extension) -> dict[str, str]:
    return keys.extension_index(extension.course_id, extension.exam_id, extension.user_id,
                                username=extension.username, email=extension.email)


class SessionRepository:
    def __init__(self, store: Store | None = None) -> None:
        self.store = store or Store()

    def get_session(self, session_id: str, *, consistent: bool = False) -> Session | None:
        return self.store.get_model(Session, keys.session_key(session_id), consistent=consistent)

    def create_session(self, session: Session, *, extra_ops: list[dict[str, Any]] | None = None) -> None:
        """Conditional: raises ConcurrentUpdate if a session with this id already exists."""
        self.store.transact([op_put(session_item(session), NEW_ITEM), *(extra_ops or [])],
                            conflict_message=f"session '{session.id}' already exists, or the student's "
                                             "extension on the exam changed meanwhile; retry")

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
        self.store.transact(ops, conflict_message="the session (or the student's extension on the exam) was "
                                                  "changed by another request; retry")

    def session_history(self, session_id: str, limit: int = 50) -> list[Session]:
        page = self.store.query_page(session_id, keys.SESSION_HISTORY_PREFIX, limit=limit, forward=False)
        return [from_item(Session, i) for i in page.items]

    def list_user_sessions(self, user_id: str, course_id: str, limit: int, token: str | None
                           ) -> tuple[list[Session], str | None]:
        """One user's live sessions in a course (LearningStudio's user exams): one Query of gsi2."""
        index, pk, prefix = keys.user_sessions_query(user_id, course_id)
        page = self.store.query_page(pk, prefix, index=index, limit=limit, token=token)
        return [from_item(Session, i) for i in page.items], page.next_token

    def student_sessions(self, course_id: str, user_id: str, exam_id: str) -> list[Session]:
        """Every live session of one student on one exam (one per launch context): one Query of gsi2 (the
        student's work is bounded, core/work.py MAX_SESSIONS, so it is one page)."""
        index, pk, prefix = keys.user_course_sessions_query(user_id, course_id, exam_id)
        return [from_item(Session, i) for i in walk(index, pk, prefix, "the student's sessions")]

    # --- removals (restorable) -------------------------------------------------------------------
    def latest_removal(self, session_id: str) -> SessionRemoval | None:
        page = self.store.query_page(session_id, keys.SESSION_REMOVAL_PREFIX, limit=1, forward=False)
        return from_item(SessionRemoval, page.items[0]) if page.items else None

    def get_removal(self, session_id: str, removal_id: str) -> SessionRemoval | None:
        return self.store.get_model(SessionRemoval, keys.session_removal_key(session_id, removal_id),
                                    consistent=True)

    def list_removals(self, course_id: str, exam_id: str | None, limit: int, token: str | None
                      ) -> tuple[list[SessionRemoval], str | None]:
        index, pk, prefix = keys.course_removals_query(course_id, exam_id)
        page = self.store.query_page(pk, prefix, index=index, limit=limit, token=token, forward=False)
        return [from_item(SessionRemoval, i) for i in page.items], page.next_token

    def _removal_item(self, removal: SessionRemoval) -> dict[str, Any]:
        s = removal.session
        return to_item(removal, keys.session_removal_key(s.id, removal.removal_id),
                       keys.session_removal_index(s.course_id, s.exam_id, s.user_id, removal.removal_id))

    def remove_session(self, removal: SessionRemoval, extra_ops: list[dict[str, Any]]) -> None:
        """Delete the live session (only the version we read) and write its removal record, atomically."""
        session = removal.session
        ops = [op_delete(keys.session_key(session.id), SAME_VERSION, {"#version": "version"},
                         {":expected": session.version}),
               op_put(self._removal_item(removal), NEW_ITEM), *extra_ops]
        self.store.transact(ops, conflict_message="the session was changed by another request; retry")

    def restore_session(self, removal: SessionRemoval, restored: Session, extra_ops: list[dict[str, Any]]) -> None:
        """Put the session back (only if no newer one was begun since) and mark the record restored."""
        ops = [op_put(session_item(restored), NEW_ITEM),
               op_put(self._removal_item(removal), "attribute_exists(id) AND attribute_not_exists(restored_at)"),
               *extra_ops]
        self.store.transact(ops, conflict_message="a newer session exists or it was restored already")

    # --- extensions ------------------------------------------------------------------------------
    def get_extension(self, exam_id: str, user_id: str) -> Extension | None:
        return self.store.get_model(Extension, keys.extension_key(exam_id, user_id))

    def latest_session_op(self, exam_id: str, user_id: str, extension: Extension | None, session_id: str
                          ) -> dict[str, Any]:
        """The extension (as read) now points at ``session_id``, one version on, so a grant that read the
        older version loses with a 409. No extension: none may appear before this write commits (a grant
        that creates one meanwhile wins, and the start is a 409 to retry); nothing is created."""
        key = keys.extension_key(exam_id, user_id)
        if extension is None:
            return op_check(key, NEW_ITEM)
        names = {"#version": "version"}
        values = {":expected": extension.version, ":next": extension.version + 1, ":session": session_id,
                  ":tracked": True}
        # attribute_exists: an update must never create an extension that was deleted since it was read.
        condition = f"attribute_exists(id) AND ({UNVERSIONED})" if extension.version == 0 else SAME_VERSION
        return op_update(key, "SET latest_session_id = :session, session_tracked = :tracked, #version = :next",
                         names, values, condition)

    def extension_op(self, extension: Extension) -> dict[str, Any]:
        index = extension_index(extension)
        return op_put(to_item(extension, keys.extension_key(extension.exam_id, extension.user_id), index))
