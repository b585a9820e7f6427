"""POST /authoring/credentials"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from functions.api.authoring.credentials_io import CredentialCreate, IssuedOut, issued_out
from functions.platform.http import RouteApp
from functions.wiring import credentials

app = RouteApp("create_credential", errors=(400, 401, 403, 409), status_code=201)


@app
def create_credential(
    body: Annotated[CredentialCreate, Body()],
) -> IssuedOut:
    """Issue an integration credential for some courses and rights (institution administrators): an HTTP Basic
    key, or an OAuth client for the client credentials grant. The answer holds the secret, the only time it is
    shown; only its hash is stored. Audited (GET /authoring/audit-events)."""
    return issued_out(credentials(app).create(body.kind, body.name, list(body.courses),
                                              [r.value for r in body.rights], body.id))


lambda_handler = app.lambda_handler
