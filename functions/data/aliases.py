"""Numeric aliases (core/numeric_ids.py): ``number#<kind>#<n>`` / ``number-alias`` -> ``{target: <our id>}``.

The exam and user repositories add ``alias_op`` to the transaction that creates the object, so an alias
exists from the moment its object does and a number can never name two objects (the put is conditional).
"""

from __future__ import annotations

from typing import Any

from functions.core.numeric_ids import Kind, number
from functions.data import keys
from functions.data.store import Store, op_put

TARGET = "target"
FREE_OR_SAME = f"{keys.ITEM_ABSENT} OR #target = :target"


def alias_item(kind: Kind, value: str) -> dict[str, Any]:
    return {**keys.number_alias_key(kind.value, number(kind, value)), TARGET: value, "kind": kind.value}


def alias_op(kind: Kind, value: str) -> dict[str, Any]:
    """For the creating transaction: fails it (a 409) only if the number already names another object."""
    return op_put(alias_item(kind, value), FREE_OR_SAME, {"#target": TARGET}, {":target": value})


class AliasRepository:
    def __init__(self, store: Store | None = None) -> None:
        self.store = store or Store()

    def target(self, kind: Kind, value: int) -> str | None:
        """Our id for a number (one GetItem)."""
        item = self.store.get(keys.number_alias_key(kind.value, value))
        return str(item[TARGET]) if item else None

    def targets(self, kind: Kind, values: list[int]) -> dict[int, str]:
        """Our ids for several numbers (one BatchGetItem per 100)."""
        if not values:
            return {}
        found = self.store.batch_get([keys.number_alias_key(kind.value, v) for v in values])
        prefix = keys.number_alias_prefix(kind.value)
        return {int(item[keys.PK].removeprefix(prefix)): str(item[TARGET]) for item in found}

    def resolve(self, wanted: list[tuple[Kind, int]]) -> dict[tuple[Kind, int], str]:
        """Our ids for numbers of several kinds at once (one BatchGetItem per 100; none for an empty list)."""
        if not wanted:
            return {}
        found = self.store.batch_get([keys.number_alias_key(k.value, n) for k, n in dict.fromkeys(wanted)])
        by_key = {item[keys.PK]: str(item[TARGET]) for item in found}
        return {(k, n): by_key[pk] for k, n in wanted
                if (pk := keys.number_alias_key(k.value, n)[keys.PK]) in by_key}

    def ensure(self, kind: Kind, value: str) -> None:
        """Write the alias of an object created before aliases existed (idempotent; the demo data uses it)."""
        self.store.put(alias_item(kind, value), condition=FREE_OR_SAME, names={"#target": TARGET},
                       values={":target": value})
