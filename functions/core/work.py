"""A student's work on an exam: the rules that count it as a whole, whatever door started it.

Attempts belong to (student, exam), not to a session: a session exists per (exam, student, launch context), and
contexts are things a caller could create at will. So every attempt of every live session of the student on
the exam counts against ``maxAttempts`` plus the extra attempts granted (docs/rulebook.md). Removed sessions
(a reset by a course administrator) no longer count: removing a student's work is how an administrator gives
the student their attempts back, as Open edX and LearningStudio both mean it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from functions.core import changes, timing
from functions.core.models import Attempt, Exam, Extension, Session

# Live sessions one student may have on one exam. A student cannot mint sessions (their launch context is
# ignored), and each new session starts an attempt, so attempts already bound them; this is the hard ceiling
# for exams with many attempts, and what one removal (one transaction, one restore) must be able to hold.
MAX_SESSIONS = 20
# Sessions one removal (reset) takes out, and one restore of its audit event puts back, in one unit of work: as
# many as fit next to the exam's statistics, the student's forgotten count and the audit event (at least
# MAX_SESSIONS, so a student's whole work on an exam is always removable at once).
MAX_REMOVED = changes.fit(max(changes.SESSION_REMOVED_ITEMS, changes.SESSION_RESTORED_ITEMS),
                          fixed=changes.PER_UNIT_ITEMS + changes.PER_EXAM_ITEMS + changes.PER_STUDENT_ITEMS)
# Attempts one session keeps: each is a summary of a few hundred bytes in the session item (its responses and
# results are items of their own). Originals are bounded by maxAttempts + extra attempts (content.MAX_ATTEMPTS +
# extensions' 100), so at least 100 reopens always fit; docs/data-model.md, "Sessions and attempts".
MAX_ATTEMPT_RECORDS = 300


def ordinal(session: Session, attempt: Attempt) -> int:
    """The student's attempt number as ExamSpark shows it: a reopen's continuation carries on the attempt it
    reopens (the same attempt in progress again), so only originals are counted (docs/rulebook.md, reopen)."""
    upto = attempt.reopens if attempt.reopens is not None else attempt.number
    return sum(1 for a in session.attempts if a.reopens is None and a.number <= upto)


def attempts_used(sessions: Sequence[Session]) -> int:
    """Every attempt ever started in the student's live sessions on the exam (a reopen's continuation is the
    same attempt, not another one)."""
    return sum(1 for s in sessions for a in s.attempts if a.reopens is None)


def new_attempt_refusal(exam: Exam, extension: Extension | None, sessions: Sequence[Session], *,
                        new_session: bool) -> str | None:
    """Why the student may not start one more attempt (None: they may). ``sessions``: all their live sessions
    on the exam, before the new attempt."""
    allowed = timing.allowed_attempts(exam, extension)
    used = attempts_used(sessions)
    if used >= allowed:
        extra = extension.extra_attempts if extension else 0
        return (f"all {allowed} attempts are used ({exam.max_attempts} allowed by the exam, {extra} extra "
                f"granted to the student; {used} started across {len(sessions)} session(s))")
    if new_session and len(sessions) >= MAX_SESSIONS:
        return f"the student already has {len(sessions)} sessions of this exam (at most {MAX_SESSIONS})"
    return None


def further_attempt_possible(exam: Exam, extension: Extension | None, sessions: Sequence[Session],
                             now: datetime) -> bool:
    """Could the student still start another attempt (a retake or a new session) at ``now``? Answer keys
    are shown to a student only once this is False (core/disclosure.py)."""
    if not exam.active or not exam.retakable:
        return False
    if not timing.window_open(exam, extension, now):
        return False
    return attempts_used(sessions) < timing.allowed_attempts(exam, extension)
