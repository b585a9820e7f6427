"""Pagination tokens in the ExamSpark seed's format: base64 of a JSON list of ``"id=…|sk=…"`` strings.

A token is untrusted input. ``decode`` accepts only that exact shape; the repository then checks that the
key it names belongs to the list being read (see ``DynamoRepository.query_page``).
"""

from __future__ import annotations

import base64
import binascii
import json
import re

from functions.core.errors import InvalidInput
from functions.data.keys import PK, SK

MAX_TOKEN_LENGTH = 2048
# DynamoDB's own key limits, in UTF-8 bytes: a start key past them is a ValidationException (a 500), and no
# key we issue is near them, so a token naming one is forged.
MAX_PARTITION_KEY_BYTES = 2048
MAX_SORT_KEY_BYTES = 1024
_ENTRY = re.compile(r"^id=([^|]+)\|sk=([^|]+)$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def encode(keys: list[dict[str, str]]) -> str:
    # The text is the seed's wire format; the entries are keys of the table.
    entries = [f"id={key[PK]}|sk={key[SK]}" for key in keys]
    return base64.b64encode(json.dumps(entries, separators=(",", ":")).encode()).decode()


def decode(token: str, field: str = "nextToken") -> list[dict[str, str]]:
    def bad(why: str) -> InvalidInput:
        return InvalidInput(f"{field} is not a valid pagination token: {why}", field=field)

    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        raise bad(f"expected a non-empty string of at most {MAX_TOKEN_LENGTH} characters")
    try:
        raw = base64.b64decode(token, validate=True)
        entries = json.loads(raw.decode("utf-8"))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise bad("not base64-encoded JSON") from None
    if not isinstance(entries, list) or not entries or len(entries) > 8:
        raise bad("expected a JSON list of 1 to 8 key strings")
    keys = []
    for entry in entries:
        match = _ENTRY.match(entry) if isinstance(entry, str) else None
        if not match:
            raise bad('each entry must look like "id=<id>|sk=<sort key>"')
        pk, sk = match.groups()
        if _CONTROL.search(entry) or utf8_size(pk) > MAX_PARTITION_KEY_BYTES or utf8_size(sk) > MAX_SORT_KEY_BYTES:
            raise bad(f"a key is over DynamoDB's limits ({MAX_PARTITION_KEY_BYTES} bytes for id, "
                      f"{MAX_SORT_KEY_BYTES} for sk, in UTF-8) or holds control characters")
        keys.append({PK: pk, SK: sk})
    return keys


def utf8_size(text: str) -> int:
    try:
        return len(text.encode("utf-8"))
    except UnicodeEncodeError:  # an unpaired surrogate (from a \ud800 escape) cannot be stored at all
        return MAX_PARTITION_KEY_BYTES + 1
