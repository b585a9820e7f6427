"""One request per route (some routes twice: a variant), in an order that makes each one meaningful, on the
realistic data set (bench/dataset.py). Callers are users with built-in roles (a user principal's rights check
is part of every figure): ada administers, irene instructs, theo assists, kevin and maria study.

Values only known once an earlier step ran (a session id, a reset id) come from ``state`` (callables)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from functions.core.numeric_ids import Kind, number
from functions.core.services.sessions import session_id_for
from infra.local.demo_data import COURSE, EXAM, ITEMS, OPENEDX_COURSE, OTHER_COURSE

State = dict[str, Any]
Value = Any  # a value, or a callable of the state


@dataclass(frozen=True)
class Step:
    route: str
    caller: str | None
    path: Value = field(default_factory=dict)
    body: Value = None
    query: Value = None
    status: int = 200
    variant: str = ""  # "" = the route's main figure
    measure: bool = True  # False: a setup step
    keep: Callable[[Any, State], None] | None = None  # reads what later steps need from the answer
    headers: Value = None

    @property
    def label(self) -> str:
        return f"{self.route} ({self.variant})" if self.variant else self.route


def resolve(value: Value, state: State) -> Any:
    return value(state) if callable(value) else value


SID = session_id_for(EXAM, "maria")  # a student starting their own work has one session: no context
ITEM, QUESTION = ITEMS[0][0], ITEMS[0][2]
EDX_TIMED, EDX_PROCTORED = str(number(Kind.EXAM, "edx-demo-timed")), str(number(Kind.EXAM, "edx-demo-proctored"))
LS = {"userId": "bench-user", "courseId": COURSE, "examId": "bench-exam"}
ANSWER = {"itemId": ITEM, "questions": [{"id": QUESTION, "response": {"options": [{"index": 2}]}}]}
EDX = {"course_id": OPENEDX_COURSE}
CANVAS = {"course_id": COURSE}
CANVAS_NUMBERS = {"course_id": str(number(Kind.COURSE, COURSE))}  # as canvasapi sends them
LESSON = {"sourcedId": "bench-placement", "courseId": COURSE, "title": "Bench placement", "lessonType": "placement",
          "toolProvider": "edulastic", "subject": "Math", "grade": 4, "testId": "edu-bench-3q"}
PROGRESS = {"student": ["kevin"], "lesson": ["bench-placement"]}


def _all_items(state: State) -> dict[str, Any]:
    return {"submitForScoring": True, "responses": [
        {"itemId": i, "questions": [{"id": q, "response": {"options": [{"index": 0}]}}]}
        for i, _, q, *_ in ITEMS if i in state["bench_items"]]}


STEPS: tuple[Step, ...] = (
    # --- authoring -----------------------------------------------------------------------------------
    Step("create_course", "ada", body={"id": "bench-course", "title": "Bench"}, status=201),
    Step("list_courses", "ada"),
    Step("get_course", "kevin", {"courseId": COURSE}),
    Step("update_course", "ada", {"courseId": "bench-course"}, {"title": "Bench 2"}),
    Step("create_user", "ada", body={"id": "bench-user", "username": "bench-user", "email": "bench-user@example.edu",
                                     "name": "Bench User"}, status=201),
    Step("list_users", "ada"),
    Step("get_user", "kevin", {"userId": "kevin"}),
    Step("update_user", "ada", {"userId": "bench-user"}, {"name": "Bench U. Ser"}),
    Step("create_role", "ada", body={"id": "observer", "name": "Observer", "rights": ["course:view"]}, status=201),
    Step("list_roles", "kevin"),
    Step("update_role", "ada", {"roleId": "observer"}, {"name": "Watcher"}),
    Step("put_enrollment", "irene", {"courseId": COURSE, "userId": "bench-user"}, {"role": "student"}),
    Step("list_enrollments", "theo", {"courseId": COURSE}),
    Step("create_objective", "irene", {"courseId": COURSE}, {"id": "bench-obj", "text": "bench", "abbreviation": "B.1"},
         status=201),
    Step("create_item", "irene", {"courseId": COURSE}, {
         "id": "bench-item", "name": "Bench", "alignmentIds": ["bench-obj"],
         "questions": [{"options": [{"content": "a", "isKey": True}, {"content": "b"}]}]}, status=201),
    Step("get_item", "theo", {"itemId": "bench-item"}),
    Step("update_item", "irene", {"itemId": "bench-item"}, {"name": "Bench 2"}),
    Step("create_exam", "irene", {"courseId": COURSE}, {"id": "bench-exam", "title": "Bench quiz", "type": "timed",
         "timeLimitMinutes": 20, "itemPool": [i[0] for i in ITEMS], "maxAttempts": 3, "retakable": True}, status=201),
    Step("list_exams", "kevin", {"courseId": COURSE}),
    Step("get_exam", "kevin", {"examId": EXAM}),
    Step("update_exam", "irene", {"examId": "bench-exam"}, {"title": "Bench quiz 2"}),
    Step("list_items", "irene", {"examId": EXAM}),
    # --- ExamSpark ------------------------------------------------------------------------------------
    Step("examspark_start_session", "maria", {"examConfigId": EXAM}, {"user_id": "maria", "context_id": "bench"},
         variant="new"),
    Step("examspark_start_session", "maria", {"examConfigId": EXAM}, {"user_id": "maria", "context_id": "bench"},
         variant="exists"),
    Step("examspark_get_session", "maria", {"sessionId": SID}),
    Step("examspark_set_responses", "maria", {"sessionId": SID}, {"submitForScoring": False, "responses": [ANSWER]},
         variant="save"),
    Step("examspark_set_responses", "maria", {"sessionId": SID}, {"submitForScoring": True, "responses": [ANSWER]},
         variant="submit"),
    Step("examspark_get_results", "maria", {"sessionId": SID}),
    Step("examspark_list_sessions", "theo", body={"filter": {"examConfigIds": {"include": [EXAM]}}},
         query={"include[]": ["results"], "limit": ["20"]}),
    Step("examspark_reopen", "theo", {"sessionId": SID}),
    Step("examspark_set_responses", "maria", {"sessionId": SID}, {"submitForScoring": True, "responses": [ANSWER]},
         measure=False),
    Step("examspark_retake", "maria", {"sessionId": SID}),
    Step("examspark_reset", "theo", {"sessionId": SID}),
    # --- Open edX -------------------------------------------------------------------------------------
    Step("openedx_list_special_exams", "irene", EDX),
    Step("openedx_get_special_exam", "irene", {**EDX, "exam_id": EDX_PROCTORED}),
    Step("openedx_grant_allowance", "irene", {**EDX, "exam_id": EDX_PROCTORED},
         {"user_ids": ["kevin"], "allowance_type": "additional_time_granted", "value": "30"}),
    Step("openedx_bulk_create_allowances", "irene", EDX, {"exam_ids": [int(EDX_PROCTORED), int(EDX_TIMED)],
         "user_ids": ["kevin"], "allowance_type": "review_policy_exception", "value": "notes allowed"}),
    Step("openedx_list_course_allowances", "irene", EDX),
    Step("openedx_list_course_attempts", "irene", EDX),
    Step("openedx_list_exam_attempts", "irene", {**EDX, "exam_id": EDX_TIMED}),
    Step("openedx_remove_allowance", "irene", {**EDX, "exam_id": EDX_PROCTORED},
         {"user_ids": ["kevin"], "allowance_type": "review_policy_exception"}),
    Step("openedx_reset_attempt", "irene", {**EDX, "exam_id": EDX_TIMED, "username": "kevin"}),
    Step("openedx_get_proctoring_settings", "irene", EDX),
    Step("openedx_update_proctoring_settings", "irene", EDX, {"proctoring_escalation_email": "proctor@example.com"}),
    # --- Canvas ---------------------------------------------------------------------------------------
    Step("canvas_quiz_extensions", "irene", {**CANVAS, "quiz_id": EXAM},
         {"quiz_extensions": [{"user_id": "kevin", "extra_time": 10}]}),
    Step("canvas_course_extensions", "irene", CANVAS, {"quiz_extensions": [{"user_id": "kevin", "extra_attempts": 1}]}),
    Step("canvas_list_course_extensions", "irene", CANVAS),
    Step("canvas_list_quiz_extensions", "irene", {**CANVAS, "quiz_id": EXAM}),
    Step("canvas_get_course", "irene", CANVAS_NUMBERS),
    Step("canvas_list_quizzes", "irene", CANVAS_NUMBERS),
    Step("canvas_get_quiz", "irene", {**CANVAS_NUMBERS, "quiz_id": str(number(Kind.EXAM, EXAM))}),
    # --- LearningStudio -------------------------------------------------------------------------------
    Step("learningstudio_begin_exam", "bench-user", LS, status=201,
         keep=lambda body, state: state.update(instance=body["exam"]["instanceId"],
                                              bench_items=body["exam"].get("itemIds") or [i[0] for i in ITEMS])),
    Step("learningstudio_list_user_exams", "bench-user", {"userId": "bench-user", "courseId": COURSE}),
    Step("examspark_set_responses", "bench-user", lambda s: {"sessionId": s["instance"]}, _all_items, measure=False),
    Step("learningstudio_retake_exam", "bench-user", LS),
    Step("learningstudio_reset_exam", "irene", LS, keep=lambda body, state: state.update(reset=body["reset"]["id"])),
    Step("learningstudio_list_exam_resets", "irene", {"courseId": COURSE, "examId": "bench-exam"}),
    Step("learningstudio_restore_exam", "irene",
         lambda s: {"courseId": COURSE, "examId": "bench-exam", "resetId": s["reset"]}),
    # --- audit trail (authoring) ----------------------------------------------------------------------
    Step("learningstudio_reset_exam", "irene", LS, measure=False),
    Step("list_audit_events", "ada", {"courseId": COURSE}, keep=lambda body, state: state.update(
        event=next(e["id"] for e in body["items"] if e.get("action") == "session.remove"))),
    Step("restore_audit_event", "ada", lambda s: {"courseId": COURSE, "eventId": s["event"]}),
    # --- integration credentials (authoring; docs/credentials.md) -------------------------------------
    Step("create_credential", "ada", body={"id": "bench-key", "kind": "basic", "name": "Bench key",
         "courses": [COURSE], "rights": ["course:view"]}, status=201),
    Step("list_credentials", "ada"),
    Step("get_credential", "ada", {"credentialId": "bench-key"}),
    Step("rotate_credential", "ada", {"credentialId": "bench-key"}, {}),
    Step("revoke_credential", "ada", {"credentialId": "bench-key"}),
    Step("list_institution_audit_events", "ada"),
    # --- PowerPath ------------------------------------------------------------------------------------
    Step("powerpath_create_lesson", "irene", body=LESSON, status=201),
    Step("powerpath_get_lesson", "kevin", {"lessonId": "bench-placement"}),
    Step("powerpath_put_subject_track", "irene", {"subject": "Math", "grade": "4"}, {"courseId": COURSE}),
    Step("powerpath_make_assignment", "kevin", body={"student": "kevin", "lesson": "bench-placement"}),
    Step("powerpath_import_results", "kevin", query=PROGRESS),
    Step("powerpath_get_progress", "kevin", query=PROGRESS),
    Step("powerpath_make_assignment", "kevin", body={"student": "kevin", "lesson": "demo-testout-masterytrack"},
         measure=False, keep=lambda body, state: state.update(mt=body)),
    Step("powerpath_masterytrack_writeback", None, body=lambda s: s["writeback"][0].decode(),
         headers=lambda s: s["writeback"][1]),
)
_ = OTHER_COURSE
