"""Open edX rules that need no storage: numbers for ids, the attempt state machine, allowance values and
rows, list mechanics (search, ordering, pages)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from functions.core import allowances, attempt_status, listing, numeric_ids
from functions.core.allowances import AllowanceType
from functions.core.attempt_status import COMPLETE, INCOMPLETE, Status
from functions.core.errors import InvalidInput
from functions.core.models import Attempt, Exam, Extension
from functions.core.numeric_ids import Kind

T0 = datetime(2030, 1, 1, 9, 0, tzinfo=UTC)


# --- numbers ---------------------------------------------------------------------------------------------
def test_numbers_are_stable_52_bit_and_differ_by_kind_and_value():
    first = numeric_ids.number(Kind.EXAM, "exam-1")
    assert first == numeric_ids.number(Kind.EXAM, "exam-1")
    assert 1 <= first < 2**52
    assert first != numeric_ids.number(Kind.USER, "exam-1") != numeric_ids.number(Kind.EXAM, "exam-2")
    many = {numeric_ids.number(Kind.USER, f"user-{n}") for n in range(5000)}
    assert len(many) == 5000


@pytest.mark.parametrize("text,expected", [
    ("42", 42), (" 7 ", 7), ("0", None), ("-3", None), ("1.5", None), ("abc", None), ("", None),
    ("٣", None), (str(2**52), None), (str(2**52 - 1), 2**52 - 1), ("9" * 17, None),
])
def test_parse_accepts_only_our_range(text, expected):
    assert numeric_ids.parse(text) == expected


def test_attempt_numbers_differ_per_incarnation_and_attempt():
    a = numeric_ids.attempt_number("s1", "2030-01-01", 1)
    assert a != numeric_ids.attempt_number("s1", "2030-01-02", 1)
    assert a != numeric_ids.attempt_number("s1", "2030-01-01", 2)


# --- the state machine -----------------------------------------------------------------------------------
def test_complete_and_incomplete_partition_every_status():
    assert set(Status) == COMPLETE | INCOMPLETE and not COMPLETE & INCOMPLETE
    assert Status.TIMED_OUT in COMPLETE and Status.READY_TO_SUBMIT in INCOMPLETE


@pytest.mark.parametrize("before", sorted(COMPLETE))
@pytest.mark.parametrize("after", sorted(INCOMPLETE))
def test_complete_to_incomplete_is_illegal(before, after):
    with pytest.raises(InvalidInput) as refused:
        attempt_status.check_transition(before, after)
    assert before.value in refused.value.message and "reset" in refused.value.message


def test_legal_transitions_pass():
    attempt_status.check_transition(Status.CREATED, Status.STARTED)
    attempt_status.check_transition(Status.STARTED, Status.TIMED_OUT)
    attempt_status.check_transition(Status.TIMED_OUT, Status.SUBMITTED)
    assert attempt_status.path(Status.STARTED, Status.READY_TO_SUBMIT, Status.SUBMITTED) is Status.SUBMITTED


def attempt(**fields) -> Attempt:
    return Attempt(number=1, started_at=T0, **fields)


def test_status_of_running_submitted_and_timed_out_attempts():
    running = attempt(ends_at=T0 + timedelta(minutes=60))
    assert attempt_status.status_of(running, T0 + timedelta(minutes=59)) is Status.STARTED
    assert attempt_status.ended_at(running, T0 + timedelta(minutes=59)) is None
    # past its end and not yet written: lazy expiry shows it timed out, then submitted at its end
    assert attempt_status.status_of(running, T0 + timedelta(minutes=61)) is Status.SUBMITTED
    assert attempt_status.ended_at(running, T0 + timedelta(minutes=61)) == T0 + timedelta(minutes=60)
    submitted = attempt(ends_at=T0 + timedelta(minutes=60), submitted_at=T0 + timedelta(minutes=10))
    assert attempt_status.status_of(submitted, T0 + timedelta(days=1)) is Status.SUBMITTED
    assert attempt_status.ended_at(submitted, T0) == T0 + timedelta(minutes=10)
    untimed = attempt()
    assert attempt_status.status_of(untimed, T0 + timedelta(days=9)) is Status.STARTED


def test_allowed_minutes_is_the_attempt_s_own_fixed_time():
    assert attempt_status.allowed_minutes(attempt(ends_at=T0 + timedelta(minutes=90))) == 90
    assert attempt_status.allowed_minutes(attempt(ends_at=T0 + timedelta(minutes=44, seconds=40))) == 45
    assert attempt_status.allowed_minutes(attempt()) is None


# --- allowances ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind,text,expected", [
    (AllowanceType.ADDITIONAL_TIME, "30", 30), (AllowanceType.ADDITIONAL_TIME, "0", 0),
    (AllowanceType.ADDITIONAL_TIME, "10080", 10080), (AllowanceType.TIME_MULTIPLIER, "1.5", 1.5),
    (AllowanceType.TIME_MULTIPLIER, "1", 1.0), (AllowanceType.REVIEW_POLICY_EXCEPTION, " scribe ", "scribe"),
])
def test_values_accepted(kind, text, expected):
    assert allowances.parse_value(kind, text) == expected


@pytest.mark.parametrize("kind,text", [
    (AllowanceType.ADDITIONAL_TIME, "-5"), (AllowanceType.ADDITIONAL_TIME, "10081"),
    (AllowanceType.ADDITIONAL_TIME, "1.5"), (AllowanceType.ADDITIONAL_TIME, "thirty"),
    (AllowanceType.TIME_MULTIPLIER, "0.9"), (AllowanceType.TIME_MULTIPLIER, "11"),
    (AllowanceType.TIME_MULTIPLIER, "nan"), (AllowanceType.TIME_MULTIPLIER, "inf"),
    (AllowanceType.REVIEW_POLICY_EXCEPTION, "  "), (AllowanceType.REVIEW_POLICY_EXCEPTION, "x" * 1001),
])
def test_values_refused_name_the_type_and_limit(kind, text):
    with pytest.raises(InvalidInput) as refused:
        allowances.parse_value(kind, text)
    assert refused.value.field == "value" and kind.value in refused.value.message


def test_unknown_type_names_the_accepted_ones():
    with pytest.raises(InvalidInput) as refused:
        allowances.allowance_type("extra_attempts")
    assert "additional_time_granted" in refused.value.message and refused.value.field == "allowance_type"


def extension(**fields) -> Extension:
    return Extension(course_id="c", exam_id="e", user_id="u", **fields)


def test_grant_upserts_one_field_and_notes_who_when_and_version():
    before = extension(extra_time_minutes=30, version=3, created_at=T0)
    later = T0 + timedelta(hours=1)
    after = allowances.granted(before, AllowanceType.TIME_MULTIPLIER, 1.5, by="irene", at=later)
    assert after is not None
    assert (after.extra_time_minutes, after.time_multiplier, after.version) == (30, 1.5, 4)
    assert (after.updated_by, after.updated_at, after.created_at) == ("irene", later, T0)
    assert allowances.granted(after, AllowanceType.TIME_MULTIPLIER, 1.5, by="x", at=T0) is None  # unchanged


def test_removed_clears_one_field_and_empty_says_when_nothing_is_left():
    both = extension(extra_time_minutes=30, review_policy_exception="scribe", version=1)
    one = allowances.removed(both, AllowanceType.ADDITIONAL_TIME, by="irene", at=T0)
    assert one.extra_time_minutes == 0 and not allowances.empty(one)
    assert allowances.empty(allowances.removed(one, AllowanceType.REVIEW_POLICY_EXCEPTION, by="i", at=T0))
    assert not allowances.empty(extension(extra_attempts=2))  # a Canvas grant stays


def test_rows_report_the_minutes_a_multiplier_means_for_each_exam():
    ext = extension(extra_time_minutes=10, time_multiplier=1.5, review_policy_exception="scribe")
    sixty = Exam(id="e", course_id="c", title="E", type="timed", time_limit_minutes=60)
    rows = {r.kind: r for r in allowances.rows(ext, sixty)}
    assert rows[AllowanceType.ADDITIONAL_TIME].value == "10"
    multiplier = rows[AllowanceType.TIME_MULTIPLIER]
    assert (multiplier.value, multiplier.additional_minutes) == ("1.5", 30)
    assert rows[AllowanceType.REVIEW_POLICY_EXCEPTION].additional_minutes is None
    untimed = sixty.model_copy(update={"time_limit_minutes": None})
    untimed_rows = {r.kind: r for r in allowances.rows(ext, untimed)}
    assert untimed_rows[AllowanceType.TIME_MULTIPLIER].additional_minutes is None
    assert allowances.rows(extension(extra_attempts=1), sixty) == []  # Canvas-only grants are not allowances


# --- lists --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("fields,field", [
    ({"page": 0}, "page"), ({"page_size": 0}, "page_size"), ({"page_size": 101}, "page_size"),
    ({"search": "x" * 257}, "search"),
])
def test_list_query_bounds(fields, field):
    with pytest.raises(InvalidInput) as refused:
        listing.ListQuery(**fields)
    assert refused.value.field == field


def test_pages():
    query = listing.ListQuery(page=2, page_size=3)
    page = listing.Page([3, 4, 5], 8, query)
    assert page.rows == [3, 4, 5] and page.has_next and page.has_previous and page.last_page == 3
