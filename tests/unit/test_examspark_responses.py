"""Checking and merging responses against the drawn items (core/responses.py): pure."""

from __future__ import annotations

import pytest

from functions.core.errors import InvalidInput
from functions.core.responses import ItemAnswer, QuestionAnswer, check, merged, problems
from tests.memory import choice_item

ITEMS = {i: choice_item(i, "c", objective="o1") for i in ("a", "b", "c")}
DRAWN = ["a", "b"]  # "c" exists but was not drawn for this session


def answer(item: str, *indexes: int, question: str | None = None) -> ItemAnswer:
    return ItemAnswer(item, (QuestionAnswer(question or f"{item}q", tuple(indexes)),))


def test_valid_answers_have_no_problems():
    assert problems([answer("a", 2), answer("b", 0, 3)], DRAWN, ITEMS) == []
    check([answer("a")], DRAWN, ITEMS)  # an empty selection is valid: it clears the question


def test_every_problem_is_found():
    found = problems([
        answer("c", 1),  # drawn for someone else, not this session
        answer("zzz", 1),
        answer("a", 4, -1),
        ItemAnswer("b", (QuestionAnswer("nope", (1,)), QuestionAnswer("bq", (1, 1)))),
        answer("a", 1),
    ], DRAWN, ITEMS)
    assert found == [
        "item 'c' is not in this session's question set",
        "item 'zzz' is not in this session's question set",
        "item 'a' question 'aq' has no option index 4 (0..3)",
        "item 'a' question 'aq' has no option index -1 (0..3)",
        "item 'b' question 'nope' does not exist",
        "item 'b' question 'bq' selects an option index twice",
        "item 'a' is given twice",
    ]


def test_a_question_given_twice_in_one_item():
    twice = ItemAnswer("a", (QuestionAnswer("aq", (1,)), QuestionAnswer("aq", (2,))))
    assert problems([twice], DRAWN, ITEMS) == ["item 'a' question 'aq' is given twice"]


def test_check_lists_all_in_one_error_and_caps_the_message():
    with pytest.raises(InvalidInput) as caught:
        check([answer(f"x{n}", 1) for n in range(25)], DRAWN, ITEMS)
    error = caught.value
    assert error.field == "responses" and len(error.details) == 25
    assert error.message.startswith("25 response(s) cannot be saved: item 'x0'")
    assert error.message.endswith("; and 5 more") and "x19" in error.message and "x20" not in error.message


def test_merge_replaces_clears_and_keeps():
    saved = {"a": {"aq": [1]}, "b": {"bq": [0]}}
    result = merged(saved, [answer("a", 3, 2), answer("b")])
    assert result == {"a": {"aq": [2, 3]}}
    assert saved == {"a": {"aq": [1]}, "b": {"bq": [0]}}  # the input is not changed
    assert merged({}, [answer("b", 1)]) == {"b": {"bq": [1]}}
