"""Courses, users, roles, enrollments and integration keys in the single table."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from functions.core.changes import Saved
from functions.core.errors import Conflict
from functions.core.models import Course, Enrollment, Role, User
from functions.core.numeric_ids import Kind
from functions.core.rights import DEFAULT_ROLES
from functions.data import keys, tokens
from functions.data.aliases import alias_op
from functions.data.store import NEW_ITEM, Store, from_item, op_delete, op_put, to_item
from functions.data.writers import Op, saves

if TYPE_CHECKING:
    from functions.core.changes import Saved



def _role(item: dict[str, Any]) -> Role:
    """Custom role items are keyed ``role#<id>`` (keys.role_key); the model carries the bare id."""
    return from_item(Role, {**item, keys.PK: item[keys.PK].removeprefix(keys.ROLE_PREFIX)})


class DirectoryRepository:
    def __init__(self, store: Store | None = None) -> None:
        self.store = store or Store()

    # --- courses ---------------------------------------------------------------------------------
    def get_course(self, course_id: str) -> Course | None:
        return self.store.get_model(Course, keys.course_key(course_id))

    def list_courses(self, limit: int, token: str | None) -> tuple[list[Course], str | None]:
        index, pk, prefix = keys.courses_query()
        page = self.store.query_page(pk, prefix, index=index, limit=limit, token=token)
        return [from_item(Course, i) for i in page.items], page.next_token

    # --- users -----------------------------------------------------------------------------------
    def get_user(self, user_id: str) -> User | None:
        return self.store.get_model(User, keys.user_key(user_id))

    def find_user(self, username_or_email: str) -> User | None:
        """By username, then by email (as Open edX does)."""
        for key in (keys.username_key(username_or_email), keys.email_key(username_or_email)):
            lookup = self.store.get(key)
            if lookup:
                return self.get_user(lookup["userId"])
        return None

    def list_users(self, limit: int, token: str | None) -> tuple[list[User], str | None]:
        index, pk, prefix = keys.users_query()
        page = self.store.query_page(pk, prefix, index=index, limit=limit, token=token)
        return [from_item(User, i) for i in page.items], page.next_token

    # --- roles -----------------------------------------------------------------------------------
    def get_role(self, role_id: str) -> Role | None:
        if role_id in DEFAULT_ROLES:
            return DEFAULT_ROLES[role_id]
        item = self.store.get(keys.role_key(role_id))
        return _role(item) if item else None

    def list_custom_roles(self, limit: int, token: str | None) -> tuple[list[Role], str | None]:
        index, pk, prefix = keys.roles_query()
        page = self.store.query_page(pk, prefix, index=index, limit=limit, token=token)
        return [_role(i) for i in page.items], page.next_token

    def list_roles(self, limit: int, token: str | None) -> tuple[list[Role], str | None]:
        """Built-in roles (in code, no read) then custom ones, one token format for both: a token naming a
        built-in role's key continues the built-ins; any other token goes to the custom roles' query."""
        builtin_keys = [keys.role_key(role_id) for role_id in DEFAULT_ROLES]
        start, custom_token = 0, None
        if token:
            key = tokens.decode(token)[0]
            start, custom_token = ((builtin_keys.index(key) + 1, None) if key in builtin_keys
                                   else (len(builtin_keys), token))
        roles = list(DEFAULT_ROLES.values())[start : start + limit]
        next_token = tokens.encode([keys.role_key(roles[-1].id)]) if roles else None
        if len(roles) < limit:
            custom, next_token = self.list_custom_roles(limit - len(roles), custom_token)
            roles += custom
        return roles, next_token

    # --- enrollments -----------------------------------------------------------------------------
    def get_enrollment(self, course_id: str, user_id: str) -> Enrollment | None:
        return self.store.get_model(Enrollment, keys.enrollment_key(course_id, user_id))

    def list_enrollments(self, course_id: str, limit: int, token: str | None) -> tuple[list[Enrollment], str | None]:
        page = self.store.query_page(course_id, keys.ENROLLMENT_PREFIX, limit=limit, token=token)
        return [from_item(Enrollment, i) for i in page.items], page.next_token


# --- writes (the unit of work's writers, data/writers.py) -------------------------------------------------
@saves("course")
def course_writes(change: Saved) -> list[Op]:
    course = change.after
    index = keys.course_index(course.id)
    if change.before is not None:
        return [op_put(to_item(course, keys.course_key(course.id), index), keys.ITEM_EXISTS)]
    # The course's Canvas number (data/aliases.py) is written with it, as users' and exams' are.
    return [op_put(to_item(course, keys.course_key(course.id), index), NEW_ITEM), alias_op(Kind.COURSE, course.id)]


def _user_ops(user: User) -> list[dict[str, Any]]:
    index = keys.user_index(user.username)
    return [
        op_put(to_item(user, keys.user_key(user.id), index)),
        op_put({**keys.username_key(user.username), "userId": user.id}, condition=NEW_ITEM),
        op_put({**keys.email_key(user.email), "userId": user.id}, condition=NEW_ITEM),
    ]


@saves("user")
def user_writes(change: Saved) -> list[Op]:
    """A new user with its username / email lookups; a changed one moves them when they change."""
    before, after = change.before, change.after
    ops = _user_ops(after)
    if before is None:
        ops[0]["Put"]["ConditionExpression"] = NEW_ITEM
        ops.append(alias_op(Kind.USER, after.id))  # the user's Open edX number (data/aliases.py)
        return ops
    ops[0]["Put"]["ConditionExpression"] = keys.ITEM_EXISTS
    if after.username.lower() == before.username.lower():
        ops[1] = op_put({**keys.username_key(after.username), "userId": after.id})
    else:
        ops.append(op_delete(keys.username_key(before.username)))
    if after.email.lower() == before.email.lower():
        ops[2] = op_put({**keys.email_key(after.email), "userId": after.id})
    else:
        ops.append(op_delete(keys.email_key(before.email)))
    return ops


@saves("role")
def role_writes(change: Saved) -> list[Op]:
    role = change.after
    if role.id in DEFAULT_ROLES:
        raise Conflict(f"'{role.id}' is a built-in role and cannot be changed")
    index = keys.role_index(role.id)
    new = change.before is None
    return [op_put(to_item(role, keys.role_key(role.id), index), NEW_ITEM if new else keys.ITEM_EXISTS)]


@saves("enrollment")
def enrollment_writes(change: Saved) -> list[Op]:
    """Created or replaced whatever was there (the audit event's ``before`` is only what was read); with
    ``extra["new"]`` only where there is none yet (ConcurrentUpdate otherwise): an import's placement never
    replaces an enrollment, nor does the demo loader."""
    enrollment = change.after
    key = keys.enrollment_key(enrollment.course_id, enrollment.user_id)
    index = keys.enrollment_index(enrollment.course_id, enrollment.user_id)
    return [op_put(to_item(enrollment, key, index), NEW_ITEM if change.extra.get("new") else None)]
