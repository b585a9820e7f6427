"""Powertools Logger, Tracer and Metrics, shared by every function (service name from the environment).

No personal data in logs: every record of the logger passes ``RedactPersonalData`` first, which masks email
addresses and bearer tokens (JWTs) wherever they sit: the message, a refusal's reason (error messages echo
what the caller sent, e.g. an Open edX username that is an email), any ``extra`` value, a traceback. Names
are never logged: log lines carry ids, codes and counts (tests/security/test_no_personal_data_in_logs.py
searches a full flow).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit

EMAIL = re.compile(r"[^@\s'\"<>(),;:]+@[^@\s'\"<>(),;:]+\.[A-Za-z0-9-]+")
JWT = re.compile(r"eyJ[\w-]*\.[\w-]*\.[\w-]*")
# LogRecord's own attributes (not ``extra``): left alone but for the message and its arguments.
_RECORD_FIELDS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


def redact(value: Any) -> Any:
    """Emails and JWTs masked in a string, or in every string of a dict / list / tuple."""
    if isinstance(value, str):
        return JWT.sub("<token>", EMAIL.sub("<email>", value))
    if isinstance(value, dict):
        return {k: redact(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(redact(v) for v in value)
    return value


class RedactPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if record.args:
            record.args = redact(record.args)
        for name, value in vars(record).items():
            if name not in _RECORD_FIELDS and isinstance(value, str | dict | list | tuple):
                setattr(record, name, redact(value))
        if record.exc_info and not record.exc_text:  # what standard handlers print (a propagated record)
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return True


# No structured stack trace: it repeats the exception's value unmasked; the "exception" text has it all.
logger = Logger(service="examdesk", serialize_stacktrace=False)
logger.addFilter(RedactPersonalData())
# Tracebacks are formatted after the filters ran (from ``exc_info``): mask them as they are formatted.
_format_exception = logger.registered_formatter.formatException
setattr(logger.registered_formatter, "formatException",  # noqa: B010 (an instance attribute, on purpose)
        lambda exc_info: redact(_format_exception(exc_info)))
# Patch only the libraries we call out with: botocore (DynamoDB, SSM) and http.client (the providers'
# adapters). Patching "all" imports every library the X-Ray SDK supports that happens to be installed
# (requests, charset_normalizer, ...) into every function's cold start for nothing.
TRACED_MODULES = ("botocore", "httplib")
SERVICE = METRICS_NAMESPACE = "examdesk"
tracer = Tracer(service=SERVICE, patch_modules=TRACED_MODULES)
metrics = Metrics(namespace=METRICS_NAMESPACE, service=SERVICE)

# Metric names the deployed alarms watch (infra/constructs/monitoring.py), in namespace "examdesk" with the
# dimension service=examdesk that Powertools adds.
ROUTE_5XX = "Route5xx"  # a route answered 5xx itself: Lambda's Errors stays 0 (the route caught the exception)
IMPORT_FAILED = "ImportFailed"  # the importer's assignments that failed (functions/jobs/import_results.py)
IMPORT_PARKED = "ImportParked"  # ... and that it parked for an operator


def count_answer(route_name: str, status: int) -> None:
    """One count per route and status class, and one ``Route5xx`` for every 5xx answer, whichever route."""
    metrics.add_metric(name=f"{route_name}.{status // 100}xx", unit=MetricUnit.Count, value=1)
    if status >= 500:
        metrics.add_metric(name=ROUTE_5XX, unit=MetricUnit.Count, value=1)
