"""Absolute links (pagination ``next`` / ``previous``, ``Link`` headers): the configured API base URL
(EXAMDESK_API_BASE_URL: the stage URL or custom domain, with any base path) plus the route's own path, never
the request's ``Host`` or ``X-Forwarded-*`` headers, which any client can set to send the next click
elsewhere."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, urlencode

from functions.platform.settings import settings

_SAFE = "/:+@!$&'()*,;=-._~%"  # what a path segment keeps as is (our ids hold no '%': nothing is encoded twice)


def route_path(event: dict[str, Any]) -> str:
    """The request's path relative to the API's root: the route's resource with its parameters filled in
    (the event's ``path`` carries a custom domain's base path mapping, the resource never does)."""
    resource = str(event.get("resource") or event.get("path") or "")
    params = event.get("pathParameters") or {}
    return re.sub(r"\{(\w+)\+?\}", lambda m: quote(str(params.get(m.group(1), "")), safe=_SAFE), resource)


def api_base() -> str:
    """The configured API base URL, without a trailing slash (for URLs of other resources in an answer)."""
    return settings().api_base_url.rstrip("/")


def api_url(event: dict[str, Any], query: dict[str, Any]) -> str:
    return f"{api_base()}{route_path(event)}?{urlencode(query)}"
