"""Canvas response shapes and the Link header canvasapi follows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from functions.api.canvas.render import next_link, quiz_extensions, timestamp
from functions.core.extensions import ExtensionView
from functions.core.models import LimitedBy
from functions.core.numeric_ids import Kind, number

T0 = datetime(2026, 11, 1, 9, 0, 5, tzinfo=UTC)


def test_timestamps_are_utc_with_z():
    assert timestamp(T0) == "2026-11-01T09:00:05Z"
    assert timestamp(T0.astimezone(timezone(timedelta(hours=2)))) == "2026-11-01T09:00:05Z"
    assert timestamp(None) is None


def test_entry_has_canvas_fields_and_says_which_limit_applied():
    view = ExtensionView(user_id="kim", exam_id="q", extra_attempts=1, extra_time=20, manually_unlocked=False,
                         time_multiplier=None, allowed_attempts=2, end_at=T0, limited_by=LimitedBy.CLOSE_DATE,
                         updated_at=T0, updated_by="irene")
    (entry,) = quiz_extensions([view])["quiz_extensions"]
    assert entry == {"user_id": number(Kind.USER, "kim"), "quiz_id": number(Kind.EXAM, "q"), "extra_attempts": 1,
                     "extra_time": 20,
                     "manually_unlocked": False, "end_at": "2026-11-01T09:00:05Z", "limited_by": "close_date",
                     "allowed_attempts": 2, "time_multiplier": None, "updated_at": "2026-11-01T09:00:05Z",
                     "updated_by": "irene", "sis_user_id": "kim"}


def test_next_link_is_absolute_on_the_configured_api_url(monkeypatch):
    from functions.platform import settings

    event = {"resource": "/api/v1/courses/{course_id}/quiz_extensions", "pathParameters": {"course_id": "c"},
             "path": "/api/v1/courses/c/quiz_extensions", "requestContext": {"stage": "prod"},
             "headers": {"Host": "evil.example", "X-Forwarded-Proto": "gopher"}}
    monkeypatch.setenv(settings.API_BASE_URL, "https://api.example.edu/v1")
    settings.settings.cache_clear()
    try:
        link = next_link(event, "tok=", 10)
    finally:
        settings.settings.cache_clear()
    assert link == '<https://api.example.edu/v1/api/v1/courses/c/quiz_extensions?page=tok%3D&per_page=10>; rel="next"'
