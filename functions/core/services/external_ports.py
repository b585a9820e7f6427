"""What the PowerPath services need from storage and from the providers, as Protocols (core never imports
data/ or providers/; wiring and the importer job pass the real ones in)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Protocol

from functions.core.changes import Work
from functions.core.external_tests import ProviderPort
from functions.core.models import ExternalAssignment, Lesson, SubjectTrack


class LessonStore(Protocol):
    def get_lesson(self, lesson_id: str) -> Lesson | None: ...

    def get_subject_track(self, subject: str, grade: int) -> SubjectTrack | None: ...


class AssignmentStore(Protocol):
    def get(self, student_id: str, lesson_id: str, attempt: int, *, consistent: bool = False
            ) -> ExternalAssignment | None: ...

    def latest(self, student_id: str, lesson_id: str) -> ExternalAssignment | None: ...

    def claim(self, a: ExternalAssignment, owner: str, now: datetime, lease_until: datetime, *,
              due_only: bool) -> ExternalAssignment | None: ...

    def release(self, a: ExternalAssignment, owner: str) -> None: ...


class WorkQueue(AssignmentStore, Protocol):
    def due(self, now: datetime, page_size: int = ..., shards: Sequence[int] | None = ...
            ) -> Any: ...  # an iterator of ExternalAssignment

    def all_shards(self) -> list[int]: ...

    def take_shard(self, shard: int, owner: str, now: datetime, until: datetime) -> bool: ...

    def release_shard(self, shard: int, owner: str, now: datetime) -> None: ...

    def record_writeback(self, student_id: str, lesson_id: str, attempt: int, provider_assignment_id: str,
                         payload: dict[str, Any], order: str, digest: str, now: datetime
                         ) -> ExternalAssignment | None: ...


class OutcomeUnit(Protocol):
    """Where the scheduled pass writes its outcomes: many units (core/changes.py ``Work``, one per outcome,
    each with its own audit event) to a transaction, each all or nothing, and only while ``owner`` still holds
    the lease of every work-queue shard involved (at ``now``). Per work: None (written) or why not."""

    def commit_each(self, works: Sequence[Work], owner: str, now: datetime) -> list[Exception | None]: ...


Providers = Callable[[str], ProviderPort]
