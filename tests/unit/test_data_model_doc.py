"""Every table of docs/data-model.md held against the code, so the document cannot drift from it.

- Entities: each key builder of functions/data/keys.py, called with sample ids, produces the documented ``id`` /
  ``sk`` (and index attributes); every builder is documented; every key the suite's requests touched
  (infra/dynamodb_requests.json, recorded by ``make record-actions``) is a documented one.
- Indexes and lists: keys.INDEXES and the keys.ListSpec builders.
- Calls per route: every route of functions/routes.py has a row; each row's figures are those of an invocation
  the suite recorded for that route (infra/dynamodb_requests.json: the calls of each distinct 2xx invocation);
  every operation a row names is granted to the function (infra/dynamodb_actions.json).
- Numbers (shard counts, limits) equal the constants they come from.
The recorded files are rewritten by ``make record-actions``; a change of the calls a route makes needs the
document edited and the files recorded again.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from functions.data import keys
from functions.routes import ROUTES
from tests import doc_tables as doc

ROOT = Path(__file__).resolve().parents[2]
RECORDED = json.loads((ROOT / "infra" / "dynamodb_requests.json").read_text())
GRANTED = {name: set(actions)
           for name, actions in json.loads((ROOT / "infra" / "dynamodb_actions.json").read_text()).items()}
JOBS = {"pre-warm": "prewarm", "credential sweep": "close-overlaps", "the importer's outcome write": "import-results"}

# --- sample values: each kind of id its own, so a swapped part of a key is caught ----------------------------
COURSE, EXAM, USER, SESSION, ITEM = "crs1", "exm1", "usr1", "ses1", "itm1"
OBJECTIVE, CREDENTIAL, LESSON, ROLE = "obj1", "cred1", "les1", "rol1"
RECORD, REMOVAL, SUBJECT, GRADE, PIECE = "rec1", "rem1", "Math", 7, "kevin"
USERNAME, EMAIL = "Ada.L", "Ada@Example.EDU"
STARTED, REPLACED, DUE = "2026-12-04T10:00:00.000000Z", "2026-12-04T11:00:00.000000Z", "2026-12-04T12:00:00.000000Z"
EVENT = "2026-12-04T10:00:00.000000Z-0123456789ab"
WINDOW_AT = datetime(2026, 12, 4, 10, 5, 6, tzinfo=UTC)
ROUTE, CALLER, DIGEST = "create_course", "user:usr1", "ab" * 32

TIME = r"\d{4}-\d\d-\d\dT[\d:.]+Z?"
PLACEHOLDERS = {
    "course": COURSE, "course id": COURSE, "exam": EXAM, "exam id": EXAM, "user": USER, "user id": USER,
    "student": USER, "lesson": LESSON, "role id": ROLE, "record": RECORD, "removal id": REMOVAL,
    "subject": SUBJECT, "grade": str(GRADE), "piece": PIECE, "lower username": USERNAME.lower(),
    "lower email": EMAIL.lower(), "latest start": STARTED, "latest attempt's start": STARTED,
    "replaced at, UTC": REPLACED, "next try, UTC": DUE, "UTC time": TIME, "random": "[0-9a-f]+",
    "UTC hour, YYYY-MM-DDTHH": r"\d{4}-\d\d-\d\dT\d\d", "route": ROUTE, "caller": CALLER,
    "sha256 of the Idempotency-Key": DIGEST, "attempt, 5 digits": r"\d{5}", "attempt": r"\d{5}", "n": r"\d+",
    "52-bit number": r"\d+",
}


def placeholder_regex(name: str, shard: int | None) -> str:
    if name == "s":
        return str(shard) if shard is not None else r"\d+"
    if re.fullmatch(r"\d+\.\.\d+", name):  # <0..3>: exactly these numbers
        low, high = map(int, name.split(".."))
        return "(" + "|".join(str(n) for n in range(low, high + 1)) + ")"
    if "|" in name:  # <open|close>
        return "(" + "|".join(re.escape(p) for p in name.split("|")) + ")"
    return PLACEHOLDERS.get(name, "[^#]+")


def documented(pattern: str, value: str, shard: int | None = None) -> bool:
    names = {name: placeholder_regex(name, shard) for name in doc.placeholders(pattern)}
    return doc.pattern_regex(pattern, names).fullmatch(value) is not None


# --- the entities table -------------------------------------------------------------------------------------
ENTITIES = doc.table("Entities and key shapes", "entity")
ENTITY_ROWS = {row[0]: row for row in ENTITIES.rows}


def key_patterns(cell: str) -> list[str]:
    """The key patterns a cell documents: its code spans, less names of code (``keys.X``, ``client_id``); a
    cell without one is a bare id (``course id``)."""
    spans = [s for s in doc.code_spans(cell) if not re.fullmatch(r"[\w.]*[_.][\w.]*", s)]
    return spans or ["<id>"]


def index_patterns(cell: str) -> dict[str, tuple[str, str]]:
    """``gsi1: `courses` / `course#<id>`; gsi2: ...`` -> {"gsi1": ("courses", "course#<id>"), ...}."""
    return {m[1]: (m[2], m[3]) for m in re.finditer(r"(gsi\d)\b[^`;]*?`([^`]+)` / `([^`]+)`", cell)}


def _stats_keys() -> list[dict[str, str]]:
    return keys.exam_stats_keys(EXAM)


# key builder -> (entity row, keys it builds from the samples, the shard number its <s> stands for)
KEY_BUILDERS: dict[str, tuple[str, Callable[[], list[dict[str, str]]], int | None]] = {
    "course_key": ("course", lambda: [keys.course_key(COURSE)], None),
    "user_key": ("user", lambda: [keys.user_key(USER)], None),
    "username_key": ("username lookup", lambda: [keys.username_key(USERNAME)], None),
    "email_key": ("email lookup", lambda: [keys.email_key(EMAIL)], None),
    "role_key": ("custom role", lambda: [keys.role_key(ROLE)], None),
    "enrollment_key": ("enrollment", lambda: [keys.enrollment_key(COURSE, USER)], None),
    "exam_key": ("exam (exam config)", lambda: [keys.exam_key(EXAM), keys.exam_key(EXAM, 3)], None),
    "exam_stats_key": ("exam statistics (192 write shards)", _stats_keys, None),
    "list_counts_key": ("exam list counters", lambda: [keys.list_counts_key(EXAM)], None),
    "item_key": ("item", lambda: [keys.item_key(ITEM), keys.item_key(ITEM, 2)], None),
    "objective_key": ("objective", lambda: [keys.objective_key(OBJECTIVE)], None),
    "api_key_key": ("integration credential (Basic key or OAuth client, docs/credentials.md)",
                    lambda: [keys.api_key_key(CREDENTIAL)], None),
    "session_key": ("exam session", lambda: [keys.session_key(SESSION)], None),
    "session_history_key": ("exam session", lambda: [keys.session_history_key(SESSION, 2)], None),
    "session_part_key": ("attempt part", lambda: [keys.session_part_key(SESSION, RECORD, n) for n in range(4)], None),
    "session_removal_key": ("removed session", lambda: [keys.session_removal_key(SESSION, REMOVAL)], None),
    "extension_key": ("extension (allowance)", lambda: [keys.extension_key(EXAM, USER)], None),
    "extension_history_key": ("extension history", lambda: [keys.extension_history_key(EXAM, USER, REPLACED)], None),
    "attempt_count_key": ("attempt count", lambda: [keys.attempt_count_key(EXAM, USER)], None),
    "lesson_key": ("lesson (PowerPath component resource)", lambda: [keys.lesson_key(LESSON)], None),
    "subject_track_key": ("subject track", lambda: [keys.subject_track_key(SUBJECT, GRADE),
                                                    keys.subject_track_key(SUBJECT, GRADE, 2)], None),
    "external_test_key": ("external-test assignment", lambda: [keys.external_test_key(USER, LESSON, 3)], None),
    "import_lease_key": ("importer shard lease",
                         lambda: [keys.import_lease_key(n) for n in range(keys.WORK_QUEUE_SHARDS)], None),
    "number_alias_key": ("number alias (Open edX, Canvas)",
                         lambda: [keys.number_alias_key(kind, 2**52 - 1) for kind in ("exam", "user", "course")], None),
    "proctoring_settings_key": ("proctoring settings (Open edX)", lambda: [keys.proctoring_settings_key(COURSE)], None),
    "audit_event_key": ("audit event", lambda: [keys.audit_event_key(COURSE, EVENT), keys.audit_event_key(None, EVENT)],
                        keys.audit_shard(EVENT)),
    "idempotency_key": ("idempotency record (Powertools)",
                        lambda: [keys.idempotency_key(f"{keys.idempotency_prefix(ROUTE, CALLER)}#{DIGEST}")], None),
    "exam_window_key": ("exam window entry (the pre-warm job, `functions/jobs/prewarm.py`)",
                        lambda: [keys.exam_window_key(kind, WINDOW_AT, EXAM) for kind in ("open", "close")], None),
    "demo_marker_key": ("demo marker (local runner only)", lambda: [keys.demo_marker_key(PIECE)], None),
}

# index builder -> (entity row, the index attributes it builds, the shard number its <s> stands for)
INDEX_BUILDERS: dict[str, tuple[str, Callable[[], dict[str, str]], int | None]] = {
    "session_index": ("exam session", lambda: keys.session_index(
        COURSE, EXAM, USER, SESSION, started=STARTED, username=USERNAME, email=EMAIL), keys.list_shard(USER)),
    "extension_index": ("extension (allowance)", lambda: keys.extension_index(COURSE, EXAM, USER, username=USERNAME,
                                                                             email=EMAIL), keys.list_shard(USER)),
    "exam_index": ("exam (exam config)", lambda: keys.exam_index(COURSE, EXAM), None),
    "course_index": ("course", lambda: keys.course_index(COURSE), None),
    "user_index": ("user", lambda: keys.user_index(USERNAME), None),
    "role_index": ("custom role", lambda: keys.role_index(ROLE), None),
    "item_index": ("item", lambda: keys.item_index(COURSE, ITEM), None),
    "enrollment_index": ("enrollment", lambda: keys.enrollment_index(COURSE, USER), None),
    "credential_index": ("integration credential (Basic key or OAuth client, docs/credentials.md)",
                         lambda: keys.credential_index(CREDENTIAL), None),
    "lesson_index": ("lesson (PowerPath component resource)", lambda: keys.lesson_index(COURSE, LESSON), None),
    "work_queue_index": ("external-test assignment", lambda: keys.work_queue_index(USER, LESSON, 3, DUE), None),
    "session_removal_index": ("removed session", lambda: keys.session_removal_index(COURSE, EXAM, USER, REMOVAL), None),
}


def builders(suffix: str) -> set[str]:
    return {name for name, value in vars(keys).items()
            if callable(value) and name.endswith(suffix) and not name.startswith("_")
            and getattr(value, "__module__", "") == keys.__name__}


def test_every_key_and_index_builder_of_keys_py_is_documented_here():
    assert builders("_key") == set(KEY_BUILDERS), "a key builder of keys.py without its row (add it to the doc, here)"
    assert builders("_index") == set(INDEX_BUILDERS)


def test_every_entity_row_names_a_key_builder():
    assert set(ENTITY_ROWS) == {row for row, _, _ in KEY_BUILDERS.values()}


@pytest.mark.parametrize("builder", sorted(KEY_BUILDERS))
def test_key_builders_build_the_documented_keys(builder):
    row_name, build, shard = KEY_BUILDERS[builder]
    row = ENTITY_ROWS[row_name]
    ids, sks = key_patterns(row[ENTITIES.column("`id`")]), key_patterns(row[ENTITIES.column("`sk`")])
    for key in build():
        assert set(key) == {keys.PK, keys.SK}
        assert any(documented(p, key[keys.PK], shard) for p in ids), (builder, key[keys.PK], ids)
        assert any(documented(p, key[keys.SK], shard) for p in sks), (builder, key[keys.SK], sks)


@pytest.mark.parametrize("builder", sorted(INDEX_BUILDERS))
def test_index_builders_build_the_documented_index_attributes(builder):
    row_name, build, shard = INDEX_BUILDERS[builder]
    patterns = index_patterns(ENTITY_ROWS[row_name][ENTITIES.column("index attributes")])
    attributes = build()
    by_index = {index.name: index for index in keys.INDEXES}
    built = {name for name, index in by_index.items() if index.pk in attributes or index.sk in attributes}
    assert built == set(patterns), (builder, sorted(built), sorted(patterns))
    for name, (pk, sk) in patterns.items():
        index = by_index[name]
        assert documented(pk, attributes[index.pk], shard), (builder, name, attributes[index.pk], pk)
        assert documented(sk, attributes[index.sk], shard), (builder, name, attributes[index.sk], sk)


def test_the_shard_counts_in_the_entities_table_are_the_code_s():
    stats = ENTITY_ROWS["exam statistics (192 write shards)"]
    assert re.findall(r"\((\d+) write shards\)", stats[0]) == [str(keys.EXAM_STATS_SHARDS)]
    assert re.findall(r"mod (\d+)", stats[1]) == [str(keys.EXAM_STATS_SHARDS)]
    assert re.findall(r"1 \+ (\d+) items", stats[4]) == [str(keys.EXAM_STATS_SHARDS)]
    assert len(keys.exam_stats_keys(EXAM)) == 1 + keys.EXAM_STATS_SHARDS
    audit = ENTITY_ROWS["audit event"]
    assert re.findall(r"mod (\d+)", audit[1]) == [str(keys.AUDIT_SHARDS)]
    # <0..3> in the queue and lease keys: every shard and no other (the builders above must match it)
    queue = index_patterns(ENTITY_ROWS["external-test assignment"][3])["gsi4"][0]
    assert [documented(queue, p) for p in keys.work_queue_shards()] == [True] * keys.WORK_QUEUE_SHARDS
    assert not documented(queue, f"pending#{keys.WORK_QUEUE_SHARDS}")
    assert not documented(ENTITY_ROWS["importer shard lease"][1], f"import-lease#{keys.WORK_QUEUE_SHARDS}")


def test_the_limits_in_the_entities_table_are_the_code_s():
    from functions.core import content, work
    from functions.platform import idempotency, settings
    from functions.providers import masterytrack

    session = ENTITY_ROWS["exam session"][4]
    assert re.findall(r"at most (\d+)\)", session) == [str(work.MAX_ATTEMPT_RECORDS)]
    part = ENTITY_ROWS["attempt part"][4]
    size, last = re.search(r"drawn items (\d+)n\.\.\d+n\+\d+ \(n = 0\.\.(\d+)\)", part).groups()  # type: ignore[union-attr]
    assert int(size) == keys.SESSION_PART_ITEMS and int(last) + 1 == -(-content.MAX_POOL // keys.SESSION_PART_ITEMS)
    assert re.search(rf"{size}n\.\.{size}n\+{int(size) - 1}\b", part)
    writeback = ENTITY_ROWS["external-test assignment"][4]
    assert re.findall(r"≤ (\d+) KiB", writeback) == [str(masterytrack.MAX_WRITEBACK_BYTES // 1024)]
    credential = ENTITY_ROWS["integration credential (Basic key or OAuth client, docs/credentials.md)"][4]
    assert re.findall(r"kept (\d+) s per route process", credential) == [str(settings.DEFAULT_CREDENTIAL_CACHE_SECONDS)]
    record = ENTITY_ROWS["idempotency record (Powertools)"][4]
    assert re.findall(rf"`{keys.TTL_ATTRIBUTE}` \(epoch s, the table's TTL attribute: (\d+) h\)", record) == [
        str(idempotency.EXPIRES_AFTER_SECONDS // 3600)]
    window = ENTITY_ROWS["exam window entry (the pre-warm job, `functions/jobs/prewarm.py`)"][4]
    assert f"`{keys.TTL_ATTRIBUTE}` (TTL: a day after the moment)" in window and keys.EXAM_WINDOW_TTL_S == 24 * 3600


# --- what the suite's requests touched (infra/dynamodb_requests.json) -------------------------------------------
def _recorded_requests() -> list[dict]:
    return [r for shapes in RECORDED.values() for shape in shapes for r in shape["requests"]]


@functools.cache
def _rows_holding(pk: str, sk: str) -> list[tuple[str, ...]]:
    return [row for row in ENTITIES.rows
            if any(doc.shape_regex(p).fullmatch(pk) for p in key_patterns(row[1]))
            and any(doc.shape_regex(p).fullmatch(sk) for p in key_patterns(row[2]))]


def test_every_item_the_routes_touch_is_a_documented_entity():
    unknown = sorted({(r["pk"], r["sk"]) for r in _recorded_requests() if r["op"] not in ("Query", "Scan")
                      and not _rows_holding(r["pk"], r["sk"])})
    assert not unknown, f"keys read or written that no row of 'Entities and key shapes' documents: {unknown[:10]}"


def test_the_index_partitions_the_routes_write_are_documented_for_their_entity():
    wrong = set()
    for r in _recorded_requests():
        for index, values in r.get("indexes", {}).items():
            rows = _rows_holding(r["pk"], r["sk"])
            for value in values:
                if not any(doc.shape_regex(index_patterns(row[3]).get(index, ("", ""))[0]).fullmatch(value)
                           for row in rows):
                    wrong.add((r["pk"], r["sk"], index, value))
    assert not wrong, sorted(wrong)[:10]


def _prefix_fits(pattern: str, prefix: str) -> bool:
    """A Query's sort-key prefix (recorded) can begin a key of the documented pattern."""
    if not prefix:
        return True
    documented_parts, parts = pattern.split("#"), prefix.split("#")
    if len(parts) > len(documented_parts):
        return False
    for i, part in enumerate(parts):
        expected = documented_parts[i]
        if "<" in expected:
            continue
        if expected != part if i < len(parts) - 1 else not expected.startswith(part):
            return False
    return True


def test_every_query_the_routes_make_reads_a_documented_partition():
    queries = {(r.get("index"), r["pk"], r["sk"]) for r in _recorded_requests() if r["op"] == "Query"}
    assert queries
    unknown = []
    for index, pk, prefix in sorted(queries, key=str):
        if index:
            candidates = [patterns[index] for row in ENTITIES.rows
                          for patterns in [index_patterns(row[3])] if index in patterns]
        else:
            candidates = [(i, s) for row in ENTITIES.rows for i in key_patterns(row[1]) for s in key_patterns(row[2])]
        if not any(doc.shape_regex(p).fullmatch(pk) and _prefix_fits(s, prefix) for p, s in candidates):
            unknown.append((index, pk, prefix))
    assert not unknown, unknown


# --- indexes and lists ----------------------------------------------------------------------------------------
def test_the_indexes_table_is_keys_indexes():
    t = doc.table("Indexes", "index")
    assert [(row[0], row[1]) for row in t.rows] == [(i.name, f"`{i.pk}` / `{i.sk}`") for i in keys.INDEXES]
    assert "All projections are ALL" in doc.DOC.read_text()
    definition = keys.table_definition("t")
    assert {g["Projection"]["ProjectionType"] for g in definition["GlobalSecondaryIndexes"]} == {"ALL"}
    assert [g["IndexName"] for g in definition["GlobalSecondaryIndexes"]] == [i.name for i in keys.INDEXES]


def _session_row() -> dict[str, str]:
    return keys.session_index(COURSE, EXAM, USER, SESSION, started=STARTED, username=USERNAME, email=EMAIL)


def _extension_row() -> dict[str, str]:
    return keys.extension_index(COURSE, EXAM, USER, username=USERNAME, email=EMAIL)


LISTS = [  # the Lists table's rows, in order -> the ListSpecs each documents (index order), and what writes its rows
    ("an exam's sessions", [keys.exam_sessions_list(EXAM)], _session_row),
    ("a course's sessions", [keys.course_sessions_list(COURSE)], _session_row),
    ("… by username / email", [keys.course_sessions_by_name(COURSE), keys.course_sessions_by_email(COURSE)],
     _session_row),
    ("a course's extensions", [keys.course_extensions_list(COURSE)], _extension_row),
    ("… by username / email", [keys.course_extensions_by_name(COURSE), keys.course_extensions_by_email(COURSE)],
     _extension_row),
]


def test_the_lists_table_is_the_list_specs_of_keys_py():
    t = doc.table("Lists (issue 20): pages whose cost does not grow with the course", "list")
    assert [row[0] for row in t.rows] == [name for name, _, _ in LISTS]
    shard = keys.list_shard(USER)
    for row, (name, specs, build) in zip(t.rows, LISTS, strict=True):
        found = re.findall(r"(gsi\d) `([^`]+)`(?: / `([^`]+)`)?", row[1])
        assert [index for index, _, _ in found] == [spec.index.name for spec in specs], row
        attributes = build()
        for (_, pk, sk), spec in zip(found, specs, strict=True):
            assert len(spec.partitions) == keys.LIST_SHARDS
            if pk.endswith("…"):  # the rest as above
                assert all(p.startswith(pk[:-1]) for p in spec.partitions), (name, pk)
            else:
                assert all(documented(pk, p, n) for n, p in enumerate(spec.partitions)), (name, pk)
            # a start or grant writes its row into the list's partition for its student's shard
            assert attributes[spec.index.pk] == spec.partitions[shard]
            if sk:
                assert _prefix_fits(sk, spec.prefix), (name, sk, spec.prefix)
                assert documented(sk, attributes[spec.index.sk], shard), (name, sk, attributes[spec.index.sk])


def test_the_list_shard_count_is_the_code_s():
    text = doc.DOC.read_text()
    lists = text.split("## Lists", 1)[1].split("\n## ", 1)[0]
    n = str(keys.LIST_SHARDS)
    assert re.findall(r"\*\*`LIST_SHARDS` = (\d+) partitions\*\*", lists) == [n]
    assert re.findall(r"crc32\(user id\) mod (\d+)", lists) == [n]
    assert re.findall(r"index, its (\d+) partitions", lists) == [n]
    assert re.findall(r"at most 2 \u00d7 (\d+) Queries", lists) == [n]
    assert {keys.list_shard(f"user-{i}") for i in range(200)} == set(range(keys.LIST_SHARDS))


# --- DynamoDB calls per route ---------------------------------------------------------------------------------
ALL_TABLES = doc.tables()
CALL_TABLES = [t for t in ALL_TABLES if t.header[:2] in (("route", "calls"), ("case", "calls"))]
ROUTE_TABLES = [t for t in CALL_TABLES if t.header[0] == "route"]
ROUTE_NAMES = {r.name for r in ROUTES}
# "for an instructor": the rows count a user principal's calls; a refused request is not recorded (2xx only)
REFUSED = re.compile(r"\b4\d\d\b|refused")


NOT_RECORDED = {
    ("examspark_set_responses", "losing a race"): "its test puts the other writer's calls in the same invocation, "
    "and a refused call is not recorded: asserted in test_examspark_responses.py (test_a_lost_race_...)",
}


def heading_has_route_table(heading: str) -> bool:
    return any(t.heading == heading for t in ROUTE_TABLES)


def _counts_rights_reads(route: str, case: str) -> bool:
    """A route table's row whose reads begin with the caller's enrollment (``user, enrollment`` /
    ``caller, enrollment``): it counts a user principal, not an administrator or a key (fewer reads)."""
    for t in ROUTE_TABLES:
        for name, qualifier, row in doc.route_rows(t):
            if (name, qualifier) == (route, case) and "what" in t.header:
                return bool(re.search(r"\b(user|caller), enrollment\b", row[t.column("what")]))
    return False


def _is_formula(cell: str) -> bool:
    return bool(re.match(r"^[+\d⌈]", cell)) and bool(doc.terms(cell))


def _recorded(route: str) -> list[dict[str, int]]:
    return [doc.recorded_counts(shape) for shape in RECORDED.get(route, [])]


def _main_rows(route: str) -> list[tuple[str, ...]]:
    return [row for t in ROUTE_TABLES for name, _, row in doc.route_rows(t) if name == route]


SPLIT = doc.table("Sessions and attempts: what each item holds, and how large it can get", "route")
COSTS = doc.table("Audit trail", "route")


def _cases() -> list[tuple[str, str, str, str]]:
    """(table heading, route, qualifier or case, calls) of every row naming a route and its calls; of the table
    of changes from the attempt parts, the figures "now" written out whole."""
    found = []
    for t in CALL_TABLES:
        for name, qualifier, row in doc.route_rows(t):
            if name in ROUTE_NAMES and _is_formula(row[1]):
                found.append((t.heading, name, qualifier, row[1]))
    for name, qualifier, row in doc.route_rows(SPLIT):
        now = row[SPLIT.column("now")]
        if name in ROUTE_NAMES and re.match(r"^\d", now):
            found.append((SPLIT.heading, name, qualifier, now))
    return found


def test_the_routes_of_the_change_tables_are_routes():
    for t in (SPLIT, COSTS):
        for row in t.rows:
            spans = [s for s in doc.code_spans(row[0]) if re.fullmatch(r"[a-z]+_[a-z_]+", s)]
            assert set(spans) <= ROUTE_NAMES, (t.heading, row[0])
            assert spans or any(row[0].startswith(label) for label in LABELS), (t.heading, row[0])


def test_every_route_has_its_calls_documented():
    documented_routes = {name for t in ROUTE_TABLES for name, _, _ in doc.route_rows(t)}
    assert ROUTE_NAMES - documented_routes == set(), "routes without a row in a calls table"
    assert documented_routes - ROUTE_NAMES == set(), "rows naming no route of functions/routes.py"
    jobs = {row[0].split(" (")[0] for t in ROUTE_TABLES for row in t.rows if not row[0].startswith("`")}
    assert jobs <= set(JOBS), jobs


@pytest.mark.parametrize("heading,route,case,calls", _cases(), ids=lambda v: v[:40] if isinstance(v, str) else v)
def test_the_documented_calls_are_an_invocation_the_suite_recorded(heading, route, case, calls):
    """The figures of the row are those of one 2xx invocation of the route in the suite (its requests, recorded
    in infra/dynamodb_requests.json); a variant written "+ ..." adds to the route's own row."""
    if REFUSED.search(case):
        pytest.skip("a refused request: only 2xx invocations are recorded")
    recorded = _recorded(route)
    assert recorded, f"{route}: no invocation recorded (make record-actions)"
    if (route, case) in NOT_RECORDED:
        pytest.skip(NOT_RECORDED[(route, case)])
    row_terms = doc.terms(calls)
    if calls.startswith("+"):
        # on the route's own row, for any principal the sections document: a user (as the rows count), an
        # institution administrator (one GetItem less) or an integration key (two less)
        bases = [[*doc.terms(row[1]), doc.Term(str(-less), "GetItem", False)]
                 for row in _main_rows(route) if _is_formula(row[1]) for less in (0, 1, 2)]
        ok = any(doc.matches(base + row_terms, counts) for base in bases for counts in recorded)
    else:
        if heading_has_route_table(heading) and _counts_rights_reads(route, case):
            # the row counts a user principal with a built-in role: invocations that read an enrollment and no
            # custom role (an administrator, a key or a custom role reads otherwise)
            recorded = [doc.recorded_counts(shape) for shape in RECORDED[route]
                        if any(r["call"] == "GetItem" and r["sk"].startswith(keys.ENROLLMENT_PREFIX)
                               for r in shape["requests"])
                        and not any(r["sk"] == keys.role_key(ROLE)[keys.SK] for r in shape["requests"])]
        # without its optional parts, and with each of them (a case of the row: "+ 2 GetItem for a student")
        required = [t for t in row_terms if not t.optional]
        variants = [required] + [[*required, dataclasses.replace(t, optional=False)] for t in row_terms if t.optional]
        ok = all(any(doc.matches(v, counts) for counts in recorded) for v in variants)
    assert ok, f"{heading}: {route} {case}: {calls!r} is none of the recorded {sorted(map(str, recorded))}"


def _granted(function: str, operation: str) -> bool:
    actions = GRANTED.get(function, set())
    if operation == "Query":
        return any(a == "Query" or a.startswith("Query@") for a in actions)
    if operation == "TransactWriteItems":
        return bool(actions & {"PutItem", "UpdateItem", "DeleteItem", "ConditionCheckItem"})
    return operation in actions


# rows that name their functions in words
LABELS = {**{label: [fn] for label, fn in JOBS.items()},
          "Canvas grant": ["canvas_quiz_extensions", "canvas_course_extensions"],
          "every route that already wrote a transaction": []}  # the audit event's item: no call of its own


def _functions_of(first_cell: str) -> list[str]:
    named = [s for s in doc.code_spans(first_cell) if s in ROUTE_NAMES]
    return named or [fn for label, fns in LABELS.items() if first_cell.startswith(label) for fn in fns]


def test_every_operation_a_row_names_is_granted_to_its_function():
    missing = []
    for t in [*CALL_TABLES, *[t for t in ALL_TABLES if t.header == ("route", "before", "now")]]:
        column = t.column("now") if "now" in t.header else t.column("calls")
        for row in t.rows:
            functions = _functions_of(row[0])
            if row[0].startswith("`"):
                assert functions, f"{t.heading}: {row[0]} names no route"
            operations = set(re.findall(rf"\b({'|'.join(doc.OPERATIONS)})\b", row[column]))
            missing += [(t.heading, fn, op) for fn in functions for op in sorted(operations) if not _granted(fn, op)]
    assert not missing, f"operations documented but not granted (infra/dynamodb_actions.json): {missing}"


def test_every_index_a_route_queries_is_named_in_its_rows():
    """The reverse: a route granted a Query on an index (because the suite saw it query it) names that index."""
    unnamed = []
    for name in sorted(ROUTE_NAMES):
        text = " ".join(" ".join(row) for t in CALL_TABLES for n, _, row in doc.route_rows(t) if n == name)
        for action in sorted(GRANTED.get(name, set())):
            if action.startswith("Query@") and action.split("@")[1] not in text:
                unnamed.append((name, action))
    assert not unnamed, unnamed


def test_the_shard_figures_of_the_calls_tables_are_the_code_s():
    from functions.core.services import session_list

    stats, lists = keys.EXAM_STATS_SHARDS, keys.LIST_SHARDS
    rows = {(t.heading, name + (" " + q if q else "")): row for t in CALL_TABLES for name, q, row in doc.route_rows(t)}
    listing = " ".join(rows[("ExamSpark", "examspark_list_sessions")])
    assert re.findall(r"⌈(\d+) k / 100⌉ BatchGetItem", listing) == [str(2 + stats)]  # config + 1 + shards
    assert re.findall(r"1 \+ (\d+) shard keys", listing) == [str(stats)]
    assert re.findall(r"the k configs \(≤ (\d+)\)", listing) == [str(session_list.MAX_CONFIGS)]
    figures = re.search(r"(\d+) calls for one config, (\d+) for two, (\d+) for twenty", listing).groups()  # type: ignore[union-attr]
    assert figures == tuple(str(-(-(2 + stats) * k // 100)) for k in (1, 2, 20))
    assert re.findall(r"one Query per shard \((\d+)\)", listing) == [str(lists)]
    assert re.findall(r"c = (\d+) \u00d7 the configs walked, usually (\d+)", listing) == [(str(lists), str(lists))]
    exam_attempts = rows[("Open edX", "openedx_list_exam_attempts")][2]
    assert re.findall(r"its 1 \+ (\d+) statistics shard keys", exam_attempts) == [str(stats)]
    course = " ".join(rows[("Open edX", "openedx_list_course_attempts")])
    assert re.findall(r"⌈(\d+) k / 100⌉ \+ 1 BatchGetItem", course) == [str(1 + stats)]
    assert re.findall(r"1 \+ (\d+) statistics shard keys each", course) == [str(stats)]
    for key in [("Open edX", "openedx_list_exam_attempts"), ("Canvas", "canvas_list_quiz_extensions"),
                ("Canvas", "canvas_list_course_extensions")]:
        assert re.findall(r"(\d+) Query", rows[key][1]) == [str(lists)], key
    for key in [("Open edX", "openedx_list_course_attempts"), ("Open edX", "openedx_list_course_allowances")]:
        assert re.findall(r"(\d+) Query", rows[key][1]) == [str(1 + lists)], key  # the course's exams + a page
    assert re.findall(r"(\d+) Query", rows[("Authoring routes", "list_audit_events")][1]) == [str(keys.AUDIT_SHARDS)]
    openedx = doc.DOC.read_text().split("### Open edX", 1)[1].split("\n### ", 1)[0]
    assert re.findall(r"With `search`: \+(\d+) Query", openedx) == [str(lists)]
    assert re.findall(r"2 GetItem \+ (\d+) Query \+ 1 BatchGetItem for the course lists", openedx) == [
        str(1 + 2 * lists)]
    importer = doc.DOC.read_text().split("The scheduled importer, per pass", 1)[1]
    assert re.findall(r"^[^:]*: (\d+) Query \(one per queue shard", importer) == [str(keys.WORK_QUEUE_SHARDS)]


def test_the_credential_check_table():
    from functions.platform import settings

    t = doc.table("The credential check (every non-public route, before its own calls)", "caller")
    basic = next(row[1] for row in t.rows if row[0].startswith("a Basic key"))
    pk, sk = re.search(r"1 GetItem of the credential \(`([^`]+)` / `([^`]+)`", basic).groups()  # type: ignore[union-attr]
    assert documented(pk, keys.api_key_key(CREDENTIAL)[keys.PK]) and sk == keys.api_key_key(CREDENTIAL)[keys.SK]
    assert re.findall(r"once the record is (\d+) s old \(`(\w+)`\)", basic) == [
        (str(settings.DEFAULT_CREDENTIAL_CACHE_SECONDS), settings.CREDENTIAL_CACHE_SECONDS)]
    # every route that checks a credential may read one, and the suite saw routes do it
    assert [r.name for r in ROUTES if not r.public and not _granted(r.name, "GetItem")] == []
    assert any(r["sk"] == sk and r["call"] == "GetItem" for r in _recorded_requests())


def test_the_idempotency_key_table():
    from functions.platform import request_limits

    t = doc.table("With an `Idempotency-Key` (any POST / DELETE write route)", "case")
    named = {op for row in t.rows for op in re.findall(rf"\b({'|'.join(doc.OPERATIONS)})\b", row[1])}
    assert named == {"PutItem", "UpdateItem", "DeleteItem"}
    taking = [r.name for r in ROUTES if r.takes_idempotency_key]
    missing = [(name, op) for name in taking for op in sorted(named) if not _granted(name, op)]
    assert not missing, f"routes taking an Idempotency-Key without the actions its record needs: {missing}"
    # a first 2xx request: its record put (PutItem) and its answer stored (UpdateItem), beside the route's calls
    first = {row[0]: row[1] for row in t.rows}["first request, answered 2xx"]
    assert doc.terms(first) == [doc.Term("1", "PutItem", False), doc.Term("1", "UpdateItem", False)]
    seen = [{r["call"] for r in shape["requests"] if r["pk"].startswith("idempotency#")}
            for shapes in RECORDED.values() for shape in shapes]
    assert {"PutItem", "UpdateItem"} in seen
    too_large = {row[0]: row[1] for row in t.rows}
    assert any(re.fullmatch(rf"a body over {request_limits.MAX_BODY_BYTES // 1024} KB \(413\).*", case)
               for case in too_large)


def test_the_tests_the_document_names_exist():
    text = doc.DOC.read_text()
    named = set(re.findall(r"(tests/[\w/]+\.py)", text)) | {
        f"tests/integration/{n}" for n in re.findall(r"(?<![/\w])(test_\w+\.py)", text)}
    missing = sorted(p for p in named if not (ROOT / p).exists() and not list(ROOT.glob(f"tests/*/{Path(p).name}")))
    assert not missing, missing


def test_every_table_of_the_document_is_checked_here():
    checked = {
        ("Entities and key shapes", "entity"), ("Indexes", "index"),
        ("Lists (issue 20): pages whose cost does not grow with the course", "list"),
        ("Sessions and attempts: what each item holds, and how large it can get", "route"),
        ("The credential check (every non-public route, before its own calls)", "caller"),
        ("With an `Idempotency-Key` (any POST / DELETE write route)", "case"),
        ("Audit trail", "route"),
    } | {(t.heading, t.header[0]) for t in CALL_TABLES}
    assert {(t.heading, t.header[0]) for t in ALL_TABLES} == checked
