"""GET /api/instructor/v2/courses/{course_id}/special_exams/allowances"""

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
from functions.api.openedx.schemas import AllowancePageOut
from functions.platform.http import RouteApp
from functions.wiring import allowances

app = RouteApp("openedx_list_course_allowances", errors=(401, 403, 404))


@app
def list_course_allowances(course_id: CourseId, search: Search = None, page: PageNumber = None,
                           page_size: PageSize = None, ordering: Ordering = None,
                           cursor: CursorParam = None) -> AllowancePageOut:
    """The allowances on the course's special exams, one per user, exam and key: ``search`` (username or
    email prefix), ``page``, ``page_size`` (1..100, default 10), ``ordering`` (username, email), ``cursor``
    (as the ``next`` link gives it). A ``time_multiplier`` row also says the minutes it adds to that exam
    (``additional_minutes``)."""
    query = list_query(search, page, page_size, ordering)
    found = allowances(app).course_allowances(course_id, query, decode_cursor(cursor))
    body = render.paginated(found, [render.allowance(v) for v in found.rows],
                            app.resolver.current_event.raw_event)
    return AllowancePageOut.model_validate(body)


lambda_handler = app.lambda_handler
