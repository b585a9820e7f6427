"""The act catalogue (functions/core/acts.py): every route maps to one act, every act is used, every act says
its right, window, states, effect, reveals and refusals, and docs/rulebook.md is the catalogue's table."""

from __future__ import annotations

from pathlib import Path

from functions.core import acts
from functions.routes import ROUTES

DOC = Path(__file__).resolve().parents[2] / "docs" / "rulebook.md"


def test_every_route_performs_an_act_of_the_catalogue():
    names = {r.name for r in ROUTES}
    unmapped = sorted(names - set(acts.ROUTE_ACTS))
    assert not unmapped, f"routes with no act in functions/core/acts.py ROUTE_ACTS: {unmapped}"
    assert not sorted(set(acts.ROUTE_ACTS) - names), "ROUTE_ACTS names routes the registry does not have"
    unknown = {route: act for route, act in acts.ROUTE_ACTS.items() if act not in acts.ACTS}
    assert not unknown, f"routes mapped to acts the catalogue does not define: {unknown}"


def test_every_act_is_performed_and_fully_defined():
    assert set(acts.ROUTE_ACTS.values()) | {"save_responses", "extend_running"} == set(acts.ACTS)
    for act in acts.ACTS.values():
        assert all((act.right, act.window, act.states, act.effect, act.reveals, act.refusals)), act.name


def test_the_shared_acts_are_offered_by_several_dialects():
    shared = acts.shared_acts({r.name: r.dialect for r in ROUTES})
    assert {"start", "retake", "remove_work", "restore_work", "grant", "read_course"} <= set(shared)
    assert sorted(shared["remove_work"]) == ["learningstudio_reset_exam", "openedx_reset_attempt"]


def test_the_rulebook_doc_is_the_catalogue():
    text = DOC.read_text()
    table = text.split("<!-- rulebook:begin -->\n", 1)[1].split("<!-- rulebook:end -->", 1)[0]
    assert table == acts.rulebook_table(), "docs/rulebook.md's table differs from functions/core/acts.py: " \
        "regenerate it from acts.rulebook_table()"
