"""Path and query parameters of the Open edX routes.

``exam_id`` is read as text: a value that is not one of our exam numbers is a 404 (as Open edX's URL
patterns answer), not a validation error. Course ids are any text (edX's are ``course-v1:org+course+run``).
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from functions.core.listing import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, MAX_SEARCH, ListQuery

MAX_COURSE_ID, MAX_EXAM_ID, MAX_USERNAME = 512, 64, 256  # room for percent-encoding; a DynamoDB key stays < 2 KB
CourseId = Annotated[str, Path(max_length=MAX_COURSE_ID,
                               description="the course id (Open edX: course-v1:{org}+{course}+{run})")]
ExamId = Annotated[str, Path(max_length=MAX_EXAM_ID, description="the exam's number (integer)")]
Username = Annotated[str, Path(max_length=MAX_USERNAME, description="the student's username")]
Search = Annotated[str | None, Query(max_length=MAX_SEARCH,
                                     description="case-insensitive partial match on username or email")]
MAX_PAGE_NUMBER = 100_000
PageNumber = Annotated[int | None, Query(ge=1, le=MAX_PAGE_NUMBER, description="page number, 1 or more")]
PageSize = Annotated[int | None, Query(ge=1, le=MAX_PAGE_SIZE, description=f"results per page, 1..{MAX_PAGE_SIZE}")]
Ordering = Annotated[str | None, Query(max_length=64, description="a field name; '-' first for descending")]
ExamType = Annotated[str | None, Query(max_length=32, description="proctored | timed | practice")]


def list_query(search: str | None, page: int | None, page_size: int | None, ordering: str | None,
               default_size: int = DEFAULT_PAGE_SIZE) -> ListQuery:
    return ListQuery(search=search or "", page=1 if page is None else page,
                     page_size=default_size if page_size is None else page_size, ordering=ordering or "")

