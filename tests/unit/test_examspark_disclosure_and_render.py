"""What a student sees (core/disclosure.py) and the seed's shapes from domain objects (api render): pure."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from functions.api.examspark import render
from functions.core import scoring, statistics
from functions.core.disclosure import FULL, Disclosure, disclosure, require_results_visible, scores_hidden
from functions.core.errors import Conflict, Forbidden
from functions.core.models import Attempt, Exam, Item, Objective, Option, Question, Session
from functions.core.rights import Principal
from functions.core.services.results import Results
from functions.core.services.session_list import SessionList
from infra.local import demo_data
from tests.fixtures.examspark_seed import assert_seed_shape, sample

T0 = datetime(2026, 11, 2, tzinfo=UTC)
STUDENT = Principal("user", "kevin")
STAFF = Principal("user", "irene")
KEY = Principal("key", "k", frozenset({demo_data.COURSE}), frozenset({"course:view"}))


def seed_world(complete: bool = True, show: bool = True) -> tuple[Session, Exam, dict[str, Item], dict]:
    items = {iid: Item(id=iid, course_id=demo_data.COURSE, name=name, alignment_ids=[oid], questions=[Question(
        id=qid, options=[Option(id=o, content=c, is_key=i == key) for i, (o, c) in enumerate(options)])])
        for iid, name, qid, options, key, oid in demo_data.ITEMS}
    objectives = {o: Objective(id=o, course_id=demo_data.COURSE, text=t, abbreviation=a) for o, t, a in
                  demo_data.OBJECTIVES}
    exam = Exam(id=demo_data.EXAM, course_id=demo_data.COURSE, title="t", item_pool=list(items),
                show_score_on_complete=show)
    responses = {iid: {qid: [key]} for iid, _, qid, _, key, _ in demo_data.ITEMS}
    attempt = Attempt(number=1, started_at=T0, responses=responses, submitted_at=T0 if complete else None)
    session = Session(id="23a0c913-c61d-51fe-9b64-32096b7b84bf", exam_id=exam.id, course_id=exam.course_id,
                      user_id="kevin", name="Kevin Campbell", lti={"userId": "kevin@examspark.com"},
                      item_ids=list(items), attempts=[attempt])
    if complete:
        scoring.score_attempt(attempt, items, session.item_ids, exam.score_min, exam.score_max)
        session.score_actual = scoring.resolve_session_score(exam.scoring_policy, session)
    return session, exam, items, objectives


def test_staff_and_keys_see_results_any_time_students_once_complete_and_shown():
    session, exam, _, _ = seed_world(complete=False)
    for who in (STAFF, KEY):
        require_results_visible(who, session, exam)
    with pytest.raises(Conflict, match="IN_PROGRESS"):
        require_results_visible(STUDENT, session, exam)
    session, exam, _, _ = seed_world(show=False)
    with pytest.raises(Forbidden):
        require_results_visible(STUDENT, session, exam)
    assert scores_hidden(STUDENT, session, exam) and not scores_hidden(STAFF, session, exam)
    require_results_visible(STUDENT, *seed_world()[:2])


def test_get_session_has_the_seed_shape():
    session, exam, _, _ = seed_world()
    body = render.session_envelope(session, exam, ("results", "responses"), shown=FULL)
    assert_seed_shape(sample("get_response"), body)
    assert body["examSession"]["scoreActual"] == 100 and isinstance(body["examSession"]["scoreActual"], int)
    hidden = render.session_envelope(session, exam, ("results",), shown=Disclosure(scores=False, keys=False)
                                     )["examSession"]
    assert hidden["scoreActual"] is None and hidden["results"] is None


def test_results_have_the_seed_shape():
    session, exam, items, objectives = seed_world()
    body = render.session_results(Results(session, exam, list(items.values()), objectives, FULL))
    assert_seed_shape(sample("results_response"), body)
    seed_item = sample("results_response")["results"]["items"][0]
    ours = body["results"]["items"][0]
    assert {k: ours[k] for k in ("sk", "name", "id", "alignmentIds", "score")} == {
        k: seed_item[k] for k in ("sk", "name", "id", "alignmentIds", "score")}
    assert ours["questions"][0]["options"] == seed_item["questions"][0]["options"]
    assert ours["questions"][0]["keys"] == seed_item["questions"][0]["keys"]
    seed_objective = sample("results_response")["results"]["objectives"]["92de756d-f455-595c-a2f6-18fb18c4461a"]
    assert body["results"]["objectives"]["92de756d-f455-595c-a2f6-18fb18c4461a"] == seed_objective


def test_list_has_the_seed_shape():
    session, exam, _, _ = seed_world()
    aggregate = statistics.aggregate([{"sessions": 1, "scored": 1, "scoreSum": 100, "h:100": 1}])
    page = SessionList([(session, exam)], 1, aggregate, sample("list_response")["nextToken"])
    body = render.session_list(page, ("results", "responses"))
    assert_seed_shape(sample("list_response"), body)
    expected = sample("list_response")
    assert {k: body[k] for k in ("total", "nextToken", "aggregations", "metadata")} == {
        k: expected[k] for k in ("total", "nextToken", "aggregations", "metadata")}


def test_the_shape_check_can_fail():
    with pytest.raises(AssertionError, match="missing"):
        assert_seed_shape(sample("get_response"), {"examSession": {}, "examConfig": {"id": "x"}})
    with pytest.raises(AssertionError, match="expected a number"):
        assert_seed_shape({"a": 1}, {"a": "1"})
    with pytest.raises(AssertionError, match="expected a boolean"):
        assert_seed_shape({"a": True}, {"a": 1})


def test_keys_only_once_no_further_attempt_can_start_scores_as_the_exam_says():
    session, exam, _, _ = seed_world()
    asked: list[bool] = []

    def further(answer: bool):
        return lambda: asked.append(answer) or answer

    for staff in (STAFF, KEY):
        assert disclosure(staff, session, exam, further(True)) == FULL
    assert disclosure(STUDENT, session, exam, further(True)) == Disclosure(scores=True, keys=False)
    assert disclosure(STUDENT, session, exam, further(False)) == Disclosure(scores=True, keys=True)
    each = exam.model_copy(update={"show_keys_after_each_attempt": True})
    assert disclosure(STUDENT, session, each, further(True)) == Disclosure(scores=True, keys=True)
    hidden = exam.model_copy(update={"show_score_on_complete": False})
    asked.clear()
    assert disclosure(STUDENT, session, hidden, further(False)) == Disclosure(scores=False, keys=False)
    running, _, _, _ = seed_world(complete=False)
    assert disclosure(STUDENT, running, exam, further(False)).keys is False and asked == []  # decided unread


def test_withheld_keys_render_empty_never_false():
    session, exam, items, objectives = seed_world()
    body = render.session_results(Results(session, exam, list(items.values()), objectives,
                                          Disclosure(scores=True, keys=False)))
    question = body["results"]["items"][0]["questions"][0]
    assert question["keys"] == [] and {o["isKey"] for o in question["options"]} == {None}
    assert body["examSession"]["keysShown"] is False and body["results"]["points"] is not None
