"""Pages of exam sessions across several exam configs, and the configs with their statistics items.

Token (the seed's format, base64 of a JSON list of ``"id=…|sk=…"``):
- one config in the filter: exactly the seed's ``["id=<last session>|sk=exam-session"]``;
- several: ``["id=<last session>|sk=exam-session", "id=<exam config>|sk=exam#v0"]``, the second entry naming
  the config the first belongs to; or ``["id=<exam config>|sk=exam#v0"]`` alone when the previous page ended
  exactly at the end of the config before it (the next page starts at that config's first session).
Configs are walked in the order the filter gives them; a config's sessions by their latest attempt's start,
merged from its write-sharded index partitions (data/course_walks.py). A token naming a config outside the
filter, or a session outside the named config's list, is a 400 (``token_page`` checks the session entry).
"""

from __future__ import annotations

from typing import Any

from functions.core.errors import InvalidInput
from functions.core.models import Exam, Session
from functions.data import keys, stats, tokens
from functions.data.course_walks import token_page
from functions.data.store import Store, from_item

CONFIG_SK = keys.versioned(keys.EXAM)


class SessionListRepository:
    def __init__(self, store: Store | None = None) -> None:
        self.store = store or Store()

    def configs_and_stats(self, exam_ids: list[str]) -> tuple[dict[str, Exam], dict[str, dict[str, Any]]]:
        """The exam configs and their statistics (every shard, combined per config) in one BatchGetItem of
        1 + 193 keys per config, 100 keys per call: 2 calls for one config (data/stats.py)."""
        wanted = [keys.exam_key(e) for e in exam_ids] + stats.stats_keys(exam_ids)
        found = self.store.batch_get(wanted)
        exams = {i[keys.PK]: from_item(Exam, i) for i in found if i[keys.SK] == CONFIG_SK}
        return exams, stats.by_exam(found)

    def sessions_page(self, exam_ids: list[str], limit: int, token: str | None
                      ) -> tuple[list[Session], str | None]:
        """Up to ``limit`` sessions, one Query per config walked (at most the configs from the token's on)."""
        position, start = _position(exam_ids, token)
        sessions: list[Session] = []
        for n in range(position, len(exam_ids)):
            items, next_token = token_page(keys.exam_sessions_list(exam_ids[n]), limit - len(sessions), start)
            start = None
            sessions += [from_item(Session, i) for i in items]
            if next_token:
                return sessions, _continue(next_token, exam_ids, n)
            if len(sessions) >= limit:
                more = n + 1 < len(exam_ids)
                return sessions, tokens.encode([keys.exam_key(exam_ids[n + 1])]) if more else None
        return sessions, None


def _continue(query_token: str, exam_ids: list[str], n: int) -> str:
    if len(exam_ids) == 1:
        return query_token  # exactly the seed's form
    return tokens.encode([*tokens.decode(query_token), keys.exam_key(exam_ids[n])])


def _position(exam_ids: list[str], token: str | None) -> tuple[int, str | None]:
    """Which config the page starts in, and the session token to continue that config's Query with."""
    if not token:
        return 0, None
    entries = tokens.decode(token)
    configs = [e for e in entries if e[keys.SK] == CONFIG_SK]
    sessions = [e for e in entries if e[keys.SK] == keys.SESSION_SK]
    if len(configs) > 1 or len(sessions) > 1 or len(configs) + len(sessions) != len(entries):
        raise InvalidInput("nextToken does not belong to this list", field="nextToken")
    config = configs[0][keys.PK] if configs else exam_ids[0]  # the seed's one-entry form: the first config
    if config not in exam_ids:
        raise InvalidInput("nextToken does not belong to this list", field="nextToken")
    return exam_ids.index(config), tokens.encode(sessions) if sessions else None
