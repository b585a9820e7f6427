"""JSON over HTTP with the standard library (the Lambda layer has no HTTP client): a timeout on every
call, retries with a short exponential pause, and every failure turned into ProviderFailed carrying the
provider's own message.

Retried: a GET on a timeout, a dropped connection or any 5xx; any method when the connection was refused
or the provider said 429 / 503 (the request was not processed). A POST that timed out or got another 5xx is
not repeated: the provider may have acted on it.
"""

from __future__ import annotations

import http.client
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from functions.core.errors import ProviderFailed

MAX_BYTES = 2_000_000
NOT_PROCESSED = (429, 503)


@dataclass(frozen=True)
class HttpPolicy:
    timeout: float = 3.0  # seconds, per attempt
    attempts: int = 3
    pause: float = 0.2  # before the 2nd attempt; doubles after


def provider_message(raw: bytes) -> str:
    """The provider's own words: ``message``, ``error`` (or ``error.message``), else the start of the body."""
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return raw[:300].decode("utf-8", "replace").strip() or "no message"
    if isinstance(body, dict):
        for key in ("message", "error", "detail"):
            value = body.get(key)
            if isinstance(value, dict):
                value = value.get("message")
            if isinstance(value, str) and value:
                return value[:500]
    return json.dumps(body)[:300]


def request_json(provider: str, method: str, url: str, *, body: Any = None,
                 headers: dict[str, str] | None = None, policy: HttpPolicy = HttpPolicy()) -> Any:
    data = None if body is None else json.dumps(body).encode()
    all_headers = {"Accept": "application/json", "Content-Type": "application/json", **(headers or {})}
    for attempt in range(1, policy.attempts + 1):
        request = urllib.request.Request(url, data=data, method=method, headers=all_headers)
        try:
            with urllib.request.urlopen(request, timeout=policy.timeout) as response:
                raw = response.read(MAX_BYTES + 1)
            return _parse(provider, raw)
        except urllib.error.HTTPError as error:
            message = provider_message(error.read(MAX_BYTES))
            failure = ProviderFailed(f"{provider} answered HTTP {error.code}: {message}",
                                     details={"status": error.code})
            retry = error.code in NOT_PROCESSED or (method == "GET" and error.code >= 500)
        except (urllib.error.URLError, TimeoutError, ConnectionError, http.client.HTTPException) as error:
            reason = getattr(error, "reason", error)
            if isinstance(reason, TimeoutError):
                failure = ProviderFailed(f"{provider} did not answer within {policy.timeout:g}s")
            else:
                failure = ProviderFailed(f"{provider} is unreachable: {reason}")
            retry = method == "GET" or isinstance(reason, ConnectionRefusedError)
        if not retry or attempt == policy.attempts:
            raise failure
        time.sleep(policy.pause * 2 ** (attempt - 1))
    raise AssertionError("unreachable")


def _parse(provider: str, raw: bytes) -> Any:
    if len(raw) > MAX_BYTES:
        raise ProviderFailed(f"{provider} answered with more than {MAX_BYTES} bytes")
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ProviderFailed(f"{provider} answered with malformed JSON: {raw[:80]!r}") from None
