"""moto evaluates a condition and applies the write in separate steps, and its tables are not safe for threads,
so two threads can both pass the same condition; DynamoDB applies each conditional write atomically. One lock
around moto's item operations restores that (tests of concurrent importer runs, and bench/importer.py on moto).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

ITEM_OPERATIONS = ("get_item", "put_item", "update_item", "delete_item", "transact_write_items", "query")


def lock_item_operations(set_attribute: Callable[[Any, str, Any], None] = setattr) -> None:
    """Wrap moto's DynamoDB item operations in one lock (``set_attribute``: e.g. a monkeypatch's setattr)."""
    from moto.dynamodb.models import DynamoDBBackend

    lock = threading.RLock()
    for name in ITEM_OPERATIONS:
        original = getattr(DynamoDBBackend, name)

        def locked(self: Any, *args: Any, _original: Any = original, **kwargs: Any) -> Any:
            with lock:
                return _original(self, *args, **kwargs)

        set_attribute(DynamoDBBackend, name, locked)
