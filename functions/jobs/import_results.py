"""The scheduled results importer (EventBridge -> this Lambda; CDK: infra/constructs/importer_schedule.py).

- ``{}`` or an EventBridge scheduled event: one pass over the pending assignments that are due (the sparse
  work queue), imported with bounded concurrency; answers the counts and records them as metrics. A shard
  another pass is importing (its lease is held) is left to it, and the answer says so.
- ``{"shard": n}``: the same pass over one work-queue shard (0..3). The deployed schedule sends one such event
  per shard, so a tick runs one invocation per shard: the pass's CPU (botocore, JSON) spreads over as many
  Lambda instances, and each holds ``EXAMDESK_IMPORTER_CONCURRENCY`` provider calls at once.
- ``{"student": "<user id>", "lesson": "<lesson id>"}`` from the AWS console: imports that one assignment
  now (as the operator) and answers what it did.
- ``{"all": true}``: a pass that also takes what falls due within a day (not only what is due now); what
  waits for a MasteryTrack write-back is still left alone.
- ``{"requeue": true, "student": "<user id>", "lesson": "<lesson id>"}``: puts the latest attempt, parked after
  ``EXAMDESK_IMPORTER_MAX_FAILURES`` failures in a row, back in the work queue (due now, a fresh set of tries).

Metrics (namespace examdesk): ``ImportFailed`` (failures recorded on assignments, parked ones included) and
``ImportParked`` (assignments parked for an operator), on every pass and console import, zeros included, so
an alarm on them always has data.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

from functions import wiring
from functions.core.errors import DomainError
from functions.core.rights import Principal
from functions.core.services.external_ports import Providers
from functions.core.services.external_tests import ExternalTestService
from functions.core.services.import_pass import ImportPass
from functions.data.keys import WORK_QUEUE_SHARDS
from functions.platform.observability import logger, metrics
from functions.platform.principal import OPERATOR
from functions.providers.config import IMPORTER_CONCURRENCY, IMPORTER_MAX_PER_PASS
from functions.providers.registry import provider  # every pass calls providers: loaded while the function starts
from functions.wiring import JobCaller

COUNTED = ("tried", "imported", "finalized", "failed", "skipped")
FAILED_METRIC, PARKED_METRIC = "ImportFailed", "ImportParked"  # alarmed on: keep these names
ALL_HORIZON = timedelta(days=1)
IMPORTER = Principal(kind="system", subject="importer")  # who the scheduled pass's audit events name


def count_failures(failed: int, parked: int) -> None:
    """The two metrics an alarm watches (another pass or console import adds to the same minute)."""
    metrics.add_metric(name=FAILED_METRIC, unit=MetricUnit.Count, value=failed)
    metrics.add_metric(name=PARKED_METRIC, unit=MetricUnit.Count, value=parked)


def operator_service(owner: str) -> ExternalTestService:
    return wiring.external_test_service(JobCaller(OPERATOR), owner)


def import_pass(owner: str, *, clock: Callable[[], datetime] | None = None, providers: Providers = provider,
                concurrency: int | None = None, time_left: Any = None, horizon: timedelta = timedelta(0),
                shards: list[int] | None = None) -> ImportPass:
    """The scheduled pass as deployed: its audit events name ``IMPORTER``; ``concurrency`` provider calls at once
    (default: the environment's)."""
    return wiring.import_pass(JobCaller(IMPORTER), owner=owner, clock=clock, providers=providers,
                              concurrency=concurrency or int(os.environ.get(IMPORTER_CONCURRENCY, "16")),
                              limit=int(os.environ.get(IMPORTER_MAX_PER_PASS, "2000")),
                              time_left=time_left, horizon=horizon, shards=shards)


def requeue(student: str, lesson: str, owner: str) -> dict[str, Any]:
    if not student or not lesson:
        return {"student": student, "lesson": lesson, "outcome": "refused", "status": 400,
                "summary": 'a re-queue needs both "student" and "lesson"'}
    try:
        after = operator_service(owner).requeue(student, lesson)
    except DomainError as error:
        return {"student": student, "lesson": lesson, "outcome": "refused", "status": error.status,
                "error": error.message, "summary": f"re-queue of {lesson} for {student} refused: {error.message}"}
    return {"student": student, "lesson": lesson, "attempt": after.attempt, "outcome": "requeued",
            "summary": f"attempt {after.attempt} of {lesson} for {student} is back in the work queue, due now"}


def import_one(student: str, lesson: str, owner: str) -> dict[str, Any]:
    if not student or not lesson:
        return {"student": student, "lesson": lesson, "outcome": "refused", "status": 400,
                "summary": 'a console import needs both "student" and "lesson"'}
    try:
        after, outcome = operator_service(owner).import_now(student, lesson)
    except DomainError as error:
        failed = error.status == 502
        count_failures(int(failed), int(failed and bool((error.details or {}).get("parked"))))
        return {"student": student, "lesson": lesson, "outcome": "refused", "status": error.status,
                "error": error.message,
                "summary": f"import of {lesson} for {student} refused: {error.message}"}
    count_failures(0, 0)
    summary = f"imported attempt {after.attempt} of {lesson} for {student}: {outcome}"
    if outcome == "parked":
        summary = (f"attempt {after.attempt} of {lesson} for {student} is parked after {after.failures} failures "
                   f"(last: {after.last_error}); not imported. Re-queue it: "
                   f'{{"requeue": true, "student": "{student}", "lesson": "{lesson}"}}')
    return {
        "student": student, "lesson": lesson, "attempt": after.attempt, "outcome": outcome,
        "finalized": after.finalized, "score": after.score, "scoreStatus": after.score_status,
        "enrollment": after.enrollment, "lastError": after.last_error, "summary": summary,
    }


def shard_numbers(event: dict[str, Any]) -> list[int] | None:
    """None: every shard. Raises ValueError naming the problem for anything but a shard number."""
    if "shard" not in event:
        return None
    shard = event["shard"]
    if isinstance(shard, bool) or not isinstance(shard, int) or not 0 <= shard < WORK_QUEUE_SHARDS:
        raise ValueError(f'"shard" must be a whole number from 0 to {WORK_QUEUE_SHARDS - 1}, not {shard!r}')
    return [shard]


def run_pass(owner: str, time_left: Any = None, horizon: timedelta = timedelta(0),
             shards: list[int] | None = None) -> dict[str, Any]:
    counts = import_pass(owner, time_left=time_left, horizon=horizon, shards=shards).run()
    result = counts.as_dict()
    result["shards"] = list(range(WORK_QUEUE_SHARDS)) if shards is None else shards
    scope = "all shards" if shards is None else f"shard {', '.join(map(str, shards))}"
    busy = f"; left to another pass: shard {', '.join(map(str, counts.busy))}" if counts.busy else ""
    parked = f"; parked for an operator: {result['parked']}" if result["parked"] else ""
    result["summary"] = (f"{scope}: " + ", ".join(f"{name} {result[name]}" for name in ("found", *COUNTED))
                         + parked + busy)
    return result


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics(raise_on_empty_metrics=False)
def lambda_handler(event: dict[str, Any] | None, context: Any) -> dict[str, Any]:
    event = event if isinstance(event, dict) else {}
    owner = f"importer:{getattr(context, 'aws_request_id', 'local')}"
    if "student" in event or "lesson" in event:
        student, lesson = str(event.get("student", "")), str(event.get("lesson", ""))
        if event.get("requeue") is True:
            answer = requeue(student, lesson, owner)
            logger.info("console re-queue", extra=answer)
            return answer
        answer = import_one(student, lesson, owner)
        logger.info("console import", extra=answer)
        return answer
    try:
        shards = shard_numbers(event)
    except ValueError as error:
        answer = {"outcome": "refused", "status": 400, "error": str(error), "summary": f"no pass run: {error}"}
        logger.warning("import pass refused", extra=answer)
        return answer
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    horizon = ALL_HORIZON if event.get("all") is True else timedelta(0)
    result = run_pass(owner, (lambda: remaining() / 1000) if callable(remaining) else None, horizon, shards)
    for name in COUNTED:
        metrics.add_metric(name=f"import_results.{name}", unit=MetricUnit.Count, value=result[name])
    count_failures(result["failed"], result["parked"])
    (logger.warning if result["failed"] else logger.info)("import pass", extra=result)
    return result
