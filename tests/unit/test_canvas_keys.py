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
        by, pk, prefix = keys.course_extensions_query("c1", exam)
        assert index[by.pk] == pk and index[by.sk].startswith(prefix)
    history = keys.extension_history_key("e1", "u1", history_stamp(datetime(2026, 1, 1, tzinfo=UTC)))
    assert not history["sk"].startswith("extension#")  # an exam's extension# rows never include history
    assert keys.extension_key("e1", "u1")["id"] == history["id"] == "e1"
    assert history["sk"].startswith(keys.extension_history_prefix("u1"))


def test_history_stamps_sort_by_time():
    times = [datetime(2026, 1, 1, 9, 0, 0, tzinfo=UTC), datetime(2026, 1, 1, 9, 0, 0, 500, tzinfo=UTC),
             datetime(2026, 1, 1, 10, 0, 0, tzinfo=UTC)]
    assert sorted(history_stamp(t) for t in times) == [history_stamp(t) for t in times]
