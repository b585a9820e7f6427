"""The in-memory unit of work (tests/memory.py) against the real one (data/unit_of_work.py on moto): the same
scenarios, the same outcomes (written, refused as a conflict, refused as too large), the same state after
(sessions, history copies, removal records, extensions and their history, attempt counts, statistics,
allowance counters, ``Saved`` entities), the same audit events and the same number of writes per unit. So the
fake the unit tests use cannot drift from what DynamoDB does."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
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
from functions.core.models import (
    Attempt,
    Enrollment,
    Extension,
    ExternalAssignment,
    ExternalQuestion,
    HistoryNote,
    Lesson,
    Session,
    SessionRemoval,
    SubjectTrack,
)
from functions.core.rights import Principal
from tests.memory import Memory
from tests.memory_unit import MemoryUnitOfWork, count_writes

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
@dataclass(frozen=True)
class Claim:
    """Not a unit: an assignment's lease taken (data/external_tests.py ``claim``), which the external-test
    writer's conditions then read."""

    assignment: ExternalAssignment
    owner: str
    until: datetime


Step = Callable[[], Work | Claim]
Entity = tuple[str, str]  # (kind, ref) of a Saved entity whose writer has conditions of its own


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

    def claim(self, claim: Claim, now: datetime) -> bool:
        from tests.memory_views import WorkQueue

        return WorkQueue(self.memory).claim(claim.assignment, claim.owner, now, claim.until, due_only=False) is not None

    def entity(self, kind: str, ref: str) -> Any:
        m = self.memory
        if kind == "enrollment":
            course, user = ref.split("/")
            e = m.enrollments.get((course, user))
            return None if e is None else e.role
        value = m.saved.get(("subject-track-history", ref) if "#v" in ref else (kind, ref))
        if kind == "external-test" and value is not None:
            return _assignment(value, m.assignment_leases.get(ref, (None,))[0])
        return _entity(kind, value)

    def events(self, course: str | None) -> list[dict[str, Any]]:
        from functions.data.audit import audit_item, event_view

        return [_event(event_view(audit_item(e))) for e in self.memory.events if e.course_id == course]


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

    def claim(self, claim: Claim, now: datetime) -> bool:
        from functions.data.external_tests import ExternalTestRepository

        found = ExternalTestRepository(self.store).claim(claim.assignment, claim.owner, now, claim.until,
                                                          due_only=False)
        return found is not None

    def entity(self, kind: str, ref: str) -> Any:
        from functions.core.credentials import Credential
        from functions.core.models import Lesson, SubjectTrack
        from functions.data import keys
        from functions.data.directory import DirectoryRepository
        from functions.data.external_tests import LEASE_OWNER
        from functions.data.proctoring import ProctoringRepository

        if kind == "enrollment":
            e = DirectoryRepository(self.store).get_enrollment(*ref.split("/"))
            return None if e is None else e.role
        if kind == "external-test":
            student, lesson, attempt = ref.split("/")
            item = self.store.get(keys.external_test_key(student, lesson, int(attempt)), consistent=True)
            return None if item is None else _assignment(ExternalAssignment.model_validate(item), item.get(LEASE_OWNER))
        if kind == "proctoring-settings":
            return _entity(kind, ProctoringRepository(self.store).get_settings(ref, consistent=True))
        if kind == "credential":
            item = self.store.get(keys.api_key_key(ref), consistent=True)
            return _entity(kind, Credential.model_validate(item) if item else None)
        if kind == "lesson":
            return _entity(kind, self.store.get_model(Lesson, keys.lesson_key(ref)))
        subject, grade = ref.split("#v")[0].split("/")
        version = int(ref.split("#v")[1]) if "#v" in ref else keys.LATEST
        return _entity(kind, self.store.get_model(SubjectTrack, keys.subject_track_key(subject, int(grade), version)))

    def events(self, course: str | None) -> list[dict[str, Any]]:
        from functions.data.audit import AuditRepository, event_view

        items, _ = AuditRepository(self.store).list_events(course, 100, None)
        return [_event(event_view(i)) for i in reversed(items)]  # oldest first, as the memory records them


def _entity(kind: str, value: Any) -> Any:
    """What both sides compare of a stored entity."""
    if value is None:
        return None
    if kind == "credential":
        return (value.version, value.revoked, value.secret_hash, value.previous_secret_hash)
    if kind == "proctoring-settings":
        from functions.data import keys

        return {k: int(v) if isinstance(v, Decimal) else v for k, v in value.items() if k not in (keys.PK, keys.SK)}
    return value.model_dump(mode="json")  # a lesson, a subject track (latest or a kept version)


def _assignment(a: ExternalAssignment, lease_owner: str | None) -> Any:
    return (a.version, a.finalized, a.failures, a.next_try_at, lease_owner)


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
          notes: list[str], entities: list[Entity], course: str | None) -> dict[str, Any]:
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
        "entities": {e: side.entity(*e) for e in entities},
        "events": side.events(course),
    }


def run(steps: list[Step], *, sessions: list[str] = (), removals: list[tuple[str, str]] = (),  # type: ignore[assignment]
        pairs: list[tuple[str, str]] = (), notes: list[str] = (),  # type: ignore[assignment]
        entities: list[Entity] = (), course: str | None = COURSE) -> list[str]:  # type: ignore[assignment]
    """Each step's outcome on both sides (they must agree, as must the state after every step and the writes
    each unit takes); returns the outcomes. ``course``: whose audit events are compared."""
    from functions.data.unit_of_work import DynamoUnitOfWork

    memory, dynamo = MemorySide(), DynamoSide()
    outcomes = []
    for n, step in enumerate(steps):
        now = T0 + timedelta(seconds=n + 1)  # one instant per step: events and history copies sort by it
        work = step()
        if isinstance(work, Claim):
            got = tuple("claimed" if side.claim(work, now) else "refused" for side in (memory, dynamo))
        else:
            if work.changes:
                real = len(DynamoUnitOfWork(STAFF, now, dynamo.store).operations(step()))  # type: ignore[arg-type]
                assert count_writes(work) == real, f"step {n}: writes counted {count_writes(work)}, built {real}"
            got = outcome(memory, work, now), outcome(dynamo, step(), now)
        assert got[0] == got[1], f"step {n}: memory {got[0]!r}, DynamoDB {got[1]!r}"
        observed = [state(side, list(sessions), list(removals), list(pairs), list(notes), list(entities), course)
                    for side in (memory, dynamo)]
        assert observed[0] == observed[1], f"step {n}"
        outcomes.append(got[0].split(":")[0])
    return outcomes


@pytest.fixture(autouse=True)
def _aws(table: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from functions.data.writers import SAVERS

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



# --- the kinds whose writers have conditions of their own (data/writers.py MODULES, data/proctoring.py) ----
def test_a_credential_is_written_whole_and_changed_only_at_the_version_read():
    from functions.core.credentials import Credential, CredentialKind, hash_secret, rotated

    issued = Credential(id="k1", kind=CredentialKind.BASIC, name="n", courses=[COURSE], rights=["course:view"],
                        secret_hash=hash_secret("one"), created_at=T0)
    second = rotated(issued, hash_secret("two"), T0, 60, "user:boss")
    third = rotated(second, hash_secret("three"), T0, 0, "user:boss")

    def saved(before: Credential | None, after: Credential, read: int | None = None) -> Work:
        extra: dict[str, Any] = {"credential": after}
        if before is not None:
            extra["read_version"] = before.version if read is None else read
        return Work("credential.change", None, [Saved("credential", after.id, before.public() if before else None,
                                                      after.public(), extra)], conflict="changed meanwhile")

    assert run([
        lambda: saved(None, issued),
        lambda: saved(None, issued),  # it exists
        lambda: saved(issued, second),
        lambda: saved(issued, third.model_copy(update={"version": 2})),  # read at version 1: stale now
        lambda: saved(second, third),
        lambda: saved(second, third, read=3),  # the read version in extra decides, not before's
    ], entities=[("credential", "k1")], course=None) == ["written", "conflict", "written", "conflict", "written",
                                                         "written"]


def test_proctoring_settings_set_only_the_fields_sent_at_the_version_read():
    def update(before: dict[str, Any] | None, fields: dict[str, Any]) -> Work:
        after = {**(before or {}), **fields}
        return Work("proctoring.update", COURSE, [Saved("proctoring-settings", COURSE, before, after, extra={
            "fields": fields, "by": "boss", "at": T0})], conflict="changed meanwhile")

    first = {"allow_proctoring_opt_out": True, "version": 1}
    second = {**first, "proctoring_escalation_email": "a@x.edu", "version": 2}
    assert run([
        lambda: update(None, {"allow_proctoring_opt_out": True}),
        lambda: update(None, {"allow_proctoring_opt_out": False}),  # it has a version now
        lambda: update(first, {"proctoring_escalation_email": "a@x.edu"}),
        lambda: update(first, {"allow_proctoring_opt_out": False}),  # stale
        lambda: update(second, {"proctoring_escalation_email": None}),  # None removes the field
    ], entities=[("proctoring-settings", COURSE)]) == ["written", "conflict", "written", "conflict", "written"]


def test_a_lesson_is_only_created_and_a_subject_track_keeps_the_version_it_replaces():
    lesson = Lesson(id="l1", course_id=COURSE, title="Unit 1", lesson_type="unit-test", tool_provider="edulastic",
                    subject="Math", grade=2)
    track = SubjectTrack(subject="Math", grade=2, course_id=COURSE)
    moved = track.model_copy(update={"course_id": "c2", "version": 2})
    again = track.model_copy(update={"course_id": "c3", "version": 3})

    def put(before: SubjectTrack | None, after: SubjectTrack) -> Work:
        return Work("subject-track.put", None, [Saved("subject-track", "Math/2", before, after)], conflict="changed")

    assert run([
        lambda: Work("lesson.create", COURSE, [Saved("lesson", "l1", None, lesson)], conflict="exists"),
        lambda: Work("lesson.create", COURSE, [Saved("lesson", "l1", None, lesson)], conflict="exists"),
        lambda: put(None, track),
        lambda: put(None, track),  # it exists
        lambda: put(track, moved),
        lambda: put(track, again),  # read at version 1: stale
        lambda: put(moved, again),
    ], entities=[("lesson", "l1"), ("subject-track", "Math/2"), ("subject-track", "Math/2#v1"),
                 ("subject-track", "Math/2#v2")], course=None) == ["written", "conflict", "written", "conflict",
                                                                  "written", "conflict", "written"]
    memory = Memory()
    memory.saved[("lesson", "l1")] = lesson
    with pytest.raises(AssertionError, match="only created"):  # a service bug, as data/external_tests.py says
        MemoryUnitOfWork(memory, STAFF, T0).commit(Work("lesson.create", COURSE, [Saved("lesson", "l1", lesson,
                                                                                          lesson)]))


def test_an_assignment_is_written_at_the_version_read_and_as_its_lease_allows():
    a = ExternalAssignment(student_id="u1", lesson_id="l1", attempt=1, course_id=COURSE, lesson_type="unit-test",
                           tool_provider="edulastic", subject="Math", grade=2, student_email="u1@x.edu",
                           assigned_at=T0, assigned_by="boss", next_try_at=T0)
    ref = "u1/l1/1"
    until = T0 + timedelta(minutes=5)
    claimed = a.model_copy(update={"version": 2, "next_try_at": until})
    done = claimed.model_copy(update={"version": 3, "finalized": True, "next_try_at": None, "questions": [
        ExternalQuestion(id="q", index=0, answered=True, correct=True, score=1.0)]})
    retried = claimed.model_copy(update={"version": 3, "failures": 1})

    def write(before: ExternalAssignment | None, after: ExternalAssignment, **extra: Any) -> Work:
        return Work("external-test.import", COURSE, [Saved("external-test", ref, before, after, extra)],
                    conflict="the assignment changed")

    assert run([
        lambda: write(None, a),
        lambda: write(None, a),  # it exists
        lambda: Claim(a, "console", until),
        lambda: Claim(a, "other", until),  # a running lease
        lambda: write(claimed, retried, unleased_at=T0 + timedelta(seconds=10)),  # a pass: the console holds it
        lambda: write(claimed, retried, lease_owner="other"),  # not the lease's owner
        lambda: write(a, retried, lease_owner="console"),  # stale: the claim moved it a version on
        lambda: write(claimed, done, lease_owner="console"),  # the import drops the lease
        lambda: Claim(done, "console", until),  # finalized: out of the queue
    ], entities=[("external-test", ref)]) == ["written", "conflict", "claimed", "refused", "conflict", "conflict",
                                              "conflict", "written", "refused"]
    other = a.model_copy(update={"student_id": "u2", "course_id": "c2"})  # the table is the test's: another one
    assert run([
        lambda: Work("external-test.assign", "c2", [Saved("external-test", "u2/l1/1", None, other)]),
        lambda: Work("external-test.import", "c2", [Saved("external-test", "u2/l1/1", other, other.model_copy(
            update={"version": 2, "failures": 1}), {"unleased_at": T0})]),  # nobody holds it
    ], entities=[("external-test", "u2/l1/1")], course="c2") == ["written", "written"]


def test_an_enrollment_replaces_whatever_is_there_unless_it_must_be_new():
    student = Enrollment(course_id=COURSE, user_id="u1", role="student")
    ta = student.model_copy(update={"role": "ta"})

    def put(before: Enrollment | None, after: Enrollment, **extra: Any) -> Work:
        return Work("enrollment.put", COURSE, [Saved("enrollment", f"{COURSE}/u1", before, after, extra)],
                    conflict="enrolled meanwhile")

    assert run([
        lambda: put(None, student, new=True),
        lambda: put(None, ta, new=True),  # a placement never replaces an enrollment
        lambda: put(None, ta),  # read as absent, yet written: no condition
        lambda: put(student, student),  # read as a student (stale): still written
    ], entities=[("enrollment", f"{COURSE}/u1")]) == ["written", "conflict", "written", "written"]
