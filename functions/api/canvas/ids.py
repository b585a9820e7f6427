"""The Canvas ids of one request (a course, maybe a quiz, the students of a grant) turned into ours, with one
read for all those sent as numbers (core/canvas_ids.py); and the page parameter's first-page names."""

from __future__ import annotations

from dataclasses import replace

from functions.core.canvas_ids import ref
from functions.core.errors import InvalidInput
from functions.core.extensions import Grant
from functions.core.numeric_ids import Kind
from functions.wiring import canvas_ids

FIRST_PAGES = ("first", "1")  # Canvas' names of the first page; any other page is a token from a Link header


def ours(course_id: str, quiz_id: str | None = None, grants: list[Grant] | None = None
         ) -> tuple[str, str | None, list[Grant]]:
    course = ref(Kind.COURSE, course_id)
    quiz = ref(Kind.EXAM, quiz_id) if quiz_id is not None else None
    users = [ref(Kind.USER, g.user_id) for g in grants or []]
    found = canvas_ids([course, *([quiz] if quiz else []), *users])
    if not found[course]:
        raise InvalidInput("course_id names no course: send its number or sis_course_id:<id>", field="course_id")
    if quiz and not found[quiz]:
        raise InvalidInput("quiz_id names no quiz: send its number", field="quiz_id")
    return (found[course], found[quiz] if quiz else None,
            [replace(g, user_id=found[u]) for g, u in zip(grants or [], users, strict=True)])


def page_token(page: str | None) -> str | None:
    return None if page is None or page.strip() in FIRST_PAGES else page
