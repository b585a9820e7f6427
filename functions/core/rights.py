"""Who may do what. Rights come from the table (enrollments and roles); this module holds the rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from functions.core.errors import Forbidden, NotFound
from functions.core.models import Enrollment, Role, User


class Right(StrEnum):
    VIEW_COURSE = "course:view"  # see the course, its exams and every student's sessions
    TAKE_EXAM = "exam:take"  # start and answer one's own sessions
    AUTHOR = "exam:author"  # create and change exams, items, objectives
    MANAGE_ATTEMPTS = "attempt:manage"  # reset, reopen, retake on a student's behalf
    GRANT_EXTENSIONS = "extension:grant"  # extra time / attempts, allowances, unlock
    COURSE_ADMIN = "course:admin"  # LearningStudio's "Course Administrator": reset a user's exam, enrollments,
    # and the course's audit trail (it holds answers and before/after of every change): list it, restore from it


ALL_RIGHTS = tuple(Right)
# Integration credentials (core/credentials.py): an HTTP Basic key or an OAuth client; both carry the courses
# and rights they were issued with.
MACHINE_KINDS = ("key", "client")

DEFAULT_ROLES: dict[str, Role] = {
    role.id: role
    for role in (
        Role(id="administrator", name="Administrator", rights=list(ALL_RIGHTS), custom=False),
        Role(id="instructor", name="Instructor", rights=list(ALL_RIGHTS), custom=False),
        Role(
            id="teaching_assistant",
            name="Teaching Assistant",
            rights=[Right.VIEW_COURSE, Right.MANAGE_ATTEMPTS, Right.GRANT_EXTENSIONS],
            custom=False,
        ),
        Role(id="student", name="Student", rights=[Right.TAKE_EXAM], custom=False),
    )
}


@dataclass(frozen=True)
class Principal:
    """The caller as the authorizer established it."""

    kind: str  # "user" | "key" | "client" (OAuth) | "operator" (console invocation, already IAM-authorized)
    subject: str  # user id, key id or OAuth client id
    key_courses: frozenset[str] = field(default_factory=frozenset)  # for keys: the courses it was issued for
    key_rights: frozenset[str] = field(default_factory=frozenset)
    operator: str | None = None  # a console operator acting as this principal (functions/platform/console.py)

    @property
    def user_id(self) -> str | None:
        return self.subject if self.kind == "user" else None


class Directory(Protocol):
    """What the rights rules need from storage."""

    def get_user(self, user_id: str) -> User | None: ...

    def get_enrollment(self, course_id: str, user_id: str) -> Enrollment | None: ...

    def get_role(self, role_id: str) -> Role | None: ...


@dataclass
class Access:
    principal: Principal
    directory: Directory

    def rights_in(self, course_id: str) -> frozenset[str]:
        p = self.principal
        if p.kind == "operator":
            return frozenset(ALL_RIGHTS)
        if p.kind in MACHINE_KINDS:
            return p.key_rights if course_id in p.key_courses or "*" in p.key_courses else frozenset()
        user = self.directory.get_user(p.subject)
        if user is None:
            return frozenset()
        if user.admin:
            return frozenset(ALL_RIGHTS)
        enrollment = self.directory.get_enrollment(course_id, p.subject)
        if enrollment is None or not enrollment.active:
            return frozenset()
        role = self.directory.get_role(enrollment.role)
        return frozenset(role.rights) if role else frozenset()

    def has(self, course_id: str, right: Right) -> bool:
        return right in self.rights_in(course_id)

    def require(self, course_id: str, right: Right) -> None:
        rights = self.rights_in(course_id)
        if right in rights:
            return
        if not rights:
            # Not a member of the course at all: do not confirm that the object exists.
            raise NotFound("not found, or not visible to you")
        raise Forbidden(f"this needs the '{right.value}' right in the course")

    def require_global_admin(self) -> None:
        p = self.principal
        if p.kind == "operator":
            return
        if p.kind in MACHINE_KINDS and "*" in p.key_courses and Right.COURSE_ADMIN in p.key_rights:
            return
        user = self.directory.get_user(p.subject) if p.kind == "user" else None
        if not (user and user.admin):
            raise Forbidden("only an institution administrator may do this")

    def require_own_or(self, course_id: str, owner_user_id: str, right: Right) -> None:
        """A student may act on their own object; anyone else needs ``right`` in the course."""
        rights = self.rights_in(course_id)
        if self.principal.user_id == owner_user_id and Right.TAKE_EXAM in rights:
            return
        if right in rights:
            return
        raise NotFound("not found, or not visible to you")
