"""The timing rules as the services apply them, on in-memory storage with a controllable clock: repeated
start, extensions on the next attempt, expiry on read, unlock, and granting / extending (ExtensionService)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from functions.core.changes import stats_deltas
from functions.core.errors import Conflict, Forbidden, InvalidInput, TooLarge
from functions.core.extensions import Grant
from functions.core.models import Exam, Extension, LimitedBy, Maturity
from functions.core.rights import Principal
from functions.core.services.extensions import ExtensionService
from functions.core.services.sessions import SessionService, StartRequest
from tests.memory import Memory, choice_item

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)


@pytest.fixture
def world() -> Memory:
    w = Memory()
    for uid, role in (("teacher", "instructor"), ("ta", "teaching_assistant"), ("kim", "student"),
                      ("lee", "student")):
        w.enroll("c", uid, role)
    w.item(*(choice_item(i, "c", key=0, options=2) for i in ("i1", "i2")))
    for eid in ("quiz-a", "quiz-b"):
        w.exam(Exam(id=eid, course_id="c", title=eid, time_limit_minutes=60, item_pool=["i1", "i2"],
                    opens_at=T0 - timedelta(days=1), closes_at=T0 + timedelta(days=1)))
    return w


def sessions_at(world: Memory, now: datetime, as_user: str = "kim") -> SessionService:
    principal = Principal("user", as_user)
    return SessionService(people=world, exams=world, sessions=world, unit=world.unit(principal, now),
                          access=world.access(principal), now=now)


def grants_at(world: Memory, now: datetime, as_user: str = "teacher") -> ExtensionService:
    sessions = sessions_at(world, now, as_user)
    return ExtensionService(people=world, exams=world, store=world, unit=sessions.unit, sessions=sessions,
                            access=sessions.access, now=now)


def start(world: Memory, now: datetime, user: str = "kim", exam: str = "quiz-a", context: str = ""):
    session, _, _ = sessions_at(world, now, user).start(exam, StartRequest(user=user, context_id=context))
    return session


# --- starting --------------------------------------------------------------------------------------------
def test_repeated_start_never_resets_the_start_time(world):
    first = start(world, T0)
    again = start(world, T0 + 20 * MIN)
    assert again.id == first.id and again.current.started_at == T0 and again.current.ends_at == T0 + 60 * MIN
    assert len(again.attempts) == 1


def test_extra_time_and_multiplier_apply_to_the_next_attempt(world):
    world.extensions[("quiz-a", "kim")] = Extension(course_id="c", exam_id="quiz-a", user_id="kim",
                                                    extra_time_minutes=15, time_multiplier=1.5)
    session = start(world, T0)
    assert session.current.ends_at == T0 + 105 * MIN and session.current.limited_by is LimitedBy.EXTENSION


def test_an_extension_granted_later_leaves_the_running_attempt_alone(world):
    running = start(world, T0)
    grants_at(world, T0 + 5 * MIN).grant("c", "quiz-a", [Grant(user_id="kim", extra_time=30)])
    assert world.sessions[running.id].current.ends_at == T0 + 60 * MIN
    world.exams["quiz-a"] = world.exams["quiz-a"].model_copy(update={"max_attempts": 2})
    # A launch context is taken from a trusted caller (staff, a key); the student's own would be ignored.
    other_context, _, _ = sessions_at(world, T0 + 10 * MIN, "teacher").start(
        "quiz-a", StartRequest(user="kim", context_id="section-2"))
    assert other_context.id != running.id and other_context.current.ends_at == T0 + 100 * MIN


def test_expiry_is_enforced_on_read(world):
    session = start(world, T0)
    got, _ = sessions_at(world, T0 + 61 * MIN).get(session.id)
    assert got.maturity is Maturity.COMPLETE and got.current.submitted_at == T0 + 60 * MIN
    assert world.sessions[session.id].current.complete  # written by the read path (persist_expiry)


def test_unlock_lets_a_student_start_after_close_without_a_cap(world):
    world.exams["quiz-a"] = world.exams["quiz-a"].model_copy(update={"closes_at": T0 - MIN})
    with pytest.raises(Conflict):
        start(world, T0)
    grants_at(world, T0).grant("c", "quiz-a", [Grant(user_id="kim", manually_unlocked=True)])
    session = start(world, T0)
    assert session.current.ends_at == T0 + 60 * MIN and session.current.limited_by is LimitedBy.TIME_LIMIT


def test_close_date_caps_the_next_attempt_and_the_grant_shows_it(world):
    world.exams["quiz-a"] = world.exams["quiz-a"].model_copy(update={"closes_at": T0 + 70 * MIN})
    (view,) = grants_at(world, T0).grant("c", "quiz-a", [Grant(user_id="kim", extra_time=30)])
    assert view.end_at is None and view.limited_by is LimitedBy.CLOSE_DATE
    assert start(world, T0).current.ends_at == T0 + 70 * MIN


# --- granting --------------------------------------------------------------------------------------------
def test_values_replace_earlier_ones_and_the_earlier_value_stays_restorable(world):
    grants_at(world, T0).grant("c", "quiz-a", [Grant(user_id="kim", extra_time=30, extra_attempts=2)])
    (view,) = grants_at(world, T0 + MIN, "ta").grant("c", "quiz-a", [Grant(user_id="kim", extra_time=10)])
    stored = world.extensions[("quiz-a", "kim")]
    assert (stored.extra_time_minutes, stored.extra_attempts, stored.version) == (10, 2, 2)
    assert (stored.updated_by, stored.updated_at) == ("ta", T0 + MIN)
    assert view.allowed_attempts == 3 and view.extra_time == 10
    (replaced,) = world.extension_history
    previous = replaced.extension
    assert previous.extra_time_minutes == 30 and previous.updated_by == "teacher" and replaced.by == "ta"
    assert replaced.at == T0 + MIN and not replaced.deleted


def test_an_allowance_multiplier_survives_a_canvas_grant(world):
    world.extensions[("quiz-a", "kim")] = Extension(course_id="c", exam_id="quiz-a", user_id="kim",
                                                    time_multiplier=2.0)
    grants_at(world, T0).grant("c", "quiz-a", [Grant(user_id="kim", extra_time=10)])
    assert world.extensions[("quiz-a", "kim")].time_multiplier == 2.0
    assert start(world, T0).current.ends_at == T0 + 130 * MIN


def test_a_grant_that_changes_nothing_writes_nothing(world):
    grants_at(world, T0).grant("c", "quiz-a", [Grant(user_id="kim", extra_time=30)])
    grants_at(world, T0 + MIN).grant("c", "quiz-a", [Grant(user_id="kim", extra_time=30)])
    # The first: the extension, its quiz's allowance counter (an allowance row appeared) and the audit event;
    # the second changes nothing, so nothing is sent.
    assert world.sizes == [3, 0] and world.extensions[("quiz-a", "kim")].updated_at == T0
    assert world.allowance_rows == {"quiz-a": 1} and [e.action for e in world.events] == ["extension.grant"]


def test_course_wide_grant_is_one_entry_per_student_per_quiz(world):
    views = grants_at(world, T0).grant("c", None, [Grant(user_id="kim", extra_attempts=1),
                                                   Grant(user_id="lee", extra_attempts=2)])
    assert [(v.user_id, v.exam_id, v.extra_attempts) for v in views] == [
        ("kim", "quiz-a", 1), ("kim", "quiz-b", 1), ("lee", "quiz-a", 2), ("lee", "quiz-b", 2)]
    # One unit: four extensions (extra attempts are no allowance row: no counter moves) and one audit event.
    assert world.sizes == [5] and len(world.events[0].changes) == 4 and world.allowance_rows == {}


def test_rights_and_students_are_checked_before_anything_is_written(world):
    with pytest.raises(Forbidden):
        grants_at(world, T0, "kim").grant("c", "quiz-a", [Grant(user_id="kim", extra_time=5)])
    with pytest.raises(InvalidInput, match="'ta'"):
        grants_at(world, T0).grant("c", "quiz-a", [Grant(user_id="kim", extra_time=5), Grant(user_id="ta")])
    with pytest.raises(InvalidInput, match="listed twice"):
        grants_at(world, T0).grant("c", "quiz-a", [Grant(user_id="kim"), Grant(user_id="kim")])
    assert world.extensions == {} and world.committed == []


def test_a_grant_bigger_than_one_transaction_is_refused_whole(world):
    for n in range(60):
        world.enroll("c", f"s{n}", "student")
        world.extensions[("quiz-a", f"s{n}")] = Extension(course_id="c", exam_id="quiz-a", user_id=f"s{n}",
                                                          version=1)
    # 60 extensions with their history copies, the quiz's allowance counter and the audit event.
    with pytest.raises(TooLarge, match="122 writes"):
        grants_at(world, T0).grant("c", "quiz-a", [Grant(user_id=f"s{n}", extra_time=5) for n in range(60)])
    assert world.committed == [] and all(x.extra_time_minutes == 0 for x in world.extensions.values())


# --- moving a running attempt ----------------------------------------------------------------------------
def test_extend_from_now_and_from_end_at_move_the_running_attempt_through_commit(world):
    session = start(world, T0)
    (view,) = grants_at(world, T0 + 40 * MIN).grant("c", "quiz-a", [Grant(user_id="kim", extend_from_now=45)])
    moved = world.sessions[session.id]
    assert moved.current.ends_at == T0 + 85 * MIN and moved.version == 2 and view.end_at == T0 + 85 * MIN
    grants_at(world, T0 + 50 * MIN).grant("c", "quiz-a", [Grant(user_id="kim", extend_from_end_at=15)])
    assert world.sessions[session.id].current.ends_at == T0 + 100 * MIN
    assert world.sessions[session.id].current.limited_by is LimitedBy.EXTENSION


def test_a_timed_out_attempt_reopens_within_the_hour_and_its_score_leaves_the_statistics(world):
    kim, lee = start(world, T0), start(world, T0, user="lee")
    for sid in (kim.id, lee.id):
        sessions_at(world, T0 + 70 * MIN, "teacher").get(sid)  # expiry completes and scores them
    assert world.sessions[kim.id].score_actual == 0
    world.stats.clear()
    grants_at(world, T0 + 90 * MIN).grant("c", "quiz-a", [Grant(user_id="kim", extend_from_now=20),
                                                           Grant(user_id="lee", extend_from_now=20)])
    reopened = world.sessions[kim.id]
    assert reopened.maturity is Maturity.IN_PROGRESS and reopened.score_actual is None
    assert reopened.current.ends_at == T0 + 110 * MIN
    assert [h.maturity for h in world.history.values()] == [Maturity.COMPLETE, Maturity.COMPLETE]
    # both sessions' statistics changes are one update of the exam's statistics item
    assert [(d.exam_id, d.delta) for d in stats_deltas(world.works[-1].changes)] == [
        ("quiz-a", {"scored": -2, "h:0": -2})]
    assert world.stats == {"quiz-a": {"scored": -2, "h:0": -2}}


def test_an_attempt_that_ended_more_than_an_hour_ago_does_not_move_and_nothing_is_written(world):
    session = start(world, T0)
    with pytest.raises(Conflict, match="more than an hour ago"):
        grants_at(world, T0 + 121 * MIN).grant("c", "quiz-a", [Grant(user_id="kim", extend_from_now=10,
                                                                     extra_time=5)])
    assert world.sessions[session.id].version == 1 and world.extensions == {}


def test_course_wide_extend_moves_what_runs_and_refuses_when_nothing_does(world):
    running = start(world, T0, exam="quiz-b")
    views = grants_at(world, T0 + 30 * MIN).grant("c", None, [Grant(user_id="kim", extend_from_end_at=30)])
    assert {v.exam_id: v.end_at for v in views} == {"quiz-a": None, "quiz-b": T0 + 90 * MIN}
    assert world.sessions[running.id].current.ends_at == T0 + 90 * MIN
    with pytest.raises(Conflict, match="no attempt"):
        grants_at(world, T0).grant("c", None, [Grant(user_id="lee", extend_from_now=10)])
