"""POST /authoring/credentials/{credentialId}/rotate"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from functions.api.authoring.credentials_io import CredentialId, CredentialRotate, IssuedOut, issued_out
from functions.platform.http import RouteApp
from functions.wiring import credentials

app = RouteApp("rotate_credential", errors=(400, 401, 403, 404, 409))


@app
def rotate_credential(
    credentialId: CredentialId,
    body: Annotated[CredentialRotate, Body()],
) -> IssuedOut:
    """A new secret (shown once); the old one keeps working for overlapSeconds (default one hour; send {} for
    it), so clients can switch without downtime. A revoked credential is a 409. Audited."""
    return issued_out(credentials(app).rotate(credentialId, body.overlap_seconds))


lambda_handler = app.lambda_handler
