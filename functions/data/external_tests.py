"""PowerPath in the single table: lessons, subject tracks, external-test assignments, and the sparse work
queue (gsi4) the importer reads. Key strings come from ``keys.py``; docs/data-model.md lists the calls.

Queue and lease attributes are fixed-width UTC stamps (``stamp``), so "due now" and "lease expired" are
plain string comparisons in a key condition or a condition expression. Two leases exist: a shard's
(``import-lease#<n>``: the scheduled pass that holds it is the only one importing that shard) and an
assignment's own (``leaseOwner`` / ``leaseUntil``: a console or route import of that one assignment).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from functions.core.changes import Saved
from functions.core.errors import ConcurrentUpdate, TooLarge
from functions.core.models import ExternalAssignment, Lesson, SubjectTrack
from functions.data import keys
from functions.data.dynamo import serialize
from functions.data.keys import WORK_QUEUE
from functions.data.outcome_batches import ITEM_BYTES, item_size
from functions.data.store import NEW_ITEM, SAME_VERSION, Store, from_item, op_put, to_item
from functions.data.writers import Op, saves

LEASE_OWNER, LEASE_UNTIL = "leaseOwner", "leaseUntil"
QUEUE_PAGE = 100


def stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _due_bound(now: datetime) -> str:
    """Every queue sort key due at or before ``now`` sorts below this ('$' follows '#')."""
    return f"{stamp(now)}$"


class LessonRepository:
    def __init__(self, store: Store | None = None) -> None:
        self.store = store or Store()

    def get_lesson(self, lesson_id: str) -> Lesson | None:
        return self.store.get_model(Lesson, keys.lesson_key(lesson_id))

    def get_subject_track(self, subject: str, grade: int) -> SubjectTrack | None:
        return self.store.get_model(SubjectTrack, keys.subject_track_key(subject, grade))


def lesson_item(lesson: Lesson) -> dict[str, Any]:
    return to_item(lesson, keys.lesson_key(lesson.id), keys.lesson_index(lesson.course_id, lesson.id))


def subject_track_item(track: SubjectTrack, version: int = keys.LATEST) -> dict[str, Any]:
    """The track as the latest (``#v0``), or as history at ``#v<version>``."""
    return to_item(track, keys.subject_track_key(track.subject, track.grade, version))




@saves("lesson")
def _save_lesson(change: Saved) -> list[Op]:
    """A lesson is created (never replaced: ``attribute_not_exists``); lessons are not edited."""
    if change.before is not None:
        raise AssertionError("lessons are only created")
    return [op_put(lesson_item(change.after), NEW_ITEM)]


@saves("subject-track")
def _save_subject_track(change: Saved) -> list[Op]:
    """Version 1 creates; a later version replaces its predecessor only if nobody changed it meanwhile, and
    keeps the predecessor at ``#v<n>``."""
    track, replaced = change.after, change.before
    if replaced is None:
        return [op_put(subject_track_item(track), NEW_ITEM)]
    return [op_put(subject_track_item(track), SAME_VERSION, {"#version": "version"}, {":expected": replaced.version}),
            op_put(subject_track_item(replaced, replaced.version), NEW_ITEM)]


def _key(a: ExternalAssignment) -> dict[str, str]:
    return keys.external_test_key(a.student_id, a.lesson_id, a.attempt)


def assignment_item(a: ExternalAssignment) -> dict[str, Any]:
    """Pending assignments carry the work-queue index; finalized and parked ones do not (the index stays
    sparse, and a parked one is never handed to a pass)."""
    queue = (keys.work_queue_index(a.student_id, a.lesson_id, a.attempt, stamp(a.next_try_at))
             if not a.finalized and a.parked_at is None and a.next_try_at is not None else None)
    return to_item(a, _key(a), queue)


class ExternalTestRepository:
    def __init__(self, store: Store | None = None) -> None:
        self.store = store or Store()

    # --- reads -----------------------------------------------------------------------------------
    def get(self, student_id: str, lesson_id: str, attempt: int, *, consistent: bool = False
            ) -> ExternalAssignment | None:
        key = keys.external_test_key(student_id, lesson_id, attempt)
        return self.store.get_model(ExternalAssignment, key, consistent=consistent)

    def latest(self, student_id: str, lesson_id: str) -> ExternalAssignment | None:
        """The highest attempt: one Query of the student's partition, newest first, one item."""
        prefix = keys.external_tests_prefix(lesson_id)
        page = self.store.query_page(student_id, prefix, limit=1, forward=False)
        return from_item(ExternalAssignment, page.items[0]) if page.items else None

    def due(self, now: datetime, page_size: int = QUEUE_PAGE, shards: Sequence[int] | None = None
            ) -> Iterator[ExternalAssignment]:
        """Pending assignments whose next try is at or before ``now``, shard by shard (all, or the numbered
        ones), page by page: the cost follows the pending work, never the number of assignments ever made.
        The index is eventually consistent, so each page's items are read from the table (one consistent
        BatchGetItem): what a pass has just imported, or a console import has claimed, is not handed out."""
        bound = _due_bound(now)
        for shard in keys.work_queue_shards(shards):
            start: dict[str, Any] | None = None
            while True:
                page, start = self.store.query(
                    "#pk = :pk AND #sk < :bound",
                    {"#pk": WORK_QUEUE.pk, "#sk": WORK_QUEUE.sk, "#id": keys.PK, "#key": keys.SK},
                    {":pk": shard, ":bound": bound}, index=WORK_QUEUE, limit=page_size, projection="#id, #key",
                    start=start)
                yield from self._still_due(page, bound)
                if not start:
                    break

    def _still_due(self, page: list[dict[str, Any]], bound: str) -> Iterator[ExternalAssignment]:
        if not page:
            return
        fresh = {(i[keys.PK], i[keys.SK]): i for i in self.store.batch_get(page, consistent=True)}
        for key in page:
            item = fresh.get((key[keys.PK], key[keys.SK]))
            if item is not None and WORK_QUEUE.pk in item and item[WORK_QUEUE.sk] < bound:
                yield from_item(ExternalAssignment, item)

    # --- leases and the write-back (not changes of the student's work: no unit of work) ------------
    def claim(self, a: ExternalAssignment, owner: str, now: datetime, lease_until: datetime, *,
              due_only: bool) -> ExternalAssignment | None:
        """Take the lease on a pending assignment (None if it is finalized, leased by someone else, or,
        with ``due_only``, not due). The queue key moves to the lease's end, so a run that dies holding
        it leaves the assignment due again when the lease expires."""
        names = {"#lo": LEASE_OWNER, "#lu": LEASE_UNTIL, "#qpk": WORK_QUEUE.pk, "#qsk": WORK_QUEUE.sk,
                 "#nt": "next_try_at", "#v": "version"}
        values: dict[str, Any] = {
            ":owner": owner, ":until": stamp(lease_until), ":now": stamp(now), ":one": 1,
            ":sk": keys.work_queue_index(a.student_id, a.lesson_id, a.attempt,
                                         stamp(lease_until))[WORK_QUEUE.sk],
            ":next": lease_until.isoformat(),
        }
        condition = "attribute_exists(#qpk) AND (attribute_not_exists(#lu) OR #lu <= :now)"
        if due_only:
            condition += " AND #qsk < :bound"
            values[":bound"] = _due_bound(now)
        try:
            claimed = self.store.update(_key(a), "SET #lo = :owner, #lu = :until, #qsk = :sk, #nt = :next, "
                                                 "#v = #v + :one",
                                        names=names, values=values, condition=condition, return_values="ALL_NEW")
        except ConcurrentUpdate:
            return None
        return from_item(ExternalAssignment, claimed or {})

    # --- the scheduled pass: shard leases (its outcomes: imported_outcomes.py) ------------------------
    def all_shards(self) -> list[int]:
        return list(range(keys.WORK_QUEUE_SHARDS))

    def take_shard(self, shard: int, owner: str, now: datetime, until: datetime) -> bool:
        """Take a work-queue shard's lease until ``until`` (False while another pass holds it)."""
        try:
            self.store.update(keys.import_lease_key(shard), "SET #lo = :owner, #lu = :until, #at = :now",
                              names={"#lo": LEASE_OWNER, "#lu": LEASE_UNTIL, "#at": "takenAt"},
                              values={":owner": owner, ":until": stamp(until), ":now": stamp(now)},
                              condition="attribute_not_exists(#lu) OR #lu <= :now")
        except ConcurrentUpdate:
            return False
        return True

    def release_shard(self, shard: int, owner: str, now: datetime) -> None:
        """End our lease now (best effort: it expires on its own). The item stays: who ran the shard last and
        when it finished."""
        with contextlib.suppress(ConcurrentUpdate):
            self.store.update(keys.import_lease_key(shard), "SET #rt = :now REMOVE #lu",
                              names={"#lo": LEASE_OWNER, "#lu": LEASE_UNTIL, "#rt": "releasedAt"},
                              values={":owner": owner, ":now": stamp(now)}, condition="#lo = :owner")

    def release(self, a: ExternalAssignment, owner: str) -> None:
        """Drop our lease without writing results (best effort: an expired lease frees it anyway)."""
        with contextlib.suppress(ConcurrentUpdate):
            self.store.update(_key(a), "REMOVE #lo, #lu", names={"#lo": LEASE_OWNER, "#lu": LEASE_UNTIL},
                              values={":owner": owner}, condition="#lo = :owner")

    def record_writeback(self, student_id: str, lesson_id: str, attempt: int, provider_assignment_id: str,
                         payload: dict[str, Any], order: str, digest: str, now: datetime
                         ) -> ExternalAssignment | None:
        """Store a MasteryTrack write-back on its pending (or parked) assignment and make it due now, with a
        fresh set of tries; None when the assignment is missing, finalized, not MasteryTrack's, has another
        provider assignment id, or already holds this write-back or a later one (``order``, ``digest``): a
        replayed or reordered write-back changes nothing, decided by the one conditional write."""
        queue = keys.work_queue_index(student_id, lesson_id, attempt, stamp(now))
        names = {"#wb": "writeback", "#ws": "writeback_seq", "#nt": "next_try_at", "#qpk": WORK_QUEUE.pk,
                 "#qsk": WORK_QUEUE.sk, "#v": "version", "#aid": "assignment_id", "#tp": "tool_provider",
                 "#wo": "writeback_order", "#dg": "writeback_digest", "#f": "failures", "#pa": "parked_at"}
        values = {":wb": payload, ":zero": 0, ":one": 1, ":next": now.isoformat(), ":pk": queue[WORK_QUEUE.pk],
                  ":sk": queue[WORK_QUEUE.sk], ":aid": provider_assignment_id, ":mt": "mastery-track",
                  ":order": order, ":dg": digest}
        try:
            updated = self.store.update(
                keys.external_test_key(student_id, lesson_id, attempt),
                "SET #wb = :wb, #ws = if_not_exists(#ws, :zero) + :one, #nt = :next, "
                "#qpk = :pk, #qsk = :sk, #v = #v + :one, #wo = :order, #dg = :dg, #f = :zero REMOVE #pa",
                names=names, values=values, return_values="ALL_NEW",
                condition="(attribute_exists(#qpk) OR attribute_exists(#pa)) AND #aid = :aid "
                          "AND #tp = :mt AND (attribute_not_exists(#wo) OR #wo < :order) "
                          "AND (attribute_not_exists(#dg) OR #dg <> :dg)")
        except ConcurrentUpdate:
            return None
        return from_item(ExternalAssignment, updated or {})


def too_large(size: int) -> TooLarge:
    return TooLarge(f"the imported results would make the assignment {size:,} bytes; a DynamoDB item holds at "
                    f"most {ITEM_BYTES:,}")


def _check_size(item: dict[str, Any]) -> None:
    size = item_size(serialize(item))
    if size > ITEM_BYTES:
        raise too_large(size)


@saves("external-test")
def _save_assignment(change: Saved) -> list[Op]:
    """Created (``attribute_not_exists``), or written only if still at the version read (``before``) and, as
    ``extra`` says: while ``lease_owner`` holds the assignment's lease (a route or console import, which
    drops it), or while nobody holds it at ``unleased_at`` (the scheduled pass: a console import wins)."""
    after: ExternalAssignment = change.after
    item = assignment_item(after)
    _check_size(item)
    if change.before is None:
        return [op_put(item, NEW_ITEM)]
    expected = change.before.version
    if "lease_owner" in change.extra:
        return [op_put(item, "#version = :expected AND #lo = :owner", {"#version": "version", "#lo": LEASE_OWNER},
                       {":expected": expected, ":owner": change.extra["lease_owner"]})]
    if "unleased_at" in change.extra:
        return [op_put(item, "#version = :expected AND (attribute_not_exists(#lu) OR #lu <= :now)",
                       {"#version": "version", "#lu": LEASE_UNTIL},
                       {":expected": expected, ":now": stamp(change.extra["unleased_at"])})]
    return [op_put(item, SAME_VERSION, {"#version": "version"}, {":expected": expected})]
