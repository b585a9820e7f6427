"""Checking and merging a student's responses against the session's drawn items (pure: no storage)."""

from __future__ import annotations

from dataclasses import dataclass

from functions.core.errors import InvalidInput
from functions.core.models import Item

MAX_LISTED = 20  # problems named in one message; the count says how many more there were


@dataclass(frozen=True)
class QuestionAnswer:
    question_id: str
    indexes: tuple[int, ...]  # selected option indexes; empty clears the question's response


@dataclass(frozen=True)
class ItemAnswer:
    item_id: str
    questions: tuple[QuestionAnswer, ...]


def problems(answers: list[ItemAnswer], item_ids: list[str], items: dict[str, Item]) -> list[str]:
    """Everything wrong with ``answers``: items outside the session's question set, unknown questions,
    option indexes out of range, and repeats. Empty when the answers may be saved."""
    found: list[str] = []
    in_session = set(item_ids)
    seen_items: set[str] = set()
    for answer in answers:
        if answer.item_id in seen_items:
            found.append(f"item '{answer.item_id}' is given twice")
            continue
        seen_items.add(answer.item_id)
        item = items.get(answer.item_id) if answer.item_id in in_session else None
        if item is None:
            found.append(f"item '{answer.item_id}' is not in this session's question set")
            continue
        questions = {q.id: q for q in item.questions}
        seen_questions: set[str] = set()
        for given in answer.questions:
            where = f"item '{answer.item_id}' question '{given.question_id}'"
            if given.question_id in seen_questions:
                found.append(f"{where} is given twice")
                continue
            seen_questions.add(given.question_id)
            question = questions.get(given.question_id)
            if question is None:
                found.append(f"{where} does not exist")
                continue
            last = len(question.options) - 1
            found += [f"{where} has no option index {i} (0..{last})"
                      for i in given.indexes if not 0 <= i <= last]
            if len(set(given.indexes)) != len(given.indexes):
                found.append(f"{where} selects an option index twice")
    return found


def check(answers: list[ItemAnswer], item_ids: list[str], items: dict[str, Item]) -> None:
    """One 400 that lists every problem (nothing is written when there is any)."""
    found = problems(answers, item_ids, items)
    if not found:
        return
    listed = "; ".join(found[:MAX_LISTED])
    more = f"; and {len(found) - MAX_LISTED} more" if len(found) > MAX_LISTED else ""
    raise InvalidInput(f"{len(found)} response(s) cannot be saved: {listed}{more}", field="responses",
                       details=found)


Saved = dict[str, dict[str, list[int]]]  # item id -> question id -> selected option indexes


def merged(saved: Saved, answers: list[ItemAnswer]) -> Saved:
    """Saved responses with ``answers`` applied: a question given replaces its earlier selection, an empty
    selection clears it, anything not given is kept."""
    result = {item_id: dict(questions) for item_id, questions in saved.items()}
    for answer in answers:
        questions = result.setdefault(answer.item_id, {})
        for given in answer.questions:
            if given.indexes:
                questions[given.question_id] = sorted(given.indexes)
            else:
                questions.pop(given.question_id, None)
        if not questions:
            result.pop(answer.item_id)
    return result
