"""JSON over HTTP with the standard library (the Lambda layer has no HTTP client): a timeout on every
call, retries with a short exponential pause, and every failure turned into ProviderFailed carrying the
provider's own message.

Retried: a GET on a timeout, a dropped connection or any 5xx; any method when the connection was refused
or the provider said 429 / 503 (the request was not processed). A POST that timed out or got another 5xx is
not repeated: the provider may have acted on it. Connections are kept alive per thread and origin, so the
importer's workers do not pay a TLS handshake per call.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from functions.core.errors import ProviderFailed

MAX_BYTES = 2_000_000
NOT_PROCESSED = (429, 503)


@dataclass(frozen=True)
class HttpPolicy:
    timeout: float = 3.0  # seconds, per attempt
    attempts: int = 3
    pause: float = 0.2  # before the 2nd attempt; doubles after
    budget: float = 7.0  # seconds for all attempts of one call: a route (10 s Lambda) answers a clean 502


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
    deadline = time.monotonic() + policy.budget
    for attempt in range(1, policy.attempts + 1):
        timeout = max(0.1, min(policy.timeout, deadline - time.monotonic()))
        try:
            status, raw = _exchange(method, url, data, all_headers, timeout)
        except TimeoutError:
            failure = ProviderFailed(f"{provider} did not answer within {timeout:g}s")
            retry = method == "GET"
        except (OSError, http.client.HTTPException) as error:
            failure = ProviderFailed(f"{provider} is unreachable: {error or type(error).__name__}")
            retry = method == "GET" or isinstance(error, ConnectionRefusedError)
        else:
            if 200 <= status < 300:
                return _parse(provider, raw)
            failure = ProviderFailed(f"{provider} answered HTTP {status}: {provider_message(raw)}",
                                     details={"status": status})
            retry = status in NOT_PROCESSED or (method == "GET" and status >= 500)
        pause = policy.pause * 2 ** (attempt - 1)
        if not retry or attempt == policy.attempts or time.monotonic() + pause + 0.5 > deadline:
            raise failure
        time.sleep(pause)
    raise AssertionError("unreachable")


_pool = threading.local()  # per thread: origin -> kept-alive connection (no TLS handshake per call)
STALE = (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError)


def _exchange(method: str, url: str, data: bytes | None, headers: dict[str, str], timeout: float
              ) -> tuple[int, bytes]:
    """One request on this thread's connection to the URL's origin. A kept-alive connection the provider
    closed while idle is replaced once, transparently; any other failure drops the connection."""
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}"
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connections: dict[str, http.client.HTTPConnection] = _pool.__dict__.setdefault("connections", {})
    for _ in range(2):
        reused = origin in connections
        if not reused:
            kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
            connections[origin] = kind(parts.netloc, timeout=timeout)
        connection = connections[origin]
        connection.timeout = timeout
        if connection.sock is not None:
            connection.sock.settimeout(timeout)
        try:
            connection.request(method, path, body=data, headers=headers)
            response = connection.getresponse()
            raw = response.read(MAX_BYTES + 1)
        except BaseException as error:
            connections.pop(origin, None)
            connection.close()
            if reused and isinstance(error, STALE):
                continue
            raise
        if response.will_close or len(raw) > MAX_BYTES:
            connections.pop(origin, None)
            connection.close()
        return response.status, raw
    raise http.client.RemoteDisconnected("the connection closed twice")


def _parse(provider: str, raw: bytes) -> Any:
    if len(raw) > MAX_BYTES:
        raise ProviderFailed(f"{provider} answered with more than {MAX_BYTES} bytes")
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ProviderFailed(f"{provider} answered with malformed JSON: {raw[:80]!r}") from None
