"""The list backfill (an operator's one-off job, invoked from the console or the CLI; no schedule, no route; CDK:
infra/constructs/backfill_job.py; runbook: docs/operations.md, "Backfilling the lists").

A stack deployed before the write-sharded lists holds sessions, extensions and course audit events in shapes the
current lists never read (docs/data-model.md, "Lists", "Existing deployments"). One invocation scans one segment
of a parallel Scan and puts each such item right in a conditional transaction of its own, counting it into the
``attempts`` / ``allowances`` counters in that same transaction (why that is exact: core/backfill.py):

    {"segment": 0, "segments": 4, "start": null, "dry_run": true, "max_seconds": 600}

Every field is optional; ``dry_run`` is true unless the event says false (a dry run writes nothing and answers
what it would change). The answer counts what was examined, changed (per kind), already current and skipped
(per reason); ``next`` is null when the segment is finished, else the ``start`` of the next invocation. A bad
event is a 400 answer and nothing runs.
"""

from __future__ import annotations

from typing import Any

from functions.core import backfill
from functions.core.errors import InvalidInput
from functions.data import backfill as lists
from functions.platform.observability import logger

ANSWER_MARGIN_S = 30  # stop scanning this long before the function's timeout, to answer the cursor


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: Any, context: Any) -> dict[str, Any]:
    try:
        request = backfill.parse(event)
        start = lists.start_key(request)
    except InvalidInput as refused:  # an operator's mistake: say so, run nothing (docs/architecture.md)
        return {"statusCode": 400, "summary": f"nothing run: {refused}"}
    seconds = float(request.max_seconds)
    remaining_ms = getattr(context, "get_remaining_time_in_millis", None)
    if callable(remaining_ms):
        seconds = min(seconds, remaining_ms() / 1000 - ANSWER_MARGIN_S)
    answer = lists.run(request, start, seconds).answer()
    logger.info("list backfill", extra={k: v for k, v in answer.items() if k != "superseded"})
    return answer
