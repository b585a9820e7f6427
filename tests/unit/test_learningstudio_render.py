"""LearningStudio answer shapes and the reset id's format (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from functions.api.learningstudio import render
from functions.api.learningstudio.params import parse_reset_id, reset_id
from functions.core.errors import InvalidInput
from functions.core.models import Attempt, LimitedBy, Session, SessionRemoval
from functions.core.services.exam_instances import instance, reset_of

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def session(*attempts: Attempt) -> Session:
    return Session(id="s-1", exam_id="e", course_id="c", user_id="u", item_ids=["i3", "i1"], draw_number=2,
                   attempts=list(attempts), created_at=T0, updated_at=T0 + timedelta(minutes=9))


def test_an_instance_in_progress():
    running = Attempt(number=1, started_at=T0, ends_at=T0 + timedelta(minutes=30), limited_by=LimitedBy.TIME_LIMIT)
    body = render.user_exam(instance(session(running), T0 + timedelta(minutes=1)))
    assert body == {
        "id": "e", "instanceId": "s-1", "sessionIds": ["s-1"], "userId": "u", "courseId": "c", "status": "inProgress",
        "attempts": [{"number": 1, "status": "inProgress", "startedAt": T0.isoformat(),
                      "endsAt": (T0 + timedelta(minutes=30)).isoformat(), "submittedAt": None,
                      "limitedBy": "time_limit"}],
        "currentAttempt": 1, "questionSet": {"draw": 2, "itemIds": ["i3", "i1"]},
        "beganAt": T0.isoformat(), "completedAt": None, "updatedAt": (T0 + timedelta(minutes=9)).isoformat(),
    }


def test_a_timed_out_attempt_not_yet_stored_shows_completed_at_its_end():
    end = T0 + timedelta(minutes=30)
    body = render.user_exam(instance(session(Attempt(number=1, started_at=T0, ends_at=end)), end))
    assert body["status"] == "completed" and body["completedAt"] == end.isoformat()
    assert body["attempts"][0]["status"] == "timedOut" and body["attempts"][0]["submittedAt"] is None


def test_a_retaken_instance_lists_every_attempt():
    first = Attempt(number=1, started_at=T0, submitted_at=T0 + timedelta(minutes=3))
    second = Attempt(number=2, started_at=T0 + timedelta(hours=1))
    body = render.user_exam(instance(session(first, second), T0 + timedelta(hours=2)))
    assert [a["status"] for a in body["attempts"]] == ["submitted", "inProgress"]
    assert body["currentAttempt"] == 2 and body["status"] == "inProgress"


def test_a_reset_record_and_the_list_wrappers():
    answered = Attempt(number=1, started_at=T0, responses={"i3": {"i3q": [1]}, "i1": {"i1q": [0], "x": []}})
    removal = SessionRemoval(session=session(answered), removed_at=T0 + timedelta(hours=1), removed_by="admin",
                             reason="dropped")
    body = render.reset(reset_of(removal, T0))
    assert body["id"] == "s-1_20261102T100000.000000Z" and body["status"] == "restorable"
    assert (body["resetBy"], body["reason"], body["savedAnswers"]) == ("admin", "dropped", 3)
    assert body["restoredAt"] is None and body["exam"]["instanceId"] == "s-1"
    restored = removal.model_copy(update={"restored_at": T0 + timedelta(hours=2), "restored_by": "boss"})
    assert render.reset(reset_of(restored, T0))["status"] == "restored"
    assert render.resets([], None) == {"resets": [], "nextToken": None}
    assert render.user_exams([], "tok") == {"exams": [], "nextToken": "tok"}


def test_reset_ids_round_trip_and_malformed_ones_are_400():
    removal = SessionRemoval(session=session(), removed_at=T0, removed_by="a", reason="r")
    assert parse_reset_id(reset_id(removal)) == ("s-1", removal.removal_id)
    assert parse_reset_id("a_b_20261102T090000.000000Z") == ("a_b", "20261102T090000.000000Z")
    for bad in ("nounderscore", "_x", "x_"):
        with pytest.raises(InvalidInput) as refused:
            parse_reset_id(bad)
        assert refused.value.field == "resetId"
