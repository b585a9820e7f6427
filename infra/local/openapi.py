"""The OpenAPI document, generated with Powertools from every route module in the registry."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.models import APIKey, APIKeyIn, HTTPBearer

from functions.platform import auth, idempotency, request_limits
from functions.routes import ROUTES

DOC_PATH = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
DESCRIPTION = (
    "One exam-administration backend speaking the ExamSpark, Open edX, Canvas, LearningStudio and "
    "PowerPath dialects on one domain, plus the examdesk authoring API. Authenticate with "
    "`Authorization: Bearer <jwt>`, `JWT <jwt>` or `Basic <key:secret>`. "
    f"Limits on every route (a 400 or 413 naming the limit): the Authorization header at most {auth.MAX_HEADER} "
    "ASCII characters (an integration key id 1 to 128 visible ASCII characters); each path parameter at most "
    f"{request_limits.MAX_ID_BYTES} bytes in UTF-8 (`x-maxBytes`), each query value at most "
    f"{request_limits.MAX_QUERY_BYTES}; a body at most {request_limits.MAX_BODY_BYTES} bytes, nested at most "
    f"{request_limits.MAX_DEPTH} levels deep, numbers of at most {request_limits.MAX_NUMBER_DIGITS} digits; no "
    "control characters (tab, line feed and carriage return are text in a body) nor unpaired surrogates. "
    "DynamoDB counts key lengths in bytes: an id of `maxLength` characters may still be over its byte limit."
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
    return _with_request_limits(_with_idempotency_keys(_without_422(json.loads(schema))))


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


def _with_request_limits(document: dict[str, Any]) -> dict[str, Any]:
    """RouteApp's own limits (functions/platform/request_limits.py), on every parameter and body they apply to,
    so a client sees them: the byte limits as ``x-maxBytes`` (JSON Schema's maxLength counts characters), a
    path parameter's ``maxLength`` where the route declares none (bytes bound characters)."""
    limits = request_limits
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] not in ("path", "query"):
                    continue
                most = limits.MAX_ID_BYTES if parameter["in"] == "path" else limits.MAX_QUERY_BYTES
                schema = parameter.setdefault("schema", {})
                schema["x-maxBytes"] = most
                if parameter["in"] == "path" and "maxLength" not in schema and "pattern" not in schema:
                    schema["maxLength"] = most
                note = f"At most {most} bytes in UTF-8; no control characters."
                parameter["description"] = f"{parameter.get('description', '').rstrip('. ')}. {note}".lstrip(". ")
            body = operation.get("requestBody")
            if body:
                body["x-maxBytes"] = limits.MAX_BODY_BYTES
                body["x-maxDepth"] = limits.MAX_DEPTH
                body["x-maxNumberDigits"] = limits.MAX_NUMBER_DIGITS
                body["description"] = (
                    f"At most {limits.MAX_BODY_BYTES} bytes (413), nested at most {limits.MAX_DEPTH} levels, numbers "
                    f"of at most {limits.MAX_NUMBER_DIGITS} digits, no control characters but tab, LF and CR (400).")
    return document


def render() -> str:
    return json.dumps(build(), indent=2, sort_keys=True) + "\n"


def write() -> Path:
    DOC_PATH.write_text(render())
    return DOC_PATH


# Swagger UI from the copy Powertools ships inside its package: the page loads nothing from another origin, so
# it works without internet access (the CSP below makes the browser refuse anything else).
SWAGGER_ASSETS = Path(importlib.import_module("aws_lambda_powertools.event_handler.openapi.swagger_ui").__file__
                      or "").parent
ASSETS = {  # path -> (file in the package or None for ours, content type)
    "/docs/swagger-ui.min.css": ("swagger-ui.min.css", "text/css; charset=utf-8"),
    "/docs/swagger-ui-bundle.min.js": ("swagger-ui-bundle.min.js", "text/javascript; charset=utf-8"),
    "/docs/init.js": (None, "text/javascript; charset=utf-8"),
}
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                           "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'")
SWAGGER_UI = """<!doctype html>
<html><head><title>examdesk API</title><meta charset="utf-8">
<link rel="stylesheet" href="/docs/swagger-ui.min.css"></head>
<body><div id="ui"></div>
<script src="/docs/swagger-ui-bundle.min.js"></script>
<script src="/docs/init.js"></script>
</body></html>
"""
# No inline script (the CSP allows only our own files); validatorUrl null: the default badge calls swagger.io.
SWAGGER_INIT = ('SwaggerUIBundle({url: "/openapi.json", dom_id: "#ui", persistAuthorization: true, '
                'validatorUrl: null});\n')


def docs_asset(path: str) -> tuple[str, str]:
    """The text and content type of a Swagger UI file served under /docs (a path of ``ASSETS``)."""
    name, content_type = ASSETS[path]
    return (SWAGGER_INIT if name is None else (SWAGGER_ASSETS / name).read_text("utf-8")), content_type


if __name__ == "__main__":
    print(f"wrote {write()}")
