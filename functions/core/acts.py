"""THE act catalogue: every act a route performs, defined once (docs/rulebook.md is this table, kept equal to it
by a test), and the act each route of the registry performs (a route whose act is not here fails a test).

An act names the right it needs, the window it is allowed in, the states it applies to, its effect, what it
reveals, and how it is refused. Services enforce these definitions (``right`` is what they require); routes
only translate their dialect's request and answer. Refusal classes are the same through every door:
404 for a caller with no rights in the course (nothing is confirmed), 403 for a member without the right,
409 for a state or window that does not allow the act, 400 for bad input.
"""

from __future__ import annotations

from dataclasses import dataclass

from functions.core.rights import Right
from functions.core.work import MAX_REMOVED, MAX_SESSIONS

OWN = "own work (exam:take)"


@dataclass(frozen=True)
class Act:
    name: str
    right: str  # who may: a Right's value, "own work (exam:take)", combinations, or "institution admin"
    window: str
    states: str
    effect: str
    reveals: str
    refusals: str  # status class: when
    # The one right a caller other than the student needs, where one right decides (services require it);
    # None where any of several rights will do (``right`` says which) or no course right applies.
    requires: Right | None = None
    # The course rights any one of which lets a caller perform the act (services require one of them):
    # ``requires`` alone where one right decides; empty where no course right applies.
    any_of: tuple[Right, ...] = ()


def _a(name: str, right: str, window: str, states: str, effect: str, reveals: str, refusals: str) -> Act:
    requires = _REQUIRES.get(name)
    return Act(name, right, window, states, effect, reveals, refusals, requires,
               (requires,) if requires else _ANY_OF.get(name, ()))


_REQUIRES: dict[str, Right] = {
    **dict.fromkeys(("start", "save_responses", "submit", "retake", "reopen", "reset_attempt", "assign_external",
                     "import_external"), Right.MANAGE_ATTEMPTS),
    **dict.fromkeys(("remove_work", "restore_work", "list_removals", "enroll", "read_audit", "change_settings"),
                    Right.COURSE_ADMIN),
    **dict.fromkeys(("grant", "extend_running", "remove_grant"), Right.GRANT_EXTENSIONS),
    **dict.fromkeys(("author", "manage_lessons"), Right.AUTHOR),
    **dict.fromkeys(("read_session", "read_results", "read_special_exams", "read_external", "read_roster",
                     "list_attempts", "list_sessions"), Right.VIEW_COURSE),
}
# Acts where any one of several rights will do.
_ANY_OF: dict[str, tuple[Right, ...]] = {
    "read_course": (Right.VIEW_COURSE, Right.AUTHOR, Right.TAKE_EXAM),
    "read_items": (Right.VIEW_COURSE, Right.AUTHOR),
    "list_work": (Right.TAKE_EXAM, Right.VIEW_COURSE, Right.COURSE_ADMIN),
    "read_extensions": (Right.VIEW_COURSE, Right.GRANT_EXTENSIONS),
}


MANAGE, VIEW, GRANT, ADMIN = (Right.MANAGE_ATTEMPTS.value, Right.VIEW_COURSE.value, Right.GRANT_EXTENSIONS.value,
                              Right.COURSE_ADMIN.value)
ACTIVE = "course and exam active"
WINDOW = "between the exam's opening and close (or the student is unlocked)"
ANY = "any time"
NOT_MEMBER = "404: no rights in the course; 403: a member without the right"

ACTS: dict[str, Act] = {a.name: a for a in (
    # --- a student's work on an exam (the acts several doors share) ------------------------------------
    _a("start", f"{OWN}; for a student: {MANAGE} (or a key with it)", f"{WINDOW}; {ACTIVE}",
       "no live session for the (student, exam, trusted launch context): a new one; else the one that exists",
       "a session with attempt 1 (or the existing session, its clock never reset); a launch context only from a "
       "trusted caller", "scores per show_score_on_complete; never keys",
       f"{NOT_MEMBER}; 404 to a student: course inactive; 409: window closed, exam inactive, all attempts of "
       "the student on the exam used; 400 (LearningStudio): the instance exists"),
    _a("save_responses", f"{OWN} or {MANAGE}", f"{ACTIVE}; the attempt's own end",
       "the current attempt is running", "responses merged into the current attempt",
       "scores per show_score_on_complete",
       f"{NOT_MEMBER} (ExamSpark: 404 to anyone who may not see the session); 409: attempt complete or past "
       "its end, exam inactive"),
    _a("submit", f"{OWN} or {MANAGE}", f"{ACTIVE}; the attempt's own end", "the current attempt is running",
       "the attempt scored and complete; the session score resolved by the exam's policy",
       "scores per show_score_on_complete", "as save_responses"),
    _a("retake", f"{OWN} or {MANAGE}", f"{WINDOW}; {ACTIVE}",
       "current attempt complete; exam retakable; attempts used across all the student's sessions < "
       "max_attempts + extra attempts", "a new attempt in the same session, same question set, fresh clock",
       "scores per show_score_on_complete",
       f"{NOT_MEMBER}; 409: not retakable, not complete, all attempts used, window closed, inactive"),
    _a("reopen", MANAGE, WINDOW, "the current attempt is complete (submitted or timed out) and its time "
       "allows", "the attempt back to IN_PROGRESS with its responses; its score leaves the session until it "
       "is submitted again", "everything (staff)",
       f"{NOT_MEMBER}; 409: already in progress, window closed, time ran out"),
    _a("reset_attempt", MANAGE, ANY, "the session has an attempt",
       "the current attempt starts over empty (same number and question set, clock from now); the session score "
       "recomputed from the attempts that remain; the old state kept in history", "everything (staff)",
       f"{NOT_MEMBER}; 409: no attempt"),
    _a("remove_work", ADMIN, WINDOW, f"the student has live sessions on the exam (at most {MAX_SESSIONS})",
       "every live session of the student on the exam removed in one transaction, each kept restorable, one "
       "audit event; the next start draws a new question set", "nothing beyond the removal records",
       f"{NOT_MEMBER}; 404: no work, unknown user; 409: outside the window, more sessions than one restore holds"),
    _a("restore_work", ADMIN, ANY, "the removal is not restored and no newer session lives",
       "the removed sessions back as they were, in one transaction", "the restored sessions",
       f"{NOT_MEMBER}; 404: unknown removal; 409: restored already, a newer session lives, "
       f"over {MAX_REMOVED} sessions"),
    _a("grant", GRANT, ANY, "the exam is active (Open edX); the users are students of the course",
       "the student's extension (extra time / attempts, multiplier, unlock, review exception) replaced; "
       "extra time applies to the next attempt", "the extensions written",
       f"{NOT_MEMBER} (Open edX and Canvas: 403 to anyone without the right); 400: bad values, not a student"),
    _a("extend_running", GRANT, "a timed attempt whose end is less than an hour past",
       "a running (or timer-ended) attempt", "the attempt's end moved (from now or from its end), capped by "
       "the close date unless unlocked", "the new end and the rule that limited it",
       "as grant; the refusal reason named per student"),
    _a("remove_grant", GRANT, ANY, "the allowance exists", "the allowance removed (kept in history)",
       "the result per user", "as grant"),
    _a("read_extensions", f"{VIEW} or {GRANT}", ANY, "any",
       "none", "every student with an extension or whose attempt an extension moved, with its end",
       NOT_MEMBER),
    _a("read_session", f"{OWN} or {VIEW}", ANY, "any (an attempt past its end is completed on the read)",
       "lazy expiry only", "scores per show_score_on_complete to the student; everything to staff",
       "404: anyone who may not see the session"),
    _a("read_results", f"{OWN} or {VIEW}", ANY, "to the student: the attempt complete and scores shown",
       "none", "items, responses, scores; answer keys to the student only once no further attempt can start "
       "(unless show_keys_after_each_attempt); everything to staff",
       "404: anyone who may not see the session; 409: in progress; 403: the exam hides scores"),
    _a("list_work", f"{OWN}, or {VIEW} or {ADMIN} for any student of the course", f"{ACTIVE} (to a student)",
       "any", "none", "one student's instances in a course, one per exam (LearningStudio's user exams)",
       f"{NOT_MEMBER}; 404: the user is not enrolled; 404 to a student: course inactive"),
    _a("list_sessions", VIEW, ANY, "any", "none", "the sessions of the exam configs a filter names, with "
       "the configs' score aggregations (ExamSpark)", "403: a member of a named config's course without the "
       "right; a config the caller has no rights in matches nothing (200, total 0): a filter is a search"),
    _a("list_attempts", VIEW, ANY, "any", "none", "every attempt of a course's or an exam's special exams, "
       "one row per attempt (Open edX instructor dashboard)", "403: anyone without the right (Open edX)"),
    _a("list_removals", ADMIN, ANY, "any", "none", "removed instances with their answers", NOT_MEMBER),
    # --- course content and administration --------------------------------------------------------------
    _a("read_course", f"{VIEW}, exam:author or exam:take", f"{ACTIVE} (to a student)", "any", "none",
       "the course, its exams (students: visible ones only), items to staff",
       f"{NOT_MEMBER}; 404 to a student: course or exam inactive or hidden"),
    _a("read_items", f"{VIEW} or {Right.AUTHOR.value}", ANY, "any", "none", "items with their answer keys "
       "(staff only)", NOT_MEMBER),
    _a("read_roster", VIEW, ANY, "any", "none", "the course's enrollments", NOT_MEMBER),
    _a("author", Right.AUTHOR.value, ANY, "any", "exams, items, objectives created or changed (versioned)",
       "what was written", f"{NOT_MEMBER}; 409: version changed meanwhile; 400: bad input"),
    _a("administer", "institution admin", ANY, "any", "courses, users, roles created or changed",
       "what was written", "403: anyone else (nothing read first)"),
    _a("manage_credentials", "institution admin (a person: never a key or an OAuth client)", ANY,
       "create: any; rotate: not revoked; revoke: not revoked", "an integration key or OAuth client made, "
       "given a new secret (the old one kept for its overlap window) or revoked", "the secret, once (stored "
       "only as a hash)", "403: anyone else; 409: revoked or version changed meanwhile; 400: bad input"),
    _a("read_institution_audit", "institution admin", ANY, "any", "none",
       "who changed institution-wide things (credentials), when, before and after", "403: anyone else"),
    _a("enroll", ADMIN, ANY, "any", "a user's role in the course set", "the enrollment", NOT_MEMBER),
    _a("read_audit", ADMIN, ANY, "any", "none", "who changed what, when, before and after", NOT_MEMBER),
    _a("read_special_exams", VIEW, ANY, "any", "none", "special exams, settings, allowances",
       "403: anyone without the right (Open edX)"),
    _a("change_settings", ADMIN, ANY, "any", "the course's proctoring settings changed",
       "the settings", "403: anyone without the right (Open edX); 400: bad values"),
    # --- PowerPath external tests -----------------------------------------------------------------------
    _a("manage_lessons", Right.AUTHOR.value, ANY, "any", "lessons and subject tracks written",
       "what was written", NOT_MEMBER),
    _a("assign_external", f"{OWN} or {MANAGE}", ANY, "the lesson is an external test",
       "the provider assigns the test; the assignment stored", "credentials to the student and staff",
       "404: anyone who may not see the student's object; 400/502: not external, provider error"),
    _a("import_external", f"{OWN} or {MANAGE}", ANY, "an assignment exists; finalized is a no-op",
       "the provider's results stored; a placement may enroll the student", "the imported results",
       "404: anyone who may not see the student's object"),
    _a("read_external", f"{OWN} or {VIEW}", ANY, "any", "none", "the imported results",
       "404: anyone who may not see the student's object"),
    _a("provider_writeback", "a valid provider signature", ANY, "an assignment exists", "the write-back kept "
       "for the next import", "nothing", "401: bad signature; 404: unknown assignment"),
)}

# Every route of functions/routes.py performs exactly one act (tests/unit/test_acts.py checks both ways).
ROUTE_ACTS: dict[str, str] = {
    # authoring
    "create_course": "administer", "list_courses": "administer", "get_course": "read_course",
    "update_course": "administer", "create_user": "administer", "list_users": "administer",
    "get_user": "administer", "update_user": "administer", "create_role": "administer", "list_roles": "administer",
    "update_role": "administer", "put_enrollment": "enroll", "list_enrollments": "read_roster",
    "create_exam": "author", "list_exams": "read_course", "get_exam": "read_course", "update_exam": "author",
    "create_objective": "author", "create_item": "author", "get_item": "read_items", "update_item": "author",
    "list_items": "read_items", "list_audit_events": "read_audit", "restore_audit_event": "restore_work",
    "create_credential": "manage_credentials", "list_credentials": "manage_credentials",
    "get_credential": "manage_credentials", "rotate_credential": "manage_credentials",
    "revoke_credential": "manage_credentials", "list_institution_audit_events": "read_institution_audit",
    # ExamSpark
    "examspark_start_session": "start", "examspark_get_session": "read_session",
    "examspark_list_sessions": "list_sessions", "examspark_get_results": "read_results",
    "examspark_set_responses": "submit", "examspark_retake": "retake", "examspark_reset": "reset_attempt",
    "examspark_reopen": "reopen",
    # Open edX
    "openedx_list_special_exams": "read_special_exams", "openedx_list_course_allowances": "read_special_exams",
    "openedx_bulk_create_allowances": "grant", "openedx_list_course_attempts": "list_attempts",
    "openedx_get_special_exam": "read_special_exams", "openedx_reset_attempt": "remove_work",
    "openedx_list_exam_attempts": "list_attempts", "openedx_grant_allowance": "grant",
    "openedx_remove_allowance": "remove_grant", "openedx_get_proctoring_settings": "read_special_exams",
    "openedx_update_proctoring_settings": "change_settings",
    # Canvas
    "canvas_course_extensions": "grant", "canvas_quiz_extensions": "grant",
    "canvas_list_course_extensions": "read_extensions", "canvas_list_quiz_extensions": "read_extensions",
    "canvas_get_course": "read_course", "canvas_get_quiz": "read_course", "canvas_list_quizzes": "read_course",
    # LearningStudio
    "learningstudio_list_user_exams": "list_work", "learningstudio_begin_exam": "start",
    "learningstudio_reset_exam": "remove_work", "learningstudio_retake_exam": "retake",
    "learningstudio_list_exam_resets": "list_removals", "learningstudio_restore_exam": "restore_work",
    # PowerPath
    "powerpath_create_lesson": "manage_lessons", "powerpath_get_lesson": "read_external",
    "powerpath_put_subject_track": "manage_lessons", "powerpath_make_assignment": "assign_external",
    "powerpath_import_results": "import_external", "powerpath_get_progress": "read_external",
    "powerpath_masterytrack_writeback": "provider_writeback",
}


def act_of(route_name: str) -> Act:
    return ACTS[ROUTE_ACTS[route_name]]


def right(act: str) -> Right:
    """The one right ``act`` needs (what services require: the rule comes from here)."""
    needed = ACTS[act].requires
    assert needed is not None, f"{act}: several rights will do, see rights()"
    return needed


def rights(act: str) -> tuple[Right, ...]:
    """The rights any one of which allows ``act`` (what services require: the rule comes from here)."""
    return ACTS[act].any_of


def shared_acts(dialect_of: dict[str, str]) -> dict[str, list[str]]:
    """Acts offered by more than one dialect's routes (what the cross-door equivalence test covers);
    ``dialect_of``: route name -> dialect, from the registry."""
    doors: dict[str, list[str]] = {}
    for route_name, act in ROUTE_ACTS.items():
        doors.setdefault(act, []).append(route_name)
    return {act: names for act, names in doors.items() if len({dialect_of[n] for n in names}) > 1}


def rulebook_table() -> str:
    """docs/rulebook.md's table, from the catalogue (a test keeps the file equal to it)."""
    rows = ["| act | right | window | states | effect | reveals | refused |", "| --- " * 7 + "|"]
    for act in ACTS.values():
        cells = (act.name, act.right, act.window, act.states, act.effect, act.reveals, act.refusals)
        rows.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    return "\n".join(rows) + "\n"
