"""Canvas ids as clients send them (core/canvas_ids.py), Canvas' Link header for bookmarked pages, and the
Rails rule that a repeated query parameter takes its last value."""

from __future__ import annotations

from functions.api.canvas.render import page_links
from functions.core.canvas_ids import Ref, ref, resolve
from functions.core.numeric_ids import LARGEST, Kind, number
from functions.platform.http import last_value_wins
from tests.memory import Memory


def test_forms_of_an_id():
    assert ref(Kind.COURSE, "sis_course_id:algebra-1") == Ref(Kind.COURSE, "algebra-1")
    assert ref(Kind.USER, " sis_user_id:kim ") == Ref(Kind.USER, "kim")
    assert ref(Kind.USER, 42) == Ref(Kind.USER, "42", 42)
    assert ref(Kind.EXAM, "sis_course_id:x") == Ref(Kind.EXAM, "sis_course_id:x")  # quizzes have no SIS lookup
    assert ref(Kind.COURSE, "algebra-1").number is None
    assert ref(Kind.COURSE, str(LARGEST + 1)).number is None and ref(Kind.COURSE, "0").number is None


def test_one_lookup_for_every_number_and_digits_no_alias_names_stay_our_ids():
    course, student = number(Kind.COURSE, "c1"), number(Kind.USER, "kim")
    memory = Memory()
    memory.course("c1")
    memory.user("kim")
    refs = [ref(Kind.COURSE, str(course)), ref(Kind.USER, student), ref(Kind.USER, "2024"), ref(Kind.USER, "ann")]
    assert resolve(memory, refs) == {refs[0]: "c1", refs[1]: "kim", refs[2]: "2024", refs[3]: "ann"}
    assert memory.resolved == [[(Kind.COURSE, course), (Kind.USER, student), (Kind.USER, 2024)]]  # one read
    none = Memory()
    assert resolve(none, [ref(Kind.USER, "ann")]) == {Ref(Kind.USER, "ann"): "ann"} and none.resolved == [[]]


def test_page_links_name_current_next_and_first_but_neither_prev_nor_last(monkeypatch):
    # Links are built on the configured base URL (functions/platform/links.py), never on the Host header.
    from functions.platform import settings as settings_module

    monkeypatch.setenv(settings_module.API_BASE_URL, "https://a.execute-api.eu-west-1.amazonaws.com/prod/")
    settings_module.settings.cache_clear()
    event = {"resource": "/api/v1/courses/{course_id}/quizzes", "pathParameters": {"course_id": "7"},
             "path": "/elsewhere", "headers": {"host": "evil.example"}}
    base = "https://a.execute-api.eu-west-1.amazonaws.com/prod/api/v1/courses/7/quizzes"
    first = page_links(event, 10, None, "tok")
    assert first == (f'<{base}?page=first&per_page=10>; rel="current",'
                     f'<{base}?page=tok&per_page=10>; rel="next",'
                     f'<{base}?page=first&per_page=10>; rel="first"')
    last = page_links(event, 5, "tok", None)
    assert 'rel="next"' not in last and "evil.example" not in last
    settings_module.settings.cache_clear()


def test_a_repeated_parameter_takes_its_last_value_but_lists_are_kept():
    event = {"queryStringParameters": {"per_page": "100"},
             "multiValueQueryStringParameters": {"per_page": ["7", "100"], "include[]": ["a", "b"]}}
    out = last_value_wins(event)
    assert out["multiValueQueryStringParameters"] == {"per_page": ["100"], "include[]": ["a", "b"]}
    assert out["queryStringParameters"] == {"per_page": "100"}
    plain = {"multiValueQueryStringParameters": {"page": ["x"]}}
    assert last_value_wins(plain) is plain
