"""Shared by the PowerPath and importer integration tests: fake providers wired into the configuration, a
course with external-test lessons, and short route callers. Import the fixtures into a test module."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from infra.local.fake_providers import EDULASTIC_TOKEN, MASTERYTRACK_API_KEY, FakeEdulastic, FakeMasteryTrack
from tests.conftest import Answer, call
from tests.factories import classroom, course, enroll, lesson, subject_track
from tests.moto_atomic import lock_item_operations

WEBHOOK_SECRET = "test-webhook-secret-0123456789"
MAKE, IMPORT, PROGRESS = "powerpath_make_assignment", "powerpath_import_results", "powerpath_get_progress"
WRITEBACK = "powerpath_masterytrack_writeback"
STUDENT, OTHER, TA, INSTRUCTOR = "student-course-1", "other-course-1", "ta-course-1", "instructor-course-1"


@dataclass
class Fakes:
    edulastic: FakeEdulastic
    mastery: FakeMasteryTrack


@pytest.fixture
def fakes(monkeypatch: pytest.MonkeyPatch) -> Iterator[Fakes]:
    """Both fake providers on 127.0.0.1, configured as the providers (short timeouts: fast fault tests)."""
    from functions.providers import config, registry

    edulastic = FakeEdulastic().start()
    mastery = FakeMasteryTrack(webhook_secret=WEBHOOK_SECRET).start()
    for name, value in {config.EDULASTIC_URL: edulastic.url, config.EDULASTIC_TOKEN: EDULASTIC_TOKEN,
                        config.MASTERYTRACK_URL: mastery.url,
                        config.MASTERYTRACK_API_KEY: MASTERYTRACK_API_KEY,
                        config.MASTERYTRACK_WEBHOOK_SECRET: WEBHOOK_SECRET, config.PROVIDER_TIMEOUT: "1.5",
                        config.PROVIDER_ATTEMPTS: "2"}.items():
        monkeypatch.setenv(name, value)
    registry.reset()
    yield Fakes(edulastic, mastery)
    for server in (edulastic, mastery):
        server.stop()
    registry.reset()


@pytest.fixture
def school(table: str, fakes: Fakes) -> dict[str, Any]:
    """course-1 (classroom people) with external-test lessons; course-2 is where placements enroll."""
    room = classroom("course-1")
    course("course-2")
    enroll("course-2", "instructor-course-1", "instructor")
    lesson("placement-edu", "course-1", "placement", "edulastic", "Math", 2, "edu-math-2-3q")
    lesson("testout-mt", "course-1", "test-out", "mastery-track", "Science", 5)
    lesson("unit-edu", "course-1", "unit-test", "edulastic", "Reading", 3, "edu-read-4q")
    lesson("quiz-1", "course-1", "quiz", None, "Math", 2)
    lesson("testout-other", "course-1", "test-out", "khan-academy", "Math", 2)
    lesson("nontest-edu", "course-1", "placement", "edulastic", "Math", 4)  # no test id
    subject_track("Math", 2, "course-2")
    subject_track("Science", 5, "course-2")
    return {**room, "fakes": fakes}


def make(student: str = STUDENT, lesson_id: str = "placement-edu", as_user: str | None = None, **extra: Any
         ) -> Answer:
    return call(MAKE, as_user=as_user or student, body={"student": student, "lesson": lesson_id, **extra})


def import_now(student: str = STUDENT, lesson_id: str = "placement-edu", as_user: str | None = None
               ) -> Answer:
    return call(IMPORT, as_user=as_user or student, query={"student": [student], "lesson": [lesson_id]})


def progress(student: str = STUDENT, lesson_id: str = "placement-edu", as_user: str | None = None,
             **query: str) -> Answer:
    q = {"student": [student], "lesson": [lesson_id], **{k: [v] for k, v in query.items()}}
    return call(PROGRESS, as_user=as_user or student, query=q)


def writeback(raw: bytes, headers: dict[str, str]) -> Answer:
    return call(WRITEBACK, body=raw.decode(), headers=headers)


def item_count() -> int:
    from functions.data.dynamo import client

    return int(client().scan(TableName="examdesk-test", Select="COUNT")["Count"])


def stored(student: str = STUDENT, lesson_id: str = "placement-edu", attempt: int = 1
           ) -> dict[str, Any] | None:
    """The raw item, with the queue and lease attributes the model does not show."""
    from functions.data import keys
    from functions.data.store import Store

    return Store().get(keys.external_test_key(student, lesson_id, attempt), consistent=True)


@pytest.fixture
def atomic_moto(monkeypatch: pytest.MonkeyPatch) -> None:
    """DynamoDB's atomic conditional writes on moto, for the tests of concurrent importer runs."""
    lock_item_operations(monkeypatch.setattr)
