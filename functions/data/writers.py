"""How each entity other than sessions and extensions (``core.changes.Saved.kind``) is written by the unit of
work (data/unit_of_work.py): a writer per kind, ``(Saved) -> [transaction operations]``, with the conditions on
the version read. Each entity's data module registers its own with ``@saves("<kind>")``.

Kept apart from the unit of work so that registering costs a data module nothing at import: most routes import
data/directory.py and never write through the unit of work.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from functions.core.changes import Saved

Op = dict[str, Any]
Writer = Callable[["Saved"], list[Op]]
SAVERS: dict[str, Writer] = {}
# Where each kind's writer is registered: imported on the first change of a kind whose module is not loaded yet
# (the module is normally loaded already: it is where the service reads that entity from).
MODULES = {
    "course": "functions.data.directory", "user": "functions.data.directory", "role": "functions.data.directory",
    "enrollment": "functions.data.directory",
    "exam": "functions.data.exams", "item": "functions.data.exams", "objective": "functions.data.exams",
    "credential": "functions.data.credentials",
    "lesson": "functions.data.external_tests", "subject-track": "functions.data.external_tests",
    "external-test": "functions.data.external_tests",
    "proctoring-settings": "functions.data.proctoring",
}


def saves(kind: str) -> Callable[[Writer], Writer]:
    def register(writer: Writer) -> Writer:
        SAVERS[kind] = writer
        return writer
    return register


def writer(kind: str) -> Writer:
    if kind not in SAVERS and kind in MODULES:
        importlib.import_module(MODULES[kind])
    found = SAVERS.get(kind)
    if found is None:
        raise AssertionError(f"no writer registered for '{kind}' (data/writers.py)")
    return found


def seed(kind: str, after: Any, *, before: Any = None, **extra: Any) -> None:
    """Demo data, benchmarks and test fixtures: one entity written as its writer writes it (``before`` None:
    created), in one transaction without an audit event, as nobody acted. Requests commit through the unit of
    work instead, which writes the event with the change."""
    from functions.core.changes import Saved
    from functions.data.store import Store

    Store().transact(writer(kind)(Saved(kind, str(getattr(after, "id", "")), before, after, extra)))
