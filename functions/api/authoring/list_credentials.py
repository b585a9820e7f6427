"""GET /authoring/credentials"""

from __future__ import annotations

from functions.api.authoring.credentials_io import CredentialOut, credential_out
from functions.api.authoring.params import DEFAULT_PAGE, Limit, NextToken
from functions.api.authoring.render import PageOut
from functions.platform.http import RouteApp
from functions.wiring import credentials

app = RouteApp("list_credentials")


@app
def list_credentials(
    limit: Limit = DEFAULT_PAGE,
    next_token: NextToken = None,
) -> PageOut[CredentialOut]:
    """Every integration credential in id order, active and revoked, never a secret or its hash
    (institution administrators)."""
    found, token = credentials(app).list_page(limit, next_token)
    return PageOut[CredentialOut](items=[credential_out(c) for c in found], next_token=token)


lambda_handler = app.lambda_handler
