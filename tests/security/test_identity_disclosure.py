"""Refusals do not reveal whether an identity exists (issue 17, point 6): a course's staff naming someone
outside the course gets the same answer whether that person has an account (Bianca, a student of another
course, by id, username or email) or not (a made-up id or email), on every route that takes a person, on moto.
The answers are compared with the identifier itself blanked out."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import call
from tests.security import world as w
from tests.security.matrix import ROWS, exam_number

EXISTING = {"id": w.BIANCA, "email": w.email(w.BIANCA)}
MADE_UP = {"id": "mx-nobody-at-all", "email": "nobody.at.all@mx-school.test"}


@pytest.fixture(scope="module")
def world() -> Iterator[w.World]:
    with w.moto_world({row.lacks for row in ROWS}) as built:
        yield built


def requests(person: str) -> dict[str, tuple[str, dict[str, str], dict[str, Any] | None, str]]:
    """route -> (route name, path, body, caller): each names ``person`` somewhere."""
    edx = {"course_id": w.ALPHA, "exam_id": exam_number(w.LIVE)}
    return {
        "grant allowance": ("openedx_grant_allowance", edx, {"user_ids": [person], "value": "20",
                                                              "allowance_type": "additional_time_granted"}, w.TA),
        "bulk allowances": ("openedx_bulk_create_allowances", {"course_id": w.ALPHA},
                            {"user_ids": [person], "exam_ids": [int(exam_number(w.LIVE))], "value": "20",
                             "allowance_type": "additional_time_granted"}, w.TA),
        "remove allowance": ("openedx_remove_allowance", edx, {"user_ids": [person],
                                                                "allowance_type": "additional_time_granted"}, w.TA),
        "reset attempt": ("openedx_reset_attempt", {**edx, "username": person}, None, w.TA),
        "canvas extension": ("canvas_quiz_extensions", {"course_id": w.ALPHA, "quiz_id": w.LIVE},
                             {"quiz_extensions": [{"user_id": person, "extra_time": 5}]}, w.TA),
        "start a session for": ("examspark_start_session", {"examConfigId": w.LIVE}, {"user_id": person}, w.TA),
        "assign a test to": ("powerpath_make_assignment", {}, {"student": person, "lesson": w.LESSON}, w.INSTRUCTOR),
    }


def answer(world: w.World, what: str, person: str) -> tuple[int, str]:
    name, path, body, caller = requests(person)[what]
    got = call(name, path, as_user=caller, body=body)
    world.restore()
    text = json.dumps(got.body, sort_keys=True).replace(person, "<who>")
    return got.status, text


@pytest.mark.parametrize("what", list(requests("x")))
@pytest.mark.parametrize("kind", ["id", "email"])
def test_someone_outside_the_course_and_no_one_get_the_same_refusal(world, what, kind):
    existing, made_up = answer(world, what, EXISTING[kind]), answer(world, what, MADE_UP[kind])
    assert existing[0] >= 400 or '"success": false' in existing[1], existing  # a refusal, not a grant
    assert existing == made_up
