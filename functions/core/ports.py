"""What the domain needs from storage, as Protocols (core never imports data/ or boto3)."""

from __future__ import annotations

from typing import Protocol

from functions.core.changes import Work
from functions.core.models import Course, Exam, Extension, Item, Session, SessionRemoval, User
from functions.core.rights import Directory


class CourseDirectory(Directory, Protocol):
    """The rights rules' reads and the course (what PowerPath's services need of people)."""

    def get_course(self, course_id: str) -> Course | None: ...


class People(CourseDirectory, Protocol):
    """... and a user found by username or email (the Open edX and Canvas services)."""

    def find_user(self, username_or_email: str) -> User | None: ...


class ExamStore(Protocol):
    def get_exam(self, exam_id: str) -> Exam | None: ...

    def get_items(self, item_ids: list[str]) -> dict[str, Item]: ...


class SessionStore(Protocol):
    def get_session(self, session_id: str, *, consistent: bool = False) -> Session | None: ...

    def with_current(self, session: Session, *, consistent: bool = False) -> Session: ...

    def with_current_and_items(self, session: Session, *, consistent: bool = False
                               ) -> tuple[Session, dict[str, Item]]: ...

    def get_extension(self, exam_id: str, user_id: str) -> Extension | None: ...

    def latest_removal(self, session_id: str) -> SessionRemoval | None: ...

    def student_sessions(self, course_id: str, user_id: str, exam_id: str) -> list[Session]: ...


class UnitOfWork(Protocol):
    """Writes one unit of changes (core/changes.py) all or nothing: raises ConcurrentUpdate when a version it
    was read at changed meanwhile (nothing written), TooLarge when it does not fit one transaction."""

    def commit(self, work: Work) -> None: ...
