"""The authorizer's context <-> Principal. Context values must be strings for API Gateway."""

from __future__ import annotations

from typing import Any

from functions.core.errors import Unauthenticated
from functions.core.rights import Principal


def to_context(principal: Principal) -> dict[str, str]:
    context = {
        "kind": principal.kind,
        "subject": principal.subject,
        "keyCourses": ",".join(sorted(principal.key_courses)),
        "keyRights": ",".join(sorted(principal.key_rights)),
    }
    if principal.operator:
        context["operator"] = principal.operator
    return context


def from_context(context: dict[str, Any] | None) -> Principal:
    if not context or not context.get("kind") or not context.get("subject"):
        raise Unauthenticated("credentials are required")
    split = lambda value: frozenset(v for v in str(value or "").split(",") if v)  # noqa: E731
    return Principal(
        kind=str(context["kind"]),
        subject=str(context["subject"]),
        key_courses=split(context.get("keyCourses")),
        key_rights=split(context.get("keyRights")),
        # Only a console event sets it (the authorizer never does): the operator acting as this principal.
        operator=str(context["operator"]) if context.get("operator") else None,
    )


OPERATOR = Principal(kind="operator", subject="console-operator")
