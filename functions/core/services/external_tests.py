"""PowerPath external tests for a caller: assign a lesson's external test, import its results now, read the
progress. The import itself (shared with the scheduled importer) is ``external_imports.AssignmentImporter``.

Who may do what: the student themself (with the take-exam right in the lesson's course), or anyone with
MANAGE_ATTEMPTS (assign, import) or VIEW_COURSE (progress) there. Anyone else gets 404, worded as for a
missing object.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from functions.core import acts
from functions.core import external_tests as rules
from functions.core.changes import Saved, Work
from functions.core.errors import ConcurrentUpdate, Conflict, InvalidInput, NotFound, ProviderFailed
from functions.core.external_tests import AssignRequest
from functions.core.models import Course, Enrollment, ExternalAssignment, Lesson, Role, User
from functions.core.ports import CourseDirectory, UnitOfWork
from functions.core.rights import Access, Right
from functions.core.services.external_imports import AssignmentImporter, assignment_id
from functions.core.services.external_ports import AssignmentStore, LessonStore, Providers

ROUTE_LEASE = timedelta(seconds=60)  # longer than a request can run (provider timeouts included)


@dataclass
class MemoDirectory:
    """One request's view of the directory: the rights check and the student check read a user once."""

    inner: CourseDirectory
    _users: dict[str, User | None] = field(default_factory=dict)
    _enrollments: dict[tuple[str, str], Enrollment | None] = field(default_factory=dict)

    def get_user(self, user_id: str) -> User | None:
        if user_id not in self._users:
            self._users[user_id] = self.inner.get_user(user_id)
        return self._users[user_id]

    def get_enrollment(self, course_id: str, user_id: str) -> Enrollment | None:
        if (course_id, user_id) not in self._enrollments:
            self._enrollments[course_id, user_id] = self.inner.get_enrollment(course_id, user_id)
        return self._enrollments[course_id, user_id]

    def get_role(self, role_id: str) -> Role | None:
        return self.inner.get_role(role_id)

    def get_course(self, course_id: str) -> Course | None:
        return self.inner.get_course(course_id)


@dataclass
class ExternalTestService:
    lessons: LessonStore
    assignments: AssignmentStore
    people: CourseDirectory
    providers: Providers
    unit: UnitOfWork
    access: Access
    now: datetime
    owner: str  # the lease owner for imports made by this request
    poll_every: timedelta = rules.POLL_EVERY  # the importer schedule's rate
    max_failures: int = rules.MAX_FAILURES  # consecutive import failures before the importer parks one

    # --- shared checks ---------------------------------------------------------------------------
    def _lesson(self, student_id: str, lesson_id: str, right: Right) -> Lesson:
        lesson = self.lessons.get_lesson(lesson_id)
        if lesson is None:
            raise NotFound(f"lesson '{lesson_id}' not found, or not visible to you")
        self.access.require_own_or(lesson.course_id, student_id, right)
        return lesson

    def _student(self, student_id: str, course_id: str | None = None) -> User:
        """The student must exist; with ``course_id``, also be a student there (a staff member assigning
        for someone else cannot reach users outside the course)."""
        student = self.people.get_user(student_id)
        if course_id and self.access.principal.user_id != student_id:
            enrollment = self.people.get_enrollment(course_id, student_id) if student else None
            role = self.people.get_role(enrollment.role) if enrollment and enrollment.active else None
            if student is None or role is None or Right.TAKE_EXAM not in role.rights:
                # One answer for "no such user" and "not a student": staff may not learn who has an account.
                raise InvalidInput(f"user '{student_id}' is not a student of course '{course_id}'",
                                   field="student")
        if student is None:
            raise InvalidInput(f"student '{student_id}' does not exist", field="student")
        return student

    # --- routes ----------------------------------------------------------------------------------
    def make_assignment(self, student_id: str, lesson_id: str, *, test_id: str | None = None,
                        application_name: str | None = None, skip_course_enrollment: bool = False
                        ) -> tuple[ExternalAssignment, bool]:
        """Assign through the provider, then store; a provider failure stores nothing. An open (not
        finalized) attempt is returned as it is, so a repeated request assigns nothing twice."""
        lesson = self._lesson(student_id, lesson_id, acts.right("assign_external"))
        provider = rules.check_assignable(lesson)
        student = self._student(student_id, lesson.course_id)
        current = self.assignments.latest(student_id, lesson_id)
        if current is not None and not current.finalized:
            if test_id and current.test_id and test_id != current.test_id:
                raise Conflict(f"attempt {current.attempt} of lesson '{lesson_id}' is still open with test "
                               f"'{current.test_id}'; it must be finalized before another test is assigned",
                               field="testId")
            return current, False
        attempt = current.attempt + 1 if current else 1
        wanted_test = test_id or lesson.test_id
        if provider == rules.EDULASTIC and not wanted_test:
            raise InvalidInput(f"testId is required: lesson '{lesson_id}' names no Edulastic test",
                               field="testId")
        assigned = self.providers(provider).assign(AssignRequest(
            provider=provider, student_id=student.id, student_email=student.email, student_name=student.name,
            lesson_id=lesson.id, result_id=rules.result_id(student.id, lesson.id, attempt),
            test_id=wanted_test, subject=lesson.subject, grade=lesson.grade,
            application_name=application_name))
        assignment = ExternalAssignment(
            student_id=student.id, lesson_id=lesson.id, attempt=attempt, course_id=lesson.course_id,
            lesson_type=lesson.lesson_type, tool_provider=provider, subject=lesson.subject,
            grade=lesson.grade, student_email=student.email, application_name=application_name,
            skip_course_enrollment=skip_course_enrollment, credentials=assigned.credentials,
            assignment_id=assigned.assignment_id, class_id=assigned.class_id, test_url=assigned.test_url,
            test_id=assigned.test_id or wanted_test, status=assigned.status, assigned_at=self.now,
            assigned_by=self.access.principal.subject)
        assignment.next_try_at = rules.next_poll(assignment, self.now, self.poll_every)
        try:
            self.unit.commit(Work(
                "external-test.assign", assignment.course_id,
                [Saved("external-test", assignment_id(assignment), None, assignment)],
                conflict=f"attempt {attempt} of lesson '{lesson.id}' already exists"))
        except ConcurrentUpdate:
            # A concurrent request assigned this attempt first: answer with its assignment.
            winner = self.assignments.get(student.id, lesson.id, attempt, consistent=True)
            if winner is None:
                raise
            return winner, False
        return assignment, True

    def import_now(self, student_id: str, lesson_id: str) -> tuple[ExternalAssignment, str]:
        """Import the latest attempt now. A finalized attempt, or a MasteryTrack one with no new write-back,
        is answered as it is (no provider call, no write). A provider failure is recorded for the importer's
        backoff and then answered as a 502."""
        lesson = self._lesson(student_id, lesson_id, acts.right("import_external"))
        rules.check_assignable(lesson)
        self._student(student_id)
        current = self.assignments.latest(student_id, lesson_id)
        if current is None:
            raise Conflict(f"no external test was assigned to student '{student_id}' for lesson "
                           f"'{lesson_id}' (no credentials to import with): call "
                           "makeExternalTestAssignment first")
        if current.parked_at is not None:  # answered as it is (importStatus says why): an operator re-queues it
            return current, "parked"
        if not rules.has_news(current):
            return current, "finalized" if current.finalized else "unchanged"
        lease_until = self.now + ROUTE_LEASE
        claimed = self.assignments.claim(current, self.owner, self.now, lease_until, due_only=False)
        if claimed is None:
            fresh = self.assignments.get(student_id, lesson_id, current.attempt, consistent=True)
            if fresh is not None and fresh.finalized:
                return fresh, "finalized"
            raise Conflict("this assignment is being imported right now; retry in a moment")
        importer = AssignmentImporter(self.lessons, self.people, self.providers, self.unit,
                                      clock=lambda: self.now, poll_every=self.poll_every,
                                      max_failures=self.max_failures)
        try:
            after, outcome, error = importer.run(claimed, self.owner)
        except Exception:
            # The outcome was not written (e.g. the store was busy: a 503): drop our lease, so the caller's
            # retry imports at once instead of meeting it for ROUTE_LEASE (best effort: it expires anyway).
            with suppress(Exception):
                self.assignments.release(claimed, self.owner)
            raise
        if error is not None:
            if outcome == "parked":
                raise ProviderFailed(f"{error.message}; after {after.failures} failures in a row the import is "
                                     "parked until an operator re-queues it",
                                     details={**(error.details or {}), "parked": True})
            raise error
        return after, outcome

    def requeue(self, student_id: str, lesson_id: str) -> ExternalAssignment:
        """An operator puts the latest attempt, parked after repeated failures, back in the work queue: due now,
        with a fresh set of tries (409 when it is not parked)."""
        lesson = self._lesson(student_id, lesson_id, acts.right("import_external"))
        current = self.assignments.latest(student_id, lesson.id)
        if current is None:
            raise NotFound(f"no external test assignment for lesson '{lesson_id}' and student '{student_id}'")
        if current.parked_at is None:
            state = "finalized" if current.finalized else "in the work queue"
            raise Conflict(f"attempt {current.attempt} of lesson '{lesson_id}' is not parked (it is {state})")
        after = rules.requeued(current, self.now)
        after.version = current.version + 1
        self.unit.commit(Work("external-test.requeue", after.course_id,
                              [Saved("external-test", assignment_id(after), current, after)],
                              conflict="the assignment changed meanwhile; read it again and retry"))
        return after

    def progress(self, student_id: str, lesson_id: str, attempt: int | None = None) -> ExternalAssignment:
        lesson = self._lesson(student_id, lesson_id, acts.right("read_external"))
        rules.check_assignable(lesson)
        found = (self.assignments.get(student_id, lesson_id, attempt) if attempt is not None
                 else self.assignments.latest(student_id, lesson_id))
        if found is None:
            which = f"attempt {attempt} of " if attempt is not None else ""
            raise NotFound(f"no external test assignment for {which}lesson '{lesson_id}' and student "
                           f"'{student_id}'")
        return found
