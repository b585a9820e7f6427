"""The exam-day pre-warm (EventBridge every 5 minutes -> this Lambda; CDK: infra/constructs/prewarm_schedule.py).

Finds the exams opening or closing soon (their window entries, functions/data/exam_windows.py: one Query per hour
bucket, one BatchGetItem of the exams), counts each one's students (its course's enrollments), and sets the
provisioned concurrency of the exam-day functions' ``live`` alias to what the sizing rule gives
(functions/core/prewarm.py); a function no exam needs any more is released. Any event (a schedule tick or ``{}``
from the console) runs one pass now; ``{"now": "<ISO time>"}`` plans for that time instead, and
``{"dryRun": true}`` answers the plan without changing anything; a malformed ``now`` answers a 400 summary.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from functions.core import prewarm
from functions.core.errors import InvalidInput
from functions.core.prewarm import ProvisionedConcurrency
from functions.data.exam_windows import ExamWindowRepository
from functions.platform.clock import utcnow
from functions.platform.observability import logger
from functions.platform.settings import PrewarmSettings, prewarm_settings
from functions.wiring import exam_windows


def run(now: datetime, windows: ExamWindowRepository, port: ProvisionedConcurrency | None,
        config: PrewarmSettings) -> dict[str, Any]:
    low, high = prewarm.lookup_range(now)
    moments = windows.moments(low, high)
    students: dict[str, int] = {}
    for _, course_id in moments:
        if course_id not in students:
            students[course_id] = windows.students(course_id)
    wanted = prewarm.plan(((m, students[c]) for m, c in moments), now, config.durations_s, config.cap)
    changed = prewarm.apply(wanted, config.functions, port) if port is not None else {}
    return {"now": now.isoformat(), "exams": sorted({m.exam_id for m, _ in moments}), "wanted": wanted,
            "changed": changed, "summary": f"{len(moments)} moment(s) near; changed {len(changed)} function(s)"}


def _now(event: dict[str, Any]) -> datetime:
    if not event.get("now"):
        return utcnow()
    try:
        at = datetime.fromisoformat(str(event["now"]).replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput("now must be an ISO 8601 time", field="now") from None
    return at if at.tzinfo else at.replace(tzinfo=UTC)  # a console time without a zone is UTC


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    event = event if isinstance(event, dict) else {}
    if "detail-type" in event:  # an EventBridge tick: its fields are not ours
        event = {}
    port = None
    if not event.get("dryRun"):
        from functions.data.provisioned_concurrency import LambdaProvisionedConcurrency

        port = LambdaProvisionedConcurrency()
    try:
        now = _now(event)
    except InvalidInput as refused:  # a console test's mistake: say so, run nothing (architecture.md)
        return {"statusCode": 400, "summary": f"nothing run: {refused}"}
    result = run(now, exam_windows(), port, prewarm_settings())
    logger.info("pre-warm pass", extra={"wanted": result["wanted"], "changed": result["changed"]})
    return result
