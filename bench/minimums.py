"""The fewest DynamoDB requests each route's access pattern allows, for the benchmark's callers (users with
built-in roles), and why. A user principal's rights cost 2 GetItem in a course (the caller, their enrollment;
built-in roles are code) and 1 for an administrator; every change is written with its audit event and any
history copy in ONE conditional TransactWriteItems ("1 write"). Lists are one Query of an index whose
partition is the list's own parent, so a page never depends on the table's size (see the scaling part); a list
that every start writes (a course's or an exam's sessions and extensions) is split in S partitions, so no start
makes one hot, and its page is one Query per partition, merged (docs/data-model.md, "Lists").
Only requests are a goal here: units follow from the items' sizes and are reported."""

from __future__ import annotations

from math import ceil

from functions.core.models import ExamType
from functions.data.keys import AUDIT_SHARDS, EXAM_STATS_SHARDS
from functions.data.keys import LIST_SHARDS as S  # a list's write-sharded partitions: one Query each per page
from functions.data.store import BATCH_GET_LIMIT
from infra.local.demo_data import OPENEDX_EXAMS

R = "caller + enrollment"  # the rights check in a course
A = "caller (admin?)"  # the administrator check
C = "course (active? closed to students when not: docs/rulebook.md)"  # asked of students only
N = "their sessions on the exam (Query gsi2: attempts belong to (student, exam), docs/rulebook.md)"
STATS = 1 + EXAM_STATS_SHARDS  # an exam's statistics: the item from before sharding + its shards, all summed
K = sum(kind != ExamType.STANDARD for _, _, kind, _ in OPENEDX_EXAMS)  # the Open edX course's special exams


def batches(keys: int) -> int:
    """BatchGetItem calls for this many keys (at most BATCH_GET_LIMIT each)."""
    return ceil(keys / BATCH_GET_LIMIT)


_MIN: dict[str, tuple[int, str]] = {
    "create_course": (2, f"{A}; 1 conditional write"),
    "list_courses": (2, f"{A}; 1 Query of gsi1 'courses'"),
    "get_course": (3, f"{R}; the course"),
    "update_course": (3, f"{A}; the course (audit 'before'); 1 write"),
    "create_user": (2, f"{A}; 1 write (user + username/email lookups)"),
    "list_users": (2, f"{A}; 1 Query of gsi1 'users'"),
    "get_user": (1, "oneself: the user, no rights read"),
    "update_user": (3, f"{A}; the user; 1 write"),
    "create_role": (2, f"{A}; 1 write"),
    "list_roles": (1, "built-in roles are code; 1 Query for custom roles"),
    "update_role": (3, f"{A}; the role; 1 write"),
    "put_enrollment": (6, f"{R}; course, user, current enrollment (audit 'before'); 1 write"),
    "list_enrollments": (3, f"{R}; 1 Query of the course's enrollment# rows"),
    "create_objective": (4, f"{R}; course; 1 write"),
    "create_item": (5, f"{R}; course; the aligned objectives (1 batch); 1 write"),
    "get_item": (3, f"item; {R} of its course"),
    "update_item": (4, f"item; {R}; 1 write (#v0 + history)"),
    "create_exam": (5, f"{R}; course; the pool's items (1 batch); 1 write"),
    "list_exams": (4, f"{R}; {C}; 1 Query of gsi1 course#/exam#"),
    "get_exam": (4, f"exam; {R}; {C}"),
    "update_exam": (4, f"exam; {R}; 1 write"),
    "list_items": (4, f"exam; {R}; one page of the pool (1 batch)"),
    "examspark_start_session (new)": (9, f"exam; {R}; {C}; the session (exists?); extension; {N}; latest "
                                         "removal (limit 1: a new draw after a reset); 1 write (+ stats, the "
                                         "attempt count)"),
    "examspark_start_session (exists)": (5, f"exam; {R}; {C}; the existing session, answered as it is"),
    "examspark_get_session": (4, f"session; {R}; exam (timing, disclosure)"),
    "examspark_set_responses (save)": (7, f"session; {R}; exam; {C}; drawn items + the attempt's parts (1 "
                                          "batch); 1 write"),
    "examspark_set_responses (submit)": (7, f"session; {R}; exam; {C}; drawn items + the attempt's parts (1 "
                                            "batch); 1 write (+ history, stats)"),
    "examspark_get_results": (8, f"session; {R}; exam; items + parts (1 batch); their objectives (1 batch); the "
                                 f"student's own completed attempt: extension + {N}: may a further attempt start "
                                 "(keys withheld until none can)"),
    "examspark_list_sessions": (3 + batches(1 + STATS) + S, f"{R}; config + {STATS} exam-stats keys "
                                f"({batches(1 + STATS)} batches); {S} Query of gsi1 exam#<s>; include[]=results: "
                                "the page's attempts' parts (1 batch)"),
    "examspark_reopen": (7, f"session; {R}; exam; extension (end time); the attempt's parts (1 batch: its "
                           "responses go to the continuation); 1 write"),
    "examspark_retake": (8, f"session; {R}; exam; {C}; extension; {N}; 1 write (+ the attempt count)"),
    "examspark_reset": (6, f"session; {R}; exam; extension; 1 write"),
    "openedx_list_special_exams": (3, f"{R}; 1 Query of gsi1 course#/exam#"),
    "openedx_get_special_exam": (4, f"number alias; {R}; exam"),
    "openedx_grant_allowance": (9, f"number alias; {R}; exam; users by name/number, the users, their "
                                   "enrollments + extensions (3 batches); a new extension's student's sessions, "
                                   "for its session pointer (m Query, m=1); 1 write"),
    "openedx_bulk_create_allowances": (9, f"{R}; exam aliases, exams, user lookups, users, enrollments + "
                                          "extensions (5 batches); per student with a new extension their "
                                          "sessions, for its session pointer (m Query, m=1); 1 write"),
    "openedx_list_course_allowances": (5 + S, f"{R}; the course's exams (Query); a page of its extensions ({S} "
                                              "Query); the exams' counters (1 batch); the page's users (1 batch)"),
    "openedx_list_course_attempts": (4 + S + batches(STATS * K), f"{R}; the course's exams (Query); a page of its "
                                     f"sessions ({S} Query gsi3); the {K} special exams' counters, {STATS} "
                                     f"statistics keys each ({batches(STATS * K)} batches); the page's users "
                                     "(1 batch)"),
    "openedx_list_exam_attempts": (5 + S + batches(STATS), f"number alias; {R}; exam; a page of its sessions ({S} "
                                   f"Query gsi1); its counters ({STATS} statistics keys: {batches(STATS)} batches); "
                                   "users (1 batch)"),
    "openedx_remove_allowance": (8, "as grant"),
    "openedx_reset_attempt": (9, f"number alias; username lookup, user; {R}; exam; the student's extension "
                                 "(a removal needs the window open or the student unlocked); the user's sessions "
                                 "(Query gsi2); 1 write"),
    "openedx_get_proctoring_settings": (4, f"{R}; course; settings"),
    "openedx_update_proctoring_settings": (5, f"{R}; course; settings; 1 write"),
    "canvas_quiz_extensions": (6, f"{R}; exam; enrollments + extensions (1 batch); each student's sessions "
                                  "(n Query, n=1); 1 write"),
    "canvas_course_extensions": (7, f"{R}; course; its quizzes (Query); 1 batch; each student's sessions "
                                    "(n Query, n=1); 1 write"),
    "canvas_list_course_extensions": (4 + S, f"{R}; course; a page of gsi3 extension# ({S} Query); the page's exams "
                                         "and the sessions its extensions point at, for end_at (1 batch)"),
    "canvas_list_quiz_extensions": (4 + S, f"{R}; exam; a page of gsi3 extension#<exam># ({S} Query); the sessions "
                                       "its extensions point at, for end_at (1 batch)"),
    "canvas_get_course": (4, f"the number's alias (1 batch); {R}; course"),
    "canvas_list_quizzes": (5, f"the number's alias (1 batch); {R}; course; a page of gsi1 exam# (Query)"),
    "canvas_get_quiz": (4, f"both numbers' aliases (1 batch); {R}; exam"),
    "learningstudio_begin_exam": (9, "as examspark_start_session (new)"),
    "learningstudio_list_user_exams": (4, f"{R}; {C}; 1 Query of gsi2 user#/session#<course>#"),
    "learningstudio_retake_exam": (8, f"session; {R}; exam; {C}; extension; {N}; 1 write (+ the attempt count)"),
    "learningstudio_reset_exam": (6, f"{R}; exam; extension; session; 1 write (delete + removal record)"),
    "learningstudio_list_exam_resets": (4, f"{R}; exam; 1 Query of gsi3 removed#<exam>#"),
    "learningstudio_restore_exam": (5, f"{R}; the removal record; latest removal (Query, limit 1); 1 write"),
    "list_audit_events": (1 + AUDIT_SHARDS, f"{A}; the course's audit events, written in {AUDIT_SHARDS} shards: "
                                            f"{AUDIT_SHARDS} Query, merged newest first"),
    "restore_audit_event": (5, f"{A}; the event; its removal record; latest removal (Query); 1 write"),
    "create_credential": (3, f"{A}; the listed courses exist (1 batch; none for '*'); 1 write"),
    "list_credentials": (2, f"{A}; 1 Query of gsi1 'credentials'"),
    "get_credential": (2, f"{A}; the credential"),
    "rotate_credential": (3, f"{A}; the credential (version); 1 write"),
    "revoke_credential": (3, f"{A}; the credential (version); 1 write"),
    "list_institution_audit_events": (2, f"{A}; 1 Query of the institution's audit events (one partition: staff "
                                         "acts only)"),
    "powerpath_create_lesson": (4, f"{R}; course; 1 write"),
    "powerpath_get_lesson": (3, f"lesson; {R}"),
    "powerpath_put_subject_track": (5, f"{R}; course; current track; 1 write"),
    "powerpath_make_assignment": (5, f"lesson; {R} (the caller is the student: one read); latest attempt "
                                     "(Query, limit 1); 1 write"),
    "powerpath_import_results": (6, f"lesson; {R}; latest attempt (Query); claim (UpdateItem); 1 write"),
    "powerpath_get_progress": (4, f"lesson; {R}; latest attempt (Query, limit 1)"),
    "powerpath_masterytrack_writeback": (1, "signature checked in code; 1 conditional UpdateItem"),
}
MINIMUMS = _MIN
