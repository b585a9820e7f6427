"""The attempt limit holds under concurrent starts, on DynamoDB Local (AWS's own engine, not moto).

An integration key may start a student's work under several launch contexts (docs/rulebook.md). The gsi2 Query
that counts the student's attempts cannot be strongly consistent, so concurrent starts all count the same
attempts; the per-(student, exam) count written conditionally in each start's transaction (core/work.py,
``attempt-count#`` items) lets only as many through as the exam allows. Every start here is held until all
have counted, so the race is certain, not likely; the control shows that without the count it is lost. Each
thread runs the start act as its route does (``SessionService.start``, wired as functions/wiring.py wires
it): a route module serves one request per Lambda process, so its app object is not shared between threads."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from functions.core.changes import Work
from functions.core.errors import Conflict
from functions.core.rights import Access, Principal
from functions.core.services.sessions import SessionService, StartRequest
from functions.data.directory import DirectoryRepository
from functions.data.exams import ExamRepository
from functions.data.sessions import SessionRepository
from functions.data.unit_of_work import DynamoUnitOfWork
from functions.platform.clock import utcnow
from infra.local.dynamodb_local import DynamoDBLocal
from tests.e2e.harness import data_layer_on
from tests.factories import classroom, exam

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

STARTS = 6


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    db = DynamoDBLocal().start()
    yield db.endpoint
    db.stop()


@pytest.fixture
def on_local(endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    with data_layer_on(endpoint, "attempt-race", monkeypatch):
        yield


def race(monkeypatch: pytest.MonkeyPatch, course: str, max_attempts: int) -> tuple[list[int], int]:
    """``STARTS`` concurrent starts of one student's work on a new exam, each under its own launch context,
    all held until every one has counted the student's attempts: their statuses and the sessions stored."""
    room = classroom(course)
    exam_id = f"race-{course}"
    exam(exam_id, course, room["items"], type="timed", time_limit_minutes=60, retakable=True,
         max_attempts=max_attempts)
    student = f"student-{course}"
    counted = threading.Barrier(STARTS, timeout=30)
    commit = DynamoUnitOfWork.commit

    def held(self: DynamoUnitOfWork, work: Work) -> None:
        counted.wait()  # every start has read the student's sessions (none yet) before any commits
        commit(self, work)

    monkeypatch.setattr(DynamoUnitOfWork, "commit", held)
    key = Principal("key", "lms", frozenset({course}), frozenset({"course:view", "attempt:manage"}))

    def start(n: int) -> int:
        directory, now = DirectoryRepository(), utcnow()
        service = SessionService(directory, ExamRepository(), SessionRepository(), DynamoUnitOfWork(key, now),
                                 Access(key, directory), now)
        try:
            _, _, created = service.start(exam_id, StartRequest(user=student, context_id=f"context-{n}"))
        except Conflict:  # the route's 409 (a lost race is a ConcurrentUpdate, a Conflict)
            return 409
        return 201 if created else 200

    with ThreadPoolExecutor(STARTS) as pool:
        statuses = sorted(pool.map(start, range(STARTS)))
    monkeypatch.setattr(DynamoUnitOfWork, "commit", commit)
    return statuses, len(SessionRepository().student_sessions(course, student, exam_id))


def test_concurrent_starts_cannot_pass_the_attempt_limit(on_local, monkeypatch):
    statuses, stored = race(monkeypatch, "race-2", max_attempts=2)
    assert statuses == [201, 201] + [409] * (STARTS - 2) and stored == 2, (statuses, stored)
    statuses, stored = race(monkeypatch, "race-1", max_attempts=1)
    assert statuses == [201] + [409] * (STARTS - 1) and stored == 1, (statuses, stored)


def test_without_the_count_the_race_is_lost(on_local, monkeypatch):
    """The control: the Query's count alone lets every concurrent start through (why the count exists)."""
    monkeypatch.setattr("functions.data.unit_of_work._counted", lambda session, counted: [])
    statuses, stored = race(monkeypatch, "race-control", max_attempts=1)
    assert statuses == [201] * STARTS and stored == STARTS, (statuses, stored)
