"""The ExamSpark seed's requests, replayed verbatim over HTTP against the local runner with the demo data (the
seed's course, items, objectives and Kevin Campbell), as the demo integration key with HTTP Basic, each answer
compared with the seed's sample: its field names and JSON types, and every value that can match. The values
that cannot, and why, are listed in SEED_DIFFERENCES (also in docs/examspark.md, "Differences from the seed").
"""

from __future__ import annotations

import base64
from typing import Any

import pytest

from infra.local.demo_data import COURSE, DEMO_KEY, DEMO_SECRET, EXAM, ITEMS, OBJECTIVES
from tests.fixtures.examspark_seed import assert_seed_shape, sample

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

BASIC = {"Authorization": "Basic " + base64.b64encode(f"{DEMO_KEY}:{DEMO_SECRET}".encode()).decode(),
         "Content-Type": "application/json"}  # the seed's headers, on its GETs too
INCLUDES = "?include[]=results&include[]=responses"  # the seed's query, in its order
SEED_CONFIGS = sample("list_request_body")["filter"]["examConfigIds"]["include"]
ITEM_IDS = {i[0] for i in ITEMS}
# Leaf values of the seed's samples that no server can reproduce, with the reason. Everything else must be equal.
SESSION_ID = "session id: deterministic per (config, user, context, resource link) in a namespace of ours"
SEED_DIFFERENCES = {
    "$.examSession.id": SESSION_ID,
    "$.items[0].examSession.id": SESSION_ID,
    "$.examSession.examId": "the seed's examId names a content id apart from its config; ours is the config",
    "$.nextToken": "null on the last page (the seed shows DynamoDB's key of a page that happened to be full)",
    "$.items[0].examConfig.id": "the seed's answer names a config its own filter does not; ours is the filter's",
}


def value_differences(seed: Any, ours: Any, path: str = "$") -> set[str]:
    """Paths where a value the seed shows differs from ours. Masked values ("******") match anything; lists of
    objects with ids are matched by id (draws differ in order), other lists by position, as far as the seed
    shows (its '...' elisions are left out of the fixture)."""
    if seed == "******":
        return set()
    if isinstance(seed, dict) and isinstance(ours, dict):
        return {d for key in seed for d in value_differences(seed[key], ours.get(key), f"{path}.{key}")}
    if isinstance(seed, list) and isinstance(ours, list):
        if all(isinstance(e, dict) and "id" in e for e in seed + ours):
            by_id = {e["id"]: e for e in ours}
            return {d for e in seed for d in value_differences(e, by_id.get(e["id"]), f"{path}[{e['id']}]")}
        return {d for n, e in enumerate(seed) for d in value_differences(e, ours[n] if n < len(ours) else None,
                                                                          f"{path}[{n}]")}
    return set() if seed == ours and type(seed) is type(ours) else {path}


def assert_matches_seed(name: str, answer: dict[str, Any]) -> set[str]:
    """Shape and values; returns where the values differ (all of them listed in SEED_DIFFERENCES)."""
    seed = sample(name)
    assert_seed_shape({**seed, "nextToken": None} if "nextToken" in seed else seed, answer)
    differences = value_differences(seed, answer)
    unexpected = sorted(differences - set(SEED_DIFFERENCES))
    assert not unexpected, f"{name}: values differ from the seed's at {unexpected}"
    return differences


def ok(answer, status=200) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    return answer.json()


def seed_request(api, method: str, path: str, body: Any = None) -> dict[str, Any]:
    return ok(api.http.request(method, api.base + path, headers=BASIC, json=body, timeout=30))


def start(api, exam: str, context: str) -> str:
    launch = {"user_id": "kevin@examspark.com", "context_id": context, "lis_person_name_full": "Kevin Campbell"}
    return seed_request(api, "POST", f"/api/exam-config/{exam}/exam-session", launch)["examSession"]["id"]


def test_the_seeds_list_request_verbatim(api):
    """Its filter names two configs the demo does not hold: they match nothing (200, total 0, as for configs of
    a course the caller has no rights in); once one exists and Kevin's session on it is scored, the same
    request answers the seed's sample."""
    for body in ("list_request_body", "list_request_body_old_form"):
        empty = seed_request(api, "POST", "/api/exam-sessions" + INCLUDES, sample(body))
        assert empty == {"total": 0, "nextToken": None, "metadata": None, "items": [], "aggregations": {
            "minScore": {"value": None}, "avgScore": {"value": None}, "maxScore": {"value": None}}}
    ok(api.request("POST", f"/authoring/courses/{COURSE}/exams", as_user="ada", json={
        "id": SEED_CONFIGS[0], "title": "The seed's first config", "type": "timed", "timeLimitMinutes": 30,
        "itemPool": [i[0] for i in ITEMS], "maxAttempts": 3, "retakable": True}), 201)
    session = start(api, SEED_CONFIGS[0], "seed-list")
    seed_request(api, "POST", f"/api/exam-session/{session}/responses", sample("set_responses_request"))
    for body in ("list_request_body", "list_request_body_old_form"):
        answer = seed_request(api, "POST", "/api/exam-sessions" + INCLUDES, sample(body))
        assert assert_matches_seed("list_response", answer) == {
            "$.nextToken", "$.items[0].examSession.id", "$.items[0].examConfig.id"}
        assert answer["items"][0]["examSession"]["id"] == session
        assert answer["items"][0]["examConfig"] == {"id": SEED_CONFIGS[0]}  # d7a56ac9-... still matches nothing
        assert answer["items"][0]["examSession"]["studentId"] == "kevin"  # ours; the seed masks it


def test_the_seeds_session_requests_verbatim(api):
    """Set responses, get, results, then reset, reopen and retake, on Kevin's session on the demo config (the
    seed's examConfig id); the same items in the same order on every route."""
    session = start(api, EXAM, "seed-session")
    path = f"/api/exam-session/{session}"
    scored = seed_request(api, "POST", f"{path}/responses", sample("set_responses_request"))
    assert (scored["examSession"]["maturity"], scored["examSession"]["scoreActual"]) == ("COMPLETE", 100)
    got = seed_request(api, "GET", path + INCLUDES)
    assert assert_matches_seed("get_response", got) == {"$.examSession.id", "$.examSession.examId"}
    results = seed_request(api, "GET", f"{path}/results")
    assert assert_matches_seed("results_response", results) == {"$.examSession.id", "$.examSession.examId"}
    assert set(got["examSession"]["results"]["objectives"]) == {o[0] for o in OBJECTIVES}

    listed = seed_request(api, "POST", "/api/exam-sessions?include[]=results&include[]=responses&limit=100",
                          {"filter": {"examConfigIds": {"include": [EXAM]}}})
    (in_list,) = [i["examSession"] for i in listed["items"] if i["examSession"]["id"] == session]
    orders = {
        "get results.items": [i["id"] for i in got["examSession"]["results"]["items"]],
        "get responses": list(got["examSession"]["responses"]),
        "/results items": [i["id"] for i in results["results"]["items"]],
        "list results.items": [i["id"] for i in in_list["results"]["items"]],
        "list responses": list(in_list["responses"]),
    }
    assert len({tuple(o) for o in orders.values()}) == 1 and set(orders["get responses"]) == ITEM_IDS, orders
    objectives = [list(got["examSession"]["results"]["objectives"]), list(results["results"]["objectives"]),
                  list(in_list["results"]["objectives"])]
    assert objectives == [sorted(o[0] for o in OBJECTIVES)] * 3

    reset = seed_request(api, "GET", f"{path}/reset")["examSession"]
    assert (reset["maturity"], reset["attempt"], reset["scoreActual"]) == ("IN_PROGRESS", 1, None)
    seed_request(api, "POST", f"{path}/responses", sample("set_responses_request"))
    reopened = seed_request(api, "GET", f"{path}/reopen")["examSession"]
    assert (reopened["maturity"], reopened["attempt"], reopened["submittedAt"]) == ("IN_PROGRESS", 1, None)
    seed_request(api, "POST", f"{path}/responses", sample("set_responses_request"))
    retaken = seed_request(api, "GET", f"{path}/retake")
    assert retaken["examConfig"] == {"id": EXAM}
    assert (retaken["examSession"]["maturity"], retaken["examSession"]["attempt"]) == ("IN_PROGRESS", 2)
    assert retaken["examSession"]["scoreActual"] == 100  # HIGHEST of the completed attempts while 2 runs
