"""What the domain needs from storage, as Protocols (core never imports data/ or boto3)."""

from __future__ import annotations

from typing import Any, Protocol

from functions.core.models import Course, Exam, Extension, Item, Session, SessionRemoval, User
from functions.core.rights import Directory

TRANSACTION_ITEMS = 100  # DynamoDB: the items one TransactWriteItems holds (writes and condition checks)


class People(Directory, Protocol):
    def get_course(self, course_id: str) -> Course | None: ...

    def find_user(self, username_or_email: str) -> User | None: ...


class ExamStore(Protocol):
    def get_exam(self, exam_id: str) -> Exam | None: ...

    def get_items(self, item_ids: list[str]) -> dict[str, Item]: ...


class SessionStore(Protocol):
    def get_session(self, session_id: str, *, consistent: bool = False) -> Session | None: ...

    def create_session(self, session: Session, *, extra_ops: list[dict[str, Any]] | None = None) -> None: ...

    def save_session(self, session: Session, *, keep_history_of: Session | None = None,
                     extra_ops: list[dict[str, Any]] | None = None, before: Session | None = None) -> None: ...

    def with_current(self, session: Session, *, consistent: bool = False) -> Session: ...

    def with_current_and_items(self, session: Session, *, consistent: bool = False
                               ) -> tuple[Session, dict[str, Item]]: ...

    def get_extension(self, exam_id: str, user_id: str) -> Extension | None: ...

    def attempt_count_op(self, exam_id: str, user_id: str, *, used: int, live: int, allowed: int,
                         new_session: bool, max_sessions: int) -> dict[str, Any]: ...

    def forget_attempt_count_op(self, exam_id: str, user_id: str) -> dict[str, Any]: ...

    def latest_session_op(self, exam_id: str, user_id: str, extension: Extension | None, session_id: str
                          ) -> dict[str, Any]: ...

    def latest_removal(self, session_id: str) -> SessionRemoval | None: ...

    def student_sessions(self, course_id: str, user_id: str, exam_id: str) -> list[Session]: ...


class StatsOps(Protocol):
    """The write of a statistics change; ``shard_by`` (the session's id) picks the shard it goes to."""

    def __call__(self, exam_id: str, delta: dict[str, float], shard_by: str | None = None
                 ) -> dict[str, Any] | None: ...
