"""Exam sessions (the live item at ``exam-session``, history at ``exam-session#v<n>``) and extensions.

A session item holds each attempt's summary (times, state, score); an attempt's responses and results, which
grow with the exam, are in its own part items (``exam-session#part#<record>#<n>``, at most
``keys.SESSION_PART_ITEMS`` drawn items each), written in the session's transaction. History copies and
removal records copy the session item alone and name the parts by record; parts are never overwritten once a
copy names them (a change kept in history writes the attempt under a new record), so they stay as they were.
Sizes: docs/data-model.md, "Sessions and attempts".
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from functions.core import scoring
from functions.core.changes import AttemptCount
from functions.core.models import (
    ATTEMPT_DETAIL,
    Attempt,
    Extension,
    Item,
    Score,
    Session,
    SessionRemoval,
    new_record,
)
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
)


def _summary(attempt: Attempt) -> dict[str, Any]:
    body = attempt.model_dump(mode="json", exclude_none=True, exclude=set(ATTEMPT_DETAIL))
    return {**body, "detached": True, "answered": attempt.answered_count}


def session_body(session: Session) -> dict[str, Any]:
    """The session as its item holds it: every attempt's summary, no responses or results."""
    body = session.model_dump(mode="json", exclude_none=True, exclude={"attempts"})
    return {**body, "attempts": [_summary(a) for a in session.attempts], "attempt_parts": True}


def session_item(session: Session) -> dict[str, Any]:
    """The session with its index keys: its list positions follow its latest attempt's start and the
    learner's name as recorded on it (data/keys.py session_index)."""
    latest = session.current.started_at if session.current else session.created_at
    started = latest.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ") if latest else ""
    index = keys.session_index(session.course_id, session.exam_id, session.user_id, session.id, started=started,
                               username=session.username, email=session.email)
    return {**session_body(session), **index, **keys.session_key(session.id)}


def removal_item(removal: SessionRemoval) -> dict[str, Any]:
    """The removed session item, as it was (its attempts' parts stay where they are: a restore puts the
    session item back and they are its again)."""
    s = removal.session
    body = removal.model_dump(mode="json", exclude_none=True, exclude={"session"})
    return {**body, "session": session_body(s),
            **keys.session_removal_index(s.course_id, s.exam_id, s.user_id, removal.removal_id),
            **keys.session_removal_key(s.id, removal.removal_id)}


def history_item(kept: Session, session_id: str) -> dict[str, Any]:
    return {**session_body(kept), **keys.session_history_key(session_id, kept.version)}


def _part_count(session: Session) -> int:
    return max(1, -(-len(session.item_ids) // keys.SESSION_PART_ITEMS))


def attempt_parts(session: Session, attempt: Attempt) -> list[dict[str, Any]]:
    """The attempt's responses and results split by the drawn items' order (what each part item holds)."""
    size = keys.SESSION_PART_ITEMS
    part_of = {item_id: n // size for n, item_id in enumerate(session.item_ids)}
    parts: list[dict[str, Any]] = [{"responses": {}, "item_scores": {}, "alignments": {}}
                                   for _ in range(_part_count(session))]
    for item_id, selected in attempt.responses.items():
        parts[part_of.get(item_id, 0)]["responses"][item_id] = selected
    for item_id, score in attempt.item_scores.items():
        parts[part_of.get(item_id, 0)]["item_scores"][item_id] = score.model_dump(mode="json")
    for item_id, objectives in attempt.alignments.items():
        parts[part_of.get(item_id, 0)]["alignments"][item_id] = objectives
    return parts


def _empty(part: dict[str, Any]) -> bool:
    return not any(part.values())


def part_ops(before: Session | None, after: Session, *, history: bool) -> list[dict[str, Any]]:
    """The writes that store ``after``'s current attempt's responses and results: the parts that changed.
    With ``history`` (a copy of ``before`` is kept) changed parts go under a new record, so the copy's
    parts stay as they were. An attempt whose detail was not read (``detached``) is not written."""
    ops = _inline_ops(before or after, after)
    attempt = after.current
    if attempt is None or attempt.detached:
        return ops
    earlier = next((a for a in (before.attempts if before else []) if a.record == attempt.record), None)
    new_parts = attempt_parts(after, attempt)
    old_parts = attempt_parts(before, earlier) if before and earlier and not earlier.detached else None
    if earlier is not None and old_parts == new_parts:
        return ops
    if earlier is not None and history:
        attempt.record = new_record()
        old_parts = None
    fresh = earlier is None or attempt.record != earlier.record
    for n, part in enumerate(new_parts):
        if fresh and _empty(part):
            continue  # a new record's missing part reads as empty
        if old_parts is not None and n < len(old_parts) and old_parts[n] == part:
            continue
        ops.append(op_put({**part, **keys.session_part_key(after.id, attempt.record, n)}))
    return ops


def _inline_ops(read: Session, after: Session) -> list[dict[str, Any]]:
    """A session read from an item written before attempts had parts holds every attempt inline: its first
    write stores the earlier attempts' parts too (the current one's are written as on every write)."""
    if read.attempt_parts:
        return []
    return [op_put({**part, **keys.session_part_key(after.id, attempt.record, n)})
            for attempt in after.attempts[:-1] if not attempt.detached
            for n, part in enumerate(attempt_parts(after, attempt)) if not _empty(part)]


def with_detail(session: Session, parts: list[dict[str, Any]]) -> Session:
    """``session`` whose current attempt carries the responses and results its part items hold."""
    filled = session.model_copy(deep=True)
    attempt = filled.current
    assert attempt is not None
    attempt.responses, attempt.item_scores, attempt.alignments = {}, {}, {}
    for part in parts:
        attempt.responses.update(part.get("responses") or {})
        attempt.item_scores.update({i: Score.model_validate(v) for i, v in (part.get("item_scores") or {}).items()})
        attempt.alignments.update(part.get("alignments") or {})
    attempt.objective_scores = scoring.objective_scores(filled.item_ids, attempt.item_scores, attempt.alignments)
    attempt.detached = False
    return filled


def _part_keys(session: Session) -> list[dict[str, str]]:
    attempt = session.current
    if attempt is None or not attempt.detached:
        return []
    return [keys.session_part_key(session.id, attempt.record, n) for n in range(_part_count(session))]


def extension_index(extension: Extension) -> dict[str, str]:
    return keys.extension_index(extension.course_id, extension.exam_id, extension.user_id,
                                username=extension.username, email=extension.email)


class SessionRepository:
    def __init__(self, store: Store | None = None) -> None:
        self.store = store or Store()

    def get_session(self, session_id: str, *, consistent: bool = False) -> Session | None:
        return self.store.get_model(Session, keys.session_key(session_id), consistent=consistent)

    def with_current(self, session: Session, *, consistent: bool = False) -> Session:
        """``session`` with its current attempt's responses and results read (one BatchGetItem of its
        parts; none when they are already there)."""
        return self.with_currents([session], consistent=consistent)[0]

    def with_currents(self, sessions: list[Session], *, consistent: bool = False) -> list[Session]:
        """The same for many sessions, in one BatchGetItem per 100 parts."""
        wanted = [k for s in sessions for k in _part_keys(s)]
        if not wanted:
            return sessions
        found: dict[tuple[str, str], dict[str, Any]] = {
            (i[keys.PK], i[keys.SK]): i for i in self.store.batch_get(wanted, consistent=consistent)}
        return [with_detail(s, [found[(k[keys.PK], k[keys.SK])] for k in _part_keys(s)
                                if (k[keys.PK], k[keys.SK]) in found]) if _part_keys(s) else s
                for s in sessions]

    def with_current_and_items(self, session: Session, *, consistent: bool = False
                               ) -> tuple[Session, dict[str, Item]]:
        """``session`` with its current attempt's responses and results, and its drawn items: one
        BatchGetItem for both (two past 100 keys)."""
        part_keys = _part_keys(session)
        found = self.store.batch_get([*(keys.item_key(i) for i in session.item_ids), *part_keys],
                                     consistent=consistent)
        by_key = {(i[keys.PK], i[keys.SK]): i for i in found}
        items = {i[keys.PK]: from_item(Item, i) for i in found if i[keys.SK] == keys.versioned(keys.ITEM)}
        if part_keys:
            session = with_detail(session, [by_key[(k[keys.PK], k[keys.SK])] for k in part_keys
                                            if (k[keys.PK], k[keys.SK]) in by_key])
        return session, items

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

    # --- extensions ------------------------------------------------------------------------------
    def get_extension(self, exam_id: str, user_id: str) -> Extension | None:
        return self.store.get_model(Extension, keys.extension_key(exam_id, user_id))


def latest_session_op(exam_id: str, user_id: str, extension: Extension | None, session_id: str) -> dict[str, Any]:
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
    condition = f"{keys.ITEM_EXISTS} AND ({UNVERSIONED})" if extension.version == 0 else SAME_VERSION
    return op_update(key, "SET latest_session_id = :session, session_tracked = :tracked, #version = :next",
                     names, values, condition)


def attempt_count_op(exam_id: str, user_id: str, count: AttemptCount) -> dict[str, Any]:
    """One more attempt (and, ``new_session``, one more live session) of the student on the exam, only while
    the stored count is under ``allowed`` (and ``max_sessions``). No count stored yet (work from before the
    count, or after a removal forgot it): it starts from ``used`` / ``live``, as the caller counted them."""
    names = {"#started": "started", "#live": "sessions"}
    values: dict[str, Any] = {":used": count.used, ":live": count.live, ":one": 1, ":new": int(count.new_session),
                              ":allowed": count.allowed}
    condition = "attribute_not_exists(#started) OR (#started < :allowed"
    if count.new_session:
        values[":max"] = count.max_sessions
        condition += " AND #live < :max"
    return op_update(keys.attempt_count_key(exam_id, user_id),
                     "SET #started = if_not_exists(#started, :used) + :one, "
                     "#live = if_not_exists(#live, :live) + :new", names, values, condition + ")")


def forget_attempt_count_op(exam_id: str, user_id: str) -> dict[str, Any]:
    """Removals and restores change which sessions live: the count is taken again at the next start."""
    return op_delete(keys.attempt_count_key(exam_id, user_id))
