"""GET /authoring/credentials/{credentialId}"""

from __future__ import annotations

from functions.api.authoring.credentials_io import CredentialId, CredentialOut, credential_out
from functions.platform.http import RouteApp
from functions.wiring import credentials

app = RouteApp("get_credential")


@app
def get_credential(
    credentialId: CredentialId,
) -> CredentialOut:
    """One integration credential, without its secret (institution administrators)."""
    return credential_out(credentials(app).get(credentialId))


lambda_handler = app.lambda_handler
