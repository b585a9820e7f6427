"""Exam sessions: start, read (with lazy expiry), and the one commit path every state change goes through."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from functions.core import acts, disclosure, scoring, timing, work
from functions.core.changes import AttemptBegun, AttemptCount, SessionChanged, SessionStarted, Work
from functions.core.disclosure import Disclosure
from functions.core.errors import ConcurrentUpdate, Conflict, InvalidInput, NotFound
from functions.core.models import (
    ATTEMPT_DETAIL,
    Attempt,
    Exam,
    Extension,
    Item,
    Session,
    User,
    new_record,
)
from functions.core.ports import ExamStore, People, SessionStore, UnitOfWork
from functions.core.rights import Access, Right

SESSION_NAMESPACE = uuid.UUID("6f1d0c1e-8d0b-5b7a-9f43-0e9d5c1a2b3c")


def session_id_for(exam_id: str, user_id: str, context_id: str = "", resource_link_id: str = "") -> str:
    """Deterministic per (exam config, user, context, resource link): starting twice finds the same session."""
    return str(uuid.uuid5(SESSION_NAMESPACE, "|".join((exam_id, user_id, context_id, resource_link_id))))


def draw_items(exam: Exam, session_id: str, draw_number: int) -> list[str]:
    """The question set: ``draw_count`` items from the pool, reproducible per session and draw."""
    pool = list(exam.item_pool)
    count = len(pool) if exam.draw_count is None else min(exam.draw_count, len(pool))
    return random.Random(f"{session_id}:{draw_number}").sample(pool, count)


def fresh_draw(exam: Exam, session_id: str, removed: Session | None) -> tuple[int, list[str]]:
    """The next draw for a session; after a removal it differs from the removed one's set when the pool
    allows any other set (a reset student must not get the same questions again)."""
    if removed is None:
        return 1, draw_items(exam, session_id, 1)
    number = removed.draw_number + 1
    for candidate in range(number, number + 20):
        items = draw_items(exam, session_id, candidate)
        if set(items) != set(removed.item_ids):
            return candidate, items
    return number, draw_items(exam, session_id, number)  # the pool holds no other set


@dataclass
class StartRequest:
    user: str  # user id, username or email
    context_id: str = ""
    resource_link_id: str = ""
    lti: dict[str, str] = field(default_factory=dict)


@dataclass
class SessionService:
    people: People
    exams: ExamStore
    sessions: SessionStore
    unit: UnitOfWork  # writes every change (core/changes.py)
    access: Access
    now: datetime
    # Read routes run with read-only table access: they show an expired attempt completed but do not store it
    # (the next write to the session does, with its statistics). Write routes persist it at once.
    persist_expiry: bool = True

    # --- reading ---------------------------------------------------------------------------------
    def exam(self, exam_id: str) -> Exam:
        exam = self.exams.get_exam(exam_id)
        if exam is None:
            raise NotFound(f"exam '{exam_id}' not found")
        return exam

    def get(self, session_id: str, *, detail: bool = False) -> tuple[Session, Exam]:
        """A session the caller may see (their own, or any in a course where they may view), settled.
        ``detail``: with the current attempt's responses and results (read only when asked for)."""
        session = self.sessions.get_session(session_id)
        if session is None:
            raise NotFound(f"exam session '{session_id}' not found")
        self.access.require_own_or(session.course_id, session.user_id, acts.right("read_session"))
        exam = self.exam(session.exam_id)
        session = self.settle(session, exam)
        return (self.detailed(session) if detail else session), exam

    def detailed(self, session: Session, *, consistent: bool | None = None) -> Session:
        """``session`` with its current attempt's responses and results (stored in their own items: read
        only by the routes that show or change them, never the other attempts'). A write route reads them
        strongly consistent (``consistent`` None: when it may write): parts read after the session item are
        then at least as new as it, and anything newer fails the write's version check; an older part could
        otherwise be written back over a newer one."""
        current = session.current
        if current is None or not current.detached:
            return session
        return self.sessions.with_current(session, consistent=self._consistent(consistent))

    def _consistent(self, consistent: bool | None) -> bool:
        return self.persist_expiry if consistent is None else consistent

    def with_items(self, session: Session, items: dict[str, Item] | None = None, *, consistent: bool | None = None
                   ) -> tuple[Session, dict[str, Item]]:
        """``session`` with its current attempt's responses and results, and its drawn items (``items``
        when already read): one read for both."""
        current = session.current
        if items is not None:
            return self.detailed(session, consistent=consistent), items
        if current is not None and current.detached:
            return self.sessions.with_current_and_items(session, consistent=self._consistent(consistent))
        return session, self.exams.get_items(session.item_ids)

    def settle(self, session: Session, exam: Exam, items: dict[str, Item] | None = None) -> Session:
        """Expiry is enforced on every read: an attempt past its end is completed with what it has."""
        if not expired(session, self.now):
            return session
        session, items = self.with_items(session, items)  # scored with the responses it has: one read
        after = completed_at_end(session)
        self.score(after, exam, items)
        if not self.persist_expiry:
            return after
        try:
            self.commit(session, after, exam, reason="expire")
        except ConcurrentUpdate:
            # Someone else settled or changed it first: their write wins; show what is stored now.
            fresh = self.sessions.get_session(session.id, consistent=True)
            return fresh or session
        return after

    # --- writing ---------------------------------------------------------------------------------
    def start(self, exam_id: str, request: StartRequest) -> tuple[Session, Exam, bool]:
        """Start a session (or return the existing one: a second start never resets its clock).

        A launch context (context and resource link ids) is taken only from a trusted caller: an integration
        key or course staff starting for a student. A student starting their own work always gets their one
        session on the exam, so they cannot mint sessions (or attempts) by inventing contexts; and a new
        session is a new attempt, counted with every other attempt of the student on the exam (core/work.py).
        """
        exam = self.exam(exam_id)
        user = self._student(exam, request.user)
        trusted = self.access.principal.user_id != user.id  # _student required attempt:manage for that
        context, link = (request.context_id, request.resource_link_id) if trusted else ("", "")
        self.require_open(exam, for_student=not trusted)
        session_id = session_id_for(exam.id, user.id, context, link)
        existing = self.sessions.get_session(session_id)
        if existing is not None:
            return self.settle(existing, exam), exam, False
        extension = self.sessions.get_extension(exam.id, user.id)
        if not timing.window_open(exam, extension, self.now):
            raise Conflict(f"exam '{exam.id}' is not open: it opens {_iso(exam.opens_at)} "
                           f"and closes {_iso(exam.closes_at)}")
        sessions = self.sessions.student_sessions(exam.course_id, user.id, exam.id)
        refusal = work.new_attempt_refusal(exam, extension, sessions, new_session=True)
        if refusal is not None:
            raise Conflict(f"exam '{exam.id}' cannot be started again: {refusal}")
        ends_at, limited_by = timing.attempt_end(exam, extension, self.now)
        lti = {k: v for k, v in {"contextId": context, "resourceLinkId": link, **request.lti}.items() if v}
        # After a removal (reset) the session begins anew: a new draw, and versions continue so that the
        # removed incarnation's history copies stay untouched.
        previous = self.sessions.latest_removal(session_id)
        draw_number, item_ids = fresh_draw(exam, session_id, previous.session if previous else None)
        session = Session(
            id=session_id, exam_id=exam.id, course_id=exam.course_id, user_id=user.id, name=user.name,
            username=user.username, email=user.email,  # the list indexes' search keys
            lti=lti, item_ids=item_ids, draw_number=draw_number,
            attempts=[Attempt(number=1, started_at=self.now, ends_at=ends_at, limited_by=limited_by)],
            version=previous.session.version + 1 if previous else 1, created_at=self.now, updated_at=self.now,
        )
        counted = self.counted(exam, extension, sessions, new_session=True)
        started = SessionStarted(session, AttemptBegun(extension), counted)
        try:
            self.unit.commit(Work("session.start", exam.course_id, [started], conflict=(
                f"session '{session.id}' already exists, or the student's extension on the exam changed "
                "meanwhile; retry")))
        except ConcurrentUpdate as lost:
            # A concurrent start of the same session won the race: answer with that one.
            winner = self.sessions.get_session(session_id, consistent=True)
            if winner is None:
                raise ConcurrentUpdate(
                    f"exam '{exam.id}' was not started: another start or grant for the student on this exam "
                    "committed first, and the student's attempts are counted together (at most "
                    f"{timing.allowed_attempts(exam, extension)}, core/work.py); retry to see what is left") from lost
            return winner, exam, False
        return session, exam, True

    def require_open(self, exam: Exam, *, for_student: bool) -> None:
        """A student's work moves forward (start, answer, retake) only in an active course and exam. To the
        student an inactive course is not found, as the course itself answers; to staff it is a 409."""
        course = self.people.get_course(exam.course_id)
        if course is None or not course.active:
            if for_student:
                raise NotFound(f"course '{exam.course_id}' not found, or not visible to you")
            raise Conflict(f"course '{exam.course_id}' is not active: its students' work cannot move")
        if not exam.active:
            raise Conflict(f"exam '{exam.id}' is not active")

    def disclosure(self, session: Session, exam: Exam, *, keys: bool = False) -> Disclosure:
        """What the caller may see of ``session`` (core/disclosure.py): the one rule every render follows.
        ``keys``: the render shows answer keys (only the results do), so whether they may be shown is decided;
        otherwise ``Disclosure.keys`` is False without reading anything."""

        def further_attempt() -> bool:
            if not keys:
                return True  # keys are not rendered: withhold them rather than read to decide
            if not (exam.active and exam.retakable):
                return False  # decided without reading the student's other work
            extension = self.sessions.get_extension(exam.id, session.user_id)
            others = self.sessions.student_sessions(session.course_id, session.user_id, exam.id)
            return work.further_attempt_possible(exam, extension, others, self.now)

        return disclosure.disclosure(self.access.principal, session, exam, further_attempt)

    def _student(self, exam: Exam, user_ref: str) -> User:
        """The student a session is started for; the caller is that student or may manage attempts."""
        if not user_ref or len(user_ref) > 256:
            raise InvalidInput("user_id is required (at most 256 characters)", field="user_id")
        user = self.people.get_user(user_ref) or self.people.find_user(user_ref)
        if user is None or user.id != self.access.principal.user_id:
            # Starting for someone else needs the right; checked before saying whether the user exists.
            self.access.require(exam.course_id, acts.right("start"))
        enrollment = self.people.get_enrollment(exam.course_id, user.id) if user else None
        role = self.people.get_role(enrollment.role) if enrollment and enrollment.active else None
        if user is None or role is None or Right.TAKE_EXAM not in role.rights:
            # One answer for "no such user" and "not a student": staff may not learn who has an account.
            raise InvalidInput(f"user '{user_ref}' is not a student of course '{exam.course_id}'", field="user_id")
        return user

    def score(self, session: Session, exam: Exam, items: dict[str, Item] | None = None) -> None:
        """Score the current attempt and resolve the session score by the exam's policy (in place).
        ``items``: the session's items when the caller already read them (saves a BatchGetItem)."""
        attempt = session.current
        assert attempt is not None and not attempt.detached, "score a session read with its current attempt"
        items = items if items is not None else self.exams.get_items(session.item_ids)
        missing = [i for i in session.item_ids if i not in items]
        if missing:
            raise Conflict(f"items {missing} of this session no longer exist")
        scoring.score_attempt(attempt, items, session.item_ids, exam.score_min, exam.score_max)
        session.score_actual = scoring.resolve_session_score(exam.scoring_policy, session, exam.score_min,
                                                               exam.score_max)

    def counted(self, exam: Exam, extension: Extension | None, sessions: list[Session], *,
                new_session: bool) -> AttemptCount:
        """One more attempt of the student on the exam, counted in the same unit as the attempt, under the
        limit (core/work.py): the Query that listed ``sessions`` cannot see a concurrent start, the count
        can, so of two concurrent starts past the limit one loses."""
        return AttemptCount(used=work.attempts_used(sessions), live=len(sessions),
                            allowed=timing.allowed_attempts(exam, extension), new_session=new_session,
                            max_sessions=work.MAX_SESSIONS)

    def changed(self, before: Session, after: Session, *, history: bool = False, reason: str = "change",
                begun: AttemptBegun | None = None, counted: AttemptCount | None = None) -> SessionChanged:
        """``before`` becomes ``after`` (in place: its version, time and current attempt's record), as a
        change to commit: the optimistic version check, the statistics and (``history``) the earlier state
        kept restorable noting ``reason``, who and when follow from it (core/changes.py). ``begun``: an
        attempt started or restarted under the student's extension as read (its pointer follows)."""
        if len(after.attempts) > work.MAX_ATTEMPT_RECORDS:
            raise Conflict(f"a session keeps at most {work.MAX_ATTEMPT_RECORDS} attempts (its own and the "
                           "continuations of reopened ones) and this one is full: reset the attempt instead")
        after.version = before.version + 1
        after.updated_at = self.now
        after.history_note = None
        if history:
            _rekey_changed(before, after)
        return SessionChanged(before, after, reason, keep_history=history, begun=begun, counted=counted)

    def commit(self, before: Session, after: Session, exam: Exam, *, history: bool = False,
               reason: str = "change", begun: AttemptBegun | None = None, counted: AttemptCount | None = None
               ) -> None:
        """The one write of a session change (``changed``), as its own unit recorded as ``session.<reason>``."""
        change = self.changed(before, after, history=history, reason=reason, begun=begun, counted=counted)
        self.unit.commit(Work(f"session.{reason}", after.course_id, [change], conflict=(
            "the session (or the student's extension on the exam) was changed by another request; retry")))


def _rekey_changed(before: Session, after: Session) -> None:
    """A change kept as a history copy stores the current attempt's new responses and results under a new
    record: the copy keeps naming the ones it had (data/sessions.py)."""
    current = after.current
    if current is None or current.detached:
        return
    earlier = next((a for a in before.attempts if a.record == current.record), None)
    if earlier is not None and any(getattr(earlier, f) != getattr(current, f) for f in ATTEMPT_DETAIL):
        current.record = new_record()


def expired(session: Session, now: datetime) -> bool:
    """Is the current attempt still open although its end has passed (nobody has completed it yet)?"""
    current = session.current
    return not (current is None or current.complete or current.ends_at is None or now < current.ends_at)


def completed_at_end(session: Session) -> Session:
    """A copy whose current attempt is submitted at its end time (scored by the caller)."""
    after = session.model_copy(deep=True)
    assert after.current is not None
    after.current.submitted_at = after.current.ends_at
    return after


def _iso(value: datetime | None) -> str:
    return value.isoformat() if value else "never"
