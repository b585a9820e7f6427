"""Provider configuration, read from the environment when first needed (never at import time).

Secrets may be given literally (local runs, tests) or as a reference that is fetched and cached for five
minutes: ``ssm:<parameter name>`` (SSM Parameter Store, decrypted) or ``secretsmanager:<secret id>``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

from functions.core.external_tests import MAX_FAILURES
from functions.providers.http import HttpPolicy

EDULASTIC_URL = "EXAMDESK_EDULASTIC_URL"
EDULASTIC_TOKEN = "EXAMDESK_EDULASTIC_TOKEN"
MASTERYTRACK_URL = "EXAMDESK_MASTERYTRACK_URL"
MASTERYTRACK_API_KEY = "EXAMDESK_MASTERYTRACK_API_KEY"
MASTERYTRACK_EMAIL = "EXAMDESK_MASTERYTRACK_EMAIL"
MASTERYTRACK_WEBHOOK_SECRET = "EXAMDESK_MASTERYTRACK_WEBHOOK_SECRET"
PROVIDER_TIMEOUT = "EXAMDESK_PROVIDER_TIMEOUT_SECONDS"
PROVIDER_ATTEMPTS = "EXAMDESK_PROVIDER_ATTEMPTS"
IMPORTER_POLL = "EXAMDESK_IMPORTER_POLL_SECONDS"  # set it to the importer schedule's rate
IMPORTER_CONCURRENCY = "EXAMDESK_IMPORTER_CONCURRENCY"  # provider calls at once, per invocation
IMPORTER_MAX_PER_PASS = "EXAMDESK_IMPORTER_MAX_PER_PASS"
IMPORTER_MAX_FAILURES = "EXAMDESK_IMPORTER_MAX_FAILURES"  # failures in a row before an assignment is parked
SECRET_MAX_AGE = 300


@dataclass(frozen=True)
class ProviderSettings:
    edulastic_url: str | None
    masterytrack_url: str | None
    masterytrack_email: str
    policy: HttpPolicy
    poll_every: timedelta  # when a pending Edulastic assignment is looked at again (and the backoff's base)
    max_failures: int = MAX_FAILURES


@lru_cache(maxsize=1)
def provider_settings() -> ProviderSettings:
    return ProviderSettings(
        edulastic_url=(os.environ.get(EDULASTIC_URL) or "").rstrip("/") or None,
        masterytrack_url=(os.environ.get(MASTERYTRACK_URL) or "").rstrip("/") or None,
        masterytrack_email=os.environ.get(MASTERYTRACK_EMAIL, "examdesk@example.edu"),
        policy=HttpPolicy(timeout=float(os.environ.get(PROVIDER_TIMEOUT, "3")),
                          attempts=max(1, int(os.environ.get(PROVIDER_ATTEMPTS, "3")))),
        poll_every=timedelta(seconds=max(1.0, float(os.environ.get(IMPORTER_POLL, "300")))),
        max_failures=max(1, int(os.environ.get(IMPORTER_MAX_FAILURES, str(MAX_FAILURES)))),
    )


def secret(variable: str) -> str | None:
    """The secret named by environment variable ``variable``, resolved if it is a reference."""
    value = os.environ.get(variable) or None
    if value is None:
        return None
    if value.startswith("ssm:"):
        from aws_lambda_powertools.utilities import parameters

        return str(parameters.get_parameter(value[4:], decrypt=True, max_age=SECRET_MAX_AGE))
    if value.startswith("secretsmanager:"):
        from aws_lambda_powertools.utilities import parameters

        return str(parameters.get_secret(value[len("secretsmanager:"):], max_age=SECRET_MAX_AGE))
    return value
