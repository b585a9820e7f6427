"""The OpenAPI document, generated with Powertools from every route module in the registry."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.models import APIKey, APIKeyIn, HTTPBearer

from functions.platform import idempotency
from functions.routes import ROUTES

DOC_PATH = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
DESCRIPTION = (
    "One exam-administration backend speaking the ExamSpark, Open edX, Canvas, LearningStudio and "
    "PowerPath dialects on one domain, plus the examdesk authoring API. Authenticate with "
    "`Authorization: Bearer <jwt>`, `JWT <jwt>` or `Basic <key:secret>`."
)


def build() -> dict[str, Any]:
    resolver = APIGatewayRestResolver(enable_validation=True)
    for route in ROUTES:
        resolver.include_router(importlib.import_module(route.import_path).app.router)
    schema = resolver.get_openapi_json_schema(
        title="examdesk",
        version="0.1.0",
        description=DESCRIPTION,
        security_schemes={
            "bearer": HTTPBearer(scheme="bearer", bearerFormat="JWT"),
            "authorization": APIKey.model_validate({
                "type": "apiKey", "name": "Authorization", "in": APIKeyIn.header.value,
                "description": "`JWT <token>` or `Basic base64(key:secret)`"}),
        },
        security=[{"bearer": []}, {"authorization": []}],
    )
    return _with_idempotency_keys(_without_422(json.loads(schema)))


def _without_422(document: dict[str, Any]) -> dict[str, Any]:
    """Powertools documents validation failures as 422; our error mapping answers them with 400."""
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            operation.get("responses", {}).pop("422", None)
    schemas = document.get("components", {}).get("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    return document


def _with_idempotency_keys(document: dict[str, Any]) -> dict[str, Any]:
    """Powertools has no way to declare a header the route function does not take: RouteApp reads
    ``Idempotency-Key`` itself (functions/platform/idempotency.py), so it is documented here, with its 422."""
    for route in ROUTES:
        if not route.takes_idempotency_key:
            continue
        operation = document["paths"][route.path][route.method.lower()]
        operation.setdefault("parameters", []).append({
            "name": idempotency.HEADER, "in": "header", "required": False,
            "description": (
                "Makes a retry safe: a request repeated with the same key (same caller, route, path, query and "
                f"body) within {idempotency.EXPIRES_AFTER_SECONDS // 3600} hours answers the first success "
                f"again (with `{idempotency.REPLAYED_HEADER}: true`) and writes nothing; a refused request is not "
                "remembered. The same key with another request is a 422; while the first is still running, a 409."
            ),
            "schema": {"type": "string", "minLength": 1, "maxLength": idempotency.MAX_KEY_LENGTH,
                       "pattern": idempotency.KEY_PATTERN},
        })
        responses = operation["responses"]
        responses["422"] = {"description": "Idempotency-Key reused for a different request",
                            "content": responses["400"]["content"]}
    return document


def render() -> str:
    return json.dumps(build(), indent=2, sort_keys=True) + "\n"


def write() -> Path:
    DOC_PATH.write_text(render())
    return DOC_PATH


SWAGGER_UI = """<!doctype html>
<html><head><title>examdesk API</title><meta charset="utf-8">
<link rel="stylesheet" href="https://unpkg.com/swagger-ui-dist@5/swagger-ui.css"></head>
<body><div id="ui"></div>
<script src="https://unpkg.com/swagger-ui-dist@5/swagger-ui-bundle.js"></script>
<script>SwaggerUIBundle({url: "/openapi.json", dom_id: "#ui", persistAuthorization: true});</script>
</body></html>
"""

if __name__ == "__main__":
    print(f"wrote {write()}")
