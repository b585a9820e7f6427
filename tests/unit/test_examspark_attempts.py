"""Attempt rules (core/services/attempts.py) on in-memory repositories: pure, any instant."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from functions.core.errors import ConcurrentUpdate, Conflict, Forbidden, NotFound
from functions.core.models import Attempt, Exam, Extension, LimitedBy, Maturity, ScoringPolicy
from functions.core.responses import ItemAnswer, QuestionAnswer
from functions.core.rights import Principal
from functions.core.services.attempts import AttemptService, reopened_end
from functions.core.services.sessions import SessionService, StartRequest
from tests.memory import Memory, choice_item

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
COURSE, STUDENT, TA, OTHER = "c", "stu", "ta", "oth"


class World:
    """One exam 'e' of three items, a student, a TA and another student, in one Memory; services for any
    caller at any instant (``now``)."""

    def __init__(self, **exam_fields: Any) -> None:
        self.memory = memory = Memory()
        for user, role in ((STUDENT, "student"), (TA, "teaching_assistant"), (OTHER, "student")):
            memory.enroll(COURSE, user, role)
        memory.item(*(choice_item(i, COURSE, objective="o1") for i in ("a", "b", "c")))
        fields = {"opens_at": T0 - timedelta(days=1), "closes_at": T0 + timedelta(days=1), "time_limit_minutes": 60,
                  **exam_fields}
        memory.exam(Exam(id="e", course_id=COURSE, title="E", item_pool=["a", "b", "c"], **fields))
        self.now = T0

    @property
    def exam(self) -> Exam:
        return self.memory.exams["e"]

    @property
    def stats(self) -> dict[str, float]:
        return self.memory.stats.get("e", {})

    def service(self, as_user: str = STUDENT, kind: str = "user", rights: frozenset[str] = frozenset()
                ) -> SessionService:
        principal = Principal(kind=kind, subject=as_user, key_courses=frozenset({COURSE}), key_rights=rights)
        m = self.memory
        return SessionService(people=m, exams=m, sessions=m, unit=m.unit(principal, self.now),
                              access=m.access(principal), now=self.now)

    def attempts(self, as_user: str = STUDENT, **kwargs: Any) -> AttemptService:
        return AttemptService(self.service(as_user, **kwargs))

    def start(self, user: str = STUDENT) -> str:
        session, _, _ = self.service(user).start("e", StartRequest(user=user))
        return session.id

    def grant(self, **fields: Any) -> None:
        self.memory.extension(Extension(course_id=COURSE, exam_id="e", user_id=STUDENT, **fields))


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
    assert world.stats == {"sessions": 1, "attempts": 1}
    session, _ = submit(world, sid, 2)
    assert session.maturity is Maturity.COMPLETE and session.score_actual == 66.67
    assert session.current and session.current.submitted_at == T0
    assert world.stats == {"sessions": 1, "attempts": 1, "scored": 1, "scoreSum": 66.67, "h:66.67": 1}
    (kept,) = world.memory.history.values()
    assert kept.history_note and kept.history_note.reason == "submit" and kept.maturity is Maturity.IN_PROGRESS
    # one audit event per unit, by the student, naming the session
    assert [(e.action, e.actor_id, e.object_ids) for e in world.memory.events] == [
        ("session.start", STUDENT, [sid]), ("session.save", STUDENT, [sid]), ("session.submit", STUDENT, [sid])]


def test_one_read_of_the_items_serves_validation_and_scoring(world):
    sid = world.start()
    world.memory.reads.clear()
    submit(world, sid, 3)
    assert world.memory.reads["get_items"] == 1


def test_responses_after_the_end_complete_the_attempt_and_are_refused(world):
    sid = world.start()
    world.attempts().set_responses(sid, answers(1, ("a",)), False)
    world.now = T0 + timedelta(minutes=61)
    with pytest.raises(Conflict) as caught:
        world.attempts().set_responses(sid, answers(3), True)
    assert (T0 + timedelta(minutes=60)).isoformat() in caught.value.message
    stored = world.memory.sessions[sid]
    assert stored.maturity is Maturity.COMPLETE and stored.score_actual == 33.33
    assert stored.current and stored.current.responses == {"a": {"aq": [2]}}


def test_a_lost_race_is_reapplied_once_then_409(world):
    sid = world.start()
    other = world.attempts()
    world.memory.before_commit.append(lambda: other.set_responses(sid, answers(1, ("b",)), False))
    world.attempts().set_responses(sid, answers(1, ("a",)), False)
    assert world.memory.sessions[sid].current.responses == {"a": {"aq": [2]}, "b": {"bq": [2]}}  # type: ignore
    world.memory.before_commit += [lambda: other.set_responses(sid, answers(0, ("c",)), False)] * 2
    with pytest.raises(ConcurrentUpdate):
        world.attempts().set_responses(sid, answers(0, ("a",)), True)
    assert world.memory.sessions[sid].maturity is Maturity.IN_PROGRESS


def test_concurrent_writers_never_lose_an_acknowledged_update(world):
    """Threads save different questions at once; every write that was acknowledged is in the session."""
    world.memory.item(*(choice_item(i, COURSE, objective="o1") for i in "defgh"))
    world.exam.item_pool = list(world.memory.items)
    sid = world.start()
    world.memory.read_delay = 0.005
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
    saved = world.memory.sessions[sid].current.responses  # type: ignore[union-attr]
    assert acknowledged and set(saved) == set(acknowledged)
    assert len(acknowledged) + len(refused) == 8
    assert world.memory.sessions[sid].version == 1 + len(acknowledged)  # one version per acknowledged write
    assert world.memory.conflicts > 0  # the writers did race


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
    assert world.stats["scoreSum"] == expected and world.stats["scored"] == 1


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
    kept = world.memory.history[(sid, 2)]
    assert kept.score_actual == 66.67 and kept.history_note and kept.history_note.by == TA
    assert world.stats["scored"] == 0 and world.stats["h:66.67"] == 0


def test_reopen_rules(world):
    sid = world.start()
    with pytest.raises(Conflict, match="already IN_PROGRESS"):
        world.attempts(TA).reopen(sid)
    submit(world, sid, 2)
    session, _ = world.attempts(TA).reopen(sid)
    assert session.maturity is Maturity.IN_PROGRESS and session.score_actual is None
    assert session.current and session.current.responses and session.current.points is None
    assert world.stats["scored"] == 0
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
    assert reopened_end(world.exam, None, attempt) == (T0 + timedelta(minutes=90), LimitedBy.EXTENSION)
    untimed = Attempt(number=1, started_at=T0)
    assert reopened_end(world.exam, None, untimed) == (None, LimitedBy.UNTIMED)


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
