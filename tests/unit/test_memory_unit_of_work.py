"""The in-memory unit of work (tests/memory.py) against the real one (data/unit_of_work.py on moto): the same
scenarios, the same outcomes (written, refused as a conflict, refused as too large), the same state after
(sessions, history copies, removal records, extensions and their history, attempt counts, statistics,
allowance counters, ``Saved`` entities), the same audit events and the same number of writes per unit. So the
fake the unit tests use cannot drift from what DynamoDB does."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from functions.core.changes import (
    AttemptBegun,
    AttemptCount,
    Change,
    ExtensionRemoved,
    ExtensionSaved,
    Saved,
    SessionChanged,
    SessionRemoved,
    SessionRestored,
    SessionStarted,
    Work,
)
from functions.core.errors import ConcurrentUpdate, TooLarge
from functions.core.models import Attempt, Extension, HistoryNote, Session, SessionRemoval
from functions.core.rights import Principal
from tests.memory import Memory, MemoryUnitOfWork, count_writes

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
STAFF = Principal("user", "boss")
COURSE, EXAM, OTHER_EXAM = "c1", "e1", "e2"


def session(sid: str, user: str = "u1", exam: str = EXAM, *, version: int = 1, score: float | None = None,
            responses: bool = False) -> Session:
    attempt = Attempt(number=1, record=f"r-{sid}-{version}", started_at=T0, ends_at=T0 + timedelta(hours=1),
                      responses={"i1": {"q1": [1]}} if responses else {},
                      submitted_at=T0 + timedelta(minutes=5) if score is not None else None, score_actual=score)
    return Session(id=sid, exam_id=exam, course_id=COURSE, user_id=user, item_ids=["i1", "i2"], attempts=[attempt],
                   score_actual=score, version=version, created_at=T0, updated_at=T0)


def started(s: Session, *, extension: Extension | None = None, counted: AttemptCount | None = None
            ) -> SessionStarted:
    return SessionStarted(s, AttemptBegun(extension), counted or AttemptCount(0, 0, 5, True, 20))


def submitted(before: Session, score: float, *, history: bool = True) -> SessionChanged:
    after = before.model_copy(deep=True)
    after.version = before.version + 1
    assert after.current is not None
    after.current.submitted_at, after.current.score_actual, after.score_actual = T0, score, score
    after.current.record = f"r-{after.id}-{after.version}"
    return SessionChanged(before, after, "submit", keep_history=history)


def removal(s: Session, at: datetime) -> SessionRemoval:
    return SessionRemoval(session=s, removed_at=at, removed_by="boss", reason="reset")


def extension(user: str = "u1", exam: str = EXAM, *, version: int = 1, minutes: int = 0, **more: Any) -> Extension:
    return Extension(course_id=COURSE, exam_id=exam, user_id=user, extra_time_minutes=minutes, version=version,
                     **more)


def note(ref: str, text: str, version: int) -> dict[str, Any]:
    """A generic entity for ``Saved`` (its writer is registered for the test: data/unit_of_work.py SAVERS)."""
    return {"id": ref, "text": text, "version": version}


def _note_writer(change: Saved) -> list[dict[str, Any]]:
    from functions.data.store import NEW_ITEM, SAME_VERSION, op_delete, op_put

    key = {"id": f"note#{change.ref}", "sk": "note"}
    if change.after is None:
        return [op_delete(key, SAME_VERSION, {"#version": "version"}, {":expected": change.before["version"]})]
    item = {**change.after, **key}
    if change.before is None:
        return [op_put(item, NEW_ITEM)]
    return [op_put(item, SAME_VERSION, {"#version": "version"}, {":expected": change.before["version"]})]


# --- the two sides -----------------------------------------------------------------------------------
Step = Callable[[], Work]


class MemorySide:
    def __init__(self) -> None:
        self.memory = Memory()

    def commit(self, work: Work, now: datetime) -> None:
        MemoryUnitOfWork(self.memory, STAFF, now).commit(work)

    def session(self, sid: str) -> Any:
        s = self.memory.sessions.get(sid)
        return None if s is None else (s.version, s.score_actual, len(s.attempts))

    def history(self, sid: str) -> list[Any]:
        return [(s.version, _note(s.history_note)) for s in self.memory.session_history(sid)]

    def removal(self, sid: str, rid: str) -> Any:
        r = self.memory.removals.get((sid, rid))
        return None if r is None else (r.session.version, r.restored_by)

    def extension(self, exam: str, user: str) -> Any:
        x = self.memory.extensions.get((exam, user))
        return None if x is None else (x.version, x.extra_time_minutes, x.latest_session_id, x.session_tracked)

    def extension_history(self, exam: str, user: str) -> int:
        return sum(1 for h in self.memory.extension_history if (h.extension.exam_id, h.extension.user_id)
                   == (exam, user))

    def count(self, exam: str, user: str) -> Any:
        c = self.memory.attempt_counts.get((exam, user))
        return None if c is None else (c["started"], c["sessions"])

    def stats(self, exam: str) -> dict[str, float]:
        return _nonzero(self.memory.stats.get(exam, {}))

    def allowances(self, exam: str) -> int:
        return self.memory.allowance_rows.get(exam, 0)

    def note(self, ref: str) -> Any:
        n = self.memory.get_saved("note", ref)
        return None if n is None else (n["text"], n["version"])

    def events(self) -> list[dict[str, Any]]:
        from functions.data.audit import audit_item, event_view

        return [_event(event_view(audit_item(e))) for e in self.memory.events]


class DynamoSide:
    def __init__(self) -> None:
        from functions.data.sessions import SessionRepository
        from functions.data.store import Store

        self.store = Store()
        self.sessions = SessionRepository(self.store)

    def commit(self, work: Work, now: datetime) -> None:
        from functions.data.unit_of_work import DynamoUnitOfWork

        DynamoUnitOfWork(STAFF, now, self.store).commit(work)

    def session(self, sid: str) -> Any:
        s = self.sessions.get_session(sid, consistent=True)
        return None if s is None else (s.version, s.score_actual, len(s.attempts))

    def history(self, sid: str) -> list[Any]:
        from functions.data import keys

        page = self.store.query_page(sid, keys.SESSION_HISTORY_PREFIX, limit=100)
        found = [Session.model_validate(i) for i in page.items]
        return [(s.version, _note(s.history_note)) for s in sorted(found, key=lambda s: s.version)]

    def removal(self, sid: str, rid: str) -> Any:
        r = self.sessions.get_removal(sid, rid)
        return None if r is None else (r.session.version, r.restored_by)

    def extension(self, exam: str, user: str) -> Any:
        x = self.sessions.get_extension(exam, user)
        return None if x is None else (x.version, x.extra_time_minutes, x.latest_session_id, x.session_tracked)

    def extension_history(self, exam: str, user: str) -> int:
        from functions.data import keys

        pk, prefix = keys.extension_history_query(exam, user)
        return len(self.store.query_page(pk, prefix, limit=100).items)

    def count(self, exam: str, user: str) -> Any:
        from functions.data import keys

        c = self.store.get(keys.attempt_count_key(exam, user), consistent=True)
        return None if c is None else (int(c["started"]), int(c["sessions"]))

    def stats(self, exam: str) -> dict[str, float]:
        from functions.data.stats import StatsRepository

        found = StatsRepository(self.store).get_many([exam])
        counters = {k: v for k, v in found[0].items() if k not in ("id", "sk")} if found else {}
        return _nonzero(counters)

    def allowances(self, exam: str) -> int:
        from functions.data import keys

        item = self.store.get(keys.list_counts_key(exam), consistent=True)
        return int(item.get("allowances", 0)) if item else 0

    def note(self, ref: str) -> Any:
        item = self.store.get({"id": f"note#{ref}", "sk": "note"}, consistent=True)
        return None if item is None else (item["text"], int(item["version"]))

    def events(self) -> list[dict[str, Any]]:
        from functions.data.audit import AuditRepository, event_view

        items, _ = AuditRepository(self.store).list_events(COURSE, 100, None)
        return [_event(event_view(i)) for i in reversed(items)]  # oldest first, as the memory records them


def _note(note: HistoryNote | None) -> Any:
    return None if note is None else (note.reason, note.by)


def _nonzero(counters: dict[str, Any]) -> dict[str, float]:
    plain = {k: float(v) if isinstance(v, Decimal) else v for k, v in counters.items()}
    return {k: round(v, 4) for k, v in plain.items() if isinstance(v, int | float) and round(v, 4) != 0}


def _event(view: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in view.items() if k != "id"}  # the id is random on both sides


def outcome(side: Any, work: Work, now: datetime) -> str:
    try:
        side.commit(work, now)
    except ConcurrentUpdate as refused:
        return f"conflict: {refused.message}"
    except TooLarge as refused:
        return f"too large: {refused.message}"
    return "written"


def state(side: Any, sessions: list[str], removals: list[tuple[str, str]], pairs: list[tuple[str, str]],
          notes: list[str]) -> dict[str, Any]:
    return {
        "sessions": {s: side.session(s) for s in sessions},
        "history": {s: side.history(s) for s in sessions},
        "removals": {r: side.removal(*r) for r in removals},
        "extensions": {p: side.extension(*p) for p in pairs},
        "extension history": {p: side.extension_history(*p) for p in pairs},
        "counts": {p: side.count(*p) for p in pairs},
        "stats": {e: side.stats(e) for e in (EXAM, OTHER_EXAM)},
        "allowances": {e: side.allowances(e) for e in (EXAM, OTHER_EXAM)},
        "notes": {n: side.note(n) for n in notes},
        "events": side.events(),
    }


def run(steps: list[Step], *, sessions: list[str] = (), removals: list[tuple[str, str]] = (),  # type: ignore[assignment]
        pairs: list[tuple[str, str]] = (), notes: list[str] = ()) -> list[str]:  # type: ignore[assignment]
    """Each step's outcome on both sides (they must agree, as must the state after every step and the writes
    each unit takes); returns the outcomes."""
    from functions.data.unit_of_work import DynamoUnitOfWork

    memory, dynamo = MemorySide(), DynamoSide()
    outcomes = []
    for n, step in enumerate(steps):
        now = T0 + timedelta(seconds=n + 1)  # one instant per step: events and history copies sort by it
        work = step()
        if work.changes:
            real = len(DynamoUnitOfWork(STAFF, now, dynamo.store).operations(step()))
            assert count_writes(work) == real, f"step {n}: writes counted {count_writes(work)}, built {real}"
        got = outcome(memory, work, now), outcome(dynamo, step(), now)
        assert got[0] == got[1], f"step {n}: memory {got[0]!r}, DynamoDB {got[1]!r}"
        observed = [state(side, list(sessions), list(removals), list(pairs), list(notes)) for side in (memory, dynamo)]
        assert observed[0] == observed[1], f"step {n}"
        outcomes.append(got[0].split(":")[0])
    return outcomes


@pytest.fixture(autouse=True)
def _aws(table: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from functions.data.unit_of_work import SAVERS

    monkeypatch.setitem(SAVERS, "note", _note_writer)


# --- scenarios -------------------------------------------------------------------------------------------
def test_a_session_is_created_once_and_changed_only_from_the_version_read():
    s1 = session("s1", responses=True)
    done = submitted(s1, 50.0)
    assert run([
        lambda: Work("session.start", COURSE, [started(s1)]),
        lambda: Work("session.start", COURSE, [started(s1)]),  # it exists
        lambda: Work("session.submit", COURSE, [submitted(s1, 50.0)]),
        lambda: Work("session.submit", COURSE, [submitted(s1, 75.0)]),  # read at version 1: stale now
        lambda: Work("session.save", COURSE, [submitted(done.after, 80.0, history=False)]),
    ], sessions=["s1"], pairs=[(EXAM, "u1")]) == ["written", "conflict", "written", "conflict", "written"]


def test_a_unit_is_all_or_nothing():
    s1, s2 = session("s1"), session("s2", "u2")
    stale = s2.model_copy(update={"version": 7})
    assert run([
        lambda: Work("session.start", COURSE, [started(s1), started(s2)]),
        lambda: Work("session.submit", COURSE, [submitted(s1, 100.0), submitted(stale, 0.0)]),
        lambda: Work("session.submit", COURSE, [submitted(s1, 100.0), submitted(s2, 0.0)]),
        lambda: Work("session.remove", COURSE, [SessionRemoved(removal(submitted(s2, 0.0).after, T0)),
                                                SessionRemoved(removal(s1, T0))]),  # s1 read at version 1
        lambda: Work("session.remove", COURSE, [SessionRemoved(removal(submitted(s2, 0.0).after, T0)),
                                                SessionRemoved(removal(submitted(s1, 100.0).after, T0))]),
    ], sessions=["s1", "s2"], removals=[("s1", removal(s1, T0).removal_id)],
        pairs=[(EXAM, "u1"), (EXAM, "u2")]) == ["written", "conflict", "written", "conflict", "written"]


def test_removal_and_restore():
    s1 = session("s1", score=40.0)
    first, second, third = T0 + timedelta(seconds=2), T0 + timedelta(seconds=9), T0 + timedelta(seconds=20)
    gone = removal(s1, first)
    restored = s1.model_copy(update={"version": 2})
    marked = gone.model_copy(update={"restored_at": T0, "restored_by": "boss"})
    again = s1.model_copy(update={"version": 3})
    last = s1.model_copy(update={"version": 4})
    assert run([
        lambda: Work("session.start", COURSE, [started(s1)]),
        lambda: Work("session.remove", COURSE, [SessionRemoved(gone)]),
        lambda: Work("session.remove", COURSE, [SessionRemoved(gone)]),  # no live session any more
        lambda: Work("session.start", COURSE, [started(restored)]),  # begun anew
        lambda: Work("session.restore", COURSE, [SessionRestored(marked, restored)]),  # a live one exists
        lambda: Work("session.remove", COURSE, [SessionRemoved(removal(restored, second))]),
        lambda: Work("session.restore", COURSE, [SessionRestored(marked, again)]),
        lambda: Work("session.restore", COURSE, [SessionRestored(marked, again)]),  # a live one exists
        lambda: Work("session.remove", COURSE, [SessionRemoved(removal(again, third))]),
        lambda: Work("session.restore", COURSE, [SessionRestored(marked, last)]),  # none live: restored already
    ], sessions=["s1"], removals=[("s1", gone.removal_id), ("s1", removal(s1, second).removal_id),
                                  ("s1", removal(s1, third).removal_id)],
        pairs=[(EXAM, "u1")]) == ["written", "written", "conflict", "written", "conflict", "written", "written",
                                  "conflict", "written", "conflict"]


def test_attempt_counts_hold_their_limit_and_are_forgotten_on_removal():
    a, b, c = session("a"), session("b"), session("c")
    one = AttemptCount(used=0, live=0, allowed=2, new_session=True, max_sessions=20)
    assert run([
        lambda: Work("session.start", COURSE, [started(a, counted=one)]),
        lambda: Work("session.start", COURSE, [started(b, counted=one)]),  # the stored count: 1 < 2
        lambda: Work("session.start", COURSE, [started(c, counted=one)]),  # 2 started: refused
        lambda: Work("session.remove", COURSE, [SessionRemoved(removal(a, T0))]),  # the count is forgotten
        lambda: Work("session.start", COURSE, [started(c, counted=AttemptCount(1, 1, 2, True, 20))]),
        lambda: Work("session.retake", COURSE, [SessionChanged(c, c.model_copy(update={"version": 2}), "retake",
                                                               counted=AttemptCount(2, 2, 2, False, 20))]),
    ], sessions=["a", "b", "c"], pairs=[(EXAM, "u1")]) == ["written", "written", "conflict", "written", "written",
                                                            "conflict"]


def test_extensions_their_history_the_session_pointer_and_the_allowance_counter():
    granted = extension(minutes=30, version=1)
    more = extension(minutes=45, version=2)
    s1 = session("s1")
    assert run([
        lambda: Work("extension.grant", COURSE, [ExtensionSaved(None, granted)]),
        lambda: Work("extension.grant", COURSE, [ExtensionSaved(None, granted)]),  # exists now
        lambda: Work("session.start", COURSE, [started(s1)]),  # read with none: one appeared
        lambda: Work("session.start", COURSE, [started(s1, extension=granted)]),  # the pointer, one version on
        lambda: Work("extension.grant", COURSE, [ExtensionSaved(granted, more)]),  # stale: the pointer moved it
        lambda: Work("extension.grant", COURSE, [ExtensionSaved(granted.model_copy(update={
            "version": 2, "latest_session_id": "s1", "session_tracked": True}), more.model_copy(update={
                "version": 3}))]),
        lambda: Work("extension.remove", COURSE, [ExtensionRemoved(more.model_copy(update={"version": 3}))]),
    ], sessions=["s1"], pairs=[(EXAM, "u1")]) == ["written", "conflict", "conflict", "written", "conflict",
                                                   "written", "written"]


def test_an_unversioned_extension_and_a_grant_with_a_moved_attempt_in_one_unit():
    old = extension(minutes=10, version=0)
    s1 = session("s1")
    moved = s1.model_copy(update={"version": 2})
    assert run([
        lambda: Work("session.start", COURSE, [started(s1)]),
        lambda: Work("extension.grant", COURSE, [ExtensionSaved(None, old)]),
        lambda: Work("extension.grant", COURSE, [
            ExtensionSaved(old, extension(minutes=20, version=1, latest_session_id="s1", session_tracked=True)),
            SessionChanged(s1, moved, "extension", begun=AttemptBegun(old))]),  # the pointer folds in
        lambda: Work("extension.grant", COURSE, [ExtensionSaved(None, extension("u2", OTHER_EXAM, minutes=5))]),
    ], sessions=["s1"], pairs=[(EXAM, "u1"), (OTHER_EXAM, "u2")]) == ["written", "written", "written", "written"]


def test_statistics_are_summed_per_exam():
    sessions = [session(f"s{n}", f"u{n}") for n in range(3)] + [session("t", "u0", OTHER_EXAM)]
    assert run([
        lambda: Work("session.start", COURSE, [started(s) for s in sessions]),
        lambda: Work("session.submit", COURSE, [submitted(s, 10.0 * n) for n, s in enumerate(sessions)]),
        lambda: Work("session.remove", COURSE, [SessionRemoved(removal(submitted(sessions[1], 10.0).after, T0))]),
    ], sessions=[s.id for s in sessions]) == ["written", "written", "written"]


def test_a_unit_too_large_writes_nothing():
    many = [session(f"s{n:02}", f"u{n}") for n in range(49)]
    removed: list[Change] = [SessionRemoved(removal(s, T0)) for s in many]
    assert run([
        lambda: Work("session.start", COURSE, [started(s) for s in many[:30]]),
        lambda: Work("session.start", COURSE, [started(s) for s in many]),  # 49 x (session + count) + ...
        lambda: Work("session.remove", COURSE, removed[:30]),
    ], sessions=[s.id for s in many]) == ["written", "too large", "written"]


def test_saved_entities_are_created_once_and_changed_from_the_version_read():
    assert run([
        lambda: Work("note.create", COURSE, [Saved("note", "n1", None, note("n1", "first", 1))]),
        lambda: Work("note.create", COURSE, [Saved("note", "n1", None, note("n1", "again", 1))]),
        lambda: Work("note.update", COURSE, [Saved("note", "n1", note("n1", "first", 1), note("n1", "second", 2))]),
        lambda: Work("note.update", COURSE, [Saved("note", "n1", note("n1", "first", 1), note("n1", "stale", 2))]),
        lambda: Work("note.delete", COURSE, [Saved("note", "n1", note("n1", "second", 2), None)]),
    ], notes=["n1"]) == ["written", "conflict", "written", "conflict", "written"]

