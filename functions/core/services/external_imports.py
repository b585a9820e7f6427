"""Importing external-test results: one claimed assignment (``AssignmentImporter``, shared by the import
route and the scheduled job), a whole pass over the due work (``ImportPass``), and MasteryTrack's
write-back (``WritebackService``).

Exactly-once: an assignment is imported only by the holder of its lease (a conditional claim), and the
outcome is written only if that holder still has the lease and nobody wrote since (version check). A run
that dies leaves a lease that expires; the assignment is then due again and the next run takes it.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext, suppress
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from functions.core import audit
from functions.core import external_tests as rules
from functions.core.audit import Change
from functions.core.errors import ConcurrentUpdate, Conflict, InvalidInput, NotFound, ProviderFailed
from functions.core.models import Enrollment, ExternalAssignment
from functions.core.rights import Access
from functions.core.services.external_ports import (
    AssignmentStore,
    EnrollOp,
    LessonStore,
    People,
    Providers,
    WorkQueue,
)

Clock = Callable[[], datetime]


@dataclass
class AssignmentImporter:
    assignments: AssignmentStore
    lessons: LessonStore
    people: People
    providers: Providers
    enroll_op: EnrollOp
    clock: Clock
    poll_every: timedelta = rules.POLL_EVERY  # the schedule's rate
    access: Access | None = None  # who imports (the caller, or the importer itself): its audit events
    provider_slots: threading.BoundedSemaphore | None = None  # a pass's bound on provider calls at once

    def run(self, claimed: ExternalAssignment, owner: str
            ) -> tuple[ExternalAssignment, str, ProviderFailed | None]:
        """Import one assignment whose lease ``owner`` holds and write the outcome (which drops the lease).
        Returns (state, outcome, provider error); outcome is finalized, imported, unchanged or failed."""
        now = self.clock()
        try:
            with self.provider_slots or nullcontext():
                results = self.providers(claimed.tool_provider).fetch_results(claimed)
        except ProviderFailed as error:
            after = rules.failed(claimed, now, error.message, self.poll_every)
            self._save(claimed, after, owner, [])
            return after, "failed", error
        if results is None:
            after, outcome = rules.nothing_new(claimed, now, self.poll_every), "unchanged"
        else:
            after = rules.apply_results(claimed, results, now, self.poll_every)
            outcome = "finalized" if after.finalized else "imported"
        ops = self._enroll(after) if rules.wants_enrollment(after) else []
        self._save(claimed, after, owner, ops)
        return after, outcome, None

    def _save(self, claimed: ExternalAssignment, after: ExternalAssignment, owner: str,
              ops: list[dict[str, Any]]) -> None:
        after.version = claimed.version + 1
        if self.access is not None:
            ops = ops + audit.ops(self.access, self.clock(), "external-test.import", after.course_id,
                                  Change("external-test", assignment_id(after), claimed, after))
        self.assignments.save_claimed(after, owner, claimed.version, ops)

    def _enroll(self, after: ExternalAssignment) -> list[dict[str, Any]]:
        """The placement / test-out side effect: enroll as student in the subject track's course (never
        replacing an enrollment the student has there). Sets ``after.enrollment`` to what happened."""
        if after.skip_course_enrollment:
            after.enrollment = "skipped"
            return []
        track = self.lessons.get_subject_track(after.subject, after.grade)
        if track is None:
            after.enrollment = "no-subject-track"
            return []
        after.enrolled_course_id = track.course_id
        course = self.people.get_course(track.course_id)
        if course is None or not course.active:
            after.enrollment = "failed"
            return []
        if self.people.get_enrollment(track.course_id, after.student_id) is not None:
            after.enrollment = "already-enrolled"
            return []
        after.enrollment = "enrolled"
        enrollment = Enrollment(course_id=track.course_id, user_id=after.student_id, role="student")
        return [self.enroll_op(enrollment)]


def assignment_id(a: ExternalAssignment) -> str:
    """How an audit event names an assignment: student, lesson, attempt."""
    return f"{a.student_id}/{a.lesson_id}/{a.attempt}"


@dataclass
class PassCounts:
    found: int = 0  # due entries read from the queue
    tried: int = 0  # claimed and imported (successfully or not)
    imported: int = 0  # results written (finalized or not)
    finalized: int = 0
    unchanged: int = 0  # nothing new at the provider
    failed: int = 0  # provider errors (backed off) and unexpected errors (retried after the lease)
    skipped: int = 0  # someone else held it, or it changed under us
    errors: list[str] = field(default_factory=list)  # the first few, for the log

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items()}


@dataclass
class ImportPass:
    queue: WorkQueue
    importer: AssignmentImporter
    clock: Clock
    owner: str
    concurrency: int = 16  # provider calls at once
    workers: int = 0  # threads (0: 3 x concurrency): the claims and writes run beside the provider calls
    lease: timedelta = timedelta(minutes=2)
    limit: int = 2000  # assignments per pass; the rest wait for the next one
    time_left: Callable[[], float] | None = None  # seconds; no new work is started below ``margin``
    margin: float = 30.0
    horizon: timedelta = timedelta(0)  # > 0: also what falls due within it (an operator's "import all now")
    shards: Sequence[int] | None = None  # the work-queue shards this pass serves (None: all of them)

    def run(self) -> PassCounts:
        counts = PassCounts()
        outcomes: Counter[str] = Counter()
        # A provider slot is held only for the provider call: a thread waiting on DynamoDB (its claim, its
        # write) does not keep a provider call from starting, so the provider sees `concurrency` calls at once
        # the whole pass long, whatever DynamoDB's latency.
        importer = replace(self.importer, provider_slots=threading.BoundedSemaphore(self.concurrency))
        with ThreadPoolExecutor(max_workers=self.workers or 3 * self.concurrency,
                                thread_name_prefix="import") as pool:
            futures = []
            for due in self.queue.due(self.clock() + self.horizon, shards=self.shards):
                if counts.found >= self.limit or (self.time_left and self.time_left() < self.margin):
                    break
                counts.found += 1
                futures.append(pool.submit(self._one, importer, due))
            for future in futures:
                outcome, error = future.result()
                outcomes[outcome] += 1
                if error and len(counts.errors) < 10:
                    counts.errors.append(error)
        counts.finalized, counts.unchanged = outcomes["finalized"], outcomes["unchanged"]
        counts.imported = outcomes["imported"] + counts.finalized
        counts.failed, counts.skipped = outcomes["failed"], outcomes["skipped"]
        counts.tried = counts.imported + counts.unchanged + counts.failed
        return counts

    def _one(self, importer: AssignmentImporter, due: ExternalAssignment) -> tuple[str, str | None]:
        """Claim, import, write; any failure stays with this one assignment."""
        now = self.clock()
        claimed = self.queue.claim(due, self.owner, now, now + self.lease, due_only=not self.horizon)
        if claimed is None:
            return "skipped", None
        what = f"{claimed.student_id}/{claimed.lesson_id}#{claimed.attempt}"
        try:
            _, outcome, provider_error = importer.run(claimed, self.owner)
        except ConcurrentUpdate:
            self.queue.release(claimed, self.owner)  # a write-back arrived meanwhile: due again at once
            return "skipped", None
        except Exception as error:  # isolate it: the lease expires and a later run retries
            with suppress(Exception):  # the lease expires on its own anyway
                self.queue.release(claimed, self.owner)
            return "failed", f"{what}: {type(error).__name__}: {error}"
        return outcome, f"{what}: {provider_error.message}" if provider_error else None


@dataclass
class WritebackService:
    """MasteryTrack's write-back: already authenticated by its signature (route) and parsed (adapter)."""

    queue: WorkQueue
    now: datetime

    def record(self, result_id: str, provider_assignment_id: str, payload: dict[str, Any]
               ) -> ExternalAssignment:
        parsed = rules.parse_result_id(result_id)
        if parsed is None:
            raise InvalidInput(f"assessmentResultSourcedId '{result_id}' is not a result examdesk assigned",
                               field="assessmentResultSourcedId")
        student_id, lesson_id, attempt = parsed
        stored = self.queue.record_writeback(student_id, lesson_id, attempt, provider_assignment_id, payload,
                                             self.now)
        if stored is not None:
            return stored
        current = self.queue.get(student_id, lesson_id, attempt, consistent=True)
        if current is None or current.tool_provider != rules.MASTERY_TRACK:
            raise NotFound(f"no MasteryTrack assignment for result '{result_id}'")
        if current.assignment_id != provider_assignment_id:
            raise Conflict(f"assignmentId {provider_assignment_id} is not the assignment of result "
                           f"'{result_id}'", field="assignmentId")
        if current.finalized:
            raise Conflict(f"result '{result_id}' is already finalized; the write-back was not stored")
        raise ConcurrentUpdate("the assignment changed while the write-back was being stored; retry")
