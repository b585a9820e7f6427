"""Our OpenAPI document: generated from the route modules, committed, and drift-tested."""

from __future__ import annotations

import json

from functions.routes import ROUTES
from infra.local import openapi

# Open edX operations whose published spec documents no 400: every parameter is read as text, so nothing is
# refused as malformed (docs/openedx.md, "Statuses").
NO_BAD_REQUEST = {"openedx_list_special_exams", "openedx_get_special_exam", "openedx_list_exam_attempts",
                  "openedx_list_course_attempts", "openedx_list_course_allowances", "openedx_get_proctoring_settings"}


def test_committed_document_is_current():
    committed = openapi.DOC_PATH.read_text()
    assert committed == openapi.render(), "docs/openapi.json is stale: run `make openapi` and commit it"


def test_every_route_is_documented_with_its_name_as_operation_id():
    document = json.loads(openapi.render())
    operations = {
        (method.upper(), path): op["operationId"]
        for path, methods in document["paths"].items()
        for method, op in methods.items()
    }
    assert operations == {(r.method, r.path): r.name for r in ROUTES}
    for methods in document["paths"].values():
        for op in methods.values():
            # validation failures are answered 400; a 422 only ever means a reused Idempotency-Key
            assert op["responses"].get("422", {}).get("description", "Idempotency-Key").startswith("Idempotency-Key")
            assert "400" in op["responses"] or op["operationId"].startswith("powerpath_masterytrack") or (
                op["operationId"] in NO_BAD_REQUEST)
