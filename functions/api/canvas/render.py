"""Canvas response shapes (../shared/seeds/canvas-course-quiz-extensions-api.txt) from domain views, and
the ``Link`` header Canvas clients follow to the next page."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from functions.core.extensions import ExtensionView
from functions.platform.links import api_url


def timestamp(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z") if value else None


def quiz_extension(view: ExtensionView) -> dict[str, Any]:
    """Canvas' QuizExtension plus fields Canvas clients ignore: which limit fixed the end (so a close date
    that caps an extension is visible), the attempts allowed, and who granted it when."""
    return {
        "user_id": view.user_id,
        "quiz_id": view.exam_id,
        "extra_attempts": view.extra_attempts,
        "extra_time": view.extra_time,
        "manually_unlocked": view.manually_unlocked,
        "end_at": timestamp(view.end_at),
        "limited_by": view.limited_by.value,
        "allowed_attempts": view.allowed_attempts,
        "time_multiplier": view.time_multiplier,
        "updated_at": timestamp(view.updated_at),
        "updated_by": view.updated_by,
    }


def quiz_extensions(views: list[ExtensionView]) -> dict[str, Any]:
    return {"quiz_extensions": [quiz_extension(v) for v in views]}


def next_link(event: dict[str, Any], page: str, per_page: int) -> str:
    """An absolute URL, as Canvas sends (canvasapi only follows links under its base URL), on the configured
    API base URL (functions/platform/links.py), never on the request's Host header."""
    return f'<{api_url(event, {"page": page, "per_page": per_page})}>; rel="next"'
