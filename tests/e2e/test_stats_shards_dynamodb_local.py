"""Write-sharded exam statistics on DynamoDB Local (AWS's own engine): many writers at once, each session's
start, scoring, rescoring and removal in its own transaction with its statistics change (the write path the
services use: SessionRepository and data/stats.py), and the totals read back exactly, summed over the shards
(functions/data/stats.py), by the repository and by the ExamSpark list's read (SessionListRepository)."""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from functools import partial
from typing import Any

import pytest

from functions.core import statistics
from functions.core.changes import AttemptBegun, AttemptCount, Change, SessionChanged, SessionStarted, Work
from functions.core.errors import ConcurrentUpdate
from functions.core.models import Attempt, Session
from functions.data import keys
from functions.data.session_lists import SessionListRepository
from functions.data.stats import StatsRepository, shard_of, stats_op
from functions.data.store import Store, op_delete, op_update
from functions.data.unit_of_work import DynamoUnitOfWork
from functions.platform.principal import OPERATOR
from infra.local.dynamodb_local import DynamoDBLocal
from tests.e2e.harness import data_layer_on

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

EXAM, COURSE = "stats-exam", "stats-course"
WRITERS, PER_WRITER = 8, 30


@pytest.fixture
def on_local(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    db = DynamoDBLocal().start()
    try:
        with data_layer_on(db.endpoint, "stats-shards", monkeypatch):
            yield
    finally:
        db.stop()


def retried(write: Callable[[], object]) -> None:
    """A transaction cancelled by a conflict applied nothing: try it again (as a client retries a 409)."""
    for _ in range(20):
        try:
            write()
            return
        except ConcurrentUpdate:
            continue
    raise AssertionError("a write kept conflicting")


def change_op(delta: dict[str, float], shard_by: str | None = None) -> dict[str, Any]:
    op = stats_op(EXAM, delta, shard_by=shard_by)
    assert op is not None
    return op


def writer(n: int, finals: dict[str, float | None], removed: list[str]) -> None:
    rng = random.Random(n)
    now = datetime.now(UTC)
    unit = DynamoUnitOfWork(OPERATOR, now)

    def commit(change: Change) -> None:
        retried(partial(unit.commit, Work("session.change", COURSE, [change])))

    for i in range(PER_WRITER):
        session = Session(id=f"s-{n}-{i}", exam_id=EXAM, course_id=COURSE, user_id=f"u-{n}-{i}",
                          attempts=[Attempt(number=1, started_at=now)], created_at=now, updated_at=now)
        commit(SessionStarted(session, AttemptBegun(None), AttemptCount(0, 0, 1, True, 1)))
        score = float(rng.randrange(0, 101))
        scored = session.model_copy(update={"score_actual": score, "version": 2})
        commit(SessionChanged(session, scored, "submit"))
        final: float | None = score
        if i % 5 == 0:  # rescored
            final = float(rng.randrange(0, 101))
            again = scored.model_copy(update={"score_actual": final, "version": 3})
            commit(SessionChanged(scored, again, "rescore"))
        if i % 7 == 3:  # removed, its change summed as a staff batch's is: on any shard (shard_by None)
            out = change_op(statistics.score_change(final, None, removed_session=True))
            retried(partial(Store().transact, [op_delete(keys.session_key(session.id)), out]))
            removed.append(session.id)
            continue
        finals[session.id] = final


def test_concurrent_writers_across_shards_sum_exactly(on_local: None) -> None:
    # An exam whose statistics began before sharding: the old single item still counts.
    Store().transact([op_update(keys.exam_stats_key(EXAM), "ADD sessions :n, scored :n, scoreSum :s, #h :n",
                                {"#h": statistics.histogram_attribute(100)}, {":n": 1, ":s": 100})])
    finals: dict[str, float | None] = {"legacy": 100.0}
    removed: list[str] = []
    threads = [threading.Thread(target=writer, args=(n, finals, removed)) for n in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(finals) + len(removed) == WRITERS * PER_WRITER + 1 and removed

    scores = [s for s in finals.values() if s is not None]
    histogram = Counter(statistics.histogram_attribute(s) for s in scores)
    (combined,) = StatsRepository().get_many([EXAM])
    assert combined["sessions"] == len(finals)
    assert combined["scored"] == len(scores)
    assert combined["scoreSum"] == pytest.approx(sum(scores))
    assert {k: v for k, v in combined.items() if k.startswith("h:") and v} == dict(histogram)
    agg = statistics.aggregate([combined])
    assert (agg.min_score, agg.max_score) == (min(scores), max(scores))
    assert agg.avg_score == round(sum(scores) / len(scores), 2)

    # The writes really spread: the sessions' shards are many, and each shard item holds only its share.
    written = [i for i in Store().batch_get(keys.exam_stats_keys(EXAM)) if i[keys.PK] != EXAM]
    session_shards = {shard_of(f"s-{n}-{i}") for n in range(WRITERS) for i in range(PER_WRITER)}
    assert session_shards <= {int(i[keys.PK].rsplit("#", 1)[1]) for i in written}
    assert len(session_shards) > 100  # 240 sessions over 192 shards
    assert max(int(i.get("sessions", 0)) for i in written) <= 10

    # The ExamSpark list reads the same totals with the exam config (one BatchGetItem of 1 + 193 keys).
    _, stats = SessionListRepository().configs_and_stats([EXAM])
    assert statistics.aggregate([stats[EXAM]]) == agg
