"""What the PowerPath services need from storage and from the providers, as Protocols (core never imports
data/ or providers/; wiring and the importer job pass the real ones in)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from functions.core.external_tests import ProviderPort
from functions.core.models import Course, Enrollment, ExternalAssignment, Lesson, SubjectTrack
from functions.core.rights import Directory


class People(Directory, Protocol):
    def get_course(self, course_id: str) -> Course | None: ...


class LessonStore(Protocol):
    def get_lesson(self, lesson_id: str) -> Lesson | None: ...

    def get_subject_track(self, subject: str, grade: int) -> SubjectTrack | None: ...


class AssignmentStore(Protocol):
    def get(self, student_id: str, lesson_id: str, attempt: int, *, consistent: bool = False
            ) -> ExternalAssignment | None: ...

    def latest(self, student_id: str, lesson_id: str) -> ExternalAssignment | None: ...

    def create(self, a: ExternalAssignment, extra_ops: list[dict[str, Any]] | None = None) -> None: ...

    def claim(self, a: ExternalAssignment, owner: str, now: datetime, lease_until: datetime, *,
              due_only: bool) -> ExternalAssignment | None: ...

    def save_claimed(self, after: ExternalAssignment, owner: str, claimed_version: int,
                     extra_ops: list[dict[str, Any]] | None = None) -> None: ...

    def release(self, a: ExternalAssignment, owner: str) -> None: ...

    def save(self, after: ExternalAssignment, expected_version: int,
             extra_ops: list[dict[str, Any]] | None = None) -> None: ...


@dataclass(frozen=True)
class OutcomeWrite:
    """One import outcome for the scheduled pass to write: the assignment as imported, the version the pass
    read (a write-back or a console import since then makes the write fail), and the operations that go in
    the same transaction (its audit event, an enrollment)."""

    after: ExternalAssignment
    expected_version: int
    ops: list[dict[str, Any]]


class WorkQueue(AssignmentStore, Protocol):
    def due(self, now: datetime, page_size: int = ..., shards: Sequence[int] | None = ...
            ) -> Any: ...  # an iterator of ExternalAssignment

    def all_shards(self) -> list[int]: ...

    def take_shard(self, shard: int, owner: str, now: datetime, until: datetime) -> bool: ...

    def release_shard(self, shard: int, owner: str, now: datetime) -> None: ...

    def save_imported(self, writes: Sequence[OutcomeWrite], owner: str, now: datetime
                      ) -> list[Exception | None]: ...  # per write: None (written) or why not

    def record_writeback(self, student_id: str, lesson_id: str, attempt: int, provider_assignment_id: str,
                         payload: dict[str, Any], order: str, digest: str, now: datetime
                         ) -> ExternalAssignment | None: ...


Providers = Callable[[str], ProviderPort]
EnrollOp = Callable[[Enrollment], dict[str, Any]]
