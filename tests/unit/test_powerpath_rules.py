"""PowerPath's pure rules: what can be assigned, when an import is final, scores, when to try next, result
ids, the write-back signature, and the adapters' reading of provider payloads (no sockets)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from functions.core import external_tests as rules
from functions.core.errors import InvalidInput, ProviderFailed, Unauthenticated
from functions.core.external_tests import ProviderResults, ScoreStatus
from functions.core.models import ExternalAssignment, ExternalQuestion, Lesson
from functions.providers.edulastic import EdulasticResults, score_status
from functions.providers.http import HttpPolicy, provider_message
from functions.providers.masterytrack import MasteryTrack, Writeback, sign, verify_signature

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


def q(answered=True, correct=True, score=1.0, max_score=1.0):
    return ExternalQuestion(id="q", index=0, answered=answered, correct=correct, score=score,
                            max_score=max_score)


def assignment(provider="edulastic", **fields) -> ExternalAssignment:
    values = {"student_id": "s", "lesson_id": "l", "attempt": 1, "course_id": "c", "lesson_type": "placement",
              "tool_provider": provider, "subject": "Math", "grade": 2, "student_email": "s@x.edu",
              "assigned_at": NOW, "assigned_by": "s"}
    return ExternalAssignment(**{**values, **fields})


@pytest.mark.parametrize("status,questions,final", [
    ("GRADED", [q(), q(correct=False, score=0)], True),
    ("GRADED", [q(), q(answered=False, correct=None, score=None)], False),  # not every question answered
    ("SUBMITTED", [q(), q()], False),  # not graded yet
    ("IN_PROGRESS", [q()], False),
    ("GRADED", [], False),  # nothing to grade is not a result
])
def test_edulastic_is_final_when_every_question_is_answered_and_graded(status, questions, final):
    assert rules.is_final("edulastic", status, "", questions, processed=False) is final


@pytest.mark.parametrize("score_status,processed,final", [
    ("fully graded", True, True),
    ("fully graded", False, False),
    ("partially graded", True, False),
    ("submitted", True, False),
])
def test_mastery_track_is_final_when_fully_graded_and_processed(score_status, processed, final):
    assert rules.is_final("mastery-track", "x", score_status, [q()], processed) is final


def test_backoff_doubles_from_the_schedule_rate_up_to_twelve_hours():
    assert [rules.backoff(n) for n in (0, 1, 2, 3)] == [timedelta(minutes=m) for m in (0, 5, 10, 20)]
    assert rules.backoff(50) == timedelta(hours=12)
    assert rules.backoff(2, timedelta(seconds=1)) == timedelta(seconds=2)


def test_polling_slows_with_age_and_mastery_track_waits_for_the_write_back():
    fresh = assignment()
    assert rules.next_poll(fresh, NOW + timedelta(hours=1)) == NOW + timedelta(hours=1, minutes=5)
    assert rules.next_poll(fresh, NOW + timedelta(days=2)) == NOW + timedelta(days=2, hours=1)
    assert rules.next_poll(fresh, NOW + timedelta(days=9)) == NOW + timedelta(days=10)
    assert rules.next_poll(assignment("mastery-track"), NOW) == rules.AWAITING_WRITEBACK


def test_apply_results_failed_and_nothing_new():
    before = assignment(failures=2, last_error="boom")
    results = ProviderResults(status="GRADED", score_status=ScoreStatus.FULLY_GRADED,
                              questions=[q(), q(correct=False, score=0.0)])
    after = rules.apply_results(before, results, NOW)
    assert after.finalized and after.next_try_at is None and after.finalized_at == NOW
    assert after.score == 50.0 and (after.failures, after.last_error) == (0, None)
    assert before.questions == [] and not before.finalized  # the input is not changed
    failed = rules.failed(before, NOW, "edulastic answered HTTP 500")
    assert failed.failures == 3 and failed.next_try_at == NOW + timedelta(minutes=20)
    assert rules.nothing_new(failed, NOW).failures == 0
    graded = ProviderResults("GRADED", ScoreStatus.FULLY_GRADED, [q()], 87.5)
    with_score = rules.apply_results(before, graded, NOW)
    assert with_score.score == 87.5  # the provider's own percentage wins


def test_mastery_track_processed_flag_follows_the_write_back_sequence():
    a = assignment("mastery-track", writeback={"x": 1}, writeback_seq=2, processed_seq=1)
    assert rules.has_news(a) and not a.mastery_track_processed
    results = ProviderResults("x", ScoreStatus.FULLY_GRADED, [q()], processed_seq=2)
    after = rules.apply_results(a, results, NOW)
    assert after.mastery_track_processed and after.finalized and not rules.has_news(after)


def test_tally_and_percent():
    questions = [q(), q(correct=False, score=0.0), q(answered=False, correct=None, score=None)]
    assert rules.tally(questions) == (1, 3, 33.33)
    assert rules.percent_score(questions) == 50.0
    assert rules.tally([]) == (0, 0, 0.0) and rules.percent_score([]) is None


def test_assignable_lessons():
    def lesson(lesson_type="placement", provider="edulastic"):
        return Lesson(id="l1", course_id="c", title="t", lesson_type=lesson_type, tool_provider=provider,
                      subject="Math", grade=2)

    assert rules.check_assignable(lesson()) == "edulastic"
    for bad, words in ((lesson("quiz", None), "'quiz'"), (lesson("test-out", None), "no toolProvider"),
                       (lesson("unit-test", "khan"), "not supported")):
        with pytest.raises(InvalidInput, match=words):
            rules.check_assignable(bad)
    with pytest.raises(InvalidInput, match="subject"):
        rules.check_lesson(lesson().model_copy(update={"subject": "Cooking"}))
    with pytest.raises(InvalidInput, match="toolProvider"):
        rules.check_lesson(lesson("quiz", "edulastic"))


def test_result_ids_round_trip_and_refuse_anything_else():
    assert rules.parse_result_id(rules.result_id("kevin", "lesson-1", 3)) == ("kevin", "lesson-1", 3)
    for bad in ("", "a|b", "a|b|c", "|b|1", "a|b|1|2", "a|b|\u00b2", "a|b|0", "a|b|100000", "a|b|1\n",
                "\u00e9|b|1", "a|" + "b" * 129 + "|1"):
        assert rules.parse_result_id(bad) is None


def test_wants_enrollment_only_for_finalized_placements_and_test_outs_once():
    assert rules.wants_enrollment(assignment(finalized=True))
    assert not rules.wants_enrollment(assignment(finalized=False))
    assert not rules.wants_enrollment(assignment(finalized=True, lesson_type="unit-test"))
    assert not rules.wants_enrollment(assignment(finalized=True, enrollment="enrolled"))


def test_write_back_signature():
    raw, ts = b'{"a": 1}', str(int(NOW.timestamp()))
    verify_signature("s3cret", raw, ts, sign("s3cret", raw, ts), NOW)
    later = NOW + timedelta(minutes=6)
    for secret, body, stamp, at in (("other", raw, ts, NOW), ("s3cret", b'{"a": 2}', ts, NOW),
                                    ("s3cret", raw, ts, later), ("s3cret", raw, "x", NOW)):
        with pytest.raises(Unauthenticated):
            verify_signature("s3cret", body, stamp, sign(secret, raw, ts), at)
    with pytest.raises(Unauthenticated, match="must carry"):
        verify_signature("s3cret", raw, None, None, NOW)


def test_edulastic_score_status_and_payload_errors():
    def results(status, answered=True, score=1.0):
        return EdulasticResults.model_validate({"status": status, "questions": [
            {"id": "q1", "index": 0, "answered": answered, "score": score}]})

    assert score_status(results("GRADED")) == ScoreStatus.FULLY_GRADED
    assert score_status(results("GRADED", score=None)) == ScoreStatus.PARTIALLY_GRADED
    assert score_status(results("SUBMITTED")) == ScoreStatus.SUBMITTED
    assert score_status(results("NOT_STARTED", answered=False)) == ScoreStatus.NOT_SUBMITTED
    adapter = MasteryTrack("http://unused.invalid", HttpPolicy())
    with pytest.raises(ProviderFailed, match=r"unexpected payload: status"):
        adapter.parse(EdulasticResults, {"questions": []}, "the results")


def test_mastery_track_reads_the_stored_write_back_without_a_call():
    payload = Writeback.model_validate({
        "assessmentResultSourcedId": "s|l|1", "assessmentLineItemSourcedId": "l", "assignmentId": 7,
        "studentEmail": "s@x.edu", "scoreStatus": "fully graded", "score": 50, "extra": "ignored",
        "questions": [{"id": "b", "index": 1, "correct": False, "score": 0},
                      {"id": "a", "index": 0, "score": 1}],
    }).model_dump(by_alias=True)
    a = assignment("mastery-track", writeback=payload, writeback_seq=1)
    adapter = MasteryTrack(None, HttpPolicy())
    found = adapter.fetch_results(a)
    assert found is not None and [x.id for x in found.questions] == ["a", "b"] and found.processed_seq == 1
    assert adapter.fetch_results(a.model_copy(update={"processed_seq": 1})) is None
    with pytest.raises(ProviderFailed, match="not configured"):
        adapter.url("/x")


def test_provider_messages():
    assert provider_message(b'{"message": "no such test"}') == "no such test"
    assert provider_message(b'{"error": {"message": "nested"}}') == "nested"
    assert provider_message(b'{"success": false, "error": "invalid api key"}') == "invalid api key"
    assert provider_message(b"<html>Bad Gateway</html>") == "<html>Bad Gateway</html>"
    assert provider_message(b"") == "no message"


def test_the_largest_write_back_fits_in_its_assignment_item_once_imported(monkeypatch):
    """MAX_WRITEBACK_BYTES is chosen so that the item holding a write-back (as received, and as imported
    questions) stays under DynamoDB's 400 KB, for the shape that stores largest, with every other field of
    the assignment at its longest."""
    from functions.data.dynamo import serialize
    from functions.data.external_tests import assignment_item
    from functions.data.outcome_batches import ITEM_BYTES, item_size
    from functions.providers import config
    from functions.providers.masterytrack import MAX_WRITEBACK_BYTES, TIMESTAMP_HEADER, read_writeback
    from tests.fixtures.writebacks import largest_writeback

    monkeypatch.setenv(config.MASTERYTRACK_WEBHOOK_SECRET, "s3cret")
    student, lesson = "s" * 128, "l" * 128
    raw = largest_writeback(f"{student}|{lesson}|1", lesson, "9" * 100, "e" * 308 + "@example.edu",
                            MAX_WRITEBACK_BYTES, NOW.isoformat())
    ts = str(int(NOW.timestamp()))
    received = read_writeback(raw, {TIMESTAMP_HEADER: ts, "x-masterytrack-signature": sign("s3cret", raw, ts)},
                              NOW)
    a = assignment("mastery-track", student_id=student, lesson_id=lesson, course_id="c" * 128,
                   student_email="e" * 320, application_name="a" * 128, assignment_id="9" * 100,
                   test_url="https://" + "u" * 2000, test_id="t" * 128, writeback=received.payload,
                   writeback_seq=1, writeback_order=received.order, writeback_digest=received.digest,
                   last_error="x" * 1000, failures=9, last_tried_at=NOW, enrolled_course_id="c" * 128,
                   enrollment="already-enrolled")
    results = MasteryTrack(None, HttpPolicy()).fetch_results(a)
    assert results is not None and len(results.questions) == 500
    after = rules.failed(rules.apply_results(a, results, NOW), NOW, "y" * 5000)  # every field set
    size = item_size(serialize(assignment_item(after)))
    print(f"largest write-back {MAX_WRITEBACK_BYTES:,} bytes -> assignment item {size:,} bytes")
    assert 2 * MAX_WRITEBACK_BYTES < size < ITEM_BYTES - 50_000, size  # stored twice, and room to spare
    with pytest.raises(Exception, match="131,073 bytes"):
        read_writeback(raw + b" ", {}, NOW)


def test_the_last_failure_parks_and_a_requeue_gives_fresh_tries():
    a = assignment()
    for n in (1, 2):
        a = rules.failed(a, NOW, f"failure {n}", max_failures=3)
        assert a.parked_at is None and a.next_try_at == NOW + rules.backoff(n) and rules.has_news(a)
    a = rules.failed(a, NOW, "failure 3", max_failures=3)
    assert (a.failures, a.parked_at, a.next_try_at, a.last_error) == (3, NOW, None, "failure 3")
    assert not rules.has_news(a)  # nothing imports a parked assignment
    back = rules.requeued(a, NOW + timedelta(days=1))
    assert (back.failures, back.parked_at, back.next_try_at) == (0, None, NOW + timedelta(days=1))
    assert back.last_error == "failure 3" and rules.has_news(back)
