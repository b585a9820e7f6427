"""Extension grants as the domain sees them: one request entry (``Grant``), its limits, what a caller is
shown (``ExtensionView``), and the storage the grant service needs (Protocols; core never imports data/)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from functions.core import changes, timing
from functions.core.errors import InvalidInput
from functions.core.models import Enrollment, Exam, Extension, LimitedBy, Session, User

# Canvas' documented limits (inclusive). Unlike Canvas, a value outside them is refused, never clamped; extra
# attempts stop at 100 (Canvas: 1000), so a session's attempts fit its item (core/work.py MAX_ATTEMPT_RECORDS).
LIMITS: dict[str, tuple[int, int]] = {
    "extra_attempts": (0, 100),
    "extra_time": (0, 10080),  # minutes (one week)
    "extend_from_now": (1, 1440),  # minutes (one day)
    "extend_from_end_at": (1, 1440),
}
EXCLUSIVE = ("extend_from_now", "extend_from_end_at")
MAX_GRANTS = 100  # entries in one request
# Quizzes one course-wide grant may cover: each student's extension on each quiz is at least one write of the
# grant's one unit (the unit of work checks the exact size when it commits).
def max_quizzes(students: int) -> int:
    return changes.fit(students)


@dataclass(frozen=True)
class Grant:
    """One student's entry of a grant request. Fields left None keep their stored value."""

    user_id: str
    extra_attempts: int | None = None
    extra_time: int | None = None  # minutes added to the time limit of the next attempts
    manually_unlocked: bool | None = None
    extend_from_now: int | None = None  # moves a running attempt: end = now + n minutes
    extend_from_end_at: int | None = None  # moves a running attempt: end += n minutes

    def __post_init__(self) -> None:
        # Dialect parsers check first and name fields in their own terms; this guards every other caller.
        if not self.user_id:
            raise InvalidInput("user_id is required", field="user_id")
        for name, (low, high) in LIMITS.items():
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not low <= value <= high):
                raise InvalidInput(f"{name} must be a whole number from {low} to {high}", field=name)
        if self.extend_from_now is not None and self.extend_from_end_at is not None:
            raise InvalidInput("extend_from_now and extend_from_end_at are mutually exclusive; send one",
                               field="extend_from_now")

    @property
    def extends(self) -> bool:
        return self.extend_from_now is not None or self.extend_from_end_at is not None

    def changes(self) -> dict[str, Any]:
        """The Extension fields this entry sets (values replace stored ones; they do not add up)."""
        given = {"extra_attempts": self.extra_attempts, "extra_time_minutes": self.extra_time,
                 "manually_unlocked": self.manually_unlocked}
        return {name: value for name, value in given.items() if value is not None}


@dataclass(frozen=True)
class ExtensionView:
    """One student on one exam: what was granted and the end of the running attempt (None: none runs)."""

    user_id: str
    exam_id: str
    extra_attempts: int
    extra_time: int
    manually_unlocked: bool
    time_multiplier: float | None
    allowed_attempts: int
    end_at: datetime | None
    # The running attempt's limit, or the one a new attempt started now would get: a cap is never hidden.
    limited_by: LimitedBy
    updated_at: datetime | None
    updated_by: str | None


def latest_session(sessions: Iterable[Session], now: datetime) -> Session | None:
    """The session a pointer names when a grant must work it out from what it read: the running attempt
    that ends last, else the attempt started last."""
    def rank(session: Session) -> tuple[bool, datetime]:
        current = session.current
        assert current is not None  # a live session always holds an attempt
        end = timing.running_end(current, now)
        return (end is not None, end or current.started_at)
    return max((s for s in sessions if s.current is not None), key=rank, default=None)


def pointed(extension: Extension, moved: list[Session], sessions: list[Session], now: datetime) -> Extension:
    """``extension`` with the session pointer a grant leaves on it (docs/data-model.md, Canvas): the attempt
    it moved that ends last; else the stored pointer, which every start and restart keeps current (the
    sessions a grant reads come from an index that may lag behind it); else, for an extension that is new
    or predates the pointer, the latest of the student's ``sessions``."""
    if moved:
        target = latest_session(moved, now)
    elif extension.session_tracked:
        return extension
    else:
        target = latest_session(sessions, now)
    return extension.model_copy(update={"latest_session_id": target.id if target else None,
                                        "session_tracked": True})


class ExtensionStore(Protocol):
    def course_exams(self, course_id: str, at_most: int) -> list[Exam]: ...

    def page_reads(self, exam_ids: list[str], session_ids: list[str]
                   ) -> tuple[dict[str, Exam], dict[str, Session]]: ...

    def load(self, course_id: str, user_ids: list[str], exam_ids: list[str], *,
             users: dict[str, User] | None = None
             ) -> tuple[dict[str, Enrollment], dict[tuple[str, str], Extension]]: ...

    def user_sessions(self, course_id: str, user_id: str, exam_id: str | None = None) -> list[Session]: ...

    def list_extensions(self, course_id: str, exam_id: str | None, limit: int, token: str | None
                        ) -> tuple[list[Extension], str | None]: ...
