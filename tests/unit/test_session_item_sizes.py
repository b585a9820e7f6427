"""The largest item each kind of session item can reach, built from the authoring limits, stays under DynamoDB's
400 KB with margin (docs/data-model.md, "Sessions and attempts"). Sizes are DynamoDB's own count (attribute
names + values, functions/data/outcome_batches.item_size) of the items exactly as the data layer writes them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from functions.core import content, scoring, work
from functions.core.models import (
    Attempt,
    HistoryNote,
    Item,
    LimitedBy,
    Option,
    Question,
    Score,
    Session,
    SessionRemoval,
)
from functions.core.services.exam_instances import MAX_REASON
from functions.data import keys
from functions.data.dynamo import deserialize, serialize
from functions.data.outcome_batches import ITEM_BYTES, item_size
from functions.data.sessions import (
    attempt_parts,
    history_item,
    part_ops,
    removal_item,
    session_item,
    with_detail,
)

NOW = datetime(2026, 12, 4, 20, 0, 0, 123456, tzinfo=UTC)
MARGIN = 0.6  # every kind stays under 60 % of the limit: ~245 KB
ID = 128  # the longest id the authoring API takes (content.ID_PATTERN), ASCII
SUBJECT = 256  # the longest principal subject (a user id, key id or client id) assumed here
WIDE = "\U0001f600"  # 4 bytes in UTF-8: the widest character a text field can hold


def long_id(prefix: str, n: int) -> str:
    return f"{prefix}{n}-".ljust(ID, "x")


def largest_items() -> dict[str, Item]:
    """``MAX_POOL`` items of ``MAX_QUESTIONS`` questions of ``MAX_OPTIONS`` options, every id as long as
    allowed, each item with ``MAX_ALIGNMENTS`` objectives of its own (2,000 distinct objectives in all)."""
    items = {}
    for n in range(content.MAX_POOL):
        item_id = long_id(f"item-{n}-", 0)
        questions = [Question(id=long_id(f"q-{n}-{q}-", 0),
                              options=[Option(id=long_id(f"o-{n}-{q}-{o}-", 0), content="c", is_key=o % 2 == 0)
                                       for o in range(content.MAX_OPTIONS)])
                     for q in range(content.MAX_QUESTIONS)]
        items[item_id] = Item(id=item_id, course_id=long_id("course", 0), name="n", questions=questions,
                              alignment_ids=[long_id(f"obj-{n}-", a) for a in range(content.MAX_ALIGNMENTS)])
    return items


def full_attempt(items: dict[str, Item], number: int) -> Attempt:
    """Every question answered with every option selected (the most a response can hold), then scored."""
    attempt = summary_attempt(number)
    attempt.detached = False
    attempt.responses = {i.id: {q.id: list(range(len(q.options))) for q in i.questions} for i in items.values()}
    scoring.score_attempt(attempt, items, list(items), -1_000_000.123, 1_000_000.456)
    return attempt


def summary_attempt(number: int) -> Attempt:
    """An attempt with every summary field set at its widest: dates, a reset by a long subject, a reopen."""
    return Attempt(number=number, started_at=NOW, ends_at=NOW + timedelta(days=7), limited_by=LimitedBy.CLOSE_DATE,
                   submitted_at=NOW + timedelta(days=6), score_actual=-999_999.99,
                   points=Score(actual=1999, min=0, max=2000), reset_by="s" * SUBJECT, reset_at=NOW,
                   superseded=True, reopens=number - 1, answered=2000, detached=True)


def largest_session(items: dict[str, Item]) -> Session:
    attempts = [summary_attempt(n) for n in range(1, work.MAX_ATTEMPT_RECORDS)]
    attempts.append(full_attempt(items, work.MAX_ATTEMPT_RECORDS))
    lti = {"contextId": "c" * 512, "resourceLinkId": "r" * 512, "userId": "u" * 256, "personName": WIDE * 512,
           "personSourcedid": WIDE * 512, "outcomeServiceUrl": "h" * 2048}
    return Session(id="6f1d0c1e-8d0b-5b7a-9f43-0e9d5c1a2b3c", exam_id=long_id("exam", 0),
                   course_id=long_id("course", 0), user_id=long_id("user", 0), name=WIDE * 200, lti=lti,
                   item_ids=list(items), draw_number=99, attempts=attempts, score_actual=-999_999.99,
                   version=1_000_000, created_at=NOW, updated_at=NOW,
                   history_note=HistoryNote(reason="extension", by="s" * SUBJECT, at=NOW))


@pytest.fixture(scope="module")
def largest() -> tuple[Session, dict[str, Item]]:
    items = largest_items()
    return largest_session(items), items


def size(item: dict) -> int:
    return item_size(serialize(item))


def test_the_largest_session_item_history_copy_and_removal_record_stay_under_the_limit(largest):
    session, _ = largest
    sizes = {
        "session": size(session_item(session)),
        "history copy": size(history_item(session, session.id)),
        "removal record": size(removal_item(SessionRemoval(session=session, removed_at=NOW, removed_by="s" * SUBJECT,
                                                           reason=WIDE * MAX_REASON))),
    }
    print(sizes)  # the figures docs/data-model.md gives
    assert all(n < ITEM_BYTES * MARGIN for n in sizes.values()), sizes
    # the attempts' responses and results are not in it: only the summaries
    assert "responses" not in str(session_item(session)["attempts"][-1])


def test_the_largest_attempt_parts_stay_under_the_limit(largest):
    session, _ = largest
    attempt = session.attempts[-1]
    ops = part_ops(None, session, history=False)
    assert len(ops) == len(attempt_parts(session, attempt)) == content.MAX_POOL // keys.SESSION_PART_ITEMS
    sizes = [item_size(op["Put"]["Item"]) for op in ops]
    print(sizes)
    assert all(n < ITEM_BYTES * MARGIN for n in sizes), sizes
    # and what the whole attempt would be as one item: why it is split
    whole = sum(size(p) for p in attempt_parts(session, attempt))
    assert whole > ITEM_BYTES


def test_a_transaction_of_the_largest_submit_fits_dynamodbs_4_mb(largest):
    """Session + parts + history copy (+ statistics, pointer, the audit event's 300 KB budget) < 4 MB."""
    session, _ = largest
    parts = sum(item_size(op["Put"]["Item"]) for op in part_ops(None, session, history=False))
    total = 2 * size(session_item(session)) + parts + 300_000 + 10_000
    assert total < 3_500_000, total


def test_parts_rebuild_the_attempt_exactly(largest):
    """What is written comes back: responses, item scores and the objective roll-ups (rebuilt, not stored)."""
    session, _ = largest
    attempt = session.attempts[-1]
    stored = [op["Put"]["Item"] for op in part_ops(None, session, history=False)]

    detached = session.model_copy(deep=True)
    assert detached.current is not None
    detached.current.responses, detached.current.item_scores = {}, {}
    detached.current.objective_scores, detached.current.alignments = {}, {}
    detached.current.detached = True
    back = with_detail(detached, [deserialize(i) for i in stored]).current
    assert back is not None
    assert (back.responses, back.item_scores, back.objective_scores) == (
        attempt.responses, attempt.item_scores, attempt.objective_scores)
