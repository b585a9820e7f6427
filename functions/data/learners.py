"""Users for Open edX requests, read in batches: by username or email (edX's order), by our id, by number.

A request naming 50 learners costs two BatchGetItems (the username and email lookups, then the users), not
three reads per learner.
"""

from __future__ import annotations

from functions.core.models import User
from functions.core.numeric_ids import Kind
from functions.data import keys
from functions.data.aliases import TARGET
from functions.data.store import Store, from_item


class LearnerRepository:
    def __init__(self, store: Store | None = None) -> None:
        self.store = store or Store()

    def users(self, user_ids: list[str]) -> dict[str, User]:
        """By our ids (one BatchGetItem per 100)."""
        unique = list(dict.fromkeys(user_ids))
        found = self.store.batch_get([keys.user_key(u) for u in unique]) if unique else []
        return {item[keys.PK]: from_item(User, item) for item in found}

    def by_identifier(self, identifiers: list[str], numbers: dict[str, int] | None = None) -> dict[str, User]:
        """identifier -> user: a username first, then an email (as Open edX looks them up), then, for the
        identifiers in ``numbers``, the user with that number. Unknown identifiers are left out."""
        numbers = numbers or {}
        wanted: dict[str, tuple[dict[str, str], dict[str, str]]] = {}
        for identifier in dict.fromkeys(identifiers):
            if identifier and len(identifier) <= 256:
                wanted[identifier] = (keys.username_key(identifier), keys.email_key(identifier))
        alias_keys = [keys.number_alias_key(Kind.USER.value, n) for n in dict.fromkeys(numbers.values())]
        found = self.store.batch_get([k for pair in wanted.values() for k in pair] + alias_keys)
        by_key = {(item[keys.PK], item[keys.SK]): item for item in found}
        chosen: dict[str, str] = {}
        for identifier, (by_name, by_email) in wanted.items():
            lookup = by_key.get((by_name[keys.PK], by_name[keys.SK])) or by_key.get(
                (by_email[keys.PK], by_email[keys.SK]))
            if lookup:
                chosen[identifier] = str(lookup["userId"])
        for identifier, value in numbers.items():
            key = keys.number_alias_key(Kind.USER.value, value)
            alias = by_key.get((key[keys.PK], key[keys.SK]))
            if identifier not in chosen and alias:
                chosen[identifier] = str(alias[TARGET])
        users = self.users(list(chosen.values()))
        return {identifier: users[uid] for identifier, uid in chosen.items() if uid in users}

    def by_username(self, username: str) -> User | None:
        """Open edX's reset names the student by username only."""
        if not username or len(username) > 256:
            return None
        lookup = self.store.get(keys.username_key(username))
        return self.store.get_model(User, keys.user_key(lookup["userId"])) if lookup else None

