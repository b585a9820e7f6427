"""The list backfill's rules (docs/data-model.md, "Lists", "Existing deployments"; run by an operator:
functions/jobs/backfill_lists.py, data/backfill.py does the reads and writes).

A stack deployed before the write-sharded lists holds items the current code never reads: live sessions with
old (or no) list entries, extensions and their history under the exam's partition, course audit events in one
partition. The backfill moves each of them once, and counts each into the list counters once:

- ``attempts`` (an exam's statistics, the Open edX attempts lists' ``count``): the live code adds a session's
  attempts when it starts, retakes, removes or restores it, so a session it wrote is already counted. A session
  in the old shape was written before the counter existed: its rewrite ADDs its attempts to the session's own
  statistics shard IN THE SAME TRANSACTION, conditioned on the item still being the one read (its ``version``
  and its old exam-list entry). The condition holds once: after the rewrite the item is in the current shape
  and a re-run counts nothing; after a live write it is in the current shape too, and the transaction fails and
  counts nothing. A Scan's duplicates or overlapping runs cannot count an item twice, and concurrent ADDs by the
  live system are never lost (ADD, never a SET of a recount, which would erase what a start adds meanwhile).
- ``allowances`` (an exam's ``list-counts``): an extension at its old key is invisible to the live code, which
  therefore never counted it. Its move (put at the new key if absent, delete the old if still the one read)
  carries the ADD of its allowance rows in the same transaction: the old item can be deleted once, so it is
  counted once. When the live code has since written an extension at the new key (a grant that did not see the
  old one, and counted its own rows), the old one is superseded: left in place, not counted, and reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from functions.core import allowances
from functions.core.errors import InvalidInput
from functions.core.models import Extension, Session

MAX_SEGMENTS = 1000
MAX_SECONDS = 660  # under the function's NearTimeout alarm (80 % of its 15 minutes), with a page to spare
DEFAULT_SECONDS = 600
PAGE = 100  # items per Scan page; the time limit is checked between pages
EVENT_FIELDS = frozenset({"segment", "segments", "start", "dry_run", "max_seconds"})
KINDS = ("sessions", "extensions", "extension_history", "audit_events")
SKIP_REASONS = {
    "lost_race": "changed by the live system between read and write (retried on the next run)",
    "superseded": "an extension already at the new key (a grant since the deploy): the old one is left in place",
    "unreadable": "not a valid session or extension, or its key and body disagree: left in place",
    "busy": "the store was busy (throttled): retried on the next run",
}


@dataclass(frozen=True)
class Request:
    segment: int
    segments: int
    start: str | None  # the cursor an earlier answer gave (a seed-format token), None from the segment's start
    dry_run: bool
    max_seconds: int


def _whole(event: dict[str, Any], name: str, default: int, low: int, high: int) -> int:
    value = event.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInput(f"{name} must be a whole number from {low} to {high}; got {value!r}", field=name)
    return value


def parse(event: Any) -> Request:
    """A console event ``{"segment": 0, "segments": 4, "start": null, "dry_run": true, "max_seconds": 600}``
    (every field optional: ``{}`` is a dry run of the whole table in one segment). Anything else is refused
    before any read, so a typo (``"dryrun": false``) never runs something other than what was asked."""
    if not isinstance(event, dict):
        raise InvalidInput("the event must be a JSON object")
    unknown = sorted(set(event) - EVENT_FIELDS)
    if unknown:
        raise InvalidInput(f"unknown field(s) {', '.join(map(repr, unknown))}; the fields are "
                           f"{', '.join(sorted(EVENT_FIELDS))}", field=unknown[0])
    segments = _whole(event, "segments", 1, 1, MAX_SEGMENTS)
    segment = _whole(event, "segment", 0, 0, segments - 1)
    dry_run = event.get("dry_run", True)
    if not isinstance(dry_run, bool):
        raise InvalidInput(f"dry_run must be true or false; got {dry_run!r}", field="dry_run")
    start = event.get("start")
    if start is not None and (not isinstance(start, str) or not start):
        raise InvalidInput("start must be null or the cursor (next) a previous run answered", field="start")
    return Request(segment, segments, start, dry_run, _whole(event, "max_seconds", DEFAULT_SECONDS, 1, MAX_SECONDS))


def attempts_counted(session: Session) -> int:
    """What a session adds to its exam's ``attempts`` counter (as core/changes.py session_delta counts a start)."""
    return len(session.attempts)


def allowance_rows(extension: Extension) -> int:
    """What an extension adds to its exam's ``allowances`` counter (its Open edX allowance rows)."""
    return allowances.row_count(extension)


@dataclass
class Report:
    """What one invocation did (or, in a dry run, would do): counts per kind and per reason skipped."""

    request: Request
    examined: int = 0
    changed: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    current: int = 0  # live sessions already in the current shape
    attempts_added: int = 0
    allowances_added: int = 0
    skipped: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SKIP_REASONS, 0))
    superseded: list[dict[str, str]] = field(default_factory=list)  # the first few, for the operator
    next: str | None = None
    busy: bool = False  # the Scan was throttled: stopped early (go on from ``next``, or from the start if none)

    def skip(self, reason: str, key: dict[str, str] | None = None) -> None:
        self.skipped[reason] += 1
        if reason == "superseded" and key is not None and len(self.superseded) < 20:
            self.superseded.append(key)

    def answer(self) -> dict[str, Any]:
        r = self.request
        verb = "would_change" if r.dry_run else "changed"
        total = sum(self.changed.values())
        skipped = sum(self.skipped.values())
        done = self.next is None and not self.busy
        what = ("nothing to change" if not total else
                f"{'would rewrite' if r.dry_run else 'rewrote'} {self.changed['sessions']} session(s) "
                f"(+{self.attempts_added} attempts), {'would move' if r.dry_run else 'moved'} "
                f"{self.changed['extensions']} extension(s) (+{self.allowances_added} allowance rows), "
                f"{self.changed['extension_history']} extension history cop(ies), "
                f"{self.changed['audit_events']} audit event(s)")
        why = "the store was busy" if self.busy else "time limit"
        again = "\"start\" set to \"next\"" if self.next else "the same event"
        where = (f"segment {r.segment} of {r.segments} finished" if done else
                 f"segment {r.segment} of {r.segments} NOT finished ({why}): invoke again with {again}")
        summary = (f"{'DRY RUN, nothing written: ' if r.dry_run else ''}examined {self.examined} item(s); {what}; "
                   f"{self.current} session(s) already current; {skipped} skipped; {where}")
        return {
            "dry_run": r.dry_run, "segment": r.segment, "segments": r.segments, "start": r.start,
            "done": done, "next": self.next, "examined": self.examined,
            verb: {**self.changed, "attempts_added": self.attempts_added,
                   "allowances_added": self.allowances_added},
            "already_current": self.current,
            "skipped": {reason: n for reason, n in self.skipped.items() if n},
            "skip_reasons": {reason: SKIP_REASONS[reason] for reason, n in self.skipped.items() if n},
            "superseded": self.superseded,
            "summary": summary,
        }
