"""The one error mapping: domain errors, validation failures and surprises -> each dialect's error body.

- examdesk (ours; also ExamSpark, LearningStudio, PowerPath): {"error": {"code", "message", "field"?}}
- openedx: {"error", "message", "status_code"}     - canvas: {"errors": [{"message"}]}
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from functions.core.errors import DomainError
from functions.platform.gateway import GatewayError, gateway_body


class ErrorDetail(BaseModel):
    code: str
    message: str
    field: str | None = None


class ExamdeskError(BaseModel):
    error: ErrorDetail


class OpenEdxError(BaseModel):
    error: str
    message: str
    status_code: int


class CanvasMessage(BaseModel):
    message: str


class CanvasError(BaseModel):
    errors: list[CanvasMessage]


ERROR_MODELS: dict[str, type[BaseModel]] = {"openedx": OpenEdxError, "canvas": CanvasError}

STATUS_TEXT = {
    400: "Bad request", 401: "Not authenticated", 403: "Forbidden", 404: "Not found", 409: "Conflict",
    413: "Payload too large", 422: "Unprocessable", 500: "Internal error", 503: "Unavailable",
}


def error_model(dialect: str) -> type[BaseModel]:
    return ERROR_MODELS.get(dialect, ExamdeskError)


def error_body(dialect: str, status: int, code: str, message: str, field: str | None = None) -> dict[str, Any]:
    if dialect == "openedx":
        return {"error": code, "message": message, "status_code": status}
    if dialect == "canvas":
        return {"errors": [{"message": message}]}
    detail: dict[str, Any] = {"code": code, "message": message}
    if field:
        detail["field"] = field
    return {"error": detail}


def proxy_error(dialect: str, status: int, code: str, message: str, field: str | None = None,
                headers: dict[str, str] | None = None) -> dict[str, Any]:
    """A whole API Gateway proxy answer in the dialect's error shape, for refusals made before a route runs."""
    return {"statusCode": status, "headers": {"Content-Type": "application/json", **(headers or {})},
            "body": json.dumps(error_body(dialect, status, code, message, field)), "isBase64Encoded": False}


def domain_error_body(dialect: str, error: DomainError) -> dict[str, Any]:
    if error.status == 401:
        return gateway_body(401, error.code, error.message)  # the same shape API Gateway's authorizer gives
    return error_body(dialect, error.status, error.code, error.message, error.field)


def validation_message(errors: list[dict[str, Any]]) -> tuple[str, str | None]:
    """Pydantic / Powertools validation errors -> one readable message naming the field(s)."""
    parts: list[str] = []
    first_field: str | None = None
    for error in errors[:5]:
        loc = [str(p) for p in error.get("loc", ()) if p not in ("body",)] or ["body"]
        field = ".".join(loc)
        first_field = first_field or field
        if error.get("type") == "json_invalid":
            return "the request body is not valid JSON", "body"
        parts.append(f"{field}: {error.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request", first_field


def documented_errors(dialect: str, statuses: tuple[int, ...]) -> dict[int, dict[str, Any]]:
    """OpenAPI ``responses`` entries for a route's error statuses, in the dialect's shape."""
    def model(status: int) -> type[BaseModel]:
        # 401 comes from API Gateway's authorizer step, which answers in its own, dialect-neutral shape.
        return GatewayError if status == 401 else error_model(dialect)

    return {
        status: {"description": STATUS_TEXT.get(status, "Error"),
                 "content": {"application/json": {"model": model(status)}}}
        for status in statuses
    }
