"""What the Open edX special-exam services read from storage (Protocols; core never imports data/). They
write through the unit of work (core/ports.py UnitOfWork)."""

from __future__ import annotations

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


class AllowanceStore(Protocol):
    def get_exams(self, exam_ids: list[str]) -> dict[str, Exam]: ...

    def load(self, course_id: str, user_ids: list[str], exam_ids: list[str]
             ) -> tuple[dict[str, Enrollment], dict[tuple[str, str], Extension]]: ...

    def user_sessions(self, course_id: str, user_id: str, exam_id: str | None = None) -> list[Session]: ...
