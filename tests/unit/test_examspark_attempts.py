"""Attempt rules (core/services/attempts.py) on in-memory repositories: pure, any instant."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from functions.core.errors import ConcurrentUpdate, Conflict, Forbidden, NotFound
from functions.core.models import Attempt, LimitedBy, Maturity, ScoringPolicy
from functions.core.responses import ItemAnswer, QuestionAnswer
from functions.core.services.attempts import reopened_end
from tests.unit.examspark_fakes import OTHER, STUDENT, T0, TA, World, choice_item


def answers(right: int, items=("a", "b", "c")) -> list[ItemAnswer]:
    return [ItemAnswer(i, (QuestionAnswer(f"{i}q", (2 if n < right else 0,)),)) for n, i in enumerate(items)]


def submit(world: World, sid: str, right: int, as_user: str = STUDENT):
    return world.attempts(as_user).set_responses(sid, answers(right), True)


@pytest.fixture
def world():
    return World(retakable=True, max_attempts=2)


def test_save_then_submit(world):
    sid = world.start()
    session, _ = world.attempts().set_responses(sid, answers(1, ("a",)), False)
    assert session.maturity is Maturity.IN_PROGRESS and session.score_actual is None
    assert world.sessions.stats == {"sessions": 1, "attempts": 1}
    session, _ = submit(world, sid, 2)
    assert session.maturity is Maturity.COMPLETE and session.score_actual == 66.67
    assert session.current and session.current.submitted_at == T0
    assert world.sessions.stats == {"sessions": 1, "attempts": 1, "scored": 1, "scoreSum": 66.67, "h:66.67": 1}
    (kept,) = world.sessions.history.values()
    assert kept.history_note and kept.history_note.reason == "submit" and kept.maturity is Maturity.IN_PROGRESS


def test_one_read_of_the_items_serves_validation_and_scoring(world):
    sid = world.start()
    world.exams.item_reads = 0
    submit(world, sid, 3)
    assert world.exams.item_reads == 1


def test_responses_after_the_end_complete_the_attempt_and_are_refused(world):
    sid = world.start()
    world.attempts().set_responses(sid, answers(1, ("a",)), False)
    world.now = T0 + timedelta(minutes=61)
    with pytest.raises(Conflict) as caught:
        world.attempts().set_responses(sid, answers(3), True)
    assert (T0 + timedelta(minutes=60)).isoformat() in caught.value.message
    stored = world.sessions.live[sid]
    assert stored.maturity is Maturity.COMPLETE and stored.score_actual == 33.33
    assert stored.current and stored.current.responses == {"a": {"aq": [2]}}


def test_a_lost_race_is_reapplied_once_then_409(world):
    sid = world.start()
    other = world.attempts()
    world.sessions.before_save.append(lambda: other.set_responses(sid, answers(1, ("b",)), False))
    world.attempts().set_responses(sid, answers(1, ("a",)), False)
    assert world.sessions.live[sid].current.responses == {"a": {"aq": [2]}, "b": {"bq": [2]}}  # type: ignore
    world.sessions.before_save += [lambda: other.set_responses(sid, answers(0, ("c",)), False)] * 2
    with pytest.raises(ConcurrentUpdate):
        world.attempts().set_responses(sid, answers(0, ("a",)), True)
    assert world.sessions.live[sid].maturity is Maturity.IN_PROGRESS


def test_concurrent_writers_never_lose_an_acknowledged_update(world):
    """Threads save different questions at once; every write that was acknowledged is in the session."""
    world.exams.items.update({i: choice_item(i) for i in "defgh"})
    world.exams.exam.item_pool = list(world.exams.items)
    sid = world.start()
    world.sessions.read_delay = 0.005
    barrier, acknowledged, refused = threading.Barrier(8), [], []

    def writer(item: str) -> None:
        service = world.attempts()
        barrier.wait()
        try:
            service.set_responses(sid, [ItemAnswer(item, (QuestionAnswer(f"{item}q", (1,)),))], False)
            acknowledged.append(item)
        except ConcurrentUpdate:
            refused.append(item)

    threads = [threading.Thread(target=writer, args=(i,)) for i in "abcdefgh"]
    [t.start() for t in threads]
    [t.join() for t in threads]
    saved = world.sessions.live[sid].current.responses  # type: ignore[union-attr]
    assert acknowledged and set(saved) == set(acknowledged)
    assert len(acknowledged) + len(refused) == 8
    assert world.sessions.live[sid].version == 1 + len(acknowledged)  # one version per acknowledged write
    assert world.sessions.conflicts > 0  # the writers did race


# --- retake ------------------------------------------------------------------------------------
def test_retake_rules(world):
    sid = world.start()
    with pytest.raises(Conflict, match="attempt 1 is not complete"):
        world.attempts().retake(sid)
    submit(world, sid, 3)
    session, _ = world.attempts().retake(sid)
    attempt = session.current
    assert attempt and (attempt.number, attempt.started_at, attempt.ends_at) == (2, T0, T0 + timedelta(minutes=60))
    assert session.score_actual == 100
    submit(world, sid, 0)
    with pytest.raises(Conflict, match=r"all 2 attempts are used \(2 allowed by the exam, 0 extra"):
        world.attempts().retake(sid)
    world.grant(extra_attempts=1, extra_time_minutes=15)
    session, _ = world.attempts().retake(sid)
    assert session.current and session.current.ends_at == T0 + timedelta(minutes=75)
    assert session.current.limited_by is LimitedBy.EXTENSION


def test_retake_is_refused_when_not_retakable_or_closed():
    world = World(retakable=False)
    sid = world.start()
    submit(world, sid, 1)
    with pytest.raises(Conflict, match="does not allow retakes"):
        world.attempts().retake(sid)
    world = World(retakable=True, max_attempts=3)
    sid = world.start()
    submit(world, sid, 1)
    world.now = T0 + timedelta(days=2)
    with pytest.raises(Conflict, match="not open for a new attempt"):
        world.attempts().retake(sid)


def test_retake_settles_an_attempt_past_its_end_first(world):
    sid = world.start()
    world.now = T0 + timedelta(hours=2)
    session, _ = world.attempts().retake(sid)
    assert [a.complete for a in session.attempts] == [True, False] and session.score_actual == 0


@pytest.mark.parametrize("policy,expected", [(ScoringPolicy.HIGHEST, 100), (ScoringPolicy.LATEST, 0),
                                             (ScoringPolicy.AVERAGE, 50)])
def test_session_score_follows_the_policy(policy, expected):
    world = World(retakable=True, max_attempts=2, scoring_policy=policy)
    sid = world.start()
    submit(world, sid, 3)
    world.attempts().retake(sid)
    session, _ = submit(world, sid, 0)
    assert session.score_actual == expected
    assert world.sessions.stats["scoreSum"] == expected and world.sessions.stats["scored"] == 1


# --- reset and reopen --------------------------------------------------------------------------
def test_reset_starts_over_and_records_who_and_when(world):
    sid = world.start()
    submit(world, sid, 2)
    world.now = T0 + timedelta(minutes=5)
    session, _ = world.attempts(TA).reset(sid)
    attempt = session.current
    assert attempt and (attempt.number, attempt.responses, attempt.score_actual) == (1, {}, None)
    assert (attempt.reset_by, attempt.reset_at, attempt.started_at) == (TA, world.now, world.now)
    assert attempt.ends_at == world.now + timedelta(minutes=60)
    kept = world.sessions.history[(sid, 2)]
    assert kept.score_actual == 66.67 and kept.history_note and kept.history_note.by == TA
    assert world.sessions.stats["scored"] == 0 and world.sessions.stats["h:66.67"] == 0


def test_reopen_rules(world):
    sid = world.start()
    with pytest.raises(Conflict, match="already IN_PROGRESS"):
        world.attempts(TA).reopen(sid)
    submit(world, sid, 2)
    session, _ = world.attempts(TA).reopen(sid)
    assert session.maturity is Maturity.IN_PROGRESS and session.score_actual is None
    assert session.current and session.current.responses and session.current.points is None
    assert world.sessions.stats["scored"] == 0
    submit(world, sid, 3)
    world.now = T0 + timedelta(minutes=61)
    with pytest.raises(Conflict, match="time ran out"):
        world.attempts(TA).reopen(sid)
    world.grant(extra_time_minutes=30)
    session, _ = world.attempts(TA).reopen(sid)
    assert session.current and session.current.ends_at == T0 + timedelta(minutes=90)
    submit(world, sid, 3)
    world.now = T0 + timedelta(days=2)
    with pytest.raises(Conflict, match="is closed"):
        world.attempts(TA).reopen(sid)


def test_reopened_end_never_shortens():
    world = World()
    attempt = Attempt(number=1, started_at=T0, ends_at=T0 + timedelta(minutes=90), limited_by=LimitedBy.EXTENSION)
    assert reopened_end(world.exams.exam, None, attempt) == (T0 + timedelta(minutes=90), LimitedBy.EXTENSION)
    untimed = Attempt(number=1, started_at=T0)
    assert reopened_end(world.exams.exam, None, untimed) == (None, LimitedBy.UNTIMED)


# --- who may ------------------------------------------------------------------------------------
def test_rights(world):
    sid = world.start()
    submit(world, sid, 1)
    with pytest.raises(NotFound):
        world.attempts(OTHER).retake(sid)
    with pytest.raises(NotFound):
        world.attempts(OTHER).set_responses(sid, [], False)
    for action in ("reset", "reopen"):
        with pytest.raises(Forbidden, match="attempt:manage"):
            getattr(world.attempts(STUDENT), action)(sid)
    viewer = world.attempts("k", kind="key", rights=frozenset({"course:view"}))
    with pytest.raises(Forbidden):
        viewer.retake(sid)
    with pytest.raises(NotFound):
        world.attempts("k", kind="key", rights=frozenset()).retake(sid)
    world.attempts(TA).retake(sid)  # on the student's behalf
