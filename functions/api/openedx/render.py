"""Open edX response bodies from domain views: numbers for ids, edX's field names, page links."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from functions.api.openedx.params import encode_cursor
from functions.core.errors import InvalidInput
from functions.core.listing import Page
from functions.core.models import Exam, ExamType, User
from functions.core.numeric_ids import Kind, number
from functions.platform.links import api_url

if TYPE_CHECKING:  # views of the services: annotations only, so a route loads no service it does not build
    from functions.core.services.allowances import AllowanceView, Outcome
    from functions.core.services.attempt_reports import AttemptView
    from functions.core.services.proctoring import ProctoringSettings


def timestamp(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z") if value else None


def special_exam(exam: Exam) -> dict[str, Any]:
    """Our exam as an edX special exam. ``content_id`` is our exam id (edX: the subsection's usage key);
    an untimed exam reports 0 minutes (the spec's field is a non-null integer)."""
    return {
        "id": number(Kind.EXAM, exam.id),
        "course_id": exam.course_id,
        "content_id": exam.id,
        "exam_name": exam.title,
        "time_limit_mins": exam.time_limit_minutes or 0,
        "due_date": timestamp(exam.due_at),
        "exam_type": exam.type.value,
        "is_proctored": exam.type in (ExamType.PROCTORED, ExamType.PRACTICE),
        "is_practice_exam": exam.type is ExamType.PRACTICE,
        "is_active": exam.active,
        "hide_after_due": exam.hide_after_due,
        "backend": None,
        # beyond the spec: when the exam stops accepting work (it caps every attempt's time)
        "close_date": timestamp(exam.closes_at),
    }


def user(user_id: str, found: User | None) -> dict[str, Any]:
    return {"id": number(Kind.USER, user_id), "username": found.username if found else "",
            "email": found.email if found else ""}


def attempt(view: AttemptView) -> dict[str, Any]:
    return {
        "id": view.id,
        "user": user(view.user_id, view.user),
        "exam_id": number(Kind.EXAM, view.exam.id),
        "exam_name": view.exam.title,
        "exam_type": view.exam.type.value,
        "status": view.status.value,
        "start_time": timestamp(view.start_time),
        "end_time": timestamp(view.end_time),
        "allowed_time_limit_mins": view.allowed_time_limit_mins,
        "ready_to_resume": view.ready_to_resume,
    }


def allowance(view: AllowanceView) -> dict[str, Any]:
    row = view.row
    body: dict[str, Any] = {
        "id": view.id,
        "modified": timestamp(row.extension.updated_at),
        "user": user(row.extension.user_id, view.user),
        "key": row.kind.value,
        "value": row.value,
        "proctored_exam": special_exam(row.exam),
    }
    if row.extension.created_at:
        body["created"] = timestamp(row.extension.created_at)
    from functions.core.allowances import AllowanceType  # loaded already by the allowance routes; not the others

    if row.kind is not AllowanceType.REVIEW_POLICY_EXCEPTION:
        body["additional_minutes"] = row.additional_minutes  # what it adds to this exam's time limit
    return body


def settings(value: ProctoringSettings) -> dict[str, Any]:
    return {
        "proctoring_provider": value.proctoring_provider,
        "proctoring_escalation_email": value.proctoring_escalation_email,
        "create_zendesk_tickets": value.create_zendesk_tickets,
        "enable_proctored_exams": value.enable_proctored_exams,
    }


def outcome(result: Outcome, with_exam: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {"identifier": result.identifier, "success": result.success}
    if with_exam:
        body["exam_id"] = result.exam_number
    if result.user is not None:
        body["user_id"] = number(Kind.USER, result.user.id)
    if result.error:
        body["error"] = result.error
    return body


def write_result(verb: str, allowance_type: str, outcomes: list[Outcome], value: str | None = None
                 ) -> dict[str, Any]:
    """The spec's ``{success, message}`` with edX's per-user ``results``."""
    done = sum(1 for o in outcomes if o.success)
    failed = [o for o in outcomes if not o.success]
    message = f"{allowance_type} {verb} for {done} of {len(outcomes)} users"
    if failed:
        message += "; " + "; ".join(o.error or "" for o in failed[:5]) + (" ..." if len(failed) > 5 else "")
    body: dict[str, Any] = {"success": not failed, "message": message, "allowance_type": allowance_type,
                            "results": [outcome(o) for o in outcomes]}
    if value is not None:
        body["value"] = value
    return body


def refused_write(allowance_type: str, refused: InvalidInput, pairs: int | None = None) -> dict[str, Any]:
    """A request the spec's schema allows but that cannot be done as a whole (no users, too many, an unknown
    type, a value out of range, an inactive exam): nothing is written, and the answer is the spec's own 200 with
    ``success: false`` and why (``successes: 0`` for bulk), not a 400 the spec reserves for malformed bodies."""
    body: dict[str, Any] = {"success": False, "message": refused.message, "field": refused.field,
                            "allowance_type": allowance_type, "results": []}
    if pairs is not None:
        body |= {"successes": 0, "failures": pairs, "data": []}
    return body


def bulk_result(allowance_type: str, value: str, outcomes: list[Outcome]) -> dict[str, Any]:
    """The spec's ``{successes, failures, data}`` (data: the pairs granted) with edX's ``results``."""
    granted = [o for o in outcomes if o.success]
    return {
        "successes": len(granted),
        "failures": len(outcomes) - len(granted),
        "data": [{"exam_id": o.exam_number or 0, "user_id": o.identifier} for o in granted],
        "allowance_type": allowance_type,
        "value": value,
        "results": [outcome(o, with_exam=True) for o in outcomes],
    }


def page_link(event: dict[str, Any], page: int, cursor: str | None = None) -> str:
    """An absolute URL of another page of this list (the request's own query, page replaced; ``cursor``:
    where that page starts, so it costs one page to read), on the configured API base URL
    (functions/platform/links.py), never on the request's Host header."""
    query = {k: v for k, v in (event.get("queryStringParameters") or {}).items() if k not in ("page", "cursor")}
    return api_url(event, {**query, "page": page, **({"cursor": cursor} if cursor else {})})


def next_link(page: Page[Any], event: dict[str, Any]) -> str | None:
    return page_link(event, page.query.page + 1, encode_cursor(page.cursor)) if page.has_next else None


def paginated(page: Page[Any], results: list[dict[str, Any]], event: dict[str, Any]) -> dict[str, Any]:
    return {
        "count": page.count,
        "next": next_link(page, event),
        "previous": (page_link(event, min(page.query.page - 1, page.last_page))
                     if page.has_previous else None),
        "results": results,
    }
