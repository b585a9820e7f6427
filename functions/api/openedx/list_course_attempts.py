"""GET /api/instructor/v2/courses/{course_id}/special_exams/attempts"""

from __future__ import annotations

from functions.api.openedx import render
from functions.api.openedx.params import (
    CourseId,
    CursorParam,
    Ordering,
    PageNumber,
    PageSize,
    Search,
    decode_cursor,
    list_query,
)
from functions.api.openedx.schemas import AttemptPageOut
from functions.platform.http import RouteApp
from functions.wiring import exam_attempts as attempts

app = RouteApp("openedx_list_course_attempts", errors=(401, 403, 404))


@app
def list_course_attempts(course_id: CourseId, search: Search = None, page: PageNumber = None,
                         page_size: PageSize = None, ordering: Ordering = None,
                         cursor: CursorParam = None) -> AttemptPageOut:
    """Every attempt on the course's special exams, newest first: ``search`` (username or email prefix, any
    case), ``page`` and ``page_size`` (1..100, default 10), ``ordering`` (username, email, start_time; '-'
    first for descending), ``cursor`` (as the ``next`` link gives it)."""
    query = list_query(search, page, page_size, ordering)
    found = attempts(app).course_attempts(course_id, query, decode_cursor(cursor))
    body = render.paginated(found, [render.attempt(v) for v in found.rows],
                            app.resolver.current_event.raw_event)
    return AttemptPageOut.model_validate(body)


lambda_handler = app.lambda_handler
