"""Granting extensions (Canvas quiz extensions, the same object as Open edX allowances), moving running
attempts, and reading back what was granted.

A grant is validated completely (rights, quizzes, students, every attempt it moves) before anything is
written, then written in ONE transaction: the Extension upserts with their history copies, the moved
sessions through ``SessionService.commit`` (optimistic version) and the exam statistics they change.
Time rules are ``core/timing.py``'s.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from functions.core import acts, scoring, timing
from functions.core.changes import TRANSACTION_ITEMS, AttemptBegun, Change, ExtensionSaved, SessionChanged, Work
from functions.core.errors import Conflict, Forbidden, InvalidInput, NotFound, TooLarge
from functions.core.extensions import MAX_GRANTS, ExtensionStore, ExtensionView, Grant, max_quizzes, pointed
from functions.core.models import Enrollment, Exam, Extension, Session, User
from functions.core.ports import ExamStore, People, UnitOfWork
from functions.core.rights import Access, Right
from functions.core.services.sessions import SessionService


@dataclass
class ExtensionService:
    people: People
    exams: ExamStore
    store: ExtensionStore
    unit: UnitOfWork
    sessions: SessionService  # the moved attempts' changes (its reads, scores and changes; never its commits)
    access: Access
    now: datetime

    # --- granting --------------------------------------------------------------------------------
    def grant(self, course_id: str, quiz_id: str | None, grants: list[Grant]) -> list[ExtensionView]:
        """Apply ``grants`` to one quiz, or (``quiz_id`` None) to every quiz of the course; one view per
        student per quiz, in request order."""
        self._require(course_id, (acts.right("grant"),), "grant extensions")
        _check_request(grants)
        students = len(grants)
        quizzes = [self._quiz(course_id, quiz_id)] if quiz_id else self._course_quizzes(course_id, students)
        users = [g.user_id for g in grants]
        named: dict[str, User] = {}  # the students, in the same batch: their names are the lists' search keys
        enrollments, stored = self.store.load(course_id, users, [q.id for q in quizzes], users=named)
        self._require_students(course_id, users, enrollments)
        views: list[ExtensionView] = []
        changes: list[Change] = []  # one unit, one audit event for the whole grant
        for grant in grants:
            own = _by_exam(self.store.user_sessions(course_id, grant.user_id, quiz_id))
            refusals: list[str] = []
            moved = 0
            for quiz in quizzes:
                before = stored.get((quiz.id, grant.user_id))
                extension, changed = self._apply(course_id, quiz, grant, before, named.get(grant.user_id))
                shown = read = own.get(quiz.id, [])
                if grant.extends:
                    shown, why, count, session_changes = self._extend(quiz, extension, grant, read)
                    moved += count
                    refusals += [f"quiz '{quiz.id}': {reason}" for reason in why]
                # The extension names the attempt a list shows, in this same transaction (data-model.md).
                moved_here = [a for b, a in zip(read, shown, strict=True) if a is not b]
                extension = pointed(extension, moved_here, read, self.now)
                changes += _begun_where_pointed(session_changes if grant.extends else [], before, extension,
                                                changed=changed)
                if not changed and before is None and moved_here:
                    # Moved only by extend_from_now / extend_from_end_at: the extension is written (values
                    # unchanged, pointing at the moved attempt) so the read-back lists this student too.
                    extension = extension.model_copy(update={"updated_at": self.now, "updated_by": self._subject,
                                                             "version": extension.version + 1})
                    changed = True
                if changed:
                    changes.append(ExtensionSaved(before, extension))
                views.append(self._view(quiz, extension, shown))
            if grant.extends and moved == 0:
                field = "extend_from_now" if grant.extend_from_now is not None else "extend_from_end_at"
                raise Conflict(f"user '{grant.user_id}': no running attempt can be extended ("
                               + "; ".join(refusals[:5]) + ")", field=field)
        self.unit.commit(Work("extension.grant", course_id, changes,
                              conflict="an extension or attempt was changed by another request; retry"))
        return views

    def _apply(self, course_id: str, quiz: Exam, grant: Grant, before: Extension | None, user: User | None
               ) -> tuple[Extension, bool]:
        """The extension after ``grant``, and whether it must be written (only when a value changes)."""
        changes = grant.changes()
        base = before or Extension(course_id=course_id, exam_id=quiz.id, user_id=grant.user_id)
        # The student's names as they are now: the list indexes' search keys (data/keys.py extension_index).
        names = {"username": user.username, "email": user.email} if user else {}
        base = base.model_copy(update=names) if before is None else base
        if not changes or (before is not None and all(getattr(before, k) == v for k, v in changes.items())):
            return base, False
        update: dict[str, Any] = {**changes, **names, "updated_at": self.now, "updated_by": self._subject,
                                  "version": base.version + 1}
        return base.model_copy(update=update), True

    def _extend(self, quiz: Exam, extension: Extension, grant: Grant, own: list[Session]
                ) -> tuple[list[Session], list[str], int, list[SessionChanged]]:
        """Move every extendable attempt of the student on ``quiz`` (one per LTI context): the sessions as
        they are afterwards, the reasons why others could not move, how many moved, and their changes."""
        if not own:
            return [], [timing.extend_refusal(quiz, None, self.now) or "no attempt"], 0, []
        sessions = self.sessions
        after_all: list[Session] = []
        refused: list[str] = []
        moved: list[SessionChanged] = []
        for session in own:
            result = timing.extend_attempt(quiz, extension, session.current, self.now,
                                           from_now=grant.extend_from_now,
                                           from_end_at=grant.extend_from_end_at)
            if result.refused or result.end is None:
                refused.append(result.refused or "it cannot move")
                after_all.append(session)
                continue
            if session.current is not None and session.current.complete:
                session = sessions.detailed(session)  # its scores are cleared: its responses are kept
            after = session.model_copy(deep=True)
            attempt = after.current
            assert attempt is not None
            reopened = attempt.complete  # completed by the timer less than an hour ago: it runs again
            if reopened:
                attempt.submitted_at = None
                attempt.score_actual, attempt.points = None, None
                attempt.item_scores, attempt.objective_scores = {}, {}
                after.score_actual = scoring.resolve_session_score(quiz.scoring_policy, after, quiz.score_min,
                                                                   quiz.score_max)
            attempt.ends_at, attempt.limited_by = result.end, result.limited_by
            # The timed-out state is kept as a restorable history copy when the attempt is reopened.
            moved.append(sessions.changed(session, after, history=reopened, reason="extension"))
            after_all.append(after)
        return after_all, refused, len(own) - len(refused), moved

    # --- reading ---------------------------------------------------------------------------------
    def granted(self, course_id: str, quiz_id: str | None, limit: int, token: str | None
             ) -> tuple[list[ExtensionView], str | None]:
        """What was granted in a course (or on one quiz), a page at a time, with each running
        attempt's end."""
        self._require(course_id, acts.rights("read_extensions"), "see extensions")
        if quiz_id:
            quiz = self._quiz(course_id, quiz_id)
        elif self.people.get_course(course_id) is None:
            raise NotFound(f"course '{course_id}' not found")
        extensions, next_token = self.store.list_extensions(course_id, quiz_id, limit, token)
        # One batch for the page, whatever its size: its exams (course-wide) and the sessions it points at.
        found, sessions = self.store.page_reads([] if quiz_id else sorted({e.exam_id for e in extensions}),
                                                sorted({e.latest_session_id for e in extensions
                                                        if e.latest_session_id}))
        exams = {quiz.id: quiz} if quiz_id else found
        views = []
        for extension in extensions:
            exam = exams.get(extension.exam_id)
            if exam is not None:  # an exam deleted since leaves its extensions behind: not shown
                views.append(self._view(exam, extension, self._pointed_sessions(course_id, extension, sessions)))
        return views, next_token

    def _pointed_sessions(self, course_id: str, extension: Extension, found: dict[str, Session]) -> list[Session]:
        """The session an entry's running attempt can be in: the one its pointer names (a removed one is not
        found: no running attempt). An item written before the pointer existed costs one Query of the
        student's sessions, until the next start, restart or grant writes its pointer."""
        if not extension.session_tracked:
            return self.store.user_sessions(course_id, extension.user_id, extension.exam_id)
        session = found.get(extension.latest_session_id or "")
        if session is None or (session.user_id, session.exam_id) != (extension.user_id, extension.exam_id):
            return []
        return [session]

    def _view(self, exam: Exam, extension: Extension, sessions: Iterable[Session]) -> ExtensionView:
        """Expiry applies here as on every read: an attempt past its end is not shown as running."""
        running = [s.current for s in sessions if s.current and timing.running_end(s.current, self.now)]
        latest = max(running, key=lambda a: a.ends_at or self.now) if running else None
        limited_by = latest.limited_by if latest else timing.attempt_end(exam, extension, self.now)[1]
        return ExtensionView(
            user_id=extension.user_id, exam_id=exam.id, extra_attempts=extension.extra_attempts,
            extra_time=extension.extra_time_minutes, manually_unlocked=extension.manually_unlocked,
            time_multiplier=extension.time_multiplier,
            allowed_attempts=timing.allowed_attempts(exam, extension),
            end_at=latest.ends_at if latest else None, limited_by=limited_by,
            updated_at=extension.updated_at, updated_by=extension.updated_by,
        )

    # --- checks ----------------------------------------------------------------------------------
    @property
    def _subject(self) -> str:
        return self.access.principal.subject

    def _require(self, course_id: str, rights: tuple[Right, ...], doing: str) -> None:
        """Canvas answers 403 to anyone without the right, members or not; naming only the course the
        caller sent reveals nothing about it."""
        held = self.access.rights_in(course_id)
        if not any(right in held for right in rights):
            raise Forbidden(f"you may not {doing} in course '{course_id}'")

    def _quiz(self, course_id: str, quiz_id: str) -> Exam:
        exam = self.exams.get_exam(quiz_id)
        if exam is None or exam.course_id != course_id:
            raise NotFound(f"quiz '{quiz_id}' not found in course '{course_id}'")
        return exam

    def _course_quizzes(self, course_id: str, students: int) -> list[Exam]:
        if self.people.get_course(course_id) is None:
            raise NotFound(f"course '{course_id}' not found")
        fit = max_quizzes(students)
        quizzes = self.store.course_exams(course_id, at_most=fit + 1)
        if len(quizzes) > fit:
            raise TooLarge(f"{students} students x {len(quizzes)}+ quizzes is more than one atomic write of "
                           f"{TRANSACTION_ITEMS} writes holds (at most {fit} quizzes for {students} students); "
                           "send fewer students per request, "
                           f"or use POST /api/v1/courses/{course_id}/quizzes/{{quiz_id}}/extensions")
        return quizzes

    def _require_students(self, course_id: str, users: list[str], enrollments: dict[str, Enrollment]) -> None:
        """Every user must be able to take the course's exams (the same rule as starting a session)."""
        roles: dict[str, bool] = {}
        wrong = []
        for user_id in users:
            enrollment = enrollments.get(user_id)
            if enrollment is None or not enrollment.active:
                wrong.append(user_id)
                continue
            if enrollment.role not in roles:
                role = self.people.get_role(enrollment.role)
                roles[enrollment.role] = role is not None and Right.TAKE_EXAM in role.rights
            if not roles[enrollment.role]:
                wrong.append(user_id)
        if wrong:
            names = ", ".join(f"'{u}'" for u in wrong[:10]) + (" ..." if len(wrong) > 10 else "")
            raise InvalidInput(f"not a student of course '{course_id}': user {names}", field="user_id")


def _check_request(grants: list[Grant]) -> None:
    if not grants:
        raise InvalidInput("quiz_extensions must list at least one student", field="quiz_extensions")
    if len(grants) > MAX_GRANTS:
        raise TooLarge(f"quiz_extensions lists {len(grants)} students; at most {MAX_GRANTS} per request")
    seen: set[str] = set()
    for grant in grants:
        if grant.user_id in seen:
            raise InvalidInput(f"user '{grant.user_id}' is listed twice; send one entry per student",
                               field="user_id")
        seen.add(grant.user_id)


def _by_exam(sessions: list[Session]) -> dict[str, list[Session]]:
    grouped: dict[str, list[Session]] = defaultdict(list)
    for session in sessions:
        grouped[session.exam_id].append(session)
    return grouped


def _begun_where_pointed(moved: list[SessionChanged], before: Extension | None, extension: Extension, *,
                         changed: bool) -> list[Change]:
    """The moved attempts' changes; the one the extension now points at is begun under the extension as
    read, so its pointer is written (folded into the extension's own write when the grant changes it)."""
    if changed or before is None:
        return list(moved)
    return [replace(c, begun=AttemptBegun(before)) if c.after.id == extension.latest_session_id
            and extension.latest_session_id != before.latest_session_id else c for c in moved]
