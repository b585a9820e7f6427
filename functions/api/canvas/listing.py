"""The shared body of the two Canvas list routes: one service call, the page, and its Link header."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response

from functions.api.canvas import render
from functions.api.canvas.ids import ours, page_token
from functions.platform.http import JSON, RouteApp
from functions.wiring import extension_service


def extensions_page(app: RouteApp, course_id: str, quiz_id: str | None, per_page: int,
                    page: str | None) -> Response[dict[str, Any]]:
    course, quiz, _ = ours(course_id, quiz_id)
    views, next_page = extension_service(app).granted(course, quiz, per_page, page_token(page))
    headers = None
    if next_page:
        event = app.resolver.current_event.raw_event
        headers = {"Link": render.next_link(event, next_page, per_page)}
    # The body stays a dict: Powertools validates it against the return type, then serializes it.
    return Response(status_code=200, content_type=JSON, body=render.quiz_extensions(views), headers=headers)
