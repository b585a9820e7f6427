"""The keys the Canvas routes query must match the index attributes the items are written with."""

from __future__ import annotations

from datetime import UTC, datetime

from functions.data import keys
from functions.data.extensions import history_stamp


def test_a_students_sessions_query_finds_what_session_index_writes():
    index = keys.session_index("c1", "e1", "u1", "s1")
    for exam in ("e1", None):
        by, pk, prefix = keys.user_course_sessions_query("u1", "c1", exam)
        assert index[by.pk] == pk and index[by.sk].startswith(prefix)
    _, _, prefix = keys.user_course_sessions_query("u1", "c1", "e")
    assert not index[keys.BY_USER.sk].startswith(prefix)  # exam "e" is not a prefix match for "e1"


def test_extension_lists_find_what_extension_index_writes_and_never_history():
    index = keys.extension_index("c1", "e1", "u1")
    for exam in ("e1", None):
        spec = keys.course_extensions_list("c1", exam)
        assert index[spec.index.pk] in spec.partitions and index[spec.index.sk].startswith(spec.prefix)
    history = keys.extension_history_key("e1", "u1", history_stamp(datetime(2026, 1, 1, tzinfo=UTC)))
    live = keys.extension_key("e1", "u1")
    # The extension and its history share a partition of their own: no other student's, no exam's.
    assert live["id"] == history["id"] != keys.extension_key("e1", "u2")["id"]
    assert live["id"] != keys.exam_key("e1")["id"] and live["id"] != keys.extension_key("e2", "u1")["id"]
    partition, prefix = keys.extension_history_query("e1", "u1")
    assert history["id"] == partition and history["sk"].startswith(prefix) and not live["sk"].startswith(prefix)


def test_history_stamps_sort_by_time():
    times = [datetime(2026, 1, 1, 9, 0, 0, tzinfo=UTC), datetime(2026, 1, 1, 9, 0, 0, 500, tzinfo=UTC),
             datetime(2026, 1, 1, 10, 0, 0, tzinfo=UTC)]
    assert sorted(history_stamp(t) for t in times) == [history_stamp(t) for t in times]


def test_every_list_finds_what_the_session_and_extension_indexes_write_in_one_shard_per_student():
    """Each list's partitions are its shards; an item is in exactly the one its student hashes to, and the
    name lists find it by a prefix of the username or email, in any case."""
    session = keys.session_index("c1", "e1", "u1", "s1", started="2026-01-01T09:00:00.000000Z",
                                 username="Ada.L", email="Ada@Example.edu")
    for spec in (keys.exam_sessions_list("e1"), keys.course_sessions_list("c1"),
                 keys.course_sessions_by_name("c1", "ADA."), keys.course_sessions_by_email("c1", "ada@ex")):
        assert len(spec.partitions) == keys.LIST_SHARDS
        assert session[spec.index.pk] == spec.partitions[keys.list_shard("u1")]
        assert session[spec.index.sk].startswith(spec.prefix)
    assert not session[keys.BY_NAME.sk].startswith(keys.course_sessions_by_name("c1", "adb").prefix)
    extension = keys.extension_index("c1", "e1", "u1", username="Ada.L", email="Ada@Example.edu")
    for spec in (keys.course_extensions_by_name("c1", "ada"), keys.course_extensions_by_email("c1", "ADA@")):
        assert extension[spec.index.pk] == spec.partitions[keys.list_shard("u1")]
        assert extension[spec.index.sk].startswith(spec.prefix)
    # Without names (an item written before them) the item is in no name list: those attributes are absent.
    assert keys.BY_NAME.pk not in keys.session_index("c1", "e1", "u1", "s1")
    # Sessions and extensions never share a name list's partitions.
    sessions, extensions = keys.course_sessions_by_name("c1"), keys.course_extensions_by_name("c1")
    assert set(sessions.partitions).isdisjoint(extensions.partitions)


def test_students_spread_over_every_shard():
    shards = {keys.list_shard(f"student-{n}") for n in range(200)}
    assert shards == set(range(keys.LIST_SHARDS))


def test_a_courses_audit_events_spread_over_its_shards_and_the_institutions_stay_in_one_partition():
    ids = [f"20260101T090000.{n:06d}Z-{n:012x}" for n in range(300)]
    spec = keys.course_audit_list("c1")
    assert len(spec.partitions) == keys.AUDIT_SHARDS and spec.index.name == ""  # the base table, no index
    written = [keys.audit_event_key("c1", e) for e in ids]
    assert {k["id"] for k in written} == set(spec.partitions)  # every shard takes some, each in the list
    assert all(k["sk"].startswith(spec.prefix) for k in written)
    assert {keys.audit_event_key(None, e)["id"] for e in ids} == {keys.INSTITUTION_AUDIT}
    assert keys.audit_partition("c1") not in spec.partitions  # what a page token names is not a shard
