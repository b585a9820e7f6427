"""The scheduled importer's unit of work (``core.services.external_ports.OutcomeUnit``): its outcomes, one
``Work`` each (the assignment, its enrollment, its audit event: data/unit_of_work.py builds their operations),
written many to a transaction (outcome_batches.py packs them within DynamoDB's limits), each all or nothing,
with a check per shard involved that the pass still holds that shard's lease.

When a transaction is cancelled, the outcomes its reasons name are lost and the rest are written together
again (one at a time when it names none), so a conflict costs only its own outcome and one more request.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from functions.core.changes import Saved, Work
from functions.core.errors import TooLarge
from functions.data import keys
from functions.data.external_tests import LEASE_OWNER, LEASE_UNTIL, stamp, too_large
from functions.data.outcome_batches import ITEM_BYTES, Outcome, item_size, lost_outcomes, pack
from functions.data.store import Store, op_check
from functions.data.unit_of_work import DynamoUnitOfWork, Op

if TYPE_CHECKING:
    from functions.core.rights import Principal


class ImportUnitOfWork:
    """Writes for the importer (``principal``: its audit events' actor) at ``clock()``: ``commit`` one unit as
    any unit of work does, ``commit_each`` a pass's batch of outcomes."""

    def __init__(self, principal: Principal, clock: Callable[[], datetime], store: Store | None = None) -> None:
        self.principal = principal
        self.clock = clock
        self.store = store or Store()

    def commit(self, work: Work) -> None:
        DynamoUnitOfWork(self.principal, self.clock(), self.store).commit(work)

    def commit_each(self, works: Sequence[Work], owner: str, now: datetime) -> list[Exception | None]:
        """Per work: None (written) or the error. An outcome DynamoDB would refuse (an item over 400 KB) is
        never sent: it would fail its whole transaction."""
        unit = DynamoUnitOfWork(self.principal, now, self.store)
        results: list[Exception | None] = [None] * len(works)
        prepared: dict[int, Outcome] = {}
        for i, work in enumerate(works):
            try:
                outcome = _outcome(work, unit.operations(work))
            except TooLarge as error:  # the assignment's own item (its writer checks it)
                results[i] = error
                continue
            if outcome.largest > ITEM_BYTES:
                results[i] = too_large(outcome.largest)
            else:
                prepared[i] = outcome
        sendable = list(prepared)
        for group in pack([prepared[i] for i in sendable]):
            pending = [sendable[k] for k in group]
            while pending:
                failed = self._write([prepared[i] for i in pending], owner, now)
                if failed is None:
                    break
                lost = lost_outcomes([prepared[i] for i in pending], failed)
                if not lost:  # nothing pinned on one outcome (a transient conflict, no reasons): one at a time
                    for i in pending:
                        results[i] = failed if len(pending) == 1 else self._write([prepared[i]], owner, now)
                    break
                for k in lost:
                    results[pending[k]] = failed
                pending = [i for k, i in enumerate(pending) if k not in lost]  # the rest, together again
        return results

    def _write(self, group: list[Outcome], owner: str, now: datetime) -> Exception | None:
        # The lease checks come first, one per shard in this order (outcome_batches.lost_outcomes reads them so).
        checks = [op_check(keys.import_lease_key(shard), "#lo = :owner AND #lu > :now",
                           {"#lo": LEASE_OWNER, "#lu": LEASE_UNTIL}, {":owner": owner, ":now": stamp(now)})
                  for shard in sorted({o.shard for o in group})]
        try:
            self.store.transact([*checks, *(op for o in group for op in o.ops)],
                                conflict_message="the assignment changed while it was being imported, or the "
                                                 "pass lost its shard lease; it will be imported again")
        except Exception as error:  # the caller decides: ConcurrentUpdate is a skip, anything else a failure
            return error
        return None


def _outcome(work: Work, ops: list[Op]) -> Outcome:
    a = next(c.after for c in work.changes if isinstance(c, Saved) and c.kind == "external-test")
    touched = [next(iter(op.values())) for op in ops]
    items = [args.get("Item") or args["Key"] for args in touched]
    return Outcome(keys.work_queue_shard_number(a.student_id, a.lesson_id), ops,
                   frozenset((i[keys.PK]["S"], i[keys.SK]["S"]) for i in items),
                   len(json.dumps(items, separators=(",", ":"))), max(item_size(i) for i in items))
