"""The authoring rules that need no storage (functions/core/content.py)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from functions.core import content
from functions.core.errors import InvalidInput, TooLarge
from functions.core.models import Exam, Item, Option, Question

NOW = datetime(2030, 5, 1, 12, tzinfo=UTC)


def exam(**fields: object) -> Exam:
    return Exam(id="e", course_id="c", title="E", **fields)  # type: ignore[arg-type]


def item(questions: list[Question], **fields: object) -> Item:
    return Item(id="i", course_id="c", name="I", questions=questions, **fields)  # type: ignore[arg-type]


def question(n: int = 2, keys: int = 1, qid: str = "q") -> Question:
    return Question(id=qid, options=[Option(id=f"o{i}", content="x", is_key=i < keys) for i in range(n)])


def test_new_id_keeps_a_good_id_and_makes_one_otherwise():
    assert content.new_id("a.b:c_d-1") == "a.b:c_d-1"
    assert uuid.UUID(content.new_id(None)).version == 4
    with pytest.raises(InvalidInput):
        content.new_id("a|b")


@pytest.mark.parametrize("fields,field", [
    ({"opens_at": NOW, "due_at": NOW - timedelta(seconds=1)}, "dueAt"),
    ({"opens_at": NOW, "closes_at": NOW - timedelta(seconds=1)}, "closesAt"),
    ({"time_limit_minutes": 0}, "timeLimitMinutes"),
    ({"max_attempts": 101}, "maxAttempts"),
    ({"item_pool": ["a", "b"], "draw_count": 3}, "drawCount"),
    ({"item_pool": ["a", "a"]}, "itemPool"),
    ({"score_min": 5, "score_max": 1}, "scoreMax"),
])
def test_check_exam_names_the_field(fields, field):
    with pytest.raises(InvalidInput) as refused:
        content.check_exam(exam(**fields))
    assert refused.value.field == field


def test_equal_dates_and_a_full_draw_are_fine():
    content.check_exam(exam(opens_at=NOW, due_at=NOW, closes_at=NOW, item_pool=["a"], draw_count=1))


def test_check_item():
    content.check_item(item([question()]))
    with pytest.raises(InvalidInput, match="key"):
        content.check_item(item([question(keys=0)]))
    with pytest.raises(InvalidInput, match="repeats q"):
        content.check_item(item([question(), question()]))
    with pytest.raises(TooLarge):
        big = [Question(id=f"q{n}", options=[Option(id=f"o{i}", content="x" * 5000, is_key=True)
                                             for i in range(20)]) for n in range(20)]
        content.check_item(item(big))


def test_with_ids_fills_only_what_is_missing():
    filled = content.with_ids([{"id": "q1", "options": [{"content": "a"}, {"id": "o2", "content": "b"}]}])
    assert filled[0]["id"] == "q1" and filled[0]["options"][1]["id"] == "o2" and filled[0]["options"][0]["id"]


def test_require_in_course_lists_missing_and_foreign_ids_alike():
    with pytest.raises(InvalidInput) as refused:
        content.require_in_course(["a", "b", "c"], {"a": "c1", "b": "c2"}, "c1", "itemPool")
    assert refused.value.message.endswith("b, c")


def test_visible_to_students():
    assert content.visible_to_students(exam(), NOW)
    assert not content.visible_to_students(exam(active=False), NOW)
    assert content.visible_to_students(exam(hide_after_due=True, due_at=NOW + timedelta(minutes=1)), NOW)
    assert not content.visible_to_students(exam(hide_after_due=True, due_at=NOW - timedelta(minutes=1)), NOW)
    assert content.visible_to_students(exam(due_at=NOW - timedelta(minutes=1)), NOW)
