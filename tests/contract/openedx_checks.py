"""A schemathesis check loaded by tests/contract/test_openedx_spec.py (SCHEMATHESIS_HOOKS): the published
spec's status codes, plus the answers API Gateway gives on every route by itself.

It is schemathesis' ``status_code_conformance`` (which it replaces in that run, and nothing else) widened by
exactly the gateway-level statuses every route shares (docs/openedx.md): 401 (no or bad credentials), 403,
404 (no such resource: also DRF's "Invalid page" and edX's URL router for a non-integer exam id), 405 (a method
the resource lacks), 413 (a body over 10 MB), 429 (throttled) and 503 (unavailable). Any other status an
operation does not document fails, as in the original check.

One more replacement, for one documented reason: examdesk refuses C0/C1 control characters (but tab, LF and CR)
and NUL in request strings on every route with a 400 that says so (functions/platform/request_limits.py,
issue 17's hostile input: e.g. terminal escapes reaching logs), where the published spec types them as plain
strings. ``accepted_unless_control_characters`` is schemathesis' ``positive_data_acceptance`` except for that
400, and ``documented_or_gateway_status`` accepts that 400 too. Listed in docs/openedx.md.
"""

from __future__ import annotations

import schemathesis
from schemathesis.core.transport import Response
from schemathesis.generation.case import Case
from schemathesis.openapi.checks import UndefinedStatusCode
from schemathesis.specs.openapi.checks import (
    _expand_status_codes,
    is_unexpected_http_status_case,
    positive_data_acceptance,
)

GATEWAY_STATUSES = (401, 403, 404, 405, 413, 429, 503)
CONTROL_REFUSAL = "control character"  # the words of request_limits' refusal


def refused_for_control_characters(response: Response) -> bool:
    return response.status_code == 400 and CONTROL_REFUSAL in (response.text or "")


@schemathesis.check
def accepted_unless_control_characters(ctx: schemathesis.CheckContext, response: Response,
                                       case: Case) -> bool | None:
    if refused_for_control_characters(response):
        return None
    return positive_data_acceptance(ctx, response, case)


@schemathesis.check
def documented_or_gateway_status(ctx: schemathesis.CheckContext, response: Response, case: Case) -> bool | None:
    if is_unexpected_http_status_case(case) or refused_for_control_characters(response):
        return None
    documented = case.operation.responses.status_codes
    if "default" in documented:
        return None
    allowed = [*_expand_status_codes(documented), *GATEWAY_STATUSES]
    if response.status_code not in allowed:
        raise UndefinedStatusCode(
            operation=case.operation.label, status_code=response.status_code,
            defined_status_codes=list(map(str, documented)), allowed_status_codes=allowed,
            message=f"Received: {response.status_code}\nDocumented: {', '.join(map(str, documented))}; "
                    f"gateway-level: {', '.join(map(str, GATEWAY_STATUSES))}")
    return None
