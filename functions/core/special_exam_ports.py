"""What the Open edX special-exam services need from storage (Protocols; core never imports data/)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from functions.core.listing import Chunk, ListOrder
from functions.core.models import Course, Enrollment, Exam, Extension, Session, User
from functions.core.numeric_ids import Kind


class Aliases(Protocol):
    def target(self, kind: Kind, value: int) -> str | None: ...

    def targets(self, kind: Kind, values: list[int]) -> dict[int, str]: ...


class Learners(Protocol):
    def users(self, user_ids: list[str]) -> dict[str, User]: ...

    def by_identifier(self, identifiers: list[str], numbers: dict[str, int] | None = None
                      ) -> dict[str, User]: ...

    def by_username(self, username: str) -> User | None: ...


class CourseLists(Protocol):
    def course_exams(self, course_id: str) -> list[Exam]: ...

    def student_sessions(self, course_id: str, user_id: str, exam_id: str) -> list[Session]: ...

    def sessions(self, course_id: str, exam_id: str | None, order: ListOrder, limit: int,
                 start: dict[str, str] | None) -> Chunk[Session]:
        """About ``limit`` sessions of the course (or, in time order, of one exam) in ``order``, from the
        session ``start`` names (included; ``lost`` when it is gone or not in this list)."""
        ...

    def extensions(self, course_id: str, order: ListOrder, limit: int, start: dict[str, str] | None
                   ) -> Chunk[Extension]: ...

    def attempt_counts(self, exam_ids: list[str]) -> dict[str, int]:
        """Per exam its number of attempts (the statistics' ``attempts`` counter)."""
        ...

    def allowance_counts(self, exam_ids: list[str]) -> dict[str, int]:
        """Per exam its number of allowance rows."""
        ...


class ProctoringStore(Protocol):
    def get_settings(self, course_id: str, consistent: bool = False) -> dict[str, Any] | None: ...

    def get_course(self, course_id: str) -> Course | None: ...

    def update_settings(self, course_id: str, changes: dict[str, Any], by: str, at: datetime,
                        before: dict[str, Any] | None = None, extra_ops: list[dict[str, Any]] | None = None
                        ) -> dict[str, Any]: ...


class AllowanceStore(Protocol):
    def get_exams(self, exam_ids: list[str]) -> dict[str, Exam]: ...

    def load(self, course_id: str, user_ids: list[str], exam_ids: list[str]
             ) -> tuple[dict[str, Enrollment], dict[tuple[str, str], Extension]]: ...

    def user_sessions(self, course_id: str, user_id: str, exam_id: str | None = None) -> list[Session]: ...

    def save_ops(self, before: Extension | None, after: Extension, *, by: str, at: datetime
                 ) -> list[dict[str, Any]]: ...

    def delete_ops(self, before: Extension, *, by: str, at: datetime) -> list[dict[str, Any]]: ...

    def count_ops(self, deltas: dict[str, int]) -> list[dict[str, Any]]:
        """One ADD per exam to its allowance counter (data/keys.py list_counts_key)."""
        ...

    def write(self, operations: list[dict[str, Any]]) -> None: ...
