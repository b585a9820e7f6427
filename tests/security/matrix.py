"""THE authorization matrix: one row per registry route, the expected status for every principal.

Columns (principals), in this order in every row's ``expect`` string:

  own     a student of ALPHA acting on their own object (Olive)
  other   a student acting on someone else's object: Percy (ALPHA) on Olive's object for rows about a
          student's object (``owned``); for course-level rows, Bianca, a student of another course (BETA)
  ta      ALPHA's teaching assistant
  instr   ALPHA's instructor
  oinstr  BETA's instructor (instructor of another course)
  custom  a member of ALPHA whose custom role holds every right except the row's ``lacks``
  key     an integration key issued for BETA only, with every right (a key of another scope)
  admin   an institution administrator (not asked for: it proves the request itself is well formed)

and, for every non-public route, the token-level principals (anonymous, garbled token, expired token,
``alg: none`` token): always 401, decided by the route's own credential check before anything else runs
(TOKEN_PRINCIPALS).

The statuses follow the documented rules: docs/architecture.md (no rights in the course: 404 for its objects;
a member without the right: 403), with the documented dialect exceptions: Open edX and Canvas answer 403 to
anyone without the right, members or not (docs/openedx.md, docs/timing-rules.md), except for the acts the
rulebook shares between doors (docs/rulebook.md: removing a student's work); LearningStudio's begin is the
start act, as ExamSpark's: the student, or a caller who may manage attempts (docs/rulebook.md); PowerPath
and ExamSpark session routes answer 404 to whoever may not see the student's object (docs/powerpath.md,
docs/examspark.md). Institution-level routes (courses, users, roles: create, list, change) are for institution
administrators: 403 for everyone else, before anything is read (so nothing is confirmed either).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from functions.core.numeric_ids import Kind, number
from functions.core.rights import ALL_RIGHTS, Right
from functions.routes import ROUTES_BY_NAME
from tests.security.world import (
    ALPHA,
    CREDENTIAL,
    CUSTOM_ROLE,
    DONE,
    FRESH,
    GONE,
    ITEMS,
    LESSON,
    LIVE,
    OLIVE,
    PERCY,
    World,
    exam_number,
)

PRINCIPALS = ("own", "other", "ta", "instr", "oinstr", "custom", "key", "admin")
TOKEN_PRINCIPALS = ("anonymous", "garbled", "expired", "alg_none")

VIEW, TAKE, AUTHOR = Right.VIEW_COURSE, Right.TAKE_EXAM, Right.AUTHOR
MANAGE, GRANT, ADMIN = Right.MANAGE_ATTEMPTS, Right.GRANT_EXTENSIONS, Right.COURSE_ADMIN


@dataclass(frozen=True)
class Req:
    path: dict[str, str] = field(default_factory=dict)
    query: dict[str, list[str]] | None = None
    body: Any = None
    headers: dict[str, str] | None = None


@dataclass(frozen=True)
class Row:
    route: str
    request: Callable[[World], Req]
    expect: str  # statuses in PRINCIPALS order
    lacks: tuple[Right, ...] = ()  # what the custom role does not hold
    owned: bool = False  # the row targets Olive's own object (see "other" above)
    xfail: dict[str, str] = field(default_factory=dict)  # principal -> why the code disagrees (known bug)

    def expected(self) -> dict[str, int]:
        statuses = [int(s) for s in self.expect.split()]
        assert len(statuses) == len(PRINCIPALS), self.route
        return dict(zip(PRINCIPALS, statuses, strict=True))


def _r(route: str, request: Callable[[World], Req], expect: str, lacks: tuple[Right, ...] = (), *,
       owned: bool = False, xfail: dict[str, str] | None = None) -> Row:
    return Row(route, request, expect, lacks, owned, xfail or {})


def canvas_number(kind: Kind, value: str) -> str:
    return str(number(kind, value))


def edx(exam: str | None = None, **extra: str) -> Callable[[World], dict[str, str]]:
    def path(_: World) -> dict[str, str]:
        values = {"course_id": ALPHA, **({"exam_id": exam_number(exam)} if exam else {}), **extra}
        return values
    return path


ANSWER = [{"itemId": ITEMS[0], "questions": [{"id": f"{ITEMS[0]}-q", "response": {"options": [{"index": 1}]}}]}]
ALLOWANCE = {"user_ids": [OLIVE], "allowance_type": "additional_time_granted", "value": "20"}
EXTENSIONS = {"quiz_extensions": [{"user_id": OLIVE, "extra_time": 10}]}
ITEM = {"name": "Matrix item", "questions": [{"options": [{"content": "yes", "isKey": True}, {"content": "no"}]}]}
ADMIN_ONLY = "403 403 403 403 403 403 403"  # institution administrators only; + the admin's own status

#                                                                      own other ta instr oinstr custom key admin
ROWS: tuple[Row, ...] = (
    # --- authoring (ours) --------------------------------------------------------------------------------------
    _r("create_course", lambda w: Req(body={"id": "mx-new-course", "title": "New"}), f"{ADMIN_ONLY} 201"),
    _r("list_courses", lambda w: Req(), f"{ADMIN_ONLY} 200"),
    _r("get_course", lambda w: Req({"courseId": ALPHA}), "200 404 200 200 404 403 404 200", (VIEW, AUTHOR, TAKE)),
    _r("update_course", lambda w: Req({"courseId": ALPHA}, body={"title": "Renamed"}), f"{ADMIN_ONLY} 200"),
    _r("create_user", lambda w: Req(body={"id": "mx-new-user", "username": "mx-new-user", "email": "n@x.test",
                                          "name": "New User"}), f"{ADMIN_ONLY} 201"),
    _r("list_users", lambda w: Req(), f"{ADMIN_ONLY} 200"),
    _r("get_user", lambda w: Req({"userId": OLIVE}), "200 403 403 403 403 403 403 200", owned=True),
    _r("update_user", lambda w: Req({"userId": OLIVE}, body={"name": "Olive Renamed"}), f"{ADMIN_ONLY} 200",
       owned=True),
    _r("create_role", lambda w: Req(body={"id": "mx-new-role", "name": "New", "rights": ["course:view"]}),
       f"{ADMIN_ONLY} 201"),
    _r("list_roles", lambda w: Req(), "200 200 200 200 200 200 200 200"),
    _r("update_role", lambda w: Req({"roleId": CUSTOM_ROLE}, body={"name": "Renamed"}), f"{ADMIN_ONLY} 200"),
    _r("put_enrollment", lambda w: Req({"courseId": ALPHA, "userId": PERCY}, body={"role": "student"}),
       "403 404 403 200 404 403 404 200", (ADMIN,)),
    _r("list_enrollments", lambda w: Req({"courseId": ALPHA}), "403 404 200 200 404 403 404 200", (VIEW,)),
    _r("create_exam", lambda w: Req({"courseId": ALPHA}, body={"id": "mx-new-exam", "title": "New exam"}),
       "403 404 403 201 404 403 404 201", (AUTHOR,)),
    _r("list_exams", lambda w: Req({"courseId": ALPHA}), "200 404 200 200 404 403 404 200", (VIEW, AUTHOR, TAKE)),
    _r("get_exam", lambda w: Req({"examId": LIVE}), "200 404 200 200 404 403 404 200", (VIEW, AUTHOR, TAKE)),
    _r("update_exam", lambda w: Req({"examId": LIVE}, body={"title": "Renamed exam"}),
       "403 404 403 200 404 403 404 200", (AUTHOR,)),
    _r("create_objective", lambda w: Req({"courseId": ALPHA}, body={"text": "new objective", "abbreviation": "N"}),
       "403 404 403 201 404 403 404 201", (AUTHOR,)),
    _r("create_item", lambda w: Req({"courseId": ALPHA}, body=ITEM), "403 404 403 201 404 403 404 201", (AUTHOR,)),
    _r("get_item", lambda w: Req({"itemId": ITEMS[0]}), "403 404 200 200 404 403 404 200", (AUTHOR, VIEW)),
    _r("update_item", lambda w: Req({"itemId": ITEMS[0]}, body={"name": "Renamed item"}),
       "403 404 403 200 404 403 404 200", (AUTHOR,)),
    _r("list_items", lambda w: Req({"examId": LIVE}), "403 404 200 200 404 403 404 200", (AUTHOR, VIEW)),
    _r("list_audit_events", lambda w: Req({"courseId": ALPHA}), "403 404 403 200 404 403 404 200", (ADMIN,)),
    _r("list_institution_audit_events", lambda w: Req(), f"{ADMIN_ONLY} 200"),
    # Integration credentials: administrators only, and never a credential (even one with every right).
    _r("create_credential", lambda w: Req(body={"kind": "oauth", "name": "New", "courses": [ALPHA],
                                                "rights": ["course:view"]}), f"{ADMIN_ONLY} 201"),
    _r("list_credentials", lambda w: Req(), f"{ADMIN_ONLY} 200"),
    _r("get_credential", lambda w: Req({"credentialId": CREDENTIAL}), f"{ADMIN_ONLY} 200"),
    _r("rotate_credential", lambda w: Req({"credentialId": CREDENTIAL}, body={"overlapSeconds": 60}),
       f"{ADMIN_ONLY} 200"),
    _r("revoke_credential", lambda w: Req({"credentialId": CREDENTIAL}), f"{ADMIN_ONLY} 200"),
    _r("restore_audit_event", lambda w: Req({"courseId": ALPHA, "eventId": w.reset_event}),
       "403 403 403 200 404 403 404 200", (ADMIN,), owned=True),
    # --- ExamSpark -------------------------------------------------------------------------------------------
    _r("examspark_start_session", lambda w: Req({"examConfigId": LIVE}, body={"user_id": OLIVE}),
       "200 403 200 200 404 403 404 200", (MANAGE,), owned=True),
    _r("examspark_get_session", lambda w: Req({"sessionId": w.session(OLIVE, LIVE)}),
       "200 404 200 200 404 404 404 200", (VIEW,), owned=True),
    # a filter naming configs the caller cannot see matches nothing (200, total 0: docs/examspark.md)
    _r("examspark_list_sessions", lambda w: Req(body={"filter": {"examConfigIds": {"include": [LIVE]}}}),
       "403 200 200 200 200 403 200 200", (VIEW,)),
    _r("examspark_get_results", lambda w: Req({"sessionId": w.session(OLIVE, DONE)}),
       "200 404 200 200 404 404 404 200", (VIEW,), owned=True),
    _r("examspark_set_responses", lambda w: Req({"sessionId": w.session(OLIVE, LIVE)}, body={"responses": ANSWER}),
       "200 404 200 200 404 403 404 200", (MANAGE,), owned=True),
    _r("examspark_retake", lambda w: Req({"sessionId": w.session(OLIVE, DONE)}),
       "200 404 200 200 404 403 404 200", (MANAGE,), owned=True),
    _r("examspark_reset", lambda w: Req({"sessionId": w.session(OLIVE, LIVE)}),
       "403 404 200 200 404 403 404 200", (MANAGE,), owned=True),
    _r("examspark_reopen", lambda w: Req({"sessionId": w.session(OLIVE, DONE)}),
       "403 404 200 200 404 403 404 200", (MANAGE,), owned=True),
    # --- Open edX: 403 to anyone without the right, members or not (docs/openedx.md) --------------------------
    _r("openedx_list_special_exams", lambda w: Req(edx()(w)), "403 403 200 200 403 403 403 200", (VIEW,)),
    _r("openedx_list_course_allowances", lambda w: Req(edx()(w)), "403 403 200 200 403 403 403 200", (VIEW,)),
    _r("openedx_bulk_create_allowances", lambda w: Req(edx()(w), body={**ALLOWANCE, "exam_ids": [
        int(exam_number(LIVE))]}), "403 403 200 200 403 403 403 200", (GRANT,)),
    _r("openedx_list_course_attempts", lambda w: Req(edx()(w)), "403 403 200 200 403 403 403 200", (VIEW,)),
    _r("openedx_get_special_exam", lambda w: Req(edx(LIVE)(w)), "403 403 200 200 403 403 403 200", (VIEW,)),
    # Removing a student's work is one act with LearningStudio's reset (docs/rulebook.md): the same statuses.
    _r("openedx_reset_attempt", lambda w: Req(edx(LIVE, username=OLIVE)(w)), "403 403 403 200 404 403 404 200",
       (ADMIN,), owned=True),
    _r("openedx_list_exam_attempts", lambda w: Req(edx(LIVE)(w)), "403 403 200 200 403 403 403 200", (VIEW,)),
    _r("openedx_grant_allowance", lambda w: Req(edx(LIVE)(w), body=ALLOWANCE), "403 403 200 200 403 403 403 200",
       (GRANT,), owned=True),
    _r("openedx_remove_allowance", lambda w: Req(edx(LIVE)(w), body={
        "user_ids": [OLIVE], "allowance_type": "additional_time_granted"}), "403 403 200 200 403 403 403 200",
       (GRANT,), owned=True),
    _r("openedx_get_proctoring_settings", lambda w: Req(edx()(w)), "403 403 200 200 403 403 403 200", (VIEW,)),
    _r("openedx_update_proctoring_settings", lambda w: Req(edx()(w), body={"create_zendesk_tickets": False}),
       "403 403 403 200 403 403 403 200", (ADMIN,)),
    # --- Canvas: 403 to anyone without the right (docs/timing-rules.md) ---------------------------------------
    _r("canvas_course_extensions", lambda w: Req({"course_id": ALPHA}, body=EXTENSIONS),
       "403 403 200 200 403 403 403 200", (GRANT,), owned=True),
    _r("canvas_quiz_extensions", lambda w: Req({"course_id": ALPHA, "quiz_id": LIVE}, body=EXTENSIONS),
       "403 403 200 200 403 403 403 200", (GRANT,), owned=True),
    _r("canvas_list_course_extensions", lambda w: Req({"course_id": ALPHA}), "403 403 200 200 403 403 403 200",
       (VIEW, GRANT)),
    _r("canvas_list_quiz_extensions", lambda w: Req({"course_id": ALPHA, "quiz_id": LIVE}),
       "403 403 200 200 403 403 403 200", (VIEW, GRANT)),
    # course and quiz reads: any member of the course (docs/canvas.md); by their numbers, as canvasapi sends.
    # The read_course act: no rights in the course (custom lacks them all) is 404, as through authoring
    _r("canvas_get_course", lambda w: Req({"course_id": canvas_number(Kind.COURSE, ALPHA)}),
       "200 404 200 200 404 404 404 200", tuple(ALL_RIGHTS)),
    _r("canvas_list_quizzes", lambda w: Req({"course_id": canvas_number(Kind.COURSE, ALPHA)}),
       "200 404 200 200 404 404 404 200", tuple(ALL_RIGHTS)),
    _r("canvas_get_quiz", lambda w: Req({"course_id": canvas_number(Kind.COURSE, ALPHA),
                                         "quiz_id": canvas_number(Kind.EXAM, LIVE)}),
       "200 404 200 200 404 404 404 200", tuple(ALL_RIGHTS)),
    # --- LearningStudio (docs/learningstudio.md) ------------------------------------------------------------
    _r("learningstudio_list_user_exams", lambda w: Req({"userId": OLIVE, "courseId": ALPHA}),
       "200 403 200 200 404 403 404 200", (VIEW, ADMIN), owned=True),
    _r("learningstudio_begin_exam", lambda w: Req({"userId": OLIVE, "courseId": ALPHA, "examId": FRESH}),
       "201 403 201 201 404 403 404 201", (MANAGE,), owned=True),
    _r("learningstudio_reset_exam", lambda w: Req({"userId": OLIVE, "courseId": ALPHA, "examId": LIVE}),
       "403 403 403 200 404 403 404 200", (ADMIN,), owned=True),
    _r("learningstudio_retake_exam", lambda w: Req({"userId": OLIVE, "courseId": ALPHA, "examId": DONE}),
       "200 404 200 200 404 403 404 200", (MANAGE,), owned=True),
    _r("learningstudio_list_exam_resets", lambda w: Req({"courseId": ALPHA, "examId": GONE}),
       "403 404 403 200 404 403 404 200", (ADMIN,)),
    _r("learningstudio_restore_exam", lambda w: Req({"courseId": ALPHA, "examId": GONE, "resetId": w.reset_id}),
       "403 403 403 200 404 403 404 200", (ADMIN,), owned=True),
    # --- PowerPath (docs/powerpath.md) ------------------------------------------------------------------------
    _r("powerpath_create_lesson", lambda w: Req(body={"sourcedId": "mx-new-lesson", "courseId": ALPHA,
                                                      "title": "New", "lessonType": "quiz", "subject": "Math",
                                                      "grade": 2}),
       "403 404 403 201 404 403 404 201", (AUTHOR,)),
    _r("powerpath_get_lesson", lambda w: Req({"lessonId": LESSON}), "200 404 200 200 404 404 404 200",
       tuple(ALL_RIGHTS)),
    _r("powerpath_put_subject_track", lambda w: Req({"subject": "Math", "grade": "2"}, body={"courseId": ALPHA}),
       "403 404 403 200 404 403 404 200", (AUTHOR,)),
    _r("powerpath_make_assignment", lambda w: Req(body={"student": OLIVE, "lesson": LESSON}),
       "200 404 200 200 404 404 404 200", (MANAGE,), owned=True),
    _r("powerpath_import_results", lambda w: Req(query={"student": [OLIVE], "lesson": [LESSON]}),
       "200 404 200 200 404 404 404 200", (MANAGE,), owned=True),
    _r("powerpath_get_progress", lambda w: Req(query={"student": [OLIVE], "lesson": [LESSON]}),
       "200 404 200 200 404 404 404 200", (VIEW,), owned=True),
    # Public: MasteryTrack signs the body; no principal gets past a missing signature.
    _r("powerpath_masterytrack_writeback", lambda w: Req(body={"assessmentResultSourcedId": "x"}),
       "401 401 401 401 401 401 401 401"),
)

MATRIX: dict[str, Row] = {row.route: row for row in ROWS}
assert len(MATRIX) == len(ROWS), "a route has two rows"
UNKNOWN = set(MATRIX) - set(ROUTES_BY_NAME)
assert not UNKNOWN, f"rows for routes the registry does not have: {UNKNOWN}"
