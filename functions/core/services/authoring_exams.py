"""The exam, objective and item part of the authoring service, and the base both parts share: the stores
it needs, the rights check, id and course helpers. ``AuthoringService`` (``authoring.py``) is the whole
service; who may do what is listed there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel

from functions.core import acts
from functions.core import content as rules
from functions.core.changes import Saved, Work
from functions.core.errors import CHANGED_MEANWHILE, ConcurrentUpdate, Forbidden, NotFound
from functions.core.models import Course, Enrollment, Exam, Item, Objective, Role, User
from functions.core.ports import UnitOfWork
from functions.core.rights import Access, Directory, Right

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)
Page = tuple[list[T], str | None]
Fields = dict[str, Any]  # snake_case field -> value, only what the client gave
ExamPage = tuple[list[Exam], str | None, bool]  # exams, next token, whether the caller may see the pools
STAFF_READ = frozenset({Right.VIEW_COURSE, Right.AUTHOR})


class DirectoryStore(Directory, Protocol):
    def get_course(self, course_id: str) -> Course | None: ...
    def list_courses(self, limit: int, token: str | None) -> Page[Course]: ...
    def list_users(self, limit: int, token: str | None) -> Page[User]: ...
    def list_roles(self, limit: int, token: str | None) -> Page[Role]: ...
    def list_enrollments(self, course_id: str, limit: int, token: str | None) -> Page[Enrollment]: ...


class ContentStore(Protocol):
    def get_exam(self, exam_id: str) -> Exam | None: ...
    def list_exams(self, course_id: str, limit: int, token: str | None) -> Page[Exam]: ...
    def get_item(self, item_id: str) -> Item | None: ...
    def get_items(self, item_ids: list[str]) -> dict[str, Item]: ...
    def list_pool_items(self, item_ids: list[str], limit: int, token: str | None) -> Page[Item]: ...
    def get_objectives(self, objective_ids: list[str]) -> dict[str, Objective]: ...


def hidden(what: str) -> NotFound:
    return NotFound(f"{what} not found, or not visible to you")


def patched(model: M, changes: Fields) -> M:
    return type(model).model_validate({**model.model_dump(), **changes})


def expect_version(current: int, expected: int | None, what: str) -> None:
    if expected is not None and expected != current:
        raise ConcurrentUpdate(f"{what} is at version {current}, not {expected}; reload and retry")


@dataclass
class AuthoringBase:
    directory: DirectoryStore
    content: ContentStore
    unit: UnitOfWork  # writes each change with its audit event (core/changes.py)
    access: Access
    now: datetime
    _rights: dict[str, frozenset[str]] = field(default_factory=dict, init=False, repr=False)

    # --- rights ----------------------------------------------------------------------------------
    def require(self, course_id: str, *any_of: Right, what: str) -> frozenset[str]:
        if course_id not in self._rights:
            self._rights[course_id] = self.access.rights_in(course_id)
        rights = self._rights[course_id]
        if not rights:
            raise hidden(what)
        if not rights & set(any_of):
            needed = " or ".join(repr(r.value) for r in any_of)
            raise Forbidden(f"this needs the {needed} right in the course")
        return rights

    def _new(self, model: type[M], fields: Fields, **extra: Any) -> M:
        return model.model_validate({**fields, **extra, "id": rules.new_id(fields.get("id"))})

    def _commit(self, action: str, course_id: str | None, change: Saved, conflict: str = CHANGED_MEANWHILE
                ) -> None:
        """The change and its audit event, one transaction (course None: an institution-wide object)."""
        self.unit.commit(Work(action, course_id, [change], conflict=conflict))

    def _versioned(self, action: str, before: Exam | Item | None, after: Exam | Item) -> None:
        """A new version (1: created), only over the version read."""
        what = "exam" if isinstance(after, Exam) else "item"
        self._commit(action, after.course_id, Saved(what, after.id, before, after),
                     f"{what} '{after.id}' already exists or was changed meanwhile; reload and retry")

    def _course(self, course_id: str) -> Course:
        course = self.directory.get_course(course_id)
        if course is None:
            raise hidden(f"course '{course_id}'")
        return course


@dataclass
class ExamAuthoring(AuthoringBase):
    """Exams (a read also says whether the caller may see the item pool), objectives and items."""

    def _check_pool(self, exam: Exam) -> None:
        rules.check_exam(exam)
        found = self.content.get_items(exam.item_pool) if exam.item_pool else {}
        rules.require_in_course(exam.item_pool, {i: it.course_id for i, it in found.items()}, exam.course_id,
                                "itemPool")

    def create_exam(self, course_id: str, fields: Fields) -> Exam:
        self.require(course_id, acts.right("author"), what=f"course '{course_id}'")
        self._course(course_id)
        exam = self._new(Exam, fields, course_id=course_id, version=1)
        self._check_pool(exam)
        self._versioned("exam.create", None, exam)
        return exam

    def list_exams(self, course_id: str, limit: int, token: str | None) -> ExamPage:
        """Students' pages may be shorter than ``limit`` (hidden exams are left out after the read)."""
        what = f"course '{course_id}'"
        rights = self.require(course_id, *acts.rights("read_course"), what=what)
        staff = bool(rights & STAFF_READ)
        if not staff and not self._course(course_id).active:
            raise hidden(what)  # an inactive course is closed to its students, its exams too (docs/rulebook.md)
        exams, next_token = self.content.list_exams(course_id, limit, token)
        return [e for e in exams if staff or rules.visible_to_students(e, self.now)], next_token, staff

    def _exam(self, exam_id: str, *any_of: Right) -> tuple[Exam, frozenset[str]]:
        exam = self.content.get_exam(exam_id)
        if exam is None:
            raise hidden(f"exam '{exam_id}'")
        return exam, self.require(exam.course_id, *any_of, what=f"exam '{exam_id}'")

    def get_exam(self, exam_id: str) -> tuple[Exam, bool]:
        exam, rights = self._exam(exam_id, *acts.rights("read_course"))
        staff = bool(rights & STAFF_READ)
        if not staff and not (rules.visible_to_students(exam, self.now) and self._course(exam.course_id).active):
            raise hidden(f"exam '{exam_id}'")
        return exam, staff

    def update_exam(self, exam_id: str, changes: Fields, expected_version: int | None = None) -> Exam:
        before, _ = self._exam(exam_id, acts.right("author"))
        expect_version(before.version, expected_version, f"exam '{exam_id}'")
        if not changes:
            return before  # nothing to change: no new version
        after = patched(before, {**changes, "version": before.version + 1})
        if "item_pool" in changes:
            self._check_pool(after)
        else:
            rules.check_exam(after)
        self._versioned("exam.update", before, after)
        return after

    # --- objectives and items --------------------------------------------------------------------
    def create_objective(self, course_id: str, fields: Fields) -> Objective:
        self.require(course_id, acts.right("author"), what=f"course '{course_id}'")
        self._course(course_id)
        objective = self._new(Objective, fields, course_id=course_id)
        self._commit("objective.create", course_id, Saved("objective", objective.id, None, objective),
                     f"objective '{objective.id}' already exists")
        return objective

    def _check_alignments(self, item: Item) -> None:
        found = self.content.get_objectives(item.alignment_ids) if item.alignment_ids else {}
        course_of = {i: o.course_id for i, o in found.items()}
        rules.require_in_course(item.alignment_ids, course_of, item.course_id, "alignmentIds")

    def create_item(self, course_id: str, fields: Fields) -> Item:
        self.require(course_id, acts.right("author"), what=f"course '{course_id}'")
        self._course(course_id)
        fields = {**fields, "questions": rules.with_ids(fields["questions"])}
        item = self._new(Item, fields, course_id=course_id, version=1)
        rules.check_item(item)
        self._check_alignments(item)
        self._versioned("item.create", None, item)
        return item

    def _item(self, item_id: str, *any_of: Right) -> Item:
        item = self.content.get_item(item_id)
        if item is None:
            raise hidden(f"item '{item_id}'")
        self.require(item.course_id, *any_of, what=f"item '{item_id}'")
        return item

    def get_item(self, item_id: str) -> Item:
        return self._item(item_id, *acts.rights("read_items"))

    def update_item(self, item_id: str, changes: Fields, expected_version: int | None = None) -> Item:
        before = self._item(item_id, acts.right("author"))
        expect_version(before.version, expected_version, f"item '{item_id}'")
        if not changes:
            return before
        if "questions" in changes:
            changes = {**changes, "questions": rules.with_ids(changes["questions"])}
        after = patched(before, {**changes, "version": before.version + 1})
        rules.check_item(after)
        if "alignment_ids" in changes:
            self._check_alignments(after)
        self._versioned("item.update", before, after)
        return after

    def list_items(self, exam_id: str, limit: int, token: str | None) -> Page[Item]:
        exam, _ = self._exam(exam_id, *acts.rights("read_items"))
        return self.content.list_pool_items(exam.item_pool, limit, token)
