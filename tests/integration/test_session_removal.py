"""Removing a session keeps a restorable record; a new begin draws a new question set; restore puts it back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from functions.core.changes import Work
from functions.core.errors import ConcurrentUpdate, Conflict, NotFound
from functions.core.models import Session, SessionRemoval
from functions.core.rights import Access, Principal
from functions.core.services.removal import SessionRemover, removed
from functions.core.services.sessions import SessionService, StartRequest
from functions.data.directory import DirectoryRepository
from functions.data.exams import ExamRepository
from functions.data.sessions import SessionRepository
from functions.data.stats import StatsRepository
from functions.data.unit_of_work import DynamoUnitOfWork
from tests.factories import classroom, exam, item

T0 = datetime.now(UTC)


def service(user: str, now: datetime = T0) -> SessionService:
    d = DirectoryRepository()
    principal = Principal("user", user)
    return SessionService(d, ExamRepository(), SessionRepository(), DynamoUnitOfWork(principal, now),
                          Access(principal, d), now)


def remover(now: datetime) -> SessionRemover:
    return SessionRemover(SessionRepository(), DynamoUnitOfWork(Principal("user", "admin"), now), now)


def remove(session: Session, by: str, now: datetime) -> SessionRemoval:
    change = removed(session, by, "reset", now)
    remover(now).unit.commit(Work("session.remove", session.course_id, [change]))
    return change.removal


def stats(exam_id: str) -> dict:
    return StatsRepository().get_many([exam_id])[0]


@pytest.fixture
def pool_exam(table):
    room = classroom()
    pool = [item(f"pool-{n}", "course-1").id for n in range(8)]
    exam("pool-exam", "course-1", pool, draw_count=3)
    return room


def test_remove_then_begin_draws_a_new_set_and_restore_is_refused_until_removed_again(pool_exam):
    student = "student-course-1"
    first, _, _ = service(student).start("pool-exam", StartRequest(user=student))
    removal = remove(first, "instructor-course-1", T0 + timedelta(minutes=1))
    assert SessionRepository().get_session(first.id) is None
    assert stats("pool-exam")["sessions"] == 0
    kept = SessionRepository().get_removal(first.id, removal.removal_id)
    assert kept and kept.session.item_ids == first.item_ids and kept.removed_by == "instructor-course-1"

    second, _, created = service(student, T0 + timedelta(minutes=2)).start("pool-exam", StartRequest(user=student))
    assert created and second.id == first.id
    assert set(second.item_ids) != set(first.item_ids) and second.draw_number > first.draw_number
    assert second.version == first.version + 1

    with pytest.raises(ConcurrentUpdate):  # a newer session exists: restoring would overwrite it
        remover(T0 + timedelta(minutes=1)).restore("course-1", [(first.id, removal.removal_id)], "admin")
    remove(second, "instructor-course-1", T0 + timedelta(minutes=3))
    later = remover(T0 + timedelta(minutes=3))
    [restored] = later.restore("course-1", [(first.id, removal.removal_id)], "admin")
    assert restored.item_ids == first.item_ids and restored.version == second.version + 1
    assert SessionRepository().get_session(first.id).item_ids == first.item_ids  # type: ignore[union-attr]
    assert stats("pool-exam")["sessions"] == 1
    with pytest.raises(Conflict):
        later.restore("course-1", [(first.id, removal.removal_id)], "admin")
    with pytest.raises(NotFound):
        later.restore("course-1", [(first.id, "nope")], "admin")


def test_removal_of_a_changed_session_is_refused_and_writes_nothing(pool_exam):
    student = "student-course-1"
    session, _, _ = service(student).start("pool-exam", StartRequest(user=student))
    stale = session.model_copy(update={"version": session.version + 5})
    with pytest.raises(ConcurrentUpdate):
        remove(stale, "x", T0)
    assert SessionRepository().get_session(session.id) is not None
    assert SessionRepository().latest_removal(session.id) is None
