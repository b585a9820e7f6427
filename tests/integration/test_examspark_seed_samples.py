"""The seed's sample requests, sent verbatim, are accepted and the answers have the seed's shape (moto)."""

from __future__ import annotations

import pytest

from functions.core.models import Exam
from functions.data.writers import seed
from infra.local import demo_data
from tests.conftest import call, principal_context
from tests.fixtures.examspark_seed import assert_seed_shape, sample

KEY = principal_context("key", demo_data.DEMO_KEY, courses=demo_data.COURSE,
                        rights="course:view,attempt:manage,extension:grant")
SAMPLE_CONFIGS = sample("list_request_body")["filter"]["examConfigIds"]["include"]


@pytest.fixture
def scored_session(table):
    """The seed's world: its course, items and objectives, its two sample exam configs, and Kevin's session
    on the first one, answered with the seed's set-responses sample."""
    demo_data.load()
    for config in SAMPLE_CONFIGS:
        seed("exam", Exam(id=config, course_id=demo_data.COURSE, title=f"Sample {config}",
                          item_pool=[i[0] for i in demo_data.ITEMS], retakable=True, max_attempts=2))
    started = call("examspark_start_session", {"examConfigId": SAMPLE_CONFIGS[0]}, as_user="kevin",
                   body={"user_id": "kevin@examspark.com", "context_id": "seed", "lis_person_name_full": "Kevin"})
    assert started.status == 200, started.body
    session_id = started.body["examSession"]["id"]
    answered = call("examspark_set_responses", {"sessionId": session_id}, as_user="kevin",
                    body=sample("set_responses_request"))
    assert answered.status == 200, answered.body
    assert answered.body["examSession"]["maturity"] == "COMPLETE"
    assert answered.body["examSession"]["scoreActual"] == 100
    return session_id


@pytest.mark.parametrize("body", ["list_request_body", "list_request_body_old_form"])
def test_list_sample_request_is_accepted_and_answers_in_the_seed_shape(scored_session, body):
    query = sample("list_request_query") if body == "list_request_body" else None
    answer = call("examspark_list_sessions", authorizer=KEY, query=query, body=sample(body))
    assert answer.status == 200, answer.body
    seed = sample("list_response")
    seed["nextToken"] = None  # a string while more may follow (see the limit=1 test); null on the last page
    assert_seed_shape(seed, answer.body)
    assert answer.body["total"] == 1 and answer.body["nextToken"] is None
    assert answer.body["aggregations"] == {"minScore": {"value": 100}, "avgScore": {"value": 100},
                                           "maxScore": {"value": 100}}
    assert answer.body["items"][0]["examConfig"] == {"id": SAMPLE_CONFIGS[0]}


def test_a_full_page_carries_a_seed_format_token(scored_session):
    from functions.data import tokens

    answer = call("examspark_list_sessions", authorizer=KEY, query={**sample("list_request_query"), "limit": ["1"]},
                  body=sample("list_request_body"))
    assert answer.status == 200, answer.body
    assert_seed_shape(sample("list_response"), answer.body)
    # the page is full: the token names where the next one starts (a session and its config, or the next
    # config when the first ended with the page; moto knows the first config is exhausted, DynamoDB may not)
    assert tokens.decode(answer.body["nextToken"]) in (
        [{"id": scored_session, "sk": "exam-session"}, {"id": SAMPLE_CONFIGS[0], "sk": "exam#v0"}],
        [{"id": SAMPLE_CONFIGS[1], "sk": "exam#v0"}])
    rest = call("examspark_list_sessions", authorizer=KEY, query={"nextToken": [answer.body["nextToken"]]},
                body=sample("list_request_body"))
    assert rest.status == 200 and rest.body["items"] == [] and rest.body["nextToken"] is None


def test_get_sample_request_answers_in_the_seed_shape(scored_session):
    answer = call("examspark_get_session", {"sessionId": scored_session}, authorizer=KEY,
                  query=sample("get_request_query"))
    assert answer.status == 200, answer.body
    assert_seed_shape(sample("get_response"), answer.body)
    assert set(answer.body["examSession"]["results"]["objectives"]) == {o[0] for o in demo_data.OBJECTIVES}


def test_results_sample_answers_in_the_seed_shape(scored_session):
    answer = call("examspark_get_results", {"sessionId": scored_session}, authorizer=KEY)
    assert answer.status == 200, answer.body
    assert_seed_shape(sample("results_response"), answer.body)
    first = answer.body["results"]["items"][0]
    seed_first = sample("results_response")["results"]["items"][0]
    by_id = {i["id"]: i for i in answer.body["results"]["items"]}
    cole = by_id[seed_first["id"]]
    assert (cole["name"], cole["alignmentIds"]) == (seed_first["name"], seed_first["alignmentIds"])
    assert cole["questions"][0]["keys"] == seed_first["questions"][0]["keys"]
    assert cole["questions"][0]["options"] == seed_first["questions"][0]["options"]
    assert cole["questions"][0]["response"] == {"options": [{"index": 2}]}
    assert first["sk"] == "item#v0"
    assert answer.body["examSession"]["examSessionData"]["lti"]["userId"] == "kevin@examspark.com"
    assert answer.body["results"]["points"] == {"actual": 3, "isScorable": True, "min": 0, "max": 3}


@pytest.mark.parametrize("route", ["examspark_retake", "examspark_reset", "examspark_reopen"])
def test_get_routes_without_body_as_the_seed_sends_them(scored_session, route):
    answer = call(route, {"sessionId": scored_session}, authorizer=KEY, headers={"Content-Type": "application/json"})
    assert answer.status == 200, answer.body
    assert answer.body["examSession"]["id"] == scored_session
    assert_seed_shape({"examSession": {"id": "", "maturity": "", "scoreMin": 0, "scoreMax": 0},
                       "examConfig": {"id": ""}}, answer.body)
