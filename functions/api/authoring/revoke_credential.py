"""POST /authoring/credentials/{credentialId}/revoke"""

from __future__ import annotations

from functions.api.authoring.credentials_io import CredentialId, CredentialOut, credential_out
from functions.platform.http import RouteApp
from functions.wiring import credentials

app = RouteApp("revoke_credential", errors=(400, 401, 403, 404, 409))


@app
def revoke_credential(
    credentialId: CredentialId,
) -> CredentialOut:
    """Refuse every secret of the credential from now on: an OAuth client gets no new token, and its tokens
    and Basic requests are refused once API Gateway's cached authorization (5 minutes) lapses. Kept, listed
    as revoked; a second revoke is a 409. Audited."""
    return credential_out(credentials(app).revoke(credentialId))


lambda_handler = app.lambda_handler
