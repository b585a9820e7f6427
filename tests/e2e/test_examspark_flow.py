"""ExamSpark over HTTP on DynamoDB Local: author an exam -> start -> save -> submit -> results -> retake ->
submit -> reset -> reopen, with the list's total and aggregations checked at each step (the seed's requests
verbatim: test_examspark_seed_http.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

PREFIX = "es-flow"  # every object this file authors carries it: nobody else's tests touch them
COURSE, EXAM, OBJECTIVE = f"{PREFIX}-course", f"{PREFIX}-exam", f"{PREFIX}-objective"
PAGED = f"{PREFIX}-paged-exam"  # the paging test's own exam: the flow's aggregations stay its own in any order
STUDENT, PEER, TA = f"{PREFIX}-student", f"{PREFIX}-peer", f"{PREFIX}-ta"
ITEMS = [f"{PREFIX}-item-{n}" for n in range(3)]  # question "<item>-q", key at option index 1


def ok(answer, status=200):
    assert answer.status_code == status, answer.text
    return answer.json()


@pytest.fixture(scope="module")
def authored(api):
    """The course, its people and the exam, created through the authoring API as the administrator."""
    def author(method, path, body):
        ok(api.request(method, path, as_user="ada", json=body), 200 if method == "PUT" else 201)

    author("POST", "/authoring/courses", {"id": COURSE, "title": "ExamSpark flow"})
    for uid, role in ((STUDENT, "student"), (PEER, "student"), (TA, "teaching_assistant")):
        author("POST", "/authoring/users", {"id": uid, "username": uid, "email": f"{uid}@example.edu", "name": uid})
        author("PUT", f"/authoring/courses/{COURSE}/enrollments/{uid}", {"role": role})
    author("POST", f"/authoring/courses/{COURSE}/objectives",
           {"id": OBJECTIVE, "text": "read a price list", "abbreviation": "1.A"})
    for item in ITEMS:
        author("POST", f"/authoring/courses/{COURSE}/items", {
            "id": item, "name": f"Question {item}", "alignmentIds": [OBJECTIVE],
            "questions": [{"id": f"{item}-q", "options": [{"content": f"<p>{n}</p>", "isKey": n == 1}
                                                          for n in range(4)]}]})
    now = datetime.now(UTC)
    for exam_id in (EXAM, PAGED):
        author("POST", f"/authoring/courses/{COURSE}/exams", {
            "id": exam_id, "title": "Flow exam", "type": "timed", "timeLimitMinutes": 30, "maxAttempts": 2,
            "retakable": True, "scoringPolicy": "HIGHEST", "itemPool": ITEMS,
            "opensAt": (now - timedelta(hours=1)).isoformat(), "closesAt": (now + timedelta(days=1)).isoformat()})
    return api


def answers(right: int, submit: bool) -> dict:
    return {"submitForScoring": submit, "responses": [
        {"itemId": item,
         "questions": [{"id": f"{item}-q", "response": {"options": [{"index": 1 if n < right else 0}]}}]}
        for n, item in enumerate(ITEMS)]}


def aggregations(api) -> tuple[int, float | None, float | None, float | None]:
    body = ok(api.request("POST", "/api/exam-sessions?include[]=results", as_user=TA,
                          json={"filter": {"examConfigIds": {"include": [EXAM]}}}))
    agg = body["aggregations"]
    return body["total"], agg["minScore"]["value"], agg["avgScore"]["value"], agg["maxScore"]["value"]


def test_the_whole_flow_with_aggregations_at_each_step(authored):
    api = authored
    assert aggregations(api) == (0, None, None, None)
    session = ok(api.request("POST", f"/api/exam-config/{EXAM}/exam-session", as_user=STUDENT,
                             json={"user_id": STUDENT, "context_id": PREFIX}))["examSession"]
    path = f"/api/exam-session/{session['id']}"
    assert session["maturity"] == "IN_PROGRESS" and session["limitedBy"] == "time_limit"
    assert aggregations(api) == (1, None, None, None)

    saved = ok(api.request("POST", f"{path}/responses", as_user=STUDENT, json=answers(2, False)))
    assert saved["examSession"]["maturity"] == "IN_PROGRESS" and saved["examSession"]["results"] is None
    early = api.request("GET", f"{path}/results", as_user=STUDENT)
    assert early.status_code == 409 and "isKey" not in early.text  # no keys before completion
    assert aggregations(api) == (1, None, None, None)

    submitted = ok(api.request("POST", f"{path}/responses", as_user=STUDENT, json=answers(2, True)))
    assert submitted["examSession"]["maturity"] == "COMPLETE" and submitted["examSession"]["scoreActual"] == 66.67
    assert aggregations(api) == (1, 66.67, 66.67, 66.67)

    results = ok(api.request("GET", f"{path}/results", as_user=STUDENT))
    assert results["results"]["points"] == {"actual": 2, "isScorable": True, "min": 0, "max": 3}
    assert results["results"]["objectives"][OBJECTIVE]["abbreviation"] == "1.A"
    # attempt 1 of 2: the student may retake, so the answer keys are withheld (docs/rulebook.md)
    assert results["examSession"]["keysShown"] is False
    assert all(q["keys"] == [] for i in results["results"]["items"] for q in i["questions"])

    retaken = ok(api.request("GET", f"{path}/retake", as_user=STUDENT))["examSession"]
    assert (retaken["attempt"], retaken["maturity"], retaken["scoreActual"]) == (2, "IN_PROGRESS", 66.67)
    assert aggregations(api) == (1, 66.67, 66.67, 66.67)  # the session keeps its best score meanwhile

    best = ok(api.request("POST", f"{path}/responses", as_user=STUDENT, json=answers(3, True)))["examSession"]
    assert best["scoreActual"] == 100
    assert aggregations(api) == (1, 100, 100, 100)
    used = api.request("GET", f"{path}/retake", as_user=STUDENT)
    assert used.status_code == 409 and "all 2 attempts are used" in used.json()["error"]["message"]
    last = ok(api.request("GET", f"{path}/results", as_user=STUDENT))  # no further attempt: keys shown
    assert all(q["keys"][0]["index"] == 1 for i in last["results"]["items"] for q in i["questions"])

    refused = api.request("GET", f"{path}/reset", as_user=STUDENT)
    assert refused.status_code == 403  # a student cannot reset
    reset = ok(api.request("GET", f"{path}/reset?include[]=responses", as_user=TA))["examSession"]
    assert (reset["attempt"], reset["maturity"], reset["scoreActual"]) == (2, "IN_PROGRESS", 66.67)
    assert all(r == {} for r in reset["responses"].values())
    assert aggregations(api) == (1, 66.67, 66.67, 66.67)  # attempt 2's 100 is gone, attempt 1's stays

    ok(api.request("POST", f"{path}/responses", as_user=STUDENT, json=answers(1, True)))
    assert aggregations(api) == (1, 66.67, 66.67, 66.67)  # HIGHEST: 66.67 beats 33.33

    reopened = ok(api.request("GET", f"{path}/reopen?include[]=responses", as_user=TA))["examSession"]
    assert reopened["maturity"] == "IN_PROGRESS" and reopened["submittedAt"] is None
    assert sum(1 for r in reopened["responses"].values() if r) == 3  # responses kept
    assert aggregations(api) == (1, 66.67, 66.67, 66.67)
    again = api.request("GET", f"{path}/reopen", as_user=TA)
    assert again.status_code == 409 and "already IN_PROGRESS" in again.json()["error"]["message"]

    # a second student's session joins the aggregations exactly
    peer = ok(api.request("POST", f"/api/exam-config/{EXAM}/exam-session", as_user=PEER,
                          json={"user_id": PEER, "context_id": PREFIX}))["examSession"]
    ok(api.request("POST", f"/api/exam-session/{peer['id']}/responses", as_user=PEER, json=answers(0, True)))
    assert aggregations(api) == (2, 0, 33.34, 66.67)  # (0 + 66.67) / 2, to 2 places
    assert api.request("GET", f"{path}/results", as_user=PEER).status_code == 404  # not theirs


def test_list_pages_and_denials_over_http(authored):
    api = authored
    for user in (STUDENT, PEER):
        ok(api.request("POST", f"/api/exam-config/{PAGED}/exam-session", as_user=user,
                       json={"user_id": user, "context_id": f"{PREFIX}-pages"}))
    body = {"filter": {"examConfigIds": {"include": [PAGED]}}}
    first = ok(api.request("POST", "/api/exam-sessions?limit=1", as_user=TA, json=body))
    assert len(first["items"]) == 1 and first["nextToken"]
    rest = ok(api.request("POST", f"/api/exam-sessions?limit=100&nextToken={first['nextToken']}", as_user=TA,
                          json=body))
    listed = [i["examSession"]["id"] for i in first["items"] + rest["items"]]
    assert len(listed) == len(set(listed)) == first["total"] == 2 and rest["nextToken"] is None
    assert api.request("POST", "/api/exam-sessions", as_user=STUDENT, json=body).status_code == 403
    outsider = ok(api.request("POST", "/api/exam-sessions", as_user="oscar", json=body))  # matches nothing
    assert (outsider["total"], outsider["items"]) == (0, [])
    assert api.request("POST", "/api/exam-sessions", json=body).status_code == 401
    too_many = api.request("POST", "/api/exam-sessions?limit=1000", as_user=TA, json=body)
    assert too_many.status_code == 400 and "100" in too_many.json()["error"]["message"]
    garbled = api.request("POST", "/api/exam-sessions?nextToken=bm9wZQ==", as_user=TA, json=body)
    assert garbled.status_code == 400 and garbled.json()["error"]["field"] == "nextToken"
