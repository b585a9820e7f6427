"""THE route registry: every HTTP route declared once, in plain stdlib data.

Three consumers read it: CDK (one Lambda per route, its API Gateway method, its grants), the local runner
(matches a request to a route and calls the route module's real ``lambda_handler``) and the OpenAPI
generator (operationId = route name). Paths use API Gateway's ``{param}`` syntax; ``powertools_path``
converts it for the Powertools resolver, in this one place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Access = Literal["read", "write"]


@dataclass(frozen=True)
class Route:
    name: str  # stable: operationId, Lambda name stem, metrics dimension
    method: str
    path: str  # API Gateway style: /api/exam-session/{sessionId}
    module: str  # under functions.api, e.g. "examspark.get_session"
    dialect: str  # examdesk | examspark | openedx | canvas | learningstudio | powerpath
    access: Access  # read routes are granted read-only access to the table
    summary: str
    public: bool = False  # True only for routes that need no credentials
    external: bool = False  # calls external test providers: deployed with their URLs and secret references
    shows_secret: bool = False  # its answer holds a secret shown once: never stored for an Idempotency-Key replay

    @property
    def takes_idempotency_key(self) -> bool:
        """Every write route called with POST or DELETE takes the Idempotency-Key header, except those whose
        answer holds a secret (a replay would need the secret stored in the table)."""
        return self.access == "write" and self.method in ("POST", "DELETE") and not self.shows_secret

    @property
    def handler(self) -> str:
        return f"functions.api.{self.module}.lambda_handler"

    @property
    def import_path(self) -> str:
        return f"functions.api.{self.module}"

    @property
    def powertools_path(self) -> str:
        return re.sub(r"\{(\w+)\}", r"<\1>", self.path)

    @property
    def path_params(self) -> tuple[str, ...]:
        return tuple(re.findall(r"\{(\w+)\}", self.path))


def _r(name: str, method: str, path: str, module: str, access: Access, summary: str, *,
       external: bool = False, shows_secret: bool = False) -> Route:
    dialect = module.split(".", 1)[0]
    return Route(name, method, path, module, "examdesk" if dialect == "authoring" else dialect, access, summary,
                 external=external, shows_secret=shows_secret)


# --- our own authoring API ------------------------------------------------------------------------
AUTHORING = (
    _r("create_course", "POST", "/authoring/courses", "authoring.create_course", "write", "Create a course"),
    _r("list_courses", "GET", "/authoring/courses", "authoring.list_courses", "read", "List courses"),
    _r("get_course", "GET", "/authoring/courses/{courseId}", "authoring.get_course", "read", "Get a course"),
    _r("update_course", "PATCH", "/authoring/courses/{courseId}", "authoring.update_course", "write",
       "Update a course"),
    _r("create_user", "POST", "/authoring/users", "authoring.create_user", "write", "Create a user"),
    _r("list_users", "GET", "/authoring/users", "authoring.list_users", "read", "List users"),
    _r("get_user", "GET", "/authoring/users/{userId}", "authoring.get_user", "read", "Get a user"),
    _r("update_user", "PATCH", "/authoring/users/{userId}", "authoring.update_user", "write", "Update a user"),
    _r("create_role", "POST", "/authoring/roles", "authoring.create_role", "write", "Create a custom role"),
    _r("list_roles", "GET", "/authoring/roles", "authoring.list_roles", "read", "List roles and their rights"),
    _r("update_role", "PATCH", "/authoring/roles/{roleId}", "authoring.update_role", "write",
       "Change a custom role's rights"),
    _r("put_enrollment", "PUT", "/authoring/courses/{courseId}/enrollments/{userId}",
       "authoring.put_enrollment", "write", "Enroll a user in a course with a role (or change the role)"),
    _r("list_enrollments", "GET", "/authoring/courses/{courseId}/enrollments", "authoring.list_enrollments",
       "read", "List a course's enrollments"),
    _r("create_exam", "POST", "/authoring/courses/{courseId}/exams", "authoring.create_exam", "write",
       "Create an exam"),
    _r("list_exams", "GET", "/authoring/courses/{courseId}/exams", "authoring.list_exams", "read",
       "List a course's exams"),
    _r("get_exam", "GET", "/authoring/exams/{examId}", "authoring.get_exam", "read", "Get an exam"),
    _r("update_exam", "PATCH", "/authoring/exams/{examId}", "authoring.update_exam", "write",
       "Update an exam (writes a history version)"),
    _r("create_objective", "POST", "/authoring/courses/{courseId}/objectives", "authoring.create_objective",
       "write", "Create a learning objective"),
    _r("create_item", "POST", "/authoring/courses/{courseId}/items", "authoring.create_item", "write",
       "Create an item (choice questions aligned to objectives)"),
    _r("get_item", "GET", "/authoring/items/{itemId}", "authoring.get_item", "read", "Get an item"),
    _r("update_item", "PATCH", "/authoring/items/{itemId}", "authoring.update_item", "write",
       "Update an item (writes a history version)"),
    _r("list_items", "GET", "/authoring/exams/{examId}/items", "authoring.list_items", "read",
       "List the items of an exam's pool"),
    _r("list_audit_events", "GET", "/authoring/courses/{courseId}/audit-events", "authoring.list_audit_events",
       "read", "List a course's audit events, newest first: who changed what, when, before and after"),
    _r("restore_audit_event", "POST", "/authoring/courses/{courseId}/audit-events/{eventId}/restore",
       "authoring.restore_audit_event", "write", "Restore the sessions a reset removed, from its audit event"),
    _r("list_institution_audit_events", "GET", "/authoring/audit-events", "authoring.list_institution_audit_events",
       "read", "List the audit events of objects outside any course: users, roles, integration credentials"),
    # Integration credentials (docs/credentials.md): HTTP Basic keys and OAuth clients, administrators only.
    _r("create_credential", "POST", "/authoring/credentials", "authoring.create_credential", "write",
       "Issue an integration credential (HTTP Basic key or OAuth client); the secret is shown once",
       shows_secret=True),
    _r("list_credentials", "GET", "/authoring/credentials", "authoring.list_credentials", "read",
       "List integration credentials"),
    _r("get_credential", "GET", "/authoring/credentials/{credentialId}", "authoring.get_credential", "read",
       "Get an integration credential"),
    _r("rotate_credential", "POST", "/authoring/credentials/{credentialId}/rotate",
       "authoring.rotate_credential", "write", "Rotate a credential's secret; the old one works for an overlap",
       shows_secret=True),
    _r("revoke_credential", "POST", "/authoring/credentials/{credentialId}/revoke",
       "authoring.revoke_credential", "write", "Revoke a credential: every secret and token refused"),
)

# --- ExamSpark exam sessions (../shared/seeds/examspark-exam-session-api.txt) -------------------------
EXAMSPARK = (
    _r("examspark_start_session", "POST", "/api/exam-config/{examConfigId}/exam-session",
       "examspark.start_session", "write", "Start (or return) a user's exam session"),
    _r("examspark_get_session", "GET", "/api/exam-session/{sessionId}", "examspark.get_session", "read",
       "Get an exam session"),
    _r("examspark_list_sessions", "POST", "/api/exam-sessions", "examspark.list_sessions", "read",
       "List the exam sessions of exam configs, with score aggregations"),
    _r("examspark_get_results", "GET", "/api/exam-session/{sessionId}/results", "examspark.get_results", "read",
       "Get an exam session's results: items, questions, keys, responses, objectives, points"),
    _r("examspark_set_responses", "POST", "/api/exam-session/{sessionId}/responses", "examspark.set_responses",
       "write", "Save responses to an exam session (and submit it for scoring)"),
    # GET routes that write are the seed's design; they keep write access.
    _r("examspark_retake", "GET", "/api/exam-session/{sessionId}/retake", "examspark.retake", "write",
       "Start a new attempt in a completed, retakable exam session"),
    _r("examspark_reset", "GET", "/api/exam-session/{sessionId}/reset", "examspark.reset", "write",
       "Remove the current attempt's responses and scores (kept in history)"),
    _r("examspark_reopen", "GET", "/api/exam-session/{sessionId}/reopen", "examspark.reopen", "write",
       "Set an exam session's maturity back to IN_PROGRESS"),
)

# --- Open edX instructor v2 special exams (../shared/specs/openedx-instructor-v2-special-exams.swagger.yaml) ----
_EDX = "/api/instructor/v2/courses/{course_id}"
# Static segments (allowances, attempts) come before {exam_id}: the local runner takes the first match, as
# API Gateway prefers a static path part over a variable one.
OPENEDX: tuple[Route, ...] = (
    _r("openedx_list_special_exams", "GET", f"{_EDX}/special_exams", "openedx.list_special_exams", "read",
       "List a course's special exams (timed, proctored, practice)"),
    _r("openedx_list_course_allowances", "GET", f"{_EDX}/special_exams/allowances",
       "openedx.list_course_allowances", "read", "List a course's exam allowances (search, pages)"),
    _r("openedx_bulk_create_allowances", "POST", f"{_EDX}/special_exams/allowances",
       "openedx.bulk_create_allowances", "write", "Grant an allowance to several users on several exams"),
    _r("openedx_list_course_attempts", "GET", f"{_EDX}/special_exams/attempts",
       "openedx.list_course_attempts", "read", "List a course's exam attempts (search, pages, ordering)"),
    _r("openedx_get_special_exam", "GET", f"{_EDX}/special_exams/{{exam_id}}", "openedx.get_special_exam",
       "read", "Get a special exam"),
    _r("openedx_reset_attempt", "POST", f"{_EDX}/special_exams/{{exam_id}}/reset/{{username}}",
       "openedx.reset_attempt", "write", "Reset a student's attempts on an exam (kept, restorable)"),
    _r("openedx_list_exam_attempts", "GET", f"{_EDX}/special_exams/{{exam_id}}/attempts",
       "openedx.list_exam_attempts", "read", "List the attempts of one exam"),
    _r("openedx_grant_allowance", "POST", f"{_EDX}/special_exams/{{exam_id}}/allowance",
       "openedx.grant_allowance", "write", "Grant or update an allowance for users on an exam"),
    _r("openedx_remove_allowance", "DELETE", f"{_EDX}/special_exams/{{exam_id}}/allowance",
       "openedx.remove_allowance", "write", "Remove an allowance from users on an exam (kept in history)"),
    _r("openedx_get_proctoring_settings", "GET", f"{_EDX}/proctoring_settings",
       "openedx.get_proctoring_settings", "read", "Get a course's proctoring settings"),
    _r("openedx_update_proctoring_settings", "PATCH", f"{_EDX}/proctoring_settings",
       "openedx.update_proctoring_settings", "write", "Change a course's proctoring settings"),
)

# --- Canvas quiz extensions (../shared/seeds/canvas-course-quiz-extensions-api.txt) ----------------------
CANVAS: tuple[Route, ...] = (
    _r("canvas_course_extensions", "POST", "/api/v1/courses/{course_id}/quiz_extensions",
       "canvas.set_course_extensions", "write", "Set quiz extensions for students on every quiz of a course"),
    _r("canvas_quiz_extensions", "POST", "/api/v1/courses/{course_id}/quizzes/{quiz_id}/extensions",
       "canvas.set_quiz_extensions", "write", "Set quiz extensions for students on one quiz"),
    _r("canvas_list_course_extensions", "GET", "/api/v1/courses/{course_id}/quiz_extensions",
       "canvas.list_course_extensions", "read", "List the extensions granted in a course (beyond Canvas)"),
    _r("canvas_list_quiz_extensions", "GET", "/api/v1/courses/{course_id}/quizzes/{quiz_id}/extensions",
       "canvas.list_quiz_extensions", "read", "List the extensions granted on one quiz (beyond Canvas)"),
    _r("canvas_get_course", "GET", "/api/v1/courses/{course_id}", "canvas.get_course", "read", "Get a course"),
    _r("canvas_list_quizzes", "GET", "/api/v1/courses/{course_id}/quizzes", "canvas.list_quizzes", "read",
       "List a course's quizzes"),
    _r("canvas_get_quiz", "GET", "/api/v1/courses/{course_id}/quizzes/{quiz_id}", "canvas.get_quiz", "read",
       "Get a quiz"),
)

# --- LearningStudio user exams (../shared/seeds/reset-exam-for-user-guide.txt) ---------------------------
LEARNINGSTUDIO: tuple[Route, ...] = (
    _r("learningstudio_list_user_exams", "GET", "/users/{userId}/courses/{courseId}/exams",
       "learningstudio.list_user_exams", "read", "List a user's exam instances in a course"),
    _r("learningstudio_begin_exam", "POST", "/users/{userId}/courses/{courseId}/exams/{examId}",
       "learningstudio.begin_exam", "write", "Begin an exam: create the user's instance and draw its question set"),
    _r("learningstudio_reset_exam", "DELETE", "/users/{userId}/courses/{courseId}/exams/{examId}",
       "learningstudio.reset_exam", "write",
       "Reset a user's exam: remove the instance and its answers (kept restorable); the next begin draws anew"),
    _r("learningstudio_retake_exam", "POST", "/users/{userId}/courses/{courseId}/exams/{examId}/retake",
       "learningstudio.retake_exam", "write",
       "Retake a completed, retakable exam: the same question set, a new empty attempt"),
    _r("learningstudio_list_exam_resets", "GET", "/courses/{courseId}/exams/{examId}/resets",
       "learningstudio.list_exam_resets", "read", "List an exam's reset (removed) user instances"),
    _r("learningstudio_restore_exam", "POST", "/courses/{courseId}/exams/{examId}/resets/{resetId}/restore",
       "learningstudio.restore_exam", "write", "Restore a reset user instance with its answers"),
)

# --- Timeback PowerPath external tests (../shared/seeds/timeback-import-external-test-results.txt) -------
POWERPATH: tuple[Route, ...] = (
    _r("powerpath_create_lesson", "POST", "/powerpath/lessons", "powerpath.create_lesson", "write",
       "Create a lesson (component resource), e.g. an external placement test"),
    _r("powerpath_get_lesson", "GET", "/powerpath/lessons/{lessonId}", "powerpath.get_lesson", "read",
       "Get a lesson"),
    _r("powerpath_put_subject_track", "PUT", "/powerpath/subject-tracks/{subject}/{grade}",
       "powerpath.put_subject_track", "write",
       "Map a subject and grade to the course a placement or test-out import enrolls the student in"),
    _r("powerpath_make_assignment", "POST", "/powerpath/makeExternalTestAssignment", "powerpath.make_assignment",
       "write", "Assign a lesson's external test (Edulastic, MasteryTrack) to a student", external=True),
    _r("powerpath_import_results", "GET", "/powerpath/importExternalTestAssignmentResults",
       "powerpath.import_results", "write", "Import a student's external test results now (it writes)",
       external=True),
    _r("powerpath_get_progress", "GET", "/powerpath/getAssessmentProgress", "powerpath.get_progress", "read",
       "A student's imported external test results"),
    # Public: MasteryTrack authenticates by an HMAC signature of the raw body, not through our authorizer.
    Route("powerpath_masterytrack_writeback", "POST", "/powerpath/webhooks/masterytrack",
          "powerpath.masterytrack_writeback", "powerpath", "write", "MasteryTrack results write-back (signed)",
          public=True, external=True),
)

ROUTES: tuple[Route, ...] = AUTHORING + EXAMSPARK + OPENEDX + CANVAS + LEARNINGSTUDIO + POWERPATH

ROUTES_BY_NAME: dict[str, Route] = {route.name: route for route in ROUTES}


def route(name: str) -> Route:
    return ROUTES_BY_NAME[name]
