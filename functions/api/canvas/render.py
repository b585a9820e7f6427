"""Canvas response shapes (../shared/seeds/canvas-course-quiz-extensions-api.txt; Course and Quiz as
canvas-lms' CourseJson and QuizSerializer show them) from domain views, and the ``Link`` header Canvas
clients follow to the next page. Ids are the objects' numbers (core/numeric_ids.py); docs/canvas.md."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from functions.core.extensions import ExtensionView
from functions.core.models import ExamType, ScoringPolicy
from functions.core.numeric_ids import Kind, number
from functions.core.services.course_reads import CourseView, QuizView
from functions.platform.links import api_url

FIRST_PAGE = "first"  # Canvas' own name for the first page of a bookmarked list


def timestamp(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z") if value else None


def quiz_extension(view: ExtensionView) -> dict[str, Any]:
    """Canvas' QuizExtension plus fields Canvas clients ignore: which limit fixed the end (so a close date
    that caps an extension is visible), the attempts allowed, and who granted it when."""
    return {
        "user_id": number(Kind.USER, view.user_id),
        "quiz_id": number(Kind.EXAM, view.exam_id),
        "extra_attempts": view.extra_attempts,
        "extra_time": view.extra_time,
        "manually_unlocked": view.manually_unlocked,
        "end_at": timestamp(view.end_at),
        "limited_by": view.limited_by.value,
        "allowed_attempts": view.allowed_attempts,
        "time_multiplier": view.time_multiplier,
        "updated_at": timestamp(view.updated_at),
        "updated_by": view.updated_by,
        "sis_user_id": view.user_id,  # our id of the student (user_id is its number)
    }


def quiz_extensions(views: list[ExtensionView]) -> dict[str, Any]:
    return {"quiz_extensions": [quiz_extension(v) for v in views]}


def next_link(event: dict[str, Any], page: str, per_page: int) -> str:
    """An absolute URL, as Canvas sends (canvasapi only follows links under its base URL), on the configured
    API base URL (functions/platform/links.py), never on the request's Host header."""
    return f'<{api_url(event, {"page": page, "per_page": per_page})}>; rel="next"'


def page_links(event: dict[str, Any], per_page: int, current: str | None, next_page: str | None) -> str:
    """Canvas' Link header for a bookmarked list (canvas-lms Api.build_links): current, next, first. No
    "prev" (tokens only go forward) and no "last" (Canvas leaves it out when the count is not known; knowing
    it would read the whole course)."""
    links = {"current": current or FIRST_PAGE, "next": next_page, "first": FIRST_PAGE}
    return ",".join(f'<{api_url(event, {"page": page, "per_page": per_page})}>; rel="{rel}"'
                    for rel, page in links.items() if page)


# --- courses and quizzes --------------------------------------------------------------------------
_ENROLLMENT_TYPES = {"student": "student", "instructor": "teacher", "administrator": "teacher",
                     "teaching_assistant": "ta"}
_CANVAS_ROLES = {"student": "StudentEnrollment", "teacher": "TeacherEnrollment", "ta": "TaEnrollment"}
_SCORING = {ScoringPolicy.HIGHEST: "keep_highest", ScoringPolicy.LATEST: "keep_latest",
            ScoringPolicy.AVERAGE: "keep_average"}


def course(view: CourseView) -> dict[str, Any]:
    """Canvas' Course (CourseJson's base attributes); what we do not hold is null or Canvas' default. The
    course's own id is its ``sis_course_id`` (``GET /api/v1/courses/sis_course_id:<id>`` finds it)."""
    c = view.course
    enrollments = []
    if view.enrollment is not None:
        e = view.enrollment
        kind = _ENROLLMENT_TYPES.get(e.role) or ("teacher" if view.staff else "student")
        enrollments.append({"type": kind, "role": _CANVAS_ROLES[kind] if e.role in _ENROLLMENT_TYPES else e.role,
                            "user_id": number(Kind.USER, e.user_id), "enrollment_state": "active"})
    return {
        "id": number(Kind.COURSE, c.id),
        "sis_course_id": c.id,
        "integration_id": None,
        "name": c.title,
        "course_code": c.id,
        "workflow_state": "available" if c.active else "completed",
        "account_id": None,
        "root_account_id": None,
        "enrollment_term_id": None,
        "grading_standard_id": None,
        "created_at": timestamp(c.created_at),
        "start_at": None,
        "end_at": None,
        "locale": None,
        "time_zone": "UTC",
        "is_public": False,
        "is_public_to_auth_users": False,
        "public_syllabus": False,
        "public_syllabus_to_auth": False,
        "hide_final_grades": False,
        "apply_assignment_group_weights": False,
        "restrict_enrollments_to_course_dates": False,
        "blueprint": False,
        "enrollments": enrollments,
    }


def quiz(view: QuizView, course_number: int, base: str) -> dict[str, Any]:
    """Canvas' Quiz (QuizSerializer's attributes; staff-only ones only for staff). ``examdesk_id`` is the exam's
    own id, the exam config id of the ExamSpark routes; ``exam_type`` is ours (timed, proctored, ...)."""
    e = view.exam
    quiz_number = number(Kind.EXAM, e.id)
    body: dict[str, Any] = {
        "id": quiz_number,
        "title": e.title,
        "html_url": None,  # no HTML pages: examdesk is an API
        "mobile_url": None,
        "description": "",
        "quiz_type": "practice_quiz" if e.type == ExamType.PRACTICE else "assignment",
        "assignment_group_id": None,
        "time_limit": e.time_limit_minutes,
        "shuffle_answers": e.shuffle_options,
        "hide_results": None if e.show_score_on_complete else "always",
        "show_correct_answers": False,
        "show_correct_answers_last_attempt": False,
        "show_correct_answers_at": None,
        "hide_correct_answers_at": None,
        "one_time_results": False,
        "scoring_policy": _SCORING[e.scoring_policy],
        "allowed_attempts": e.max_attempts,
        "one_question_at_a_time": False,
        "cant_go_back": False,
        "question_count": min(e.draw_count, len(e.item_pool)) if e.draw_count else len(e.item_pool),
        "points_possible": int(e.score_max) if float(e.score_max).is_integer() else e.score_max,
        "ip_filter": None,
        "due_at": timestamp(e.due_at),
        "lock_at": timestamp(e.closes_at),
        "unlock_at": timestamp(e.opens_at),
        "published": e.active,
        "locked_for_user": view.locked,
        "has_access_code": False,
        "version_number": e.version,
        "examdesk_id": e.id,
        "exam_type": e.type.value,
    }
    if view.staff:
        body.update({
            "access_code": None,
            "only_visible_to_overrides": False,
            "quiz_extensions_url": f"{base}/api/v1/courses/{course_number}/quizzes/{quiz_number}/extensions",
        })
    return body
