"""Canvas response shapes (../shared/seeds/canvas-course-quiz-extensions-api.txt) from domain views, and
the ``Link`` header Canvas clients follow to the next page."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from functions.core.extensions import ExtensionView


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


def next_link(event: dict[str, Any], headers: dict[str, str], page: str, per_page: int) -> str:
    """An absolute URL, as Canvas sends (canvasapi only follows links under its base URL). On API
    Gateway's own domain the stage is part of the URL; on a custom domain and locally it is not."""
    host = headers.get("host", "localhost")
    scheme = headers.get("x-forwarded-proto", "https" if "execute-api" in host else "http")
    stage = (event.get("requestContext") or {}).get("stage")
    prefix = f"/{stage}" if stage and "execute-api" in host else ""
    query = urlencode({"page": page, "per_page": per_page})
    return f'<{scheme}://{host}{prefix}{event.get("path", "")}?{query}>; rel="next"'
