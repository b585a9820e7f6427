"""The Open edX routes answer only with the statuses the published spec documents, or the gateway-level ones
(docs/openedx.md, "Statuses"). A write that keeps losing a race (the core's 409 ``concurrent_update``, after its
one retry) is therefore told as API Gateway tells a transient failure: 503 with ``Retry-After``, safe to retry."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from functions.core.errors import ConcurrentUpdate, Unavailable


@contextmanager
def busy_as_unavailable() -> Iterator[None]:
    try:
        yield
    except ConcurrentUpdate as busy:
        raise Unavailable(f"{busy.message}; retry shortly") from None
