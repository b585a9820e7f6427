"""The audit event builder (functions/core/audit.py): who, what, before/after, redaction, size budgets."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from functions.core import audit
from functions.core.audit import Change
from functions.core.models import Session, User
from functions.core.rights import Principal

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
TEACHER = Principal("user", "teacher-1")


def test_an_event_says_who_what_when_with_before_and_after():
    before = Session(id="s1", exam_id="e1", course_id="c1", user_id="u1", name="Kevin Campbell", version=1)
    after = before.model_copy(update={"version": 2, "score_actual": 80.0})
    event = audit.event(TEACHER, NOW, "session.submit", "c1", [Change("session", "s1", before, after)])
    assert (event.actor_kind, event.actor_id, event.action, event.course_id, event.at) == (
        "user", "teacher-1", "session.submit", "c1", NOW)
    assert event.event_id.startswith("20250301T120000.000000Z-") and event.object_ids == ["s1"]
    change = event.changes[0]
    assert change["form"] == "full" and change["fields"] == ["score_actual", "version"]
    assert json.loads(change["before"])["version"] == 1 and json.loads(change["after"])["score_actual"] == 80.0


def test_personal_data_never_enters_an_event():
    before = User(id="u1", username="kcampbell", email="kevin@example.edu", name="Kevin Campbell")
    after = before.model_copy(update={"email": "k2@example.edu"})
    event = audit.event(TEACHER, NOW, "user.update", None, [Change("user", "u1", before, after)])
    text = json.dumps(event.changes)
    for secret in ("kcampbell", "kevin@example.edu", "k2@example.edu", "Kevin Campbell"):
        assert secret not in text
    assert event.changes[0]["fields"] == ["email"]  # that it changed is kept, not what it was
    assert json.loads(event.changes[0]["after"])["email"] == audit.REDACTED
    session = Session(id="s", exam_id="e", course_id="c", user_id="u1", name="Kevin Campbell",
                      lti={"contextId": "ctx", "lis_person_name_full": "Kevin Campbell"})
    assert "Kevin" not in json.dumps(audit.event(TEACHER, NOW, "session.start", "c",
                                                 [Change("session", "s", None, session)]).changes)


def test_big_snapshots_keep_the_changed_fields_then_digests():
    big = {"blob": "x" * 20_000, "small": 1}
    diff = audit.event(TEACHER, NOW, "exam.update", "c", [Change("exam", "e", big, {**big, "small": 2})])
    assert diff.changes[0]["form"] == "diff" and json.loads(diff.changes[0]["after"]) == {"small": 2}
    huge = audit.event(TEACHER, NOW, "exam.update", "c", [Change("exam", "e", big, {"blob": "y" * 20_000})])
    assert huge.changes[0]["form"] == "digest" and set(json.loads(huge.changes[0]["before"])) == {"sha256", "bytes"}


def test_an_event_of_a_hundred_changes_stays_under_the_item_limit():
    changes = [Change("session", f"s{n}", {"blob": "x" * 10_000}, None) for n in range(100)]
    event = audit.event(TEACHER, NOW, "session.remove", "c", changes)
    assert len(json.dumps(event.changes)) < 350_000
