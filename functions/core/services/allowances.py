"""Open edX allowances: grant (an upsert per user, exam and key), remove, grant in bulk across exams x users,
and list a course's allowances.

A request is checked whole before anything is written: its type and value, the exam(s), every user. Users
that cannot get the allowance (unknown, not a student of the course) and exams that cannot (not this course's
special exam, inactive) are reported per user, as edX does, and the rest is ONE unit of work
(core/changes.py): each changed extension (its history copy of the value it replaces, restorable: who, when;
its exam's allowance counter; the audit event follow from the changes). A request is bounded so that unit
always fits one transaction: ``max_pairs(exams)`` (user, exam) pairs, ``MAX_PAIRS`` on one exam.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from functions.core import acts, allowances, listing, numeric_ids
from functions.core import changes as unit_sizes
from functions.core.allowances import AllowanceRow, AllowanceType
from functions.core.changes import Change, ExtensionRemoved, ExtensionSaved, Work
from functions.core.errors import ConcurrentUpdate, InvalidInput
from functions.core.extensions import pointed
from functions.core.listing import Chunk, ListQuery, Page
from functions.core.models import Enrollment, Exam, Extension, Session, User
from functions.core.numeric_ids import Kind
from functions.core.ports import People, UnitOfWork
from functions.core.rights import Right
from functions.core.services.course_exams import CourseScope, is_special
from functions.core.special_exam_ports import Aliases, AllowanceStore, CourseLists, Learners


def max_pairs(exams: int) -> int:
    """The (user, exam) pairs one request on ``exams`` exams may write: one unit, each pair an extension and
    the history copy of what it replaces, each exam its allowance counter, and the audit event."""
    return unit_sizes.fit(unit_sizes.EXTENSION_SAVED_ITEMS, per_exam=unit_sizes.PER_EXAM_ITEMS, exams=exams)


MAX_PAIRS = max_pairs(1)  # on one exam (grant, remove: also the most users one list may name)
MAX_IDENTIFIER = 256
MAX_IDENTIFIER_BYTES = 512  # it becomes part of a key: DynamoDB counts bytes (docs/architecture.md)


@dataclass(frozen=True)
class Outcome:
    """One (user, exam) of a request: done, or why not."""

    identifier: str
    exam_number: int | None
    error: str | None = None
    user: User | None = None

    @property
    def success(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class AllowanceView:
    row: AllowanceRow
    user: User | None

    @property
    def id(self) -> int:
        return numeric_ids.allowance_number(self.row.exam.id, self.row.extension.user_id, self.row.kind.value)


# Orderings the store keeps: username and email (edX's exam_name, key and value would need the whole course
# read: ignored as unknown fields are, the list keeps its order: by exam, then user).
ORDERINGS = {"username": "username", "user.username": "username", "email": "email", "user.email": "email"}


@dataclass
class _SessionsRead:
    """A student's sessions, read (one Query per student) only for an extension that needs its pointer
    worked out: one exam's, or the course's when a bulk request spans exams."""

    store: AllowanceStore
    course_id: str
    exam_id: str | None
    read: dict[str, list[Session]] = field(default_factory=dict)

    def on(self, user_id: str, exam_id: str) -> list[Session]:
        if user_id not in self.read:
            self.read[user_id] = self.store.user_sessions(self.course_id, user_id, self.exam_id)
        return [s for s in self.read[user_id] if s.exam_id == exam_id]


def identifiers_checked(identifiers: list[str], field: str = "user_ids") -> list[str]:
    cleaned = [i.strip() for i in identifiers]
    if not cleaned:
        raise InvalidInput(f"{field} must list at least one username or email", field=field)
    bad = [n for n, i in enumerate(cleaned) if not 1 <= len(i) <= MAX_IDENTIFIER
           or len(i.encode("utf-8", "surrogatepass")) > MAX_IDENTIFIER_BYTES]
    if bad:
        raise InvalidInput(f"{field}[{bad[0]}] must be a username or email of 1 to {MAX_IDENTIFIER} "
                           f"characters and at most {MAX_IDENTIFIER_BYTES} bytes in UTF-8", field=f"{field}[{bad[0]}]")
    return list(dict.fromkeys(cleaned))


@dataclass
class AllowanceService:
    scope: CourseScope
    people: People
    aliases: Aliases
    learners: Learners
    lists: CourseLists
    store: AllowanceStore
    unit: UnitOfWork

    # --- writing ---------------------------------------------------------------------------------
    def grant(self, course_id: str, exam_ref: str, identifiers: list[str], type_text: str, value_text: str
              ) -> list[Outcome]:
        self.scope.require(course_id, acts.right("grant"), "grant allowances")
        kind, value = self._type_and_value(type_text, value_text)
        users = self._bounded(identifiers, exams=1)
        exam = self.scope.exam(course_id, exam_ref)
        if not exam.active:
            raise InvalidInput(f"exam {exam_ref} is not active; allowances cannot be granted on it",
                               field="exam_id")
        return self._grant(course_id, [(exam_ref, exam)], users, kind, value)

    def bulk(self, course_id: str, exam_numbers: list[int], identifiers: list[str], type_text: str,
             value_text: str) -> list[Outcome]:
        """One outcome per exam x user; an exam that is not this course's active special exam fails its
        pairs."""
        self.scope.require(course_id, acts.right("grant"), "grant allowances")
        kind, value = self._type_and_value(type_text, value_text)
        numbers = list(dict.fromkeys(exam_numbers))
        if not numbers:
            raise InvalidInput("exam_ids must list at least one exam", field="exam_ids")
        users = self._bounded(identifiers, exams=len(numbers))
        targets = self.aliases.targets(Kind.EXAM, numbers)
        found = self.store.get_exams(sorted(set(targets.values())))
        exams = [(str(n), found.get(targets.get(n, ""))) for n in numbers]
        return self._grant(course_id, exams, users, kind, value)

    def remove(self, course_id: str, exam_ref: str, identifiers: list[str], type_text: str) -> list[Outcome]:
        """Users by username, email or number. A user without that allowance fails; the others lose it (the
        extension is deleted when nothing is left in it), each removed value kept as a history copy."""
        self.scope.require(course_id, acts.right("remove_grant"), "remove allowances")
        kind = allowances.allowance_type(type_text)
        wanted = self._bounded(identifiers, exams=1)
        exam = self.scope.exam(course_id, exam_ref)
        numbers = {i: n for i in wanted if (n := numeric_ids.parse(i)) is not None}
        number = numeric_ids.number(Kind.EXAM, exam.id)
        for _ in range(2):  # a concurrent change to one of these extensions: read again and retry once
            users = self.learners.by_identifier(wanted, numbers)
            _, stored = self.store.load(course_id, sorted({u.id for u in users.values()}), [exam.id])
            outcomes, done = [], set()
            changes: list[Change] = []
            for identifier in wanted:
                user = users.get(identifier)
                extension = stored.get((exam.id, user.id)) if user else None
                if user is None or (user.id not in done and (extension is None
                                                             or not allowances.has(extension, kind))):
                    # The same answer whether the user exists or not (staff may not learn who has an account).
                    outcomes.append(Outcome(identifier, number, f"user '{identifier}' has no {kind.value} "
                                                                f"allowance on exam {exam_ref}"))
                else:
                    if user.id not in done and extension is not None:
                        changes.append(self._removal(extension, kind))
                        done.add(user.id)
                    outcomes.append(Outcome(identifier, number, None, user))
            if self._written("allowance.remove", course_id, changes):
                return outcomes
        raise ConcurrentUpdate("these allowances keep changing under this request; retry")

    def _removal(self, extension: Extension, kind: AllowanceType) -> Change:
        """The extension without that allowance, or removed when nothing is left in it."""
        after = allowances.removed(extension, kind, by=self.scope.subject, at=self.scope.now)
        return ExtensionRemoved(extension) if allowances.empty(after) else ExtensionSaved(extension, after)

    def _grant(self, course_id: str, exams: list[tuple[str, Exam | None]], identifiers: list[str],
               kind: AllowanceType, value: Any) -> list[Outcome]:
        for _ in range(2):  # a concurrent change to one of these extensions: read again and retry once
            users = self.learners.by_identifier(identifiers)
            usable = [e for _, e in exams if e is not None]
            enrollments, stored = self.store.load(course_id, sorted({u.id for u in users.values()}),
                                                  [e.id for e in usable])
            students = self._students({u.id for u in users.values()}, enrollments)
            outcomes: list[Outcome] = []
            changes: list[Change] = []
            done: set[tuple[str, str]] = set()  # one write per (exam, user) whatever names the user had
            own = _SessionsRead(self.store, course_id, usable[0].id if len(exams) == 1 and usable else None)
            for ref, exam in exams:
                why_not = self._exam_refusal(course_id, ref, exam)
                number = int(ref) if why_not or exam is None else numeric_ids.number(Kind.EXAM, exam.id)
                for identifier in identifiers:
                    user = users.get(identifier)
                    error = why_not or self._user_refusal(identifier, user, students, course_id)
                    # A refused user's number is not shown: it would say the account exists.
                    outcomes.append(Outcome(identifier, number, error, None if error else user))
                    pair = (exam.id, user.id) if exam and user else None
                    if error is None and exam and user and pair and pair not in done:
                        done.add(pair)
                        granted = self._granted(stored.get(pair), course_id, exam, user, kind, value, own)
                        changes += [granted] if granted else []
            if self._written("allowance.grant", course_id, changes):
                return outcomes
        raise ConcurrentUpdate("these allowances keep changing under this request; retry")

    def _granted(self, before: Extension | None, course_id: str, exam: Exam, user: User, kind: AllowanceType,
                 value: Any, own: _SessionsRead) -> ExtensionSaved | None:
        """The extension with the allowance set; None when nothing changes."""
        base = before or allowances.new_extension(course_id, exam.id, user.id)
        after = allowances.granted(base, kind, value, by=self.scope.subject, at=self.scope.now)
        if after is None:
            return None
        # The learner's names as they are now: the list indexes' search keys (data/keys.py extension_index).
        after = after.model_copy(update={"username": user.username, "email": user.email})
        if not after.session_tracked:  # new, or written before the pointer: the Canvas lists need it
            after = pointed(after, [], own.on(user.id, exam.id), self.scope.now)
        return ExtensionSaved(before, after)

    def _written(self, action: str, course_id: str, changes: list[Change]) -> bool:
        """One unit (nothing when nothing changes); False when an extension read has changed meanwhile."""
        if not changes:
            return True
        try:
            self.unit.commit(Work(action, course_id, changes,
                                  conflict="an allowance was changed by another request; retry"))
        except ConcurrentUpdate:
            return False
        return True

    def _exam_refusal(self, course_id: str, ref: str, exam: Exam | None) -> str | None:
        if exam is None or exam.course_id != course_id or not is_special(exam):
            return f"exam {ref} not found in course '{course_id}'"
        if not exam.active:
            return f"exam {ref} is not active"
        return None

    def _user_refusal(self, identifier: str, user: User | None, students: set[str], course_id: str
                      ) -> str | None:
        # One answer for "no such user" and "not a student": a course's staff may see its students, not who
        # else has an account in the institution.
        if user is None or user.id not in students:
            return f"user '{identifier}' is not a student of course '{course_id}'"
        return None

    def _students(self, user_ids: set[str], enrollments: dict[str, Enrollment]) -> set[str]:
        """Who may take the course's exams (an active enrollment whose role has exam:take)."""
        takes: dict[str, bool] = {}
        out = set()
        for user_id in user_ids:
            enrollment = enrollments.get(user_id)
            if enrollment is None or not enrollment.active:
                continue
            if enrollment.role not in takes:
                role = self.people.get_role(enrollment.role)
                takes[enrollment.role] = role is not None and Right.TAKE_EXAM in role.rights
            if takes[enrollment.role]:
                out.add(user_id)
        return out

    def _type_and_value(self, type_text: str, value_text: str) -> tuple[AllowanceType, Any]:
        kind = allowances.allowance_type(type_text)
        return kind, allowances.parse_value(kind, value_text)

    def _bounded(self, identifiers: list[str], exams: int) -> list[str]:
        users = identifiers_checked(identifiers)
        pairs, most = len(users) * exams, max_pairs(exams)
        if pairs > most:
            on = f"at most {MAX_PAIRS} per request on one exam" + (f" and {most} on {exams} exams" if exams > 1
                                                                   else "")
            raise InvalidInput(f"{len(users)} users x {exams} exams is {pairs} allowances; {on} (one atomic "
                               f"write); split the request", field="user_ids")
        return users

    # --- reading ---------------------------------------------------------------------------------
    def course_allowances(self, course_id: str, query: ListQuery, cursor: listing.Cursor | None = None
                          ) -> Page[AllowanceView]:
        """The course's allowances on its special exams: one row per user, exam and key, a page read in order
        from the course's extensions; ``count`` from the exams' allowance counters (under a search: what is
        known, docs/openedx.md)."""
        self.scope.require(course_id, acts.right("read_special_exams"), "see allowances")
        exams = {e.id: e for e in self.lists.course_exams(course_id) if is_special(e)}
        if not exams:
            return Page([], 0, query, more=False)
        field = ORDERINGS.get(query.field, "") if query.ordering else ""
        forward = not query.descending if field else True
        needle = query.needle

        def phase(by: str, unless: str | None = None) -> listing.Phase[Extension, AllowanceView]:
            def of(extension: Extension) -> list[AllowanceView]:
                exam = exams.get(extension.exam_id)
                if exam is None or (needle and not _starts(extension, by, needle)):
                    return []
                if unless and _starts(extension, unless, needle):
                    return []  # listed in the first phase already
                views = [AllowanceView(row, None) for row in allowances.rows(extension, exam)]
                return views if forward else views[::-1]
            return listing.Phase(listing.ListOrder(by, needle if by != "time" else "", forward), of)

        if needle:
            first, second = ("email", "username") if field == "email" else ("username", "email")
            phases = [phase(first), phase(second, unless=first)]
        else:
            phases = [phase(field or "time")]

        def read(order: listing.ListOrder, limit: int, start: dict[str, str] | None) -> Chunk[Extension]:
            return self.lists.extensions(course_id, order, limit, start)

        exact = None if needle else sum(
            self.lists.allowance_counts(sorted(exams)).values())
        page = listing.paged(phases, read, query, cursor, exact)
        return replace(page, rows=self._with_users(page.rows))

    def _with_users(self, views: list[AllowanceView]) -> list[AllowanceView]:
        users = self.learners.users(sorted({v.row.extension.user_id for v in views})) if views else {}
        return [replace(v, user=users.get(v.row.extension.user_id)) for v in views]


def _starts(extension: Extension, by: str, needle: str) -> bool:
    value = extension.username if by == "username" else extension.email
    return (value or "").strip().lower().startswith(needle)
