"""Importing one external-test assignment's results (``AssignmentImporter``: the provider call and the
outcome, shared by the import route, the console event and the scheduled pass) and MasteryTrack's write-back
(``WritebackService``). The scheduled pass over the work queue is import_pass.py.

Exactly-once for one assignment: the route and the console import only under the assignment's own lease (a
conditional claim), and write the outcome only if that holder still has the lease and nobody wrote since
(version check). A run that dies leaves a lease that expires; the assignment is then due again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from functions.core import external_tests as rules
from functions.core.changes import Change, Implied, Saved, Work
from functions.core.errors import ConcurrentUpdate, Conflict, InvalidInput, NotFound, ProviderFailed, Unavailable
from functions.core.models import Enrollment, ExternalAssignment
from functions.core.ports import CourseDirectory, UnitOfWork
from functions.core.services.external_ports import LessonStore, Providers, WorkQueue

Clock = Callable[[], datetime]
Ignored = Literal["duplicate", "older"]  # a write-back answered as a no-op


@dataclass
class Prepared:
    """One assignment's import, worked out but not written yet."""

    before: ExternalAssignment
    after: ExternalAssignment
    outcome: str  # finalized, imported, unchanged, failed or parked (failed for the last time; error below)
    enrollment: Enrollment | None  # the placement / test-out enrollment the outcome makes
    error: ProviderFailed | None

    def work(self, **unwritten_since: Any) -> Work:
        """The outcome as one unit: the assignment (written only if still at the version read and, per
        ``unwritten_since``, while ``lease_owner`` holds its lease, or while nobody does at ``unleased_at``),
        its enrollment, and the audit event (which lists the assignment: its ``enrollment`` tells the rest)."""
        changes: list[Change] = [Saved("external-test", assignment_id(self.after), self.before, self.after,
                                       dict(unwritten_since))]
        if self.enrollment is not None:
            e = self.enrollment
            changes.append(Implied("enrollment", f"{e.course_id}/{e.user_id}", None, e, {"new": True}))
        return Work("external-test.import", self.after.course_id, changes,
                    conflict="the assignment changed while it was being imported; it will be imported again")


@dataclass
class AssignmentImporter:
    lessons: LessonStore
    people: CourseDirectory
    providers: Providers
    unit: UnitOfWork  # where ``run`` writes an outcome (its audit events name who imports)
    clock: Clock
    poll_every: timedelta = rules.POLL_EVERY  # the schedule's rate
    provider_slots: threading.BoundedSemaphore | None = None  # a pass's bound on provider calls at once
    max_failures: int = rules.MAX_FAILURES  # consecutive failures before the assignment is parked

    def prepare(self, before: ExternalAssignment) -> Prepared:
        """Ask the provider and work out the outcome, without writing it. ``after`` carries the next version;
        ``enrollment`` goes in the outcome's unit (``Prepared.work``)."""
        now = self.clock()
        try:
            with self.provider_slots or nullcontext():
                results = self.providers(before.tool_provider).fetch_results(before)
        except ProviderFailed as error:
            return self.failure(before, error.message, error)
        if results is None:
            after, outcome = rules.nothing_new(before, now, self.poll_every), "unchanged"
        else:
            after = rules.apply_results(before, results, now, self.poll_every)
            outcome = "finalized" if after.finalized else "imported"
        enrollment = self._enroll(after) if rules.wants_enrollment(after) else None
        return self._prepared(before, after, outcome, enrollment, None)

    def failure(self, before: ExternalAssignment, message: str, error: ProviderFailed | None = None
                ) -> Prepared:
        """A failure this import cannot get past, as the outcome to write: counted on the assignment and backed
        off, or parked at the ``max_failures``th (docs/powerpath.md, the importer)."""
        after = rules.failed(before, self.clock(), message, self.poll_every, self.max_failures)
        outcome = "parked" if after.parked_at is not None else "failed"
        return self._prepared(before, after, outcome, None, error or ProviderFailed(message))

    def run(self, claimed: ExternalAssignment, owner: str
            ) -> tuple[ExternalAssignment, str, ProviderFailed | None]:
        """Import one assignment whose lease ``owner`` holds and write the outcome (which drops the lease).
        Returns (state, outcome, error); outcome is finalized, imported, unchanged, failed or parked. Results
        the store refuses (too large for an item) are a failure like a provider's, recorded in their place."""
        try:
            done = self.prepare(claimed)
        except Exception as error:  # a bug in an adapter: recorded like a provider's failure
            done = self.failure(claimed, f"{type(error).__name__}: {error}")
        try:
            self.unit.commit(done.work(lease_owner=owner))
        except (ConcurrentUpdate, Unavailable):
            raise
        except Exception as error:
            done = self.failure(claimed, f"the results could not be stored: {error}")
            self.unit.commit(done.work(lease_owner=owner))
        return done.after, done.outcome, done.error

    @staticmethod
    def _prepared(before: ExternalAssignment, after: ExternalAssignment, outcome: str,
                  enrollment: Enrollment | None, error: ProviderFailed | None) -> Prepared:
        after.version = before.version + 1
        return Prepared(before, after, outcome, enrollment, error)

    def _enroll(self, after: ExternalAssignment) -> Enrollment | None:
        """The placement / test-out side effect: enroll as student in the subject track's course (never
        replacing an enrollment the student has there). Sets ``after.enrollment`` to what happened."""
        if after.skip_course_enrollment:
            after.enrollment = "skipped"
            return None
        track = self.lessons.get_subject_track(after.subject, after.grade)
        if track is None:
            after.enrollment = "no-subject-track"
            return None
        after.enrolled_course_id = track.course_id
        course = self.people.get_course(track.course_id)
        if course is None or not course.active:
            after.enrollment = "failed"
            return None
        if self.people.get_enrollment(track.course_id, after.student_id) is not None:
            after.enrollment = "already-enrolled"
            return None
        after.enrollment = "enrolled"
        return Enrollment(course_id=track.course_id, user_id=after.student_id, role="student")


def assignment_id(a: ExternalAssignment) -> str:
    """How an audit event names an assignment: student, lesson, attempt."""
    return f"{a.student_id}/{a.lesson_id}/{a.attempt}"


@dataclass
class WritebackService:
    """MasteryTrack's write-back: already authenticated by its signature (route) and parsed (adapter).

    Exactly once and in order: a write-back is stored only if it is later in MasteryTrack's order (its
    dateLastModified or scoreDate, then its signing time) than the one the assignment holds, and not the same
    content; that is one condition of the one write, so replays and reorderings race safely. An identical one
    (a replay, or MasteryTrack sending it again) and an older one are answered as no-ops, so the sender stops
    retrying."""

    queue: WorkQueue
    now: datetime

    def record(self, result_id: str, provider_assignment_id: str, payload: dict[str, Any], order: str,
               digest: str) -> tuple[ExternalAssignment, Ignored | None]:
        """(the assignment, None when stored, else why it changed nothing)."""
        parsed = rules.parse_result_id(result_id)
        if parsed is None:
            raise InvalidInput(f"assessmentResultSourcedId '{result_id}' is not a result examdesk assigned",
                               field="assessmentResultSourcedId")
        student_id, lesson_id, attempt = parsed
        stored = self.queue.record_writeback(student_id, lesson_id, attempt, provider_assignment_id, payload,
                                             order, digest, self.now)
        if stored is not None:
            return stored, None
        current = self.queue.get(student_id, lesson_id, attempt, consistent=True)
        if current is None or current.tool_provider != rules.MASTERY_TRACK:
            raise NotFound(f"no MasteryTrack assignment for result '{result_id}'")
        if current.assignment_id != provider_assignment_id:
            raise Conflict(f"assignmentId {provider_assignment_id} is not the assignment of result "
                           f"'{result_id}'", field="assignmentId")
        if current.finalized:
            raise Conflict(f"result '{result_id}' is already finalized; the write-back was not stored")
        if current.writeback_digest == digest:
            return current, "duplicate"
        if current.writeback_order is not None and current.writeback_order > order:
            return current, "older"
        if current.writeback_order == order:
            raise Conflict(f"another write-back of result '{result_id}' has the same version time and signing "
                           "time; the one stored was kept (send it again, signed later)", field="scoreDate")
        raise ConcurrentUpdate("the assignment changed while the write-back was being stored; retry")
