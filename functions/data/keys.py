"""The ONLY place that knows key strings and index names of the single table.

Style follows the ExamSpark seed: an entity's own id in ``id`` and its type (and version) in ``sk``
(``exam#v0``, ``item#v0``, ``exam-session``). ``#v0`` is the latest version; ``#v1``, ``#v2``... are
history copies written in the same transaction as the change they record. Children of a parent live
under the parent's ``id`` with a typed ``sk`` prefix. Every secondary index is declared in INDEXES and
read from here by CDK, the moto fixtures and the local runner.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

PK = "id"
SK = "sk"
# Characters that join a key's parts ("course#<id>#...") and a page token's entries ("id=...|sk=..."): no id
# holds one (core/content.py ID_PATTERN), and a value from outside holding one is never spliced into a key.
SEPARATORS = frozenset("#|")
TABLE_BASE_NAME = "examdesk"
# Conditions on an item's presence, named here because they name the key attribute.
ITEM_EXISTS = f"attribute_exists({PK})"
ITEM_ABSENT = f"attribute_not_exists({PK})"


@dataclass(frozen=True)
class Index:
    name: str
    pk: str
    sk: str
    purpose: str


BY_PARENT = Index("gsi1", "gsi1pk", "gsi1sk", "children of a parent: a course's exams, an exam's sessions")
BY_USER = Index("gsi2", "gsi2pk", "gsi2sk", "what belongs to a user: enrollments, sessions")
BY_COURSE = Index("gsi3", "gsi3pk", "gsi3sk", "course-wide lists: a course's sessions (attempts), allowances")
WORK_QUEUE = Index("gsi4", "gsi4pk", "gsi4sk", "sparse: pending external-test imports; learners by username "
                                               "(a course's attempts and allowances: search and ordering)")
BY_NAME = WORK_QUEUE  # sessions and extensions never carry a work-queue entry: the index holds both, apart by pk
BY_EMAIL = Index("gsi5", "gsi5pk", "gsi5sk", "learners by email: a course's attempts and allowances")
INDEXES: tuple[Index, ...] = (BY_PARENT, BY_USER, BY_COURSE, WORK_QUEUE, BY_EMAIL)

LATEST = 0


def versioned(kind: str, version: int = LATEST) -> str:
    return f"{kind}#v{version}"


# --- entity sort keys (the entity's own id is the partition key) --------------------------------
COURSE = "course"
USER = "user"
ROLE = "role"
EXAM = "exam"
ITEM = "item"
OBJECTIVE = "objective"
API_KEY = "api-key"
SESSION_SK = "exam-session"  # exactly as the seed's nextToken shows: "id=<session id>|sk=exam-session"


def course_key(course_id: str) -> dict[str, str]:
    return {PK: course_id, SK: versioned(COURSE)}


def user_key(user_id: str) -> dict[str, str]:
    return {PK: user_id, SK: versioned(USER)}


ROLE_PREFIX = "role#"  # a custom role's partition and its BY_PARENT sort key


def role_key(role_id: str) -> dict[str, str]:
    return {PK: f"{ROLE_PREFIX}{role_id}", SK: versioned(ROLE)}


def exam_key(exam_id: str, version: int = LATEST) -> dict[str, str]:
    return {PK: exam_id, SK: versioned(EXAM, version)}


def item_key(item_id: str, version: int = LATEST) -> dict[str, str]:
    return {PK: item_id, SK: versioned(ITEM, version)}


def objective_key(objective_id: str) -> dict[str, str]:
    return {PK: objective_id, SK: versioned(OBJECTIVE)}


def api_key_key(key_id: str) -> dict[str, str]:
    """An integration credential (HTTP Basic key or OAuth client, functions/data/credentials.py)."""
    return {PK: key_id, SK: versioned(API_KEY)}


CREDENTIALS = "credentials"  # BY_PARENT partition listing every credential, in id order
CREDENTIAL_PREFIX = "credential#"


def credential_index(key_id: str) -> dict[str, str]:
    return {BY_PARENT.pk: CREDENTIALS, BY_PARENT.sk: f"{CREDENTIAL_PREFIX}{key_id}"}


def session_key(session_id: str) -> dict[str, str]:
    return {PK: session_id, SK: SESSION_SK}


def session_history_key(session_id: str, version: int) -> dict[str, str]:
    """History copy of a session; version >= 1 (the live item is ``exam-session``)."""
    return {PK: session_id, SK: f"{SESSION_SK}#v{version}"}


SESSION_HISTORY_PREFIX = f"{SESSION_SK}#v"

# An attempt's responses and results, in parts of at most SESSION_PART_ITEMS drawn items each, under the
# session's partition: ``exam-session#part#<attempt record>#<part>``. The record is new whenever an attempt's
# parts are replaced with a history copy kept, so the parts a history copy or removal record names stay as
# they were (docs/data-model.md, "Sessions and attempts").
SESSION_PART_ITEMS = 25


def session_part_prefix(record: str) -> str:
    return f"{SESSION_SK}#part#{record}#"


def session_part_key(session_id: str, record: str, part: int) -> dict[str, str]:
    return {PK: session_id, SK: f"{session_part_prefix(record)}{part}"}

# --- lookups that also guard uniqueness (written in the same transaction as the user) -----------
def username_key(username: str) -> dict[str, str]:
    return {PK: f"username#{username.lower()}", SK: "user-lookup"}


def email_key(email: str) -> dict[str, str]:
    return {PK: f"email#{email.lower()}", SK: "user-lookup"}


# --- children ------------------------------------------------------------------------------------
ENROLLMENT_PREFIX = "enrollment#"


def enrollment_key(course_id: str, user_id: str) -> dict[str, str]:
    return {PK: course_id, SK: f"{ENROLLMENT_PREFIX}{user_id}"}


EXAM_STATS = "exam-stats"
# Per-exam statistics are write-sharded: every start and submit adds to ONE of these items (chosen from the
# session id) inside its own transaction, so no item is written by every student of an exam. Sized by the
# scale model (docs/performance.md, "Scale model"): 100,000 starts in 60 s are 1,667 transactions/s, and one
# item takes about 10/s before TransactionConflicts become common: 1,667 / 10 = 167, rounded up to 192 for the
# hash's unevenness. A reader sums every shard (and the item from before sharding): 1 + 192 keys per exam.
EXAM_STATS_SHARDS = 192


def exam_stats_key(exam_id: str, shard: int | None = None) -> dict[str, str]:
    """One shard of an exam's statistics (counts and a score histogram); ``shard`` None: the single item
    exams had before sharding, still read (never written) so that their totals stay whole."""
    if shard is None:
        return {PK: exam_id, SK: EXAM_STATS}
    return {PK: f"{exam_id}#{EXAM_STATS}#{shard}", SK: EXAM_STATS}


def exam_stats_keys(exam_id: str) -> list[dict[str, str]]:
    """Every item an exam's statistics may be in: the one from before sharding, then each shard."""
    return [exam_stats_key(exam_id)] + [exam_stats_key(exam_id, n) for n in range(EXAM_STATS_SHARDS)]


def exam_stats_exam(key: dict[str, str]) -> str | None:
    """The exam a statistics item (or shard) belongs to; None for any other item."""
    return key[PK].split("#", 1)[0] if key.get(SK) == EXAM_STATS else None


# --- index attributes ----------------------------------------------------------------------------
def exam_index(course_id: str, exam_id: str) -> dict[str, str]:
    return {BY_PARENT.pk: f"course#{course_id}", BY_PARENT.sk: f"exam#{exam_id}"}


def course_exams_query(course_id: str) -> tuple[Index, str, str]:
    return BY_PARENT, f"course#{course_id}", "exam#"


# --- BY_PARENT lists of every course, user and custom role, and a course's items ----------------
ALL_COURSES = "courses"
ALL_USERS = "users"
ALL_ROLES = "roles"
COURSE_PREFIX = "course#"
USER_PREFIX = "user#"


def course_index(course_id: str) -> dict[str, str]:
    return {BY_PARENT.pk: ALL_COURSES, BY_PARENT.sk: f"{COURSE_PREFIX}{course_id}"}


def courses_query() -> tuple[Index, str, str]:
    return BY_PARENT, ALL_COURSES, COURSE_PREFIX


def user_index(username: str) -> dict[str, str]:
    """Users listed in (lower-cased) username order."""
    return {BY_PARENT.pk: ALL_USERS, BY_PARENT.sk: f"{USER_PREFIX}{username.lower()}"}


def users_query() -> tuple[Index, str, str]:
    return BY_PARENT, ALL_USERS, USER_PREFIX


def role_index(role_id: str) -> dict[str, str]:
    return {BY_PARENT.pk: ALL_ROLES, BY_PARENT.sk: f"{ROLE_PREFIX}{role_id}"}


def roles_query() -> tuple[Index, str, str]:
    return BY_PARENT, ALL_ROLES, ROLE_PREFIX


def item_index(course_id: str, item_id: str) -> dict[str, str]:
    return {BY_PARENT.pk: f"course-items#{course_id}", BY_PARENT.sk: f"item#{item_id}"}


def enrollment_index(course_id: str, user_id: str) -> dict[str, str]:
    return {BY_USER.pk: f"user#{user_id}", BY_USER.sk: f"enrollment#{course_id}"}


def user_enrollments_query(user_id: str) -> tuple[Index, str, str]:
    return BY_USER, f"user#{user_id}", "enrollment#"


# --- write-sharded list partitions (docs/data-model.md, "Lists") -----------------------------------
# Every start and submit writes its session's index entries. One partition per exam or course would take
# every student's writes (100,000 starts in a minute is ~1,700 writes/s; a partition takes 1,000 WCU/s), so
# each list's partition is split in LIST_SHARDS by the student: a page reads every shard (one Query each,
# Limit ~ 2 x its share of the page: course_walks.shard_limit) and merges them by sort key. Sort keys are
# unique and the same in every shard, so a position in the merged list is one sort key (what a page token
# names). 16, not 8: a start by a student with an extension rewrites two gsi3 entries in their shard (the
# session's, the extension's pointer), ~1,045 WCU/s per shard at 8 in the scale model (docs/performance.md).
# Raising it later keeps old entries readable (every old shard number is still one of the list's partitions).
LIST_SHARDS = 16


def list_shard(user_id: str) -> int:
    import zlib

    return zlib.crc32(user_id.encode()) % LIST_SHARDS


@dataclass(frozen=True)
class ListSpec:
    """One merged list: its index, its partitions (one per shard) and the sort-key prefix of its rows."""

    index: Index
    partitions: tuple[str, ...]
    prefix: str


def _shards(base: str, count: int = LIST_SHARDS) -> tuple[str, ...]:
    return tuple(f"{base}#{n}" for n in range(count))


def _name_key(text: str) -> str:
    """A username or email as search and ordering see it: trimmed, lower case."""
    return text.strip().lower()


def _name_index(list_name: str, course_id: str, shard: int, tail: str, username: str | None,
                email: str | None) -> dict[str, str]:
    """A list's username / email index entries (gsi4 / gsi5), in the same shard as its time-ordered entry."""
    index: dict[str, str] = {}
    if username:
        index[BY_NAME.pk] = f"{list_name}-by-name#{course_id}#{shard}"
        index[BY_NAME.sk] = f"u#{_name_key(username)}#{tail}"
    if email:
        index[BY_EMAIL.pk] = f"{list_name}-by-email#{course_id}#{shard}"
        index[BY_EMAIL.sk] = f"e#{_name_key(email)}#{tail}"
    return index


def session_index(course_id: str, exam_id: str, user_id: str, session_id: str, *, started: str = "",
                  username: str | None = None, email: str | None = None) -> dict[str, str]:
    """``started``: the latest attempt's start (fixed-width UTC text), so time lists are newest first by it;
    ``username`` / ``email``: the learner's when the session was written (search and ordering by them)."""
    shard = list_shard(user_id)
    index = {
        BY_PARENT.pk: f"exam#{exam_id}#{shard}",
        BY_PARENT.sk: f"session#{started}#{session_id}",
        BY_USER.pk: f"user#{user_id}",
        BY_USER.sk: f"session#{course_id}#{exam_id}#{session_id}",
        BY_COURSE.pk: f"course#{course_id}#{shard}",
        BY_COURSE.sk: f"session#{started}#{session_id}",
    }
    return index | _name_index("attempts", course_id, shard, session_id, username, email)


def exam_sessions_list(exam_id: str) -> ListSpec:
    """An exam's sessions by their latest attempt's start (ExamSpark's list, Open edX's exam attempts)."""
    return ListSpec(BY_PARENT, _shards(f"exam#{exam_id}"), "session#")


def course_sessions_list(course_id: str) -> ListSpec:
    """A course's sessions by their latest attempt's start (Open edX's course attempts)."""
    return ListSpec(BY_COURSE, _shards(f"course#{course_id}"), "session#")


def course_sessions_by_name(course_id: str, needle: str = "") -> ListSpec:
    """A course's sessions by username, those whose username starts with ``needle`` (any case)."""
    return ListSpec(BY_NAME, _shards(f"attempts-by-name#{course_id}"), "u#" + _name_key(needle))


def course_sessions_by_email(course_id: str, needle: str = "") -> ListSpec:
    return ListSpec(BY_EMAIL, _shards(f"attempts-by-email#{course_id}"), "e#" + _name_key(needle))


def user_sessions_query(user_id: str, course_id: str | None = None) -> tuple[Index, str, str]:
    prefix = f"session#{course_id}#" if course_id else "session#"
    return BY_USER, f"user#{user_id}", prefix


def table_definition(table_name: str) -> dict:
    """Boto3 ``create_table`` arguments, used by the moto fixtures and the local runner (CDK reads INDEXES)."""
    attributes = [PK, SK] + [attr for index in INDEXES for attr in (index.pk, index.sk)]
    return {
        "TableName": table_name,
        "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": [{"AttributeName": PK, "KeyType": "HASH"}, {"AttributeName": SK, "KeyType": "RANGE"}],
        "AttributeDefinitions": [{"AttributeName": name, "AttributeType": "S"} for name in attributes],
        "GlobalSecondaryIndexes": [
            {
                "IndexName": index.name,
                "KeySchema": [
                    {"AttributeName": index.pk, "KeyType": "HASH"},
                    {"AttributeName": index.sk, "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
            for index in INDEXES
        ],
    }


EXTENSION_SK = "extension"


def extension_partition(exam_id: str, user_id: str) -> str:
    """Every start writes (or checks) its student's extension in its transaction: under the exam's id all of
    an exam's students would share one partition key (100,000 starts in a minute is ~1,700 writes/s, over the
    1,000 WCU/s a partition takes), so each student's extension and its history have their own."""
    return f"extension#{exam_id}#{user_id}"


def extension_key(exam_id: str, user_id: str) -> dict[str, str]:
    """A student's accommodations on one exam (Canvas extension = Open edX allowance)."""
    return {PK: extension_partition(exam_id, user_id), SK: EXTENSION_SK}


def attempt_count_key(exam_id: str, user_id: str) -> dict[str, str]:
    """The attempts and live sessions one student has on one exam, counted in the transactions that start them
    (core/work.py): the attempt limit holds under concurrent starts, which a gsi2 count cannot see."""
    return {PK: f"attempt-count#{exam_id}#{user_id}", SK: "attempt-count"}  # its own partition: no hot key


def extension_index(course_id: str, exam_id: str, user_id: str, *, username: str | None = None,
                    email: str | None = None) -> dict[str, str]:
    """Sharded as the sessions are (every start moves its student's extension's session pointer)."""
    shard = list_shard(user_id)
    index = {BY_COURSE.pk: f"course#{course_id}#{shard}", BY_COURSE.sk: f"extension#{exam_id}#{user_id}"}
    return index | _name_index("allowances", course_id, shard, f"{exam_id}#{user_id}", username, email)


def list_counts_key(exam_id: str) -> dict[str, str]:
    """An exam's list counters (``allowances``: its allowance rows), kept by every grant and removal. Staff
    write it, never a student's start, so one item per exam takes its writes."""
    return {PK: exam_id, SK: "list-counts"}


# --- Canvas quiz extensions (issue 5) -----------------------------------------------------------
# History copies sit in the extension's own partition, under their own sort-key prefix.
EXTENSION_HISTORY_PREFIX = "extension-history#"


def extension_history_key(exam_id: str, user_id: str, replaced_at: str) -> dict[str, str]:
    """The value an extension had before a change; ``replaced_at`` (sortable UTC text) orders the copies."""
    return {PK: extension_partition(exam_id, user_id), SK: f"{EXTENSION_HISTORY_PREFIX}{replaced_at}"}


def extension_history_query(exam_id: str, user_id: str) -> tuple[str, str]:
    """Partition and sort-key prefix of one extension's history copies."""
    return extension_partition(exam_id, user_id), EXTENSION_HISTORY_PREFIX


def course_extensions_list(course_id: str, exam_id: str | None = None) -> ListSpec:
    """A course's extensions (or one exam's), in exam then user order, on the course-wide index."""
    prefix = f"extension#{exam_id}#" if exam_id else "extension#"
    return ListSpec(BY_COURSE, _shards(f"course#{course_id}"), prefix)


def course_extensions_by_name(course_id: str, needle: str = "") -> ListSpec:
    return ListSpec(BY_NAME, _shards(f"allowances-by-name#{course_id}"), "u#" + _name_key(needle))


def course_extensions_by_email(course_id: str, needle: str = "") -> ListSpec:
    return ListSpec(BY_EMAIL, _shards(f"allowances-by-email#{course_id}"), "e#" + _name_key(needle))


def user_course_sessions_query(user_id: str, course_id: str,
                               exam_id: str | None = None) -> tuple[Index, str, str]:
    """One student's sessions in a course (or on one exam of it): what an extension can move."""
    prefix = f"session#{course_id}#{exam_id}#" if exam_id else f"session#{course_id}#"
    return BY_USER, f"user#{user_id}", prefix


# --- PowerPath external tests (docs/powerpath.md) ----------------------------------------------------
LESSON = "lesson"
SUBJECT_TRACK = "subject-track"
EXTERNAL_TEST_PREFIX = "external-test#"
WORK_QUEUE_SHARDS = 4  # pending imports spread over a few partitions of gsi4: no single hot key
PARKED = "9999-12-31T00:00:00.000000Z"  # due never: waits for an event (a MasteryTrack write-back)


def lesson_key(lesson_id: str) -> dict[str, str]:
    return {PK: lesson_id, SK: versioned(LESSON)}


def lesson_index(course_id: str, lesson_id: str) -> dict[str, str]:
    return {BY_PARENT.pk: f"course#{course_id}", BY_PARENT.sk: f"lesson#{lesson_id}"}


def subject_track_key(subject: str, grade: int, version: int = LATEST) -> dict[str, str]:
    """Latest mapping at ``#v0``; each replacement keeps the one it replaced at ``#v<n>``."""
    return {PK: f"subject-track#{subject}#{grade}", SK: versioned(SUBJECT_TRACK, version)}


def external_test_key(student_id: str, lesson_id: str, attempt: int) -> dict[str, str]:
    """Under the student's partition; attempts zero-padded so the latest is the first of a reverse Query."""
    return {PK: student_id, SK: f"{EXTERNAL_TEST_PREFIX}{lesson_id}#{attempt:05d}"}


def external_tests_prefix(lesson_id: str) -> str:
    return f"{EXTERNAL_TEST_PREFIX}{lesson_id}#"


# Write-sharded keys spell their shard as "<segment>#<number>": the segment -> how many shards it has. The scale
# model (bench/scale_model.py) reads a recorded key's shard count from here (tests/dynamodb_requests.py).
SHARDED: dict[str, int] = {"pending": WORK_QUEUE_SHARDS, EXAM_STATS: EXAM_STATS_SHARDS}


def work_queue_shard_number(student_id: str, lesson_id: str) -> int:
    import zlib

    return zlib.crc32(f"{student_id}|{lesson_id}".encode()) % WORK_QUEUE_SHARDS


def work_queue_shard(student_id: str, lesson_id: str) -> str:
    return f"pending#{work_queue_shard_number(student_id, lesson_id)}"


def work_queue_shards(numbers: Sequence[int] | None = None) -> list[str]:
    """Every shard's partition, or the numbered ones (the scheduled importer runs one invocation per shard)."""
    return [f"pending#{n}" for n in (range(WORK_QUEUE_SHARDS) if numbers is None else numbers)]


def import_lease_key(shard: int) -> dict[str, str]:
    """A work-queue shard's lease: only the scheduled pass holding it imports that shard's assignments."""
    return {PK: f"import-lease#{shard}", SK: versioned("import-lease")}


def work_queue_index(student_id: str, lesson_id: str, attempt: int, due: str) -> dict[str, str]:
    """Only pending assignments carry these; ``due`` is a fixed-width UTC stamp, so "due now" is one range."""
    return {WORK_QUEUE.pk: work_queue_shard(student_id, lesson_id),
            WORK_QUEUE.sk: f"{due}#{student_id}#{lesson_id}#{attempt:05d}"}


SESSION_REMOVAL_PREFIX = f"{SESSION_SK}#removed#"


def session_removal_key(session_id: str, removal_id: str) -> dict[str, str]:
    """A removed session's restorable record, beside the session's own partition."""
    return {PK: session_id, SK: f"{SESSION_REMOVAL_PREFIX}{removal_id}"}


def session_removal_index(course_id: str, exam_id: str, user_id: str, removal_id: str) -> dict[str, str]:
    return {BY_COURSE.pk: f"course#{course_id}", BY_COURSE.sk: f"removed#{exam_id}#{user_id}#{removal_id}"}


def course_removals_query(course_id: str, exam_id: str | None = None) -> tuple[Index, str, str]:
    prefix = f"removed#{exam_id}#" if exam_id else "removed#"
    return BY_COURSE, f"course#{course_id}", prefix


# --- Open edX special exams (docs/openedx.md) ----------------------------------------------------
NUMBER_ALIAS = "number-alias"


def number_alias_key(kind: str, number: int) -> dict[str, str]:
    """An integer id (Open edX) -> our string id (``target``). Written with the exam or user it names, on
    condition that the number is free or already names that object: two objects never share a number."""
    return {PK: f"{number_alias_prefix(kind)}{number}", SK: NUMBER_ALIAS}


def number_alias_prefix(kind: str) -> str:
    """The part of an alias's partition before its number."""
    return f"number#{kind}#"


def proctoring_settings_key(course_id: str) -> dict[str, str]:
    """A course's proctoring settings (Open edX), a child of the course."""
    return {PK: course_id, SK: "proctoring-settings"}


# --- audit trail (functions/core/audit.py, functions/data/audit.py) -------------------------------
AUDIT_EVENT_PREFIX = "event#"
INSTITUTION_AUDIT = "audit-institution"  # events of objects outside any course: users, roles, subject tracks


# Every start and submit writes one event in its transaction (a transactional write costs 2 WCU per KB): 100,000
# starts in a minute is ~1,700 events/s; a start's event is ~1.3 KB (billed 2 KB: 4 WCU), ~6,800 WCU/s on one
# key, over the 1,000 WCU/s a partition takes. A course's events are split in AUDIT_SHARDS partitions by a hash
# of the event's own id (its random tail spreads them evenly, and the id alone names its shard: a restore
# reads its event in one GetItem): 16 take ~425 WCU/s each, room for larger (submit) events and an uneven
# second. The institution partition takes staff acts only: one key.
AUDIT_SHARDS = 16
# The table's own keys as a list's "index": a course's audit list is read from the base table.
BASE_TABLE = Index("", PK, SK, "the table itself (a course's audit shards)")


def audit_partition(course_id: str | None) -> str:
    """A course's events' base partition (its shards append ``#<n>``; page tokens name it), or the
    institution's single partition."""
    return f"audit#{course_id}" if course_id is not None else INSTITUTION_AUDIT


def audit_shard(event_id: str) -> int:
    import zlib

    return zlib.crc32(event_id.encode()) % AUDIT_SHARDS


def audit_event_key(course_id: str | None, event_id: str) -> dict[str, str]:
    """``event_id`` starts with its UTC time, so the sort key orders a course's events by time in every
    shard."""
    pk = INSTITUTION_AUDIT if course_id is None else f"{audit_partition(course_id)}#{audit_shard(event_id)}"
    return {PK: pk, SK: f"{AUDIT_EVENT_PREFIX}{event_id}"}


def course_audit_list(course_id: str) -> ListSpec:
    """A course's events, merged from its shards by event id (time)."""
    return ListSpec(BASE_TABLE, _shards(audit_partition(course_id), AUDIT_SHARDS), AUDIT_EVENT_PREFIX)


# --- Idempotency-Key records (Powertools idempotency; functions/platform/idempotency.py) --------------
TTL_ATTRIBUTE = "expiresAt"  # the table's TTL attribute (CDK reads it): epoch seconds; DynamoDB deletes for free
IDEMPOTENCY_SK = "idempotency"


def idempotency_prefix(route_name: str, caller: str) -> str:
    """The record's ``id`` up to the hash of the client's key: ``idempotency#<route>#<caller>#<sha256(key)>``.
    The caller is part of the key, so one caller can never replay another's answer."""
    return f"idempotency#{route_name}#{caller}"


def idempotency_key(record_id: str) -> dict[str, str]:
    return {PK: record_id, SK: IDEMPOTENCY_SK}


def demo_marker_key(piece: str) -> dict[str, str]:
    """The local runner's record that a piece of demo data was loaded once (infra/local/demo_data.py): what
    the API may since have changed or removed is never put back."""
    return {PK: f"demo#{piece}", SK: "demo-loaded"}


# --- Exam window entries (the pre-warm job, functions/jobs/prewarm.py) ------------------------------------------
# Written with the exam (data/exams.py) for its open and its close, one partition per UTC hour, so the job finds
# the exams opening or closing soon with one Query per hour bucket, never a Scan. An entry left behind by a changed
# time is ignored (the job compares it with the exam) and expires a day after its moment (TTL_ATTRIBUTE).
EXAM_WINDOW_PREFIX = "exam-window#"
EXAM_WINDOW_TTL_S = 24 * 3600


def _utc(at: datetime) -> datetime:
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC)


def exam_window_bucket(at: datetime) -> str:
    return f"{EXAM_WINDOW_PREFIX}{_utc(at):%Y-%m-%dT%H}"


def exam_window_key(kind: str, at: datetime, exam_id: str) -> dict[str, str]:
    """The sort key starts with the moment's time, so a bucket reads in time order."""
    return {PK: exam_window_bucket(at), SK: f"{_utc(at):%Y-%m-%dT%H:%M:%S}Z#{kind}#{exam_id}"}


def exam_window_buckets(low: datetime, high: datetime) -> list[tuple[str, str]]:
    """(partition, sort key prefix) of every hour bucket a moment between ``low`` and ``high`` may be in, in
    order: every sort key of a bucket starts with its hour (DynamoDB refuses an empty prefix)."""
    hour = _utc(low).replace(minute=0, second=0, microsecond=0)
    out = []
    while hour <= _utc(high):
        out.append((exam_window_bucket(hour), f"{hour:%Y-%m-%dT%H}"))
        hour += timedelta(hours=1)
    return out


# Partitions written by every start or submit, split in shards by a trailing number: the first segment of the
# partition key -> its shard count (what the request recorder and the scale model read, bench/scale_model.py).
SHARDED_PARTITIONS: dict[str, int] = {
    "exam": LIST_SHARDS, "course": LIST_SHARDS, "attempts-by-name": LIST_SHARDS, "attempts-by-email": LIST_SHARDS,
    "allowances-by-name": LIST_SHARDS, "allowances-by-email": LIST_SHARDS, "audit": AUDIT_SHARDS,
}


# --- places: a token's last entry that is key-shaped but names no item -------------------------------
# Two small numbers, ``id=<first word><a>|sk=<second word>#<b>``, read back only in that exact shape.
@dataclass(frozen=True)
class Place:
    first: str
    second: str
    first_digits: int
    second_digits: int

    def write(self, a: int, b: int) -> dict[str, str]:
        return {PK: f"{self.first}{a}", SK: f"{self.second}#{b}"}

    def read(self, entry: dict[str, str]) -> tuple[int, int] | None:
        """(a, b) of an entry ``write`` made; None for anything else."""
        a = re.fullmatch(rf"{self.first}(\d{{1,{self.first_digits}}})", entry[PK])
        b = re.fullmatch(rf"{self.second}#(\d{{1,{self.second_digits}}})", entry[SK])
        return (int(a.group(1)), int(b.group(1))) if a and b else None


# The Open edX lists' cursor (api/openedx/params.py): the list's phase and how many of the start item's rows
# came before.
CURSOR_PLACE = Place("phase", "shown", 1, 6)


# --- shapes written before the write-sharded lists (read only by the backfill, functions/jobs/backfill_lists.py) --
# Nothing else reads or writes these. Before commit 8721272 a live session's list entries were unsharded
# (gsi1 ``exam#<exam>`` / ``session#<id>``, gsi3 ``course#<course>`` / ``session#<exam>#<user>#<id>``, no gsi4 /
# gsi5); before fd01649 an extension lived under its exam (``<exam>`` / ``extension#<user>``, its history copies
# ``extension-history#<user>#<replaced at>``) and a course's audit events in one partition (``audit#<course>``).
LIST_INDEX_ATTRIBUTES: tuple[str, ...] = tuple(
    attr for index in (BY_PARENT, BY_USER, BY_COURSE, BY_NAME, BY_EMAIL) for attr in (index.pk, index.sk))
_LEGACY_EXTENSION_PREFIX = "extension#"
_AUDIT_PREFIX = "audit#"


def is_live_session(key: dict[str, str]) -> bool:
    return key.get(SK) == SESSION_SK


def session_lists_sharded(item: dict) -> bool:
    """Whether a live session's list entries were written by the sharded lists' code, which counts the
    session's attempts in its exam's statistics (``attempts``): its exam list partition ends in a shard number
    (any shard count: 8 before 16)."""
    head, _, shard = str(item.get(BY_PARENT.pk, "")).rpartition("#")
    return head == f"exam#{item.get('exam_id')}" and shard.isdigit()


def legacy_extension(key: dict[str, str]) -> tuple[str, str] | None:
    """(exam, user) of an extension still under its exam's partition; None for any other item."""
    if key[SK].startswith(_LEGACY_EXTENSION_PREFIX) and not key[PK].startswith(_LEGACY_EXTENSION_PREFIX):
        return key[PK], key[SK][len(_LEGACY_EXTENSION_PREFIX):]
    return None


def legacy_extension_history(key: dict[str, str]) -> tuple[str, str, str] | None:
    """(exam, user, replaced at) of a history copy still under its exam's partition; None for any other item."""
    if key[SK].startswith(EXTENSION_HISTORY_PREFIX) and not key[PK].startswith(_LEGACY_EXTENSION_PREFIX):
        user_id, _, replaced_at = key[SK][len(EXTENSION_HISTORY_PREFIX):].partition("#")
        return (key[PK], user_id, replaced_at) if user_id and replaced_at else None
    return None


def legacy_audit_event(key: dict[str, str]) -> tuple[str, str] | None:
    """(course, event id) of a course audit event still in its course's one partition; None for any other."""
    pk, sk = key[PK], key[SK]
    if pk.startswith(_AUDIT_PREFIX) and pk.count("#") == 1 and sk.startswith(AUDIT_EVENT_PREFIX):
        return pk[len(_AUDIT_PREFIX):], sk[len(AUDIT_EVENT_PREFIX):]
    return None


# The backfill's cursor: the Scan's last key, then a place naming its segment (``id=segment<n>|sk=of#<m>``) so
# that a cursor given to another segment's invocation is refused before any read.
SCAN_PLACE = Place("segment", "of", 4, 4)
