"""OAuth clients as Cognito app clients (deployed: ``EXAMDESK_USER_POOL_ID``; infra/constructs/identity.py).

We make every secret ourselves (``new_secret``) and hand it to Cognito (``ClientSecret``), so the table keeps its
hash as for any credential and the answer shows it once. Cognito holds at most two secrets per app client: a
rotation deletes all but the newest before adding the new one, so the one it replaces keeps working (the
overlap) until the next rotation or the revocation, which deletes the app client.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from functions.core.credentials import TOKEN_TTL_SECONDS
from functions.core.errors import Unavailable
from functions.platform.settings import settings


@lru_cache(maxsize=1)
def cognito() -> Any:
    import boto3

    return boto3.client("cognito-idp", config=Config(retries={"mode": "standard", "total_max_attempts": 3},
                                                    connect_timeout=2, read_timeout=5))


class CognitoClients:
    def __init__(self, user_pool_id: str | None = None, client: Any = None) -> None:
        self.pool = user_pool_id or settings().user_pool_id or ""
        self.client = client

    def _call(self, operation: str, **kwargs: Any) -> dict[str, Any]:
        try:
            result: dict[str, Any] = getattr(self.client or cognito(), operation)(UserPoolId=self.pool, **kwargs)
        except (ClientError, BotoCoreError) as error:
            raise Unavailable(f"Cognito refused {operation}: {error}") from None
        return result

    def create(self, name: str, scopes: list[str], secret: str) -> str:
        """A client-credentials app client with these scopes and this secret; its client id."""
        # Cognito's app client names allow fewer characters than ours; the name is a label, so others become '-'.
        label = re.sub(r"[^\w\s+=,.@-]", "-", name, flags=re.ASCII)[:128]
        made = self._call("create_user_pool_client", ClientName=label, ClientSecret=secret,
                          AllowedOAuthFlows=["client_credentials"], AllowedOAuthScopes=scopes,
                          AllowedOAuthFlowsUserPoolClient=True, AccessTokenValidity=TOKEN_TTL_SECONDS // 60,
                          TokenValidityUnits={"AccessToken": "minutes"}, PreventUserExistenceErrors="ENABLED")
        return str(made["UserPoolClient"]["ClientId"])

    def _newest_first(self, client_id: str) -> list[dict[str, Any]]:
        listed = self._call("list_user_pool_client_secrets", ClientId=client_id).get("ClientSecrets", [])
        return sorted(listed, key=lambda s: s.get("ClientSecretCreateDate", 0), reverse=True)

    def keep_newest(self, client_id: str) -> None:
        """Delete every secret but the newest: an overlap window has ended."""
        for old in self._newest_first(client_id)[1:]:
            self.drop_secret(client_id, old["ClientSecretId"])

    def rotate(self, client_id: str, secret: str, keep_previous: bool) -> str:
        """Add ``secret``, keeping the newest old one when ``keep_previous`` (the overlap) and no other; the
        new secret's id. Older ones go first: Cognito holds two at most."""
        newest_first = self._newest_first(client_id)
        for old in newest_first[1:]:
            self.drop_secret(client_id, old["ClientSecretId"])
        added = self._call("add_user_pool_client_secret", ClientId=client_id, ClientSecret=secret)
        if newest_first and not keep_previous:
            self.drop_secret(client_id, newest_first[0]["ClientSecretId"])
        return str(added["ClientSecretDescriptor"]["ClientSecretId"])

    def drop_secret(self, client_id: str, secret_id: str) -> None:
        self._call("delete_user_pool_client_secret", ClientId=client_id, ClientSecretId=secret_id)

    def delete(self, client_id: str) -> None:
        self._call("delete_user_pool_client", ClientId=client_id)
