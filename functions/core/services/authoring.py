"""Authoring: courses, users, roles, enrollments, exams, objectives and items. Every authoring rule lives
here or in ``core/content.py``; route modules only parse and render.

Who may do what:
- courses: create, update, list -> institution administrator; get -> VIEW_COURSE or TAKE_EXAM in the course
  (a student does not see an inactive course);
- users: create, update, list -> administrator; get -> administrator or the user themself;
- roles: list -> anyone authenticated; create, update -> administrator; built-in roles are immutable (409);
- enrollments: put -> COURSE_ADMIN in the course; list -> VIEW_COURSE;
- exams: create, update -> AUTHOR; get, list -> VIEW_COURSE or AUTHOR (everything), TAKE_EXAM (active exams,
  not the ones hidden after their due date, and never the item pool);
- objectives: create -> AUTHOR; items: create, update, list an exam's pool -> AUTHOR; get -> AUTHOR or
  VIEW_COURSE (never a student: items carry the keys).
Someone with no rights in a course gets 404 for anything in it, worded as for a missing object (existence is
not confirmed); a member without the needed right gets 403. Rights are read once per course and request.
"""

from __future__ import annotations

from dataclasses import dataclass

from functions.core import acts
from functions.core.changes import Saved
from functions.core.content import unique
from functions.core.errors import Conflict, InvalidInput, NotFound
from functions.core.models import Course, Enrollment, Role, User
from functions.core.rights import DEFAULT_ROLES
from functions.core.services.authoring_exams import STAFF_READ, ExamAuthoring, Fields, Page, hidden, patched


@dataclass
class AuthoringService(ExamAuthoring):
    """Courses, users, roles and enrollments here; exams, objectives and items in ``ExamAuthoring``."""

    # --- courses ---------------------------------------------------------------------------------
    def create_course(self, fields: Fields) -> Course:
        self.access.require_global_admin()
        course = self._new(Course, fields, created_at=self.now)
        self._commit("course.create", course.id, Saved("course", course.id, None, course),
                     f"course '{course.id}' already exists")
        return course

    def list_courses(self, limit: int, token: str | None) -> Page[Course]:
        self.access.require_global_admin()
        return self.directory.list_courses(limit, token)

    def get_course(self, course_id: str) -> Course:
        what = f"course '{course_id}'"
        rights = self.require(course_id, *acts.rights("read_course"), what=what)
        course = self._course(course_id)
        if not course.active and not rights & STAFF_READ:  # closed to its students (docs/rulebook.md)
            raise hidden(what)
        return course

    def update_course(self, course_id: str, changes: Fields) -> Course:
        self.access.require_global_admin()
        before = self._course(course_id)
        if not changes:
            return before
        after = patched(before, changes)
        self._commit("course.update", course_id, Saved("course", course_id, before, after))
        return after

    # --- users -----------------------------------------------------------------------------------
    def create_user(self, fields: Fields) -> User:
        self.access.require_global_admin()
        user = self._new(User, fields, created_at=self.now)
        self._commit("user.create", None, Saved("user", user.id, None, user),
                     "a user with that id, username or email already exists")
        return user

    def list_users(self, limit: int, token: str | None) -> Page[User]:
        self.access.require_global_admin()
        return self.directory.list_users(limit, token)

    def _user(self, user_id: str) -> User:
        user = self.directory.get_user(user_id)
        if user is None:
            raise NotFound(f"user '{user_id}' not found")
        return user

    def get_user(self, user_id: str) -> User:
        if self.access.principal.user_id != user_id:
            self.access.require_global_admin()
        return self._user(user_id)

    def update_user(self, user_id: str, changes: Fields) -> User:
        self.access.require_global_admin()
        before = self._user(user_id)
        if not changes:
            return before
        after = patched(before, changes)
        self._commit("user.update", None, Saved("user", user_id, before, after), "that username or email is taken")
        return after

    # --- roles -----------------------------------------------------------------------------------
    def list_roles(self, limit: int, token: str | None) -> Page[Role]:
        return self.directory.list_roles(limit, token)  # any authenticated caller (checked on construction)

    def create_role(self, fields: Fields) -> Role:
        self.access.require_global_admin()
        role = self._new(Role, fields, custom=True)
        unique(role.rights, "rights")
        if role.id in DEFAULT_ROLES:
            raise Conflict(f"'{role.id}' is a built-in role", field="id")
        self._commit("role.create", None, Saved("role", role.id, None, role), f"role '{role.id}' already exists")
        return role

    def update_role(self, role_id: str, changes: Fields) -> Role:
        self.access.require_global_admin()
        if role_id in DEFAULT_ROLES:
            raise Conflict(f"'{role_id}' is a built-in role and cannot be changed")
        before = self.directory.get_role(role_id)
        if before is None:
            raise NotFound(f"role '{role_id}' not found")
        if not changes:
            return before
        after = patched(before, changes)
        unique(after.rights, "rights")
        self._commit("role.update", None, Saved("role", role_id, before, after))
        return after

    # --- enrollments -----------------------------------------------------------------------------
    def put_enrollment(self, course_id: str, user_id: str, fields: Fields) -> Enrollment:
        self.require(course_id, acts.right("enroll"), what=f"course '{course_id}'")
        self._course(course_id)
        if self.directory.get_user(user_id) is None:
            raise InvalidInput(f"user '{user_id}' does not exist", field="userId")
        if self.directory.get_role(fields["role"]) is None:
            raise InvalidInput(f"role '{fields['role']}' does not exist", field="role")
        enrollment = Enrollment.model_validate({**fields, "course_id": course_id, "user_id": user_id})
        before = self.directory.get_enrollment(course_id, user_id)  # for the audit event's "before"
        self._commit("enrollment.put", course_id, Saved("enrollment", f"{course_id}/{user_id}", before, enrollment))
        return enrollment

    def list_enrollments(self, course_id: str, limit: int, token: str | None) -> Page[Enrollment]:
        self.require(course_id, *acts.rights("read_roster"), what=f"course '{course_id}'")
        return self.directory.list_enrollments(course_id, limit, token)
