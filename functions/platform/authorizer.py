"""API Gateway REQUEST authorizer: verifies the credentials and hands the Principal to the route.

The policy allows every method of the API because API Gateway caches it per Authorization header; what
the caller may do is decided in the domain, from the table's enrollments and roles.
"""

from __future__ import annotations

from typing import Any

from functions.core.errors import Unauthenticated, Unavailable
from functions.data.credentials import CredentialRepository
from functions.platform.auth import authenticate
from functions.platform.observability import logger
from functions.platform.principal import to_context


def authorize(event: dict[str, Any]) -> dict[str, Any]:
    """The authorizer's answer, or Unauthenticated (API Gateway turns that into a 401)."""
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    principal = authenticate(headers.get("authorization"), CredentialRepository().get_item)
    arn = str(event.get("methodArn", "arn:aws:execute-api:local:000000000000:local/local/GET/"))
    api_arn = "/".join(arn.split("/")[:2]) + "/*"
    return {
        "principalId": principal.subject,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": api_arn}],
        },
        "context": to_context(principal),
    }


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    try:
        return authorize(event)
    except Unauthenticated as error:
        logger.info("credentials refused", extra={"reason": error.message})
        raise Exception("Unauthorized") from None  # the exact message API Gateway maps to 401
    except Unavailable:
        # Any other failure is API Gateway's AUTHORIZER_FAILURE, answered as the documented 503 with
        # Retry-After (functions/platform/gateway.py), as a route answers when the store is down.
        logger.warning("the store is unavailable to the authorizer", exc_info=True)
        raise
