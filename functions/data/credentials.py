"""Integration credentials (HTTP Basic keys and OAuth clients) in the single table: ``<id>`` / ``api-key#v0``.

Listed through BY_PARENT (``credentials`` / ``credential#<id>``), never a Scan. Changes are conditional on the
version read (optimistic locking) and go in one transaction with their audit event.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from functions.core.credentials import Credential
from functions.data import keys
from functions.data.keys import BY_PARENT
from functions.data.store import NEW_ITEM, Store, op_put
from functions.data.writers import Op, saves

if TYPE_CHECKING:
    from functions.core.changes import Saved


def credential_item(credential: Credential) -> dict[str, Any]:
    body = credential.model_dump(mode="json", by_alias=True, exclude_none=True)
    return {**body, **keys.credential_index(credential.id), **keys.api_key_key(credential.id)}


@saves("credential")
def credential_writes(change: Saved) -> list[Op]:
    """``extra``: the whole ``credential`` (``before`` / ``after`` are what the audit trail shows: no hashes) and,
    for a change, the ``read_version`` it is conditioned on (a 409 concurrent_update when someone changed it)."""
    credential: Credential = change.extra["credential"]
    if change.before is None:
        return [op_put(credential_item(credential), NEW_ITEM)]
    read_version = change.extra["read_version"]
    return [op_put(credential_item(credential), "#v = :v", names={"#v": "version"}, values={":v": read_version})]


class CredentialRepository:
    def __init__(self, store: Store | None = None) -> None:
        self.store = store or Store()

    def get(self, credential_id: str, *, consistent: bool = False) -> Credential | None:
        item = self.store.get(keys.api_key_key(credential_id), consistent=consistent)
        return Credential.model_validate(item) if item else None

    def get_item(self, credential_id: str) -> dict[str, Any] | None:
        """The stored item as the authorizer reads it (one GetItem, eventually consistent)."""
        return self.store.get(keys.api_key_key(credential_id))

    def list_page(self, limit: int, token: str | None) -> tuple[list[Credential], str | None]:
        page = self.store.query_page(keys.CREDENTIALS, keys.CREDENTIAL_PREFIX, index=BY_PARENT, limit=limit,
                                     token=token)
        return [Credential.model_validate(i) for i in page.items], page.next_token

    def missing_courses(self, course_ids: list[str]) -> list[str]:
        """The course ids that name no course (one BatchGetItem)."""
        found = {i[keys.PK] for i in self.store.batch_get([keys.course_key(c) for c in course_ids])}
        return [c for c in course_ids if keys.course_key(c)[keys.PK] not in found]
