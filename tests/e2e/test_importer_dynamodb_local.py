"""Overlapping importer runs on DynamoDB Local (AWS's own engine, not moto): the shard leases and the
version-conditioned batch writes alone keep every assignment imported exactly once, against a fake
Edulastic on 127.0.0.1."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from functions.core.models import ExternalAssignment
from functions.data.external_tests import ExternalTestRepository, assignment_item
from functions.data.store import NEW_ITEM
from functions.jobs import import_results
from infra.local.dynamodb_local import DynamoDBLocal, ensure_table
from infra.local.fake_providers import EDULASTIC_TOKEN, FakeEdulastic

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    db = DynamoDBLocal().start()
    yield db.endpoint
    db.stop()


@pytest.fixture
def on_local(endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeEdulastic]:
    from functions.data import dynamo
    from functions.platform import settings
    from functions.providers import config, registry

    fake = FakeEdulastic(delay=0.02).start()
    for name, value in {"EXAMDESK_DYNAMODB_ENDPOINT": endpoint, "EXAMDESK_TABLE_NAME": "importer-race",
                        config.EDULASTIC_URL: fake.url, config.EDULASTIC_TOKEN: EDULASTIC_TOKEN}.items():
        monkeypatch.setenv(name, value)
    settings.settings.cache_clear()
    dynamo.client.cache_clear()
    registry.reset()
    ensure_table(dynamo.client(), "importer-race")
    yield fake
    fake.stop()
    settings.settings.cache_clear()  # the next test reads the environment monkeypatch restores
    dynamo.client.cache_clear()
    registry.reset()


def seed(fake: FakeEdulastic, n: int, tag: str) -> list[str]:
    repo, past = ExternalTestRepository(), datetime.now(UTC) - timedelta(minutes=1)
    students = [f"{tag}-{i:03d}" for i in range(n)]
    for student in students:
        aid = f"{student}-as"
        question = {"id": f"{aid}-q", "index": 0, "answered": True, "correct": True, "score": 1.0}
        fake.assignments[aid] = {"classId": "c", "email": f"{student}@x.edu", "testId": "t",
                                 "status": "GRADED", "questions": [question]}
        repo.store.put(assignment_item(ExternalAssignment(
            student_id=student, lesson_id="race-unit", attempt=1, course_id="c", lesson_type="unit-test",
            tool_provider="edulastic", subject="Math", grade=2, student_email=f"{student}@x.edu",
            assignment_id=aid, class_id="c", test_id="t", assigned_at=past, assigned_by="t",
            next_try_at=past)), condition=NEW_ITEM)
    return students


def run(owner: str, results: list[Any]) -> None:
    from functions.providers.registry import provider

    results.append(import_results.import_pass(owner, clock=lambda: datetime.now(UTC), providers=provider,
                                              concurrency=8).run())


def test_three_overlapping_runs_import_each_assignment_once(on_local):
    students = seed(on_local, 60, "race")
    results: list[Any] = []
    threads = [threading.Thread(target=run, args=(f"run-{n}", results)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r.finalized for r in results) == 60 and sum(r.failed for r in results) == 0
    assert sum(r.tried for r in results) == 60  # a shard held by one run is left alone by the others
    assert all(on_local.result_fetches[f"{s}-as"] == 1 for s in students)
    repo = ExternalTestRepository()
    assert all(repo.get(s, "race-unit", 1, consistent=True).finalized for s in students)


def test_the_item_size_the_importer_counts_is_the_one_dynamodb_enforces(on_local):
    """outcome_batches.item_size decides which outcomes are never sent: an item it counts at exactly 400 KB is
    stored by DynamoDB Local, one byte more is refused."""
    from botocore.exceptions import ClientError

    from functions.data import dynamo
    from functions.data.outcome_batches import ITEM_BYTES, item_size

    def item(size: int) -> dict[str, Any]:
        base = {"id": {"S": "size-probe"}, "sk": {"S": "probe"}, "n": {"N": "12345.5"}, "ok": {"BOOL": True},
                "m": {"M": {"a": {"L": [{"S": "x"}, {"N": "1"}]}}}, "pad": {"S": ""}}
        base["pad"]["S"] = "x" * (size - item_size(base))
        assert item_size(base) == size
        return base

    dynamo.client().put_item(TableName="importer-race", Item=item(ITEM_BYTES))
    with pytest.raises(ClientError, match="size"):
        dynamo.client().put_item(TableName="importer-race", Item=item(ITEM_BYTES + 1))


def test_write_backs_racing_in_any_order_leave_the_latest_stored(on_local):
    """Twenty deliveries of one result's write-backs at once, in shuffled order, on DynamoDB Local: the one
    conditional write keeps the latest, each is stored or answered as older, none is lost to a race."""
    import random

    from functions.core.services.external_imports import WritebackService

    repo, now = ExternalTestRepository(), datetime.now(UTC)
    repo.store.put(assignment_item(ExternalAssignment(
        student_id="racer", lesson_id="race-mt", attempt=1, course_id="c", lesson_type="test-out",
        tool_provider="mastery-track", subject="Math", grade=2, student_email="racer@x.edu", assignment_id="77",
        assigned_at=now, assigned_by="t", next_try_at=datetime(9999, 12, 31, tzinfo=UTC))), condition=NEW_ITEM)
    orders = [f"2026-03-01T12:00:{n:02d}.000000Z|2026-03-01T12:01:00.000000Z" for n in range(20)]
    random.shuffle(orders)
    answers: list[Any] = []

    def deliver(order: str) -> None:
        service = WritebackService(repo, datetime.now(UTC))
        answers.append(service.record("racer|race-mt|1", "77", {"score": int(order[17:19])}, order, order)[1])

    threads = [threading.Thread(target=deliver, args=(order,)) for order in orders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    final = repo.get("racer", "race-mt", 1, consistent=True)
    assert final.writeback == {"score": 19} and final.writeback_order == max(orders)
    assert len(answers) == 20 and set(answers) <= {None, "older"}
    assert final.writeback_seq == answers.count(None)  # every stored one counted, every other one older
