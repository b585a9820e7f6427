"""The benchmark's process environment and its DynamoDB Local (in memory, started once per ``make bench``)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

BENCH_ENV = {"AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
             "POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_METRICS_DISABLED": "true",
             "POWERTOOLS_LOG_LEVEL": "CRITICAL", "EXAMDESK_JWT_SECRET": "bench-secret-0123456789-abcdefghijkl",
             "EXAMDESK_TABLE_NAME": "examdesk-bench-costs"}


def configure() -> None:
    os.environ.update(BENCH_ENV)


def start_dynamodb() -> Any:
    """DynamoDB Local in memory; the shared client points at it (caches cleared) and the table exists."""
    from functions.data import dynamo
    from functions.platform.settings import settings
    from infra.local.dynamodb_local import DynamoDBLocal, ensure_table

    configure()
    db = DynamoDBLocal().start(timeout=120)
    os.environ["EXAMDESK_DYNAMODB_ENDPOINT"] = db.endpoint
    settings.cache_clear()
    dynamo.client.cache_clear()
    ensure_table(dynamo.client(), settings().table_name)
    return db


def peak_memory_mb(status: str) -> float:
    """A process's peak resident memory from its /proc/<pid>/status text (``VmHWM``, KiB); 0 when absent.
    Not getrusage's ru_maxrss: a child's carries its parent's size across fork and exec."""
    return next((int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmHWM")), 0.0)


def own_peak_memory_mb() -> float:
    try:
        return peak_memory_mb(Path("/proc/self/status").read_text())
    except OSError:  # no /proc here
        return 0.0
