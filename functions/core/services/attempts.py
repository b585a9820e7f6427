"""What may happen to a session's attempts: save responses and submit, retake, reset, reopen.

Every change goes through ``SessionService.commit`` (optimistic version, statistics in the same transaction,
history copies for the changes that replace something). Rules that decide times and attempt counts are
``core/timing.py``'s; this module only applies them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from functions.core import responses, scoring, timing, work
from functions.core.acts import ACTS, OWN, Act
from functions.core.changes import AttemptBegun
from functions.core.errors import ConcurrentUpdate, Conflict, Forbidden, NotFound
from functions.core.models import Attempt, Exam, Extension, Item, LimitedBy, Session
from functions.core.responses import ItemAnswer
from functions.core.rights import Right
from functions.core.services.sessions import SessionService, completed_at_end, expired


@dataclass
class AttemptService:
    service: SessionService  # reads, settle, score and the one commit path

    # --- access ----------------------------------------------------------------------------------
    def _load(self, session_id: str, *, act: str, consistent: bool = False) -> tuple[Session, Exam]:
        session = self.service.sessions.get_session(session_id, consistent=consistent)
        if session is None:
            raise NotFound(f"exam session '{session_id}' not found")
        self._require(session, ACTS[act])
        return session, self.service.exam(session.exam_id)

    def _require(self, session: Session, act: Act) -> None:
        """The act's rule (core/acts.py): the student may act on their own session when the act allows own
        work; anyone else needs the act's right. Callers who may not even see the session get a 404 that does
        not confirm it exists."""
        access = self.service.access
        rights = access.rights_in(session.course_id)
        own = access.principal.user_id == session.user_id and Right.TAKE_EXAM in rights
        needed = act.requires
        assert needed is not None
        if needed in rights or (own and act.right.startswith(OWN)):
            return
        if own or Right.VIEW_COURSE in rights:
            raise Forbidden(f"this needs the '{needed.value}' right in the course")
        raise NotFound("not found, or not visible to you")

    def _own(self, session: Session) -> bool:
        return self.service.access.principal.user_id == session.user_id

    # --- responses -------------------------------------------------------------------------------
    def set_responses(self, session_id: str, answers: list[ItemAnswer], submit: bool) -> tuple[Session, Exam]:
        """Validate every answer against the drawn items (one 400 listing all problems, nothing written), then
        save; ``submit`` also scores and completes the attempt. A lost race is re-read and re-applied once."""
        session, exam = self._load(session_id, act="submit" if submit else "save_responses")
        self.service.require_open(exam, for_student=self._own(session))
        items: dict[str, Item] | None = None
        for try_number in (1, 2):
            # the drawn items (validation, scoring) and the attempt's responses so far: one read
            session, items = self.service.with_items(session, items)
            self._require_answerable(session, exam, items)
            responses.check(answers, session.item_ids, items)
            after = session.model_copy(deep=True)
            attempt = after.current
            assert attempt is not None
            attempt.responses = responses.merged(attempt.responses, answers)
            if submit:
                attempt.submitted_at = self.service.now
                self.service.score(after, exam, items)
            try:
                self.service.commit(session, after, exam, history=submit, reason="submit" if submit else "save")
                return after, exam
            except ConcurrentUpdate:
                if try_number == 2:
                    raise
                fresh = self.service.sessions.get_session(session_id, consistent=True)
                if fresh is None:
                    raise NotFound(f"exam session '{session_id}' not found") from None
                session = fresh
        raise AssertionError("unreachable")

    def _require_answerable(self, session: Session, exam: Exam, items: dict[str, Item]) -> None:
        attempt = session.current
        if attempt is None:
            raise Conflict("the session has no attempt to answer")
        if expired(session, self.service.now):
            self.service.settle(session, exam, items)  # completes it with what was saved before
            raise Conflict(f"attempt {attempt.number} ended at {_iso(attempt)}; responses are no longer "
                           "accepted and the attempt was completed with the responses saved before")
        if attempt.complete:
            raise Conflict(f"attempt {attempt.number} is complete (submitted at "
                           f"{attempt.submitted_at.isoformat() if attempt.submitted_at else '?'}); "
                           "it must be reopened or retaken before responses can change")

    # --- retake ----------------------------------------------------------------------------------
    def retake(self, session_id: str) -> tuple[Session, Exam]:
        """A new attempt inside the session, with the same question set and a fresh clock. Attempts are
        counted across all of the student's sessions on the exam (core/work.py)."""
        session, exam = self._load(session_id, act="retake")
        self.service.require_open(exam, for_student=self._own(session))
        session = self.service.settle(session, exam)
        extension = self.service.sessions.get_extension(exam.id, session.user_id)
        current = session.current
        now = self.service.now
        if not exam.retakable:
            raise Conflict(f"exam config '{exam.id}' does not allow retakes")
        if current is None or not current.complete:
            number = current.number if current else 0
            raise Conflict(f"attempt {number} is not complete; it must be submitted before a retake")
        if not timing.window_open(exam, extension, now):
            raise Conflict(f"exam config '{exam.id}' is not open for a new attempt: it opens "
                           f"{_at(exam.opens_at)} and closes {_at(exam.closes_at)}")
        sessions = self.service.sessions.student_sessions(session.course_id, session.user_id, exam.id)
        # The Query may lag this session's last write: count this session as read, the others as listed.
        counted = [session, *(s for s in sessions if s.id != session.id)]
        refusal = work.new_attempt_refusal(exam, extension, counted, new_session=False)
        if refusal is not None:
            raise Conflict(refusal)
        ends_at, limited_by = timing.attempt_end(exam, extension, now)
        after = session.model_copy(deep=True)
        after.attempts.append(Attempt(number=len(session.attempts) + 1, started_at=now, ends_at=ends_at,
                                      limited_by=limited_by))
        after.score_actual = scoring.resolve_session_score(exam.scoring_policy, after, exam.score_min, exam.score_max)
        self.service.commit(session, after, exam, reason="retake", begun=AttemptBegun(extension),
                            counted=self.service.counted(exam, extension, counted, new_session=False))
        return after, exam

    # --- reset -----------------------------------------------------------------------------------
    def reset(self, session_id: str) -> tuple[Session, Exam]:
        """The current attempt starts over empty (same number, same question set, clock from now); the earlier
        state is kept as a history copy noting who reset it and when."""
        session, exam = self._load(session_id, act="reset_attempt")
        current = session.current
        if current is None:
            raise Conflict("the session has no attempt to reset")
        extension = self.service.sessions.get_extension(exam.id, session.user_id)
        now = self.service.now
        ends_at, limited_by = timing.attempt_end(exam, extension, now)
        after = session.model_copy(deep=True)
        after.attempts[-1] = Attempt(number=current.number, started_at=now, ends_at=ends_at,
                                     limited_by=limited_by, reset_by=self.service.access.principal.subject,
                                     reset_at=now, reopens=current.reopens)
        after.score_actual = scoring.resolve_session_score(exam.scoring_policy, after, exam.score_min, exam.score_max)
        self.service.commit(session, after, exam, history=True, reason="reset", begun=AttemptBegun(extension))
        return after, exam

    # --- reopen ----------------------------------------------------------------------------------
    def reopen(self, session_id: str) -> tuple[Session, Exam]:
        """Back to IN_PROGRESS with its responses; its score leaves the session and the statistics until it is
        submitted again. Only while the exam is open (or unlocked) and the attempt has time left.

        The state machine (docs/rulebook.md): the reopened attempt stays complete and ``superseded``, and a
        continuation attempt (number + 1, ``reopens``) carries its responses and end, so Open edX sees a new
        started attempt rather than a submitted one going back to started; it is not counted as a new
        attempt of the student."""
        session, exam = self._load(session_id, act="reopen")
        current = session.current
        now = self.service.now
        if current is None or not (current.complete or expired(session, now)):
            raise Conflict(f"attempt {current.number if current else 0} is already IN_PROGRESS")
        extension = self.service.sessions.get_extension(exam.id, session.user_id)
        if not timing.window_open(exam, extension, now):
            raise Conflict(f"exam config '{exam.id}' is closed (it closed {_at(exam.closes_at)}); "
                           "only an unlock for the student lets the attempt be reopened")
        ends_at, limited_by = reopened_end(exam, extension, current)
        if ends_at is not None and ends_at <= now:
            raise Conflict(f"attempt {current.number}'s time ran out at {_iso(current)}; extra time for the "
                           "student is needed to reopen it")
        if len(session.attempts) >= work.MAX_ATTEMPT_RECORDS:
            raise Conflict(f"a session keeps at most {work.MAX_ATTEMPT_RECORDS} attempts (its own and the "
                           "continuations of reopened ones) and this one is full: reset the attempt instead")
        session = self.service.detailed(session)  # the continuation carries its responses
        after = session.model_copy(deep=True)
        if not current.complete:  # past its end, never settled: completed first, as every write does
            after = completed_at_end(after)
        reopened = after.current
        assert reopened is not None
        reopened.superseded = True  # stays complete: no dialect sees a complete attempt become incomplete
        after.attempts.append(Attempt(
            number=reopened.number + 1, started_at=now, ends_at=ends_at, limited_by=limited_by,
            responses=dict(reopened.responses), reopens=reopened.reopens or reopened.number))
        after.score_actual = scoring.resolve_session_score(exam.scoring_policy, after, exam.score_min, exam.score_max)
        self.service.commit(session, after, exam, history=True, reason="reopen", begun=AttemptBegun(extension))
        return after, exam


def reopened_end(exam: Exam, extension: Extension | None, attempt: Attempt
                 ) -> tuple[datetime | None, LimitedBy]:
    """The later of the attempt's own end and the end its start would get now (an extension granted since
    lengthens it; nothing shortens it). None: no end."""
    if attempt.ends_at is None:
        return None, attempt.limited_by
    recomputed, limited_by = timing.attempt_end(exam, extension, attempt.started_at)
    if recomputed is None:
        return None, limited_by
    if recomputed > attempt.ends_at:
        return recomputed, limited_by
    return attempt.ends_at, attempt.limited_by


def _iso(attempt: Attempt) -> str:
    return attempt.ends_at.isoformat() if attempt.ends_at else "never"


def _at(value: datetime | None) -> str:
    return value.isoformat() if value else "never"
