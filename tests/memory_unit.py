"""``MemoryUnitOfWork``: the ``core.ports.UnitOfWork`` that writes a ``core.changes.Work`` into a ``Memory``
(tests/memory.py) with ``data/unit_of_work.py``'s semantics. tests/unit/test_memory_unit_of_work.py runs the
same scenarios against both units of work and compares their outcomes, so this fake cannot drift.

What the unit of work does, as DynamoDB would (all or nothing: every condition is checked before anything is
applied; one failing condition raises ``ConcurrentUpdate`` with the unit's ``conflict`` and changes nothing):
- sessions: created only when absent; changed or removed only from the version read; ``keep_history`` keeps
  ``before`` as a history copy noting why, who and when; a removal record is new, a restore puts the session
  back only while none is live and marks the record only while it is not restored;
- extensions: written only over the version read (or created when absent), the earlier value kept as a
  history copy; the session pointer of an attempt begun (``AttemptBegun``); the allowance-row counters;
- attempt counts under their limit, forgotten after removals and restores; statistics summed per exam
  (``changes.stats_deltas``); one audit event per unit (``core.audit.event``);
- ``Saved`` changes stored by (kind, ref), written only over the version read (``extra["version"]`` when
  given, else ``before``'s ``version``; or created only when absent), deleted when ``after`` is None: the
  conditions the kinds' writers (data/unit_of_work.py SAVERS) use; the kinds whose writers differ
  (credential, proctoring-settings, lesson, subject-track, external-test and its leases, enrollment) follow
  their writers (``_SAVED_KINDS``), each with its scenario in the conformance test;
- the size check: the writes the unit would send, counted per change as data/unit_of_work.py builds them,
  against ``changes.TRANSACTION_ITEMS`` (bytes: the JSON of what is written, an estimate).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any

from pydantic import BaseModel

from functions.core import allowances, changes
from functions.core.audit import event
from functions.core.changes import (
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
    Extension,
    HistoryNote,
    Session,
)
from functions.core.rights import Principal
from tests.memory import Committed, Key, Memory, Replaced


# --- the unit of work ------------------------------------------------------------------------------------
class MemoryUnitOfWork:
    """``core.ports.UnitOfWork`` over a ``Memory``, for one caller (``principal``) at ``now``."""

    def __init__(self, memory: Memory, principal: Principal, now: datetime) -> None:
        self.memory = memory
        self.principal = principal
        self.now = now

    def commit(self, work: Work) -> None:
        m = self.memory
        if m.down is not None:
            raise m.down
        trouble = m.fails(work) if m.fails is not None else None
        if trouble is not None:
            raise trouble
        if m.before_commit and not m.in_hook:  # a concurrent writer commits first (its commits run no hook)
            m.in_hook = True
            try:
                m.before_commit.pop(0)()
            finally:
                m.in_hook = False
        writes = count_writes(work)
        check_size(writes, work)
        with m.lock:
            plan = _Plan(m, self.principal, self.now)
            try:
                for change in work.changes:
                    plan.change(change)
                plan.derived(work)
            except _Refused:
                m.conflicts += 1
                raise ConcurrentUpdate(work.conflict) from None
            listed = changes.audit_changes(work.changes)
            audit = (event(self.principal, self.now, work.action, work.course_id, listed,
                           changes.restorables(work.changes)) if listed else None)
            for apply in plan.applies:  # every condition held: now, and only now, anything is written
                apply()
            m.committed.append(Committed(work, writes if work.changes else 0, audit))


    def commit_each(self, works: list[Work], owner: str, now: datetime) -> list[Exception | None]:
        """external_ports.OutcomeUnit (data/imported_outcomes.py): per work, None (written, with its audit
        event) or why not; each all or nothing, and only while ``owner`` holds the lease of its work-queue
        shard at ``now``. A unit the table refuses costs only itself."""
        from functions.data import keys

        m = self.memory
        if m.down is not None:
            raise m.down
        m.batches.append(len(works))
        results: list[Exception | None] = []
        for work in works:
            a = next(c.after for c in work.changes if isinstance(c, Saved) and c.kind == "external-test")
            with m.lock:
                held = m.shard_leases.get(keys.work_queue_shard_number(a.student_id, a.lesson_id))
                try:
                    if held is None or held[0] != owner or held[1] <= now:
                        m.conflicts += 1
                        raise ConcurrentUpdate(_LOST)
                    MemoryUnitOfWork(m, self.principal, now).commit(work)
                except ConcurrentUpdate:
                    results.append(ConcurrentUpdate(_LOST))
                except Exception as error:  # TooLarge, the table's trouble: this outcome's only
                    results.append(error)
                else:
                    results.append(None)
        return results


_LOST = ("the assignment changed while it was being imported, or the pass lost its shard lease; it will be "
         "imported again")


def _as_stored(session: Session) -> Session:
    """A copy as data/sessions.py stores it: its attempts' responses and results in parts of their own."""
    return session.model_copy(update={"attempt_parts": True}, deep=True)


class _Refused(Exception):
    """A condition of the unit failed (nothing is applied)."""


def _version(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return getattr(value, "version", value)
    if isinstance(value, dict):
        return value.get("version", value)
    return value


class _Plan:
    """One unit's conditions checked against the state, and what it then writes (``applies``)."""

    def __init__(self, memory: Memory, principal: Principal, now: datetime) -> None:
        self.m = memory
        self.principal = principal
        self.now = now
        self.applies: list[Callable[[], object]] = []
        self.touched: set[Key] = set()

    def _set(self, mapping: dict[Any, Any], key: Any, value: Any) -> None:
        self.applies.append(partial(mapping.__setitem__, key, value))

    def _drop(self, mapping: dict[Any, Any], key: Any) -> None:
        self.applies.append(partial(mapping.pop, key, None))

    def _touch(self, key: Key) -> None:
        # DynamoDB refuses a transaction that names one item twice (a bug in the service, not a race).
        if key in self.touched:
            raise AssertionError(f"one unit writes {key} twice; DynamoDB refuses such a transaction")
        self.touched.add(key)

    def _require(self, holds: bool) -> None:
        if not holds:
            raise _Refused

    def change(self, change: Change) -> None:
        m = self.m
        if isinstance(change, SessionStarted):
            s = change.session
            self._touch(("session", s.id))
            self._require(s.id not in m.sessions)
            self._put_session(s)
            self._counted(s, change.counted)
        elif isinstance(change, SessionChanged):
            after = change.after
            self._touch(("session", after.id))
            stored = m.sessions.get(after.id)
            self._require(stored is not None and stored.version == after.version - 1)
            self._put_session(after)
            if change.keep_history:
                kept = _as_stored(change.before)
                kept.history_note = HistoryNote(reason=change.reason, by=self.principal.subject, at=self.now)
                self._touch(("history", after.id, kept.version))
                self._require((after.id, kept.version) not in m.history)
                self._set(m.history, (after.id, kept.version), kept)
            self._counted(after, change.counted)
        elif isinstance(change, SessionRemoved):
            removal = change.removal
            s = removal.session
            key = (s.id, removal.removal_id)
            self._touch(("session", s.id))
            self._touch(("removal", *key))
            stored = m.sessions.get(s.id)
            self._require(stored is not None and stored.version == s.version and key not in m.removals)
            self._drop(m.sessions, s.id)
            self._set(m.removals, key, removal.model_copy(update={"session": _as_stored(s)}))
        elif isinstance(change, SessionRestored):
            restored, removal = change.restored, change.removal
            key = (restored.id, removal.removal_id)
            self._touch(("session", restored.id))
            self._touch(("removal", *key))
            record = m.removals.get(key)
            self._require(restored.id not in m.sessions and record is not None and record.restored_at is None)
            self._put_session(restored)
            self._set(m.removals, key, removal.model_copy(update={"session": _as_stored(removal.session)}))
        elif isinstance(change, ExtensionSaved):
            self._extension(change.before, change.after)
        elif isinstance(change, ExtensionRemoved):
            self._extension(change.before, None)
        else:
            self._saved(change)

    def _put_session(self, session: Session) -> None:
        copy = _as_stored(session)
        self.applies.append(lambda: self.m.sessions.__setitem__(copy.id, copy))

    def _counted(self, session: Session, counted: AttemptCount | None) -> None:
        if counted is None:
            return
        key = (session.exam_id, session.user_id)
        self._touch(("count", *key))
        stored = self.m.attempt_counts.get(key)
        if stored is not None:
            self._require(stored["started"] < counted.allowed
                          and (not counted.new_session or stored["sessions"] < counted.max_sessions))
        base = stored or {"started": counted.used, "sessions": counted.live}
        after = {"started": base["started"] + 1, "sessions": base["sessions"] + int(counted.new_session)}
        self.applies.append(lambda: self.m.attempt_counts.__setitem__(key, after))

    def _extension(self, before: Extension | None, after: Extension | None) -> None:
        """Written over the version read (version 0: written before versions, or absent), ``before`` kept."""
        m = self.m
        either = after or before
        assert either is not None
        key = (either.exam_id, either.user_id)
        self._touch(("extension", *key))
        stored = m.extensions.get(key)
        if before is None:
            self._require(stored is None)
        elif before.version == 0:
            self._require(stored is None or stored.version == 0)
        else:
            self._require(stored is not None and stored.version == before.version)
        if after is not None:
            written = after.model_copy()
            self.applies.append(lambda: m.extensions.__setitem__(key, written))
        else:
            self.applies.append(lambda: m.extensions.pop(key, None))
        if before is not None:
            replaced = Replaced(before, self.principal.subject, self.now, deleted=after is None)
            self.applies.append(lambda: m.extension_history.append(replaced))

    def _saved(self, change: Saved) -> None:
        """The generic conditions, or the kind's own where its writer's differ (each has its conformance
        scenario in tests/unit/test_memory_unit_of_work.py)."""
        m = self.m
        key = (change.kind, change.ref)
        own = _SAVED_KINDS.get(change.kind)
        if own is not None:
            own(self, change)
            return
        self._touch(("saved", *key))
        stored = m.saved.get(key)
        if change.before is None:
            self._require(stored is None)
        else:
            expected = change.extra.get("version", _version(change.before))
            self._require(stored is not None and _version(stored) == expected)
        self._store(key, change.after)

    def _store(self, key: tuple[str, str], value: Any) -> None:
        m = self.m
        if value is None:
            self.applies.append(lambda: m.saved.pop(key, None))
        else:
            copy = value.model_copy(deep=True) if isinstance(value, BaseModel) else value
            self.applies.append(lambda: m.saved.__setitem__(key, copy))

    def credential(self, change: Saved) -> None:
        """data/credentials.py: the whole credential (``extra``; ``before``/``after`` are its public view),
        created only when absent, else only at ``extra["read_version"]``."""
        key = ("credential", change.ref)
        self._touch(("saved", *key))
        stored = self.m.saved.get(key)
        if change.before is None:
            self._require(stored is None)
        else:
            self._require(stored is not None and stored.version == change.extra["read_version"])
        self._store(key, change.extra["credential"])

    def proctoring_settings(self, change: Saved) -> None:
        """data/proctoring.py: only the fields sent are set (None removes one), with who and when, one version
        on; only at ``before``'s version (none: while the item has no version)."""
        key = ("proctoring-settings", change.ref)
        self._touch(("saved", *key))
        stored = self.m.saved.get(key)
        version = int((change.before or {}).get("version", 0))
        self._require((stored or {}).get("version") == (version or None))
        fields = {**change.extra["fields"], "updated_by": change.extra["by"],
                  "updated_at": change.extra["at"].isoformat()}
        after = {k: v for k, v in {**(stored or {}), **fields}.items() if v is not None}
        after["version"] = version + 1
        self._store(key, after)

    def lesson(self, change: Saved) -> None:
        """data/external_tests.py: lessons are only created."""
        if change.before is not None:
            raise AssertionError("lessons are only created")
        key = ("lesson", change.ref)
        self._touch(("saved", *key))
        self._require(key not in self.m.saved)
        self._store(key, change.after)

    def subject_track(self, change: Saved) -> None:
        """data/external_tests.py: created, or replaced at the version read, the replaced one kept as history
        (``subject-track-history``, ``<subject>/<grade>#v<n>``), which must not exist yet."""
        key = ("subject-track", change.ref)
        self._touch(("saved", *key))
        stored = self.m.saved.get(key)
        if change.before is None:
            self._require(stored is None)
        else:
            kept = ("subject-track-history", f"{change.ref}#v{change.before.version}")
            self._touch(("saved", *kept))
            self._require(stored is not None and stored.version == change.before.version
                          and kept not in self.m.saved)
            self._store(kept, change.before)
        self._store(key, change.after)

    def external_test(self, change: Saved) -> None:
        """data/external_tests.py: created, or written at the version read and, per ``extra``, while
        ``lease_owner`` holds the assignment's lease or while nobody holds it at ``unleased_at``. The whole item
        is put: any lease on it is dropped."""
        m = self.m
        key = ("external-test", change.ref)
        self._touch(("saved", *key))
        stored = m.saved.get(key)
        if change.before is None:
            self._require(stored is None)
        else:
            self._require(stored is not None and stored.version == change.before.version)
            lease = m.assignment_leases.get(change.ref)
            if "lease_owner" in change.extra:
                self._require(lease is not None and lease[0] == change.extra["lease_owner"])
            if "unleased_at" in change.extra:
                self._require(lease is None or lease[1] <= change.extra["unleased_at"])
        self._store(key, change.after)
        self._drop(m.assignment_leases, change.ref)

    def enrollment(self, change: Saved) -> None:
        """data/directory.py: put whatever is there (``before`` is only what was read); with ``extra["new"]``
        only where there is none yet. Stored with the seeded enrollments (``get_enrollment`` reads it)."""
        after = change.after
        key = (after.course_id, after.user_id)
        self._touch(("enrollment", *key))
        if change.extra.get("new"):
            self._require(key not in self.m.enrollments)
        self._set(self.m.enrollments, key, after.model_copy(deep=True))

    def derived(self, work: Work) -> None:
        """What follows from the changes: pointers, forgotten counts, statistics, allowance counters."""
        m = self.m
        saved = {(c.after.exam_id, c.after.user_id) for c in work.changes if isinstance(c, ExtensionSaved)}
        pointers: dict[tuple[str, str], tuple[Extension | None, str]] = {}
        for change in work.changes:
            if not isinstance(change, SessionStarted | SessionChanged) or change.begun is None:
                continue
            s = _session(change)
            if (s.exam_id, s.user_id) not in saved:
                pointers[(s.exam_id, s.user_id)] = (change.begun.extension, s.id)
        for key, (read, session_id) in pointers.items():
            self._touch(("extension", *key))
            stored = m.extensions.get(key)
            if read is None:
                self._require(stored is None)  # none may appear meanwhile; nothing is created
                continue
            self._require(stored is not None and stored.version == read.version)
            pointed = read.model_copy(update={"latest_session_id": session_id, "session_tracked": True,
                                              "version": read.version + 1})
            self._set(m.extensions, key, pointed)
        for student in changes.forgotten_counts(work.changes):
            self._touch(("count", *student))
            self._drop(m.attempt_counts, student)
        for delta in changes.stats_deltas(work.changes):
            self.applies.append(partial(_add, m.stats, delta.exam_id, delta.delta))
        for exam_id, n in _allowance_deltas(work).items():
            self._set(m.allowance_rows, exam_id, m.allowance_rows.get(exam_id, 0) + n)  # read under the lock


_SAVED_KINDS: dict[str, Callable[[_Plan, Saved], None]] = {
    "credential": _Plan.credential, "proctoring-settings": _Plan.proctoring_settings, "lesson": _Plan.lesson,
    "subject-track": _Plan.subject_track, "external-test": _Plan.external_test, "enrollment": _Plan.enrollment,
}


def _add(totals: dict[str, dict[str, float]], exam_id: str, delta: dict[str, float]) -> None:
    counters = totals.setdefault(exam_id, {})
    for name, value in delta.items():
        counters[name] = round(counters.get(name, 0) + value, 4)


def _allowance_deltas(work: Work) -> dict[str, int]:
    pairs: list[tuple[Extension | None, Extension | None]] = [
        (c.before, c.after) if isinstance(c, ExtensionSaved) else (c.before, None)
        for c in work.changes if isinstance(c, ExtensionSaved | ExtensionRemoved)]
    return allowances.count_deltas(pairs)


# --- sizes: the writes data/unit_of_work.py builds, counted from the changes -----------------------------
def count_writes(work: Work) -> int:
    """The items of the unit's one transaction: each change's own, then what follows from them."""
    total = sum(_own_writes(c) for c in work.changes)
    saved = {(c.after.exam_id, c.after.user_id) for c in work.changes if isinstance(c, ExtensionSaved)}
    begun = {(_session(c).exam_id, _session(c).user_id) for c in work.changes
             if isinstance(c, SessionStarted | SessionChanged) and c.begun is not None}
    total += len(begun - saved)  # the extension pointers
    total += len(changes.forgotten_counts(work.changes)) * changes.PER_STUDENT_ITEMS
    total += len(changes.stats_deltas(work.changes)) * changes.PER_EXAM_ITEMS
    total += len(_allowance_deltas(work)) * changes.PER_EXAM_ITEMS
    total += changes.PER_UNIT_ITEMS if work.changes else 0  # the audit event
    return total


def _session(change: SessionStarted | SessionChanged) -> Session:
    return change.session if isinstance(change, SessionStarted) else change.after


def _own_writes(change: Change) -> int:
    if isinstance(change, SessionStarted):
        return 1 + _part_writes(None, change.session) + (change.counted is not None)
    if isinstance(change, SessionChanged):
        return (1 + _part_writes(change.before, change.after, history=change.keep_history)
                + change.keep_history + (change.counted is not None))
    if isinstance(change, SessionRemoved):
        return changes.SESSION_REMOVED_ITEMS
    if isinstance(change, SessionRestored):
        return changes.SESSION_RESTORED_ITEMS + _part_writes(None, change.restored)
    if isinstance(change, ExtensionSaved):
        return changes.EXTENSION_SAVED_ITEMS if change.before is not None else 1
    if isinstance(change, ExtensionRemoved):
        return 2  # the delete and its history copy
    return _saved_writes(change)


def _saved_writes(change: Saved) -> int:
    """What the kind's writer (data/unit_of_work.py SAVERS) builds; one item when none is registered here."""
    import functions.data.proctoring  # noqa: F401  (registers "proctoring-settings"; data/writers.py MODULES omits it)
    from functions.data.writers import MODULES, SAVERS, writer

    if change.kind in SAVERS or change.kind in MODULES:
        return len(writer(change.kind)(change))  # its TooLarge (an external-test item over 400 KB) is raised here
    return 1


def _part_writes(before: Session | None, after: Session, *, history: bool = False) -> int:
    """The current attempt's response/result items written (data/sessions.py part_ops): the parts that
    changed, a new record's empty ones skipped; the earlier attempts' parts of a session stored inline."""
    from functions.data.sessions import part_ops

    return len(part_ops(before.model_copy(deep=True) if before else None, after.model_copy(deep=True),
                        history=history))


def check_size(writes: int, work: Work) -> None:
    """data/unit_of_work.py check_size's limits and words (bytes: the JSON of the changes, an estimate)."""
    if writes > changes.TRANSACTION_ITEMS:
        raise TooLarge(f"this request needs {writes} writes and one atomic write holds at most "
                       f"{changes.TRANSACTION_ITEMS} ({work.action}); send fewer at a time")
    size = sum(len(json.dumps(s.model_dump(mode="json"), default=str)) for s in work.sessions())
    if size > changes.TRANSACTION_BYTES:
        raise TooLarge(f"this request needs about {size:,} bytes of writes and one atomic write holds at most "
                       f"{changes.TRANSACTION_BYTES:,} ({work.action}); send less at a time")
