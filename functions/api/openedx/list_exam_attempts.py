"""GET /api/instructor/v2/courses/{course_id}/special_exams/{exam_id}/attempts"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response

from functions.api.openedx import render
from functions.api.openedx.params import (
    CourseId,
    CursorParam,
    ExamId,
    Ordering,
    PageNumber,
    PageSize,
    Search,
    decode_cursor,
    list_query,
    whole,
)
from functions.api.openedx.schemas import ExamAttemptOut
from functions.core.errors import NotFound
from functions.core.listing import MAX_PAGE_SIZE, Page
from functions.platform.http import JSON, RouteApp
from functions.wiring import exam_attempts as attempts

app = RouteApp("openedx_list_exam_attempts", errors=(401, 403, 404))


@app
def list_exam_attempts(course_id: CourseId, exam_id: ExamId, search: Search = None, page: PageNumber = None,
                       page_size: PageSize = None, ordering: Ordering = None, cursor: CursorParam = None
                       ) -> Response[list[ExamAttemptOut]]:
    """The exam's attempts, newest first, as the spec's plain array. Beyond the spec: ``page`` /
    ``page_size`` (default 100, the most), ``search`` and ``ordering``; the ``Link`` header (rel="next")
    and ``X-Total-Count`` say when there is more."""
    query = list_query(search, page, page_size, ordering, default_size=MAX_PAGE_SIZE)
    whole(exam_id, "exam_id")  # not a number: no such resource (404), as edX's URL patterns answer
    try:
        found = attempts(app).exam_attempts(course_id, exam_id, query, decode_cursor(cursor))
    except NotFound:  # a number that is no special exam of this course has no attempts (the spec has no 404)
        found = Page(rows=[], count=0, query=query)
    event = app.resolver.current_event.raw_event
    headers = {"X-Total-Count": str(found.count)}
    if found.has_next:
        headers["Link"] = f'<{render.next_link(found, event)}>; rel="next"'
    body: Any = [render.attempt(v) for v in found.rows]
    return Response(status_code=200, content_type=JSON, body=body, headers=headers)


lambda_handler = app.lambda_handler
