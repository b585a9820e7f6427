"""The credential sweep (EventBridge every 5 minutes -> this Lambda; CDK: infra/constructs/identity.py).

Ends rotation overlap windows that have passed: the credential forgets its old secret's hash and, deployed,
the Cognito app client loses the old secret, so Cognito's token endpoint refuses it within 5 minutes of the
window's end (the authorizer and the local token endpoint compare times themselves and need no sweep). Each
closed window is an audit event ``credential.overlap-end`` by ``system:credential-sweep``. Any event (a schedule
tick or ``{}`` from the console) runs one sweep and answers the ids it closed.
"""

from __future__ import annotations

from typing import Any

from functions.core.rights import Access, Principal
from functions.core.services.credentials import CredentialService
from functions.data.credentials import CredentialRepository
from functions.data.directory import DirectoryRepository
from functions.data.unit_of_work import DynamoUnitOfWork
from functions.platform.clock import utcnow
from functions.platform.observability import logger
from functions.platform.settings import settings

SWEEP = Principal(kind="system", subject="credential-sweep")


def sweep() -> list[str]:
    app_clients = None
    if settings().user_pool_id:
        from functions.data.cognito_clients import CognitoClients

        app_clients = CognitoClients()
    now = utcnow()
    service = CredentialService(store=CredentialRepository(), unit=DynamoUnitOfWork(SWEEP, now),
                                access=Access(SWEEP, DirectoryRepository()), now=now,
                                app_clients=app_clients)
    return service.close_overlaps()


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    closed = sweep()
    logger.info("overlap windows closed", extra={"closed": len(closed)})
    return {"closed": closed, "summary": f"closed {len(closed)} ended overlap window(s)"}
