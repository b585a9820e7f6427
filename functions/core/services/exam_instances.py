"""A student's exam instance, one per student per exam whatever door started the work: the acts on it
(docs/rulebook.md) begin (`start`), list (`list_work`), reset (`remove_work`), resets and restore
(`list_removals`, `restore_work`) and retake. LearningStudio's user-exam routes call it.

The user's exam instance IS the session ``session_id_for(exam, user)`` (no LTI context): the one the ExamSpark
routes show. Starting, settling and committing are ``SessionService``'s, retake is ``AttemptService``'s rule,
removal and restore ``SessionRemover``'s; this module adds the LearningStudio rules around them: who may
begin and reset, one instance per user, the exam's course in the path, and reset only inside the window.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from functions.core import acts, timing
from functions.core.errors import ConcurrentUpdate, Conflict, Forbidden, InvalidInput, NotFound
from functions.core.models import Attempt, Exam, Item, Session, SessionRemoval
from functions.core.ports import ExamStore
from functions.core.rights import Right
from functions.core.services.attempts import AttemptService
from functions.core.services.removal import RemovalStore, ScopedRemovals, SessionRemover
from functions.core.services.sessions import SessionService, StartRequest, session_id_for
from functions.core.services.work_removal import StudentWork, WorkRemoval

MAX_REASON = 500


class UserExamStore(RemovalStore, StudentWork, Protocol):
    def list_user_sessions(self, user_id: str, course_id: str, limit: int, token: str | None
                           ) -> tuple[list[Session], str | None]: ...

    def list_removals(self, course_id: str, exam_id: str | None, limit: int, token: str | None
                      ) -> tuple[list[SessionRemoval], str | None]: ...


class AttemptState(StrEnum):
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    TIMED_OUT = "timed_out"  # completed by its timer, or past its end and completed on the next write


def attempt_state(attempt: Attempt, now: datetime) -> AttemptState:
    """What an attempt is at ``now``, lazy expiry included (a read route shows it, the next write stores it)."""
    if attempt.complete:
        return AttemptState.TIMED_OUT if timing.timed_out(attempt) else AttemptState.SUBMITTED
    return AttemptState.TIMED_OUT if timing.expired(attempt, now) else AttemptState.IN_PROGRESS


@dataclass(frozen=True)
class Instance:
    """A user's exam instance as of ``now``: the session and the state of each of its attempts."""

    session: Session
    states: tuple[AttemptState, ...]
    # Every live session of the user on the exam, the instance's own first: work another door started (a
    # trusted LMS launch context) belongs to the one instance, and its reset removes it all.
    session_ids: tuple[str, ...] = ()

    @property
    def completed(self) -> bool:
        return bool(self.states) and self.states[-1] is not AttemptState.IN_PROGRESS


def instance(session: Session, now: datetime) -> Instance:
    return Instance(session, tuple(attempt_state(a, now) for a in session.attempts), (session.id,))


def one_per_exam(sessions: list[Session], user_id: str, now: datetime) -> list[Instance]:
    """One instance per exam, as LearningStudio sees a user's exams: the user's own session (else the first)
    stands for it and names every session of the exam (they come together: gsi2 sorts by exam; a page is
    made of whole exams by ``UserExamService._whole_exams``)."""
    by_exam: dict[str, list[Session]] = {}
    for session in sessions:
        by_exam.setdefault(session.exam_id, []).append(session)
    found = []
    for exam_id, group in by_exam.items():
        own = session_id_for(exam_id, user_id)
        group.sort(key=lambda s: s.id != own)
        first = instance(group[0], now)
        found.append(replace(first, session_ids=tuple(s.id for s in group)))
    return found


@dataclass(frozen=True)
class Reset:
    """A reset (removed) instance, kept whole with who reset it, when and why."""

    removal: SessionRemoval
    instance: Instance

    @property
    def saved_answers(self) -> int:
        """Questions answered across the instance's attempts (the answers themselves are kept too)."""
        return sum(a.answered_count for a in self.removal.session.attempts)


def reset_of(removal: SessionRemoval, now: datetime) -> Reset:
    return Reset(removal, instance(removal.session, now))


@dataclass
class CourseExams:
    """The exam store as one course sees it: another course's exam is not found, so a path naming the wrong
    course is refused before anything is written, at no extra read. Remembers what it read."""

    exams: ExamStore
    course_id: str
    seen: dict[str, Exam] = field(default_factory=dict)

    def get_exam(self, exam_id: str) -> Exam | None:
        exam = self.seen.get(exam_id) or self.exams.get_exam(exam_id)
        if exam is None or exam.course_id != self.course_id:
            return None
        self.seen[exam_id] = exam
        return exam

    def get_items(self, item_ids: list[str]) -> dict[str, Item]:
        return self.exams.get_items(item_ids)


@dataclass
class UserExamService:
    service: SessionService  # people, exams, sessions, rights, now, and the one commit path
    store: UserExamStore

    @property
    def now(self) -> datetime:
        return self.service.now

    def _in_course(self, course_id: str) -> tuple[SessionService, CourseExams]:
        exams = CourseExams(self.service.exams, course_id)
        return replace(self.service, exams=exams), exams

    # --- list ------------------------------------------------------------------------------------
    def instances(self, user_id: str, course_id: str, limit: int, token: str | None
                  ) -> tuple[list[Instance], str | None]:
        """The user's own instances, or an enrolled user's for a caller who may view the course or holds the
        Course Administrator right (the reset guide's first step is this list)."""
        access = self.service.access
        rights = access.rights_in(course_id)
        own = access.principal.user_id == user_id and Right.TAKE_EXAM in rights
        staff = [r for r in acts.rights("list_work") if r is not Right.TAKE_EXAM]  # any student's, not only own
        if not own and not rights & set(staff):
            if rights:
                raise Forbidden("another user's exams need the " + " or ".join(
                    repr(r.value) for r in staff) + " right in the course")
            raise NotFound("not found, or not visible to you")
        if access.principal.user_id != user_id and self.service.people.get_enrollment(course_id, user_id) is None:
            raise NotFound(f"user '{user_id}' is not enrolled in course '{course_id}'")
        if not rights & set(staff):
            course = self.service.people.get_course(course_id)
            if course is None or not course.active:  # closed to its students (docs/rulebook.md)
                raise NotFound(f"course '{course_id}' not found, or not visible to you")
        sessions, next_token = self.store.list_user_sessions(user_id, course_id, limit, token)
        return one_per_exam(self._whole_exams(sessions, user_id, course_id, token, next_token), user_id,
                            self.now), next_token

    def _whole_exams(self, sessions: list[Session], user_id: str, course_id: str, token: str | None,
                     next_token: str | None) -> list[Session]:
        """One instance per exam across pages, not only within one: a page's sessions come sorted by exam
        (gsi2), so only its first and last exam can run over a page boundary. On a continued page the first
        exam is left out when it began on an earlier page (that page showed it whole); when more pages follow,
        the last exam is completed with the rest of its sessions. One Query of gsi2 for each."""
        if sessions and token is not None:
            first = sessions[0]
            whole = self.store.student_sessions(course_id, user_id, first.exam_id)
            if whole and whole[0].id != first.id:
                sessions = [s for s in sessions if s.exam_id != first.exam_id]
        if sessions and next_token is not None:
            listed = {s.id for s in sessions}
            rest = self.store.student_sessions(course_id, user_id, sessions[-1].exam_id)
            sessions = sessions + [s for s in rest if s.id not in listed]
        return sessions

    # --- begin -----------------------------------------------------------------------------------
    def begin(self, user_id: str, course_id: str, exam_id: str) -> Instance:
        """The start act (SessionService.start): the student, or a caller who may manage attempts beginning
        it for them (the same rule as ExamSpark's start, docs/rulebook.md); one instance per user; inside the
        window unless unlocked. A begin after a reset draws a new question set."""
        service, _ = self._in_course(course_id)
        try:
            session, _exam, created = service.start(exam_id, StartRequest(user=user_id))
        except InvalidInput as refused:  # the user is not a student of the course: named as this path names it
            raise InvalidInput(refused.message, field="userId") from refused
        if not created:
            raise InvalidInput(
                f"user '{user_id}' already has an instance of exam '{exam_id}' (instance '{session.id}', "
                f"{'completed' if instance(session, self.now).completed else 'in progress'}); only one "
                "instance per user: retake a completed, retakable exam, or ask a course administrator "
                "to reset it", field="examId")
        return instance(session, self.now)

    # --- retake ----------------------------------------------------------------------------------
    def retake(self, user_id: str, course_id: str, exam_id: str) -> Instance:
        """AttemptService's retake: a completed, retakable exam gets a new empty attempt, same question set."""
        service, exams = self._in_course(course_id)
        try:
            session, _exam = AttemptService(service).retake(session_id_for(exam_id, user_id))
        except ConcurrentUpdate:  # a lost race is itself a Conflict: pass it on as it is
            raise
        except Conflict as refused:
            exam = exams.seen.get(exam_id)
            if exam is not None and not exam.retakable:
                raise Conflict(f"exam '{exam_id}' is not retakable; to take it again, a course administrator "
                               "must reset it (the next begin then draws a new question set)") from refused
            raise
        return instance(session, self.now)

    # --- reset -----------------------------------------------------------------------------------
    def reset(self, user_id: str, course_id: str, exam_id: str, reason: str) -> list[Reset]:
        """Remove the user's work on the exam with its answers, kept restorable (who, when, why): the one
        removal act (core/services/work_removal.py: course:admin, inside the window, every session of the
        user on the exam in one transaction). The instance (the user's own session) comes first."""
        if len(reason) > MAX_REASON:
            raise InvalidInput(f"reason is at most {MAX_REASON} characters", field="reason")
        removal = WorkRemoval(self.service.access, self.store, self.service.unit, self.now)
        removal.require_right(course_id)
        service, _ = self._in_course(course_id)
        exam = service.exam(exam_id)
        missing = NotFound(f"user '{user_id}' has no instance of exam '{exam.id}'")
        removed = removal.remove(exam, user_id, reason or "reset", missing)
        own = session_id_for(exam.id, user_id)
        return [reset_of(r, self.now) for r in sorted(removed, key=lambda r: r.session.id != own)]

    # --- resets and restore ----------------------------------------------------------------------
    def resets(self, course_id: str, exam_id: str, limit: int, token: str | None) -> tuple[list[Reset], str | None]:
        """The exam's resets, restorable or restored; Course Administrators only (they hold the answers)."""
        self.service.access.require(course_id, acts.right("list_removals"))
        service, _ = self._in_course(course_id)
        exam = service.exam(exam_id)
        removals, next_token = self.store.list_removals(course_id, exam.id, limit, token)
        return [reset_of(r, self.now) for r in removals], next_token

    def restore(self, course_id: str, exam_id: str, session_id: str, removal_id: str) -> Instance:
        """Put a reset instance back with its answers, while no newer instance was begun (else 409)."""
        access = self.service.access
        access.require(course_id, acts.right("restore_work"))
        remover = SessionRemover(ScopedRemovals(self.store, course_id, exam_id), self.service.unit, self.now)
        try:
            [restored] = remover.restore(course_id, [(session_id, removal_id)], access.principal.subject)
        except ConcurrentUpdate as lost:
            raise ConcurrentUpdate("the user has a live instance of this exam (begun after this reset, or this "
                                   "reset was restored just now); reset that instance first to restore this "
                                   "one") from lost
        return instance(restored, self.now)
