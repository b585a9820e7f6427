"""Exams, items and objectives. Latest at ``#v0``; each change also writes ``#v<n>`` in the same transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from functions.core.errors import InvalidInput
from functions.core.models import Exam, Item, Objective
from functions.core.numeric_ids import Kind
from functions.data import keys, tokens
from functions.data.aliases import alias_op
from functions.data.exam_windows import window_ops
from functions.data.store import NEW_ITEM, SAME_VERSION, Store, from_item, op_put, to_item
from functions.data.writers import Op, saves

if TYPE_CHECKING:
    from functions.core.changes import Saved

ItemPage = tuple[list[Item], str | None]


class ExamRepository:
    def __init__(self, store: Store | None = None) -> None:
        self.store = store or Store()

    # --- exams -----------------------------------------------------------------------------------
    def get_exam(self, exam_id: str) -> Exam | None:
        return self.store.get_model(Exam, keys.exam_key(exam_id))

    def list_exams(self, course_id: str, limit: int, token: str | None) -> tuple[list[Exam], str | None]:
        index, pk, prefix = keys.course_exams_query(course_id)
        page = self.store.query_page(pk, prefix, index=index, limit=limit, token=token)
        return [from_item(Exam, i) for i in page.items], page.next_token

    # --- items -----------------------------------------------------------------------------------
    def get_item(self, item_id: str) -> Item | None:
        return self.store.get_model(Item, keys.item_key(item_id))

    def get_items(self, item_ids: list[str]) -> dict[str, Item]:
        found = self.store.batch_get([keys.item_key(i) for i in item_ids])
        return {i[keys.PK]: from_item(Item, i) for i in found}

    def list_pool_items(self, item_ids: list[str], limit: int, token: str | None) -> ItemPage:
        """A page of an exam's pool, in pool order, with one BatchGetItem. The seed-format token names the
        last item of the previous page; one that names no item of this pool is a 400."""
        start = 0
        if token:
            key = tokens.decode(token)[0]
            if key[keys.SK] != keys.versioned(keys.ITEM) or key[keys.PK] not in item_ids:
                raise InvalidInput("nextToken does not belong to this list", field="nextToken")
            start = item_ids.index(key[keys.PK]) + 1
        page_ids = item_ids[start : start + limit]
        found = self.get_items(page_ids) if page_ids else {}
        more = start + limit < len(item_ids)
        next_token = tokens.encode([keys.item_key(page_ids[-1])]) if more else None
        return [found[i] for i in page_ids if i in found], next_token

    # --- objectives ------------------------------------------------------------------------------
    def get_objectives(self, objective_ids: list[str]) -> dict[str, Objective]:
        found = self.store.batch_get([keys.objective_key(i) for i in objective_ids])
        return {o[keys.PK]: from_item(Objective, o) for o in found}


# --- writes (the unit of work's writers, data/writers.py) -------------------------------------------------
def _versioned(model: Exam | Item, key_of: Callable[[str, int], dict[str, str]], index: dict[str, str]) -> list[Op]:
    """Version 1 creates; version n replaces version n-1 only if nobody else changed it meanwhile."""
    latest = to_item(model, key_of(model.id, keys.LATEST), index)
    history = to_item(model, key_of(model.id, model.version))
    if model.version == 1:
        condition, names, values = NEW_ITEM, None, None
    else:
        condition, names, values = SAME_VERSION, {"#version": "version"}, {":expected": model.version - 1}
    return [op_put(latest, condition, names, values), op_put(history, NEW_ITEM)]


@saves("exam")
def exam_writes(change: Saved) -> list[Op]:
    exam: Exam = change.after
    # A new exam gets its Open edX number alias in the same transaction (data/aliases.py).
    alias = [alias_op(Kind.EXAM, exam.id)] if exam.version == 1 else []
    # Its open and close entries for the pre-warm job (data/exam_windows.py), written with it.
    return _versioned(exam, keys.exam_key, keys.exam_index(exam.course_id, exam.id)) + alias + window_ops(exam)


@saves("item")
def item_writes(change: Saved) -> list[Op]:
    item: Item = change.after
    return _versioned(item, keys.item_key, keys.item_index(item.course_id, item.id))


@saves("objective")
def objective_writes(change: Saved) -> list[Op]:
    objective: Objective = change.after
    return [op_put(to_item(objective, keys.objective_key(objective.id)), NEW_ITEM)]
