"""Views over a ``Memory`` (tests/memory.py) for the ports whose method names clash with Memory's own: the
credential store, the learners, and the external-test work queue with its leases."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from functions.core.models import (
    User,
)
from tests.memory import Memory, assignment_ref


class Credentials:
    """credentials.CredentialStore over a Memory (its ``get`` would clash with other ports' reads)."""

    def __init__(self, memory: Memory) -> None:
        self.memory = memory

    def get(self, credential_id: str, *, consistent: bool = False) -> Any:
        self.memory.reads["get_credential"] += 1
        return self.memory.saved.get(("credential", credential_id))

    def list_page(self, limit: int, token: str | None) -> tuple[list[Any], str | None]:
        return self.memory.list_credentials(limit, token)

    def missing_courses(self, course_ids: list[str]) -> list[str]:
        return self.memory.missing_courses(course_ids)


class Learners:
    """special_exam_ports.Learners over a Memory (its ``users`` name clashes with Memory's field)."""

    def __init__(self, memory: Memory) -> None:
        self.memory = memory

    def users(self, user_ids: list[str]) -> dict[str, User]:
        return self.memory.users_of(user_ids)

    def by_identifier(self, identifiers: list[str], numbers: dict[str, int] | None = None) -> dict[str, User]:
        return self.memory.by_identifier(identifiers, numbers)

    def by_username(self, username: str) -> User | None:
        return self.memory.by_username(username)


class WorkQueue:
    """external_ports.WorkQueue over a Memory (data/external_tests.py ExternalTestRepository): the external-test
    assignments, their leases and the shard leases of the scheduled pass."""

    def __init__(self, memory: Memory) -> None:
        self.memory = memory

    def get(self, student_id: str, lesson_id: str, attempt: int, *, consistent: bool = False) -> Any:
        self.memory.reads["get_assignment"] += 1
        return self.memory.saved.get(("external-test", f"{student_id}/{lesson_id}/{attempt}"))

    def latest(self, student_id: str, lesson_id: str) -> Any:
        self.memory.reads["latest_assignment"] += 1
        mine = [a for a in self.memory.assignments().values() if (a.student_id, a.lesson_id) == (student_id, lesson_id)]
        return max(mine, key=lambda a: a.attempt, default=None)

    def due(self, now: datetime, page_size: int = 100, shards: Any = None) -> Any:
        """Pending (neither finalized nor parked) assignments due at ``now``, shard by shard, as the work-queue
        index hands them out (by when they are due)."""
        from functions.data import keys

        m = self.memory
        for shard in keys.work_queue_shards(shards):
            m.reads["due"] += 1
            with m.lock:
                pending = sorted((a for a in m.assignments().values() if queued(a) and a.next_try_at <= now
                                  and keys.work_queue_shard(a.student_id, a.lesson_id) == shard),
                                 key=lambda a: (a.next_try_at, assignment_ref(a)))
            yield from pending

    def claim(self, a: Any, owner: str, now: datetime, lease_until: datetime, *, due_only: bool) -> Any:
        """The assignment's lease, one version on, due again when the lease ends; None when it is not queued,
        someone else's lease is running, or (``due_only``) it is not due."""
        m, ref = self.memory, assignment_ref(a)
        with m.lock:
            current = m.saved.get(("external-test", ref))
            lease = m.assignment_leases.get(ref)
            if (current is None or not queued(current) or (lease is not None and lease[1] > now)
                    or (due_only and current.next_try_at > now)):
                return None
            claimed = current.model_copy(update={"version": current.version + 1, "next_try_at": lease_until})
            m.saved[("external-test", ref)] = claimed
            m.assignment_leases[ref] = (owner, lease_until)
            return claimed

    def release(self, a: Any, owner: str) -> None:
        m, ref = self.memory, assignment_ref(a)
        with m.lock:
            if m.assignment_leases.get(ref, ("",))[0] == owner:
                del m.assignment_leases[ref]

    def all_shards(self) -> list[int]:
        from functions.data import keys

        return list(range(keys.WORK_QUEUE_SHARDS))

    def take_shard(self, shard: int, owner: str, now: datetime, until: datetime) -> bool:
        m = self.memory
        with m.lock:
            held = m.shard_leases.get(shard)
            if held is not None and held[1] > now:
                return False
            m.shard_leases[shard] = (owner, until)
            return True

    def release_shard(self, shard: int, owner: str, now: datetime) -> None:
        m = self.memory
        with m.lock:
            if m.shard_leases.get(shard, ("",))[0] == owner:
                del m.shard_leases[shard]


def queued(a: Any) -> bool:
    """In the work queue (its index holds it): neither finalized nor parked, with a next try."""
    return not a.finalized and a.parked_at is None and a.next_try_at is not None
