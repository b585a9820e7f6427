"""The local stand-in for the EventBridge rule: runs the importer Lambda's real handler every ``interval``
seconds (default 300, like the deployed schedule's default), and at once on demand (``trigger``: the
runner wires it to Enter in ``make run`` and to SIGUSR1).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

DEFAULT_INTERVAL = 300.0
INTERVAL_ENV = "EXAMDESK_IMPORTER_INTERVAL_SECONDS"


class LambdaContext:
    function_name = "examdesk-import-results"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:local:000000000000:function:examdesk-import-results"

    def __init__(self, budget_seconds: float = 300.0) -> None:
        self.aws_request_id = str(uuid.uuid4())
        self._deadline = datetime.now(UTC).timestamp() + budget_seconds

    def get_remaining_time_in_millis(self) -> int:
        return int((self._deadline - datetime.now(UTC).timestamp()) * 1000)


def scheduled_event() -> dict[str, Any]:
    """What EventBridge sends for a scheduled rule."""
    return {"version": "0", "id": str(uuid.uuid4()), "detail-type": "Scheduled Event", "source": "aws.events",
            "account": "000000000000", "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": "local", "resources": ["arn:aws:events:local:000000000000:rule/examdesk-importer"],
            "detail": {}}


class ImporterScheduler:
    def __init__(self, interval: float | None = DEFAULT_INTERVAL,
                 report: Callable[[dict[str, Any]], None] | None = None) -> None:
        self.interval = interval  # None: on demand only
        self.report = report or (lambda result: None)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.passes = 0

    def run_once(self, on_demand: bool = False) -> dict[str, Any]:
        """One pass through the Lambda handler: the scheduled event, or on demand ``{"all": true}`` (also
        what falls due within a day: the demo need not wait for the five-minute poll)."""
        from functions.jobs.import_results import lambda_handler

        result = lambda_handler({"all": True} if on_demand else scheduled_event(), LambdaContext())
        self.passes += 1
        return result

    def _loop(self) -> None:
        while not self._stop.is_set():
            on_demand = self._wake.wait(self.interval)
            self._wake.clear()
            if self._stop.is_set():
                break
            try:
                self.report(self.run_once(on_demand))
            except Exception as error:  # a failed pass must not stop the schedule (as with EventBridge)
                self.report({"summary": f"importer pass failed: {type(error).__name__}: {error}"})

    def start(self) -> ImporterScheduler:
        self._thread = threading.Thread(target=self._loop, name="importer-schedule", daemon=True)
        self._thread.start()
        return self

    def trigger(self) -> None:
        """Run a pass now (the schedule continues)."""
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout=30)


LOCAL_WEBHOOK_SECRET = "examdesk-local-masterytrack-webhook-secret"


def start_local_importer(api_port: int, interval: float, *, quiet: bool = False,
                         interactive: bool = False) -> ImporterScheduler:
    """For the local runner: fake providers (unless real ones are configured), the schedule, and the
    on-demand triggers (SIGUSR1; Enter when ``interactive``)."""
    import os
    import signal
    import sys

    from functions.providers import config
    from infra.local import fake_providers as fakes

    os.environ.setdefault(config.MASTERYTRACK_WEBHOOK_SECRET, LOCAL_WEBHOOK_SECRET)
    if interval > 0:  # pending assignments are looked at again at the schedule's rate
        os.environ.setdefault(config.IMPORTER_POLL, f"{interval:g}")
    if not os.environ.get(config.EDULASTIC_URL):
        edulastic = fakes.FakeEdulastic().start()
        os.environ.update({config.EDULASTIC_URL: edulastic.url,
                           config.EDULASTIC_TOKEN: fakes.EDULASTIC_TOKEN})
        print(f"fake Edulastic on {edulastic.url}", flush=True)
    if not os.environ.get(config.MASTERYTRACK_URL):
        webhook = f"http://127.0.0.1:{api_port}/powerpath/webhooks/masterytrack"
        mastery = fakes.FakeMasteryTrack(webhook_url=webhook,
                                         webhook_secret=os.environ[config.MASTERYTRACK_WEBHOOK_SECRET]).start()
        os.environ.update({config.MASTERYTRACK_URL: mastery.url,
                           config.MASTERYTRACK_API_KEY: fakes.MASTERYTRACK_API_KEY})
        print(f"fake MasteryTrack on {mastery.url} (writes back to {webhook})", flush=True)

    def report(result: dict[str, Any]) -> None:
        if not quiet:
            print(f"importer: {result.get('summary')}", flush=True)

    scheduler = ImporterScheduler(interval if interval > 0 else None, report).start()
    if hasattr(signal, "SIGUSR1"):
        signal.signal(signal.SIGUSR1, lambda *_: scheduler.trigger())
    if interactive and sys.stdin and sys.stdin.isatty():
        def read_enter() -> None:
            for _ in sys.stdin:
                scheduler.trigger()

        threading.Thread(target=read_enter, name="importer-on-demand", daemon=True).start()
    every = f"every {interval:g}s" if interval > 0 else "on demand only"
    print(f"results importer {every}; run it now: Enter (make run) or kill -USR1 {os.getpid()}", flush=True)
    return scheduler
