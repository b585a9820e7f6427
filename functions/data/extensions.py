"""Extension items (Canvas quiz extension = Open edX allowance), their history copies, the reads a grant
needs (a course's quizzes, enrollments and extensions in one batch, a student's sessions), and the writes of
an extension saved or removed (the unit of work puts them in its one TransactWriteItems)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from functions.core.models import Enrollment, Exam, Extension, Session, User
from functions.data import keys
from functions.data.course_walks import token_page
from functions.data.sessions import extension_index
from functions.data.store import (
    NEW_ITEM,
    SAME_VERSION,
    UNVERSIONED,
    Store,
    from_item,
    op_delete,
    op_put,
    op_update,
    to_item,
)

SESSION_PAGE = 100


def history_stamp(at: datetime) -> str:
    """Fixed-width UTC text, so history copies sort by time."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class ExtensionRepository:
    def __init__(self, store: Store | None = None) -> None:
        self.store = store or Store()

    # --- extensions ------------------------------------------------------------------------------
    def get_extension(self, exam_id: str, user_id: str) -> Extension | None:
        return self.store.get_model(Extension, keys.extension_key(exam_id, user_id))

    def history(self, exam_id: str, user_id: str, limit: int = 50) -> list[dict[str, Any]]:
        """Earlier values, newest first, each with ``replaced_by`` / ``replaced_at``."""
        partition, prefix = keys.extension_history_query(exam_id, user_id)
        page = self.store.query_page(partition, prefix, limit=limit, forward=False)
        return page.items

    def list_extensions(self, course_id: str, exam_id: str | None, limit: int, token: str | None
                        ) -> tuple[list[Extension], str | None]:
        """A page of the course's (or the quiz's) extensions, by quiz then student, merged from the course's
        write-sharded partitions; a token that is garbled or names something outside this list is a 400."""
        items, next_token = token_page(keys.course_extensions_list(course_id, exam_id), limit, token, field="page")
        return [from_item(Extension, i) for i in items], next_token

    # --- what a grant reads ----------------------------------------------------------------------
    def course_exams(self, course_id: str, at_most: int) -> list[Exam]:
        index, pk, prefix = keys.course_exams_query(course_id)
        page = self.store.query_page(pk, prefix, index=index, limit=at_most)
        return [from_item(Exam, i) for i in page.items]

    def get_exams(self, exam_ids: list[str]) -> dict[str, Exam]:
        found = self.store.batch_get([keys.exam_key(e) for e in exam_ids]) if exam_ids else []
        return {i[keys.PK]: from_item(Exam, i) for i in found}

    def page_reads(self, exam_ids: list[str], session_ids: list[str]
                   ) -> tuple[dict[str, Exam], dict[str, Session]]:
        """A list page's exams and the sessions its extensions point at, in one BatchGetItem per 100 keys
        (none when there is nothing to read). A session removed since is simply not found."""
        wanted = [keys.exam_key(e) for e in exam_ids] + [keys.session_key(s) for s in session_ids]
        exams: dict[str, Exam] = {}
        sessions: dict[str, Session] = {}
        for item in self.store.batch_get(wanted) if wanted else []:
            if item[keys.SK] == keys.SESSION_SK:
                sessions[item[keys.PK]] = from_item(Session, item)
            else:
                exams[item[keys.PK]] = from_item(Exam, item)
        return exams, sessions

    def load(self, course_id: str, user_ids: list[str], exam_ids: list[str], *,
             users: dict[str, User] | None = None
             ) -> tuple[dict[str, Enrollment], dict[tuple[str, str], Extension]]:
        """The users' enrollments in the course and their stored extensions on the exams: one BatchGetItem
        per 100 keys; ``users`` given: the users themselves too, in the same batch, put into it."""
        wanted: dict[tuple[str, str], str] = {}
        for user_id in user_ids if users is not None else []:
            key = keys.user_key(user_id)
            wanted[(key[keys.PK], key[keys.SK])] = "user"
        for user_id in user_ids:
            key = keys.enrollment_key(course_id, user_id)
            wanted[(key[keys.PK], key[keys.SK])] = "enrollment"
            for exam_id in exam_ids:
                key = keys.extension_key(exam_id, user_id)
                wanted[(key[keys.PK], key[keys.SK])] = "extension"
        found = self.store.batch_get([{keys.PK: pk, keys.SK: sk} for pk, sk in wanted])
        enrollments: dict[str, Enrollment] = {}
        extensions: dict[tuple[str, str], Extension] = {}
        for item in found:
            kind = wanted.get((item[keys.PK], item[keys.SK]))
            if kind == "enrollment":
                enrollment = from_item(Enrollment, item)
                enrollments[enrollment.user_id] = enrollment
            elif kind == "extension":
                extension = from_item(Extension, item)
                extensions[(extension.exam_id, extension.user_id)] = extension
            elif kind == "user" and users is not None:
                user = from_item(User, item)
                users[user.id] = user
        return enrollments, extensions

    def user_sessions(self, course_id: str, user_id: str, exam_id: str | None = None) -> list[Session]:
        """A student's sessions in the course (or on one exam): one Query per 100 sessions."""
        index, pk, prefix = keys.user_course_sessions_query(user_id, course_id, exam_id)
        sessions: list[Session] = []
        token: str | None = None
        while True:
            page = self.store.query_page(pk, prefix, index=index, limit=SESSION_PAGE, token=token)
            sessions += [from_item(Session, i) for i in page.items]
            token = page.next_token
            if not token:
                return sessions


def extension_save_ops(before: Extension | None, after: Extension, *, by: str, at: datetime) -> list[dict[str, Any]]:
    """Upsert ``after`` only if the stored item is still ``before`` (its version), and keep ``before``
    as a history copy noting who replaced it and when: the earlier value stays restorable."""
    key = keys.extension_key(after.exam_id, after.user_id)
    item = to_item(after, key, extension_index(after))
    if before is None:
        return [op_put(item, NEW_ITEM)]
    names, values = {"#version": "version"}, {":expected": before.version}
    condition = UNVERSIONED if before.version == 0 else SAME_VERSION
    history_key = keys.extension_history_key(before.exam_id, before.user_id, history_stamp(at))
    history = to_item(before, history_key, {"replaced_by": by, "replaced_at": at.isoformat()})
    return [op_put(item, condition, names, values), op_put(history, NEW_ITEM)]


def extension_delete_ops(before: Extension, *, by: str, at: datetime) -> list[dict[str, Any]]:
    """Delete the extension only if it is still the version read, and keep it as a history copy."""
    names, values = {"#version": "version"}, {":expected": before.version}
    condition = UNVERSIONED if before.version == 0 else SAME_VERSION
    history_key = keys.extension_history_key(before.exam_id, before.user_id, history_stamp(at))
    noted = {"replaced_by": by, "replaced_at": at.isoformat(), "deleted": True}
    history = to_item(before, history_key, noted)
    return [op_delete(keys.extension_key(before.exam_id, before.user_id), condition, names, values),
            op_put(history, NEW_ITEM)]


def allowance_count_ops(deltas: dict[str, int]) -> list[dict[str, Any]]:
    """One ADD per exam to its allowance-row counter (the Open edX allowances list's ``count``)."""
    return [op_update(keys.list_counts_key(exam_id), "ADD allowances :n", None, {":n": n})
            for exam_id, n in sorted(deltas.items()) if n]
