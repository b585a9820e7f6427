"""The token-level principals of the matrix: credentials every route must refuse (401)."""

from __future__ import annotations

import time

import jwt


def bad_authorizations(secret: str, subject: str = "mx-ada-admin") -> dict[str, str | None]:
    """principal -> the Authorization header it sends (None: none at all). Each would name an administrator
    if it were accepted, so a pass would be a full compromise."""
    now = int(time.time())
    claims = {"sub": subject, "iss": "examdesk", "aud": "examdesk-api", "iat": now - 7200}
    expired = jwt.encode({**claims, "exp": now - 3600}, secret, algorithm="HS256")
    unsigned = jwt.encode({**claims, "exp": now + 3600}, None, algorithm="none")  # type: ignore[arg-type]
    return {
        "anonymous": None,
        "garbled": "Bearer eyJhbGciOiJIUzI1NiJ9.not-a-payload.c2lnbmF0dXJl",
        "expired": f"Bearer {expired}",
        "alg_none": f"Bearer {unsigned}",
    }


def sample_path(path: str) -> str:
    """A concrete path for a registry path (credentials are checked before any parameter is looked at)."""
    import re

    return re.sub(r"\{(\w+)\}", lambda m: f"mx-{m.group(1).lower()}", path)
