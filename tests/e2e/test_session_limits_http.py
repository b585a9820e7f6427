"""The largest exam the authoring limits allow, taken the most times its limits allow, over HTTP on DynamoDB
Local (which enforces the 400 KB item limit; moto does not): every submit succeeds, the results read back, and
a reset + restore brings the whole session back (docs/data-model.md, "Sessions and attempts"). The 300-attempt
limit with reopens is shown on moto (tests/integration/test_session_parts.py): the session item's size at
300 attempts is computed in tests/unit/test_session_item_sizes.py.

The exam: 100 items (content.MAX_POOL) of 20 questions (MAX_QUESTIONS) of 20 options (MAX_OPTIONS), every id
128 characters, each item aligned to 20 objectives (MAX_ALIGNMENTS) of 128-character ids; maxAttempts 100
(MAX_ATTEMPTS) and a Canvas grant of 100 extra attempts (the most a grant allows): 200 attempts. Before the
split, the third submit of such an exam was a 500 (the session item passed 400 KB).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from functions.core import content
from functions.core.extensions import LIMITS

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

PREFIX = "limits"
COURSE, EXAM = f"{PREFIX}-course", f"{PREFIX}-exam"
STUDENT, TEACHER = f"{PREFIX}-student", f"{PREFIX}-teacher"
EXTRA = LIMITS["extra_attempts"][1]
ATTEMPTS = content.MAX_ATTEMPTS + EXTRA
FULL = {1, 2, 3, ATTEMPTS}  # attempts answered in full (every option of every question); the others: one answer
PER_SAVE = 20  # items per save: a full save of 20 items is ~160 KB, under the 256 KB body limit


def long_id(prefix: str) -> str:
    return f"{PREFIX}-{prefix}-".ljust(128, "x")


ITEMS = [long_id(f"item-{n}") for n in range(content.MAX_POOL)]
OBJECTIVES = [long_id(f"objective-{n}") for n in range(content.MAX_ALIGNMENTS)]


def question_id(item: str, q: int) -> str:
    return f"{item[:100]}-q{q}-".ljust(128, "q")


def ok(answer, status=200):
    assert answer.status_code == status, answer.text[:2000]
    return answer.json()


@pytest.fixture(scope="module")
def largest_exam(api):
    def author(method, path, body, status=None):
        return ok(api.request(method, path, as_user="ada", json=body), status or (200 if method == "PUT" else 201))

    author("POST", "/authoring/courses", {"id": COURSE, "title": "The largest exam"})
    for uid, role in ((STUDENT, "student"), (TEACHER, "instructor")):
        author("POST", "/authoring/users", {"id": uid, "username": uid, "email": f"{uid}@example.edu", "name": uid})
        author("PUT", f"/authoring/courses/{COURSE}/enrollments/{uid}", {"role": role})
    for objective in OBJECTIVES:
        author("POST", f"/authoring/courses/{COURSE}/objectives",
               {"id": objective, "text": "an objective", "abbreviation": objective[-8:]})
    for item in ITEMS:
        author("POST", f"/authoring/courses/{COURSE}/items", {
            "id": item, "name": "The largest item", "alignmentIds": OBJECTIVES,
            "questions": [{"id": question_id(item, q),
                           "options": [{"id": f"{question_id(item, q)[:120]}-o{o}".ljust(128, "o"),
                                        "content": f"option {o}", "isKey": o % 2 == 0}
                                       for o in range(content.MAX_OPTIONS)]}
                          for q in range(content.MAX_QUESTIONS)]})
    now = datetime.now(UTC)
    author("POST", f"/authoring/courses/{COURSE}/exams", {
        "id": EXAM, "title": "The largest exam", "maxAttempts": content.MAX_ATTEMPTS, "retakable": True,
        "scoringPolicy": "AVERAGE", "itemPool": ITEMS, "opensAt": (now - timedelta(hours=1)).isoformat(),
        "closesAt": (now + timedelta(days=1)).isoformat()})
    granted = ok(api.request("POST", f"/api/v1/courses/{COURSE}/quizzes/{EXAM}/extensions", as_user=TEACHER,
                             json={"quiz_extensions": [{"user_id": STUDENT, "extra_attempts": EXTRA}]}))
    assert granted["quiz_extensions"][0]["extra_attempts"] == EXTRA
    return api


def saves(full: bool) -> list[dict]:
    """The requests that answer one attempt: every option of every question in saves of PER_SAVE items (the
    last one submits), or one answer and submit."""
    def answer(item: str) -> dict:
        return {"itemId": item, "questions": [
            {"id": question_id(item, q), "response": {"options": [{"index": o} for o in range(content.MAX_OPTIONS)]}}
            for q in range(content.MAX_QUESTIONS)]}

    if not full:
        return [{"submitForScoring": True, "responses": [answer(ITEMS[0])]}]
    chunks = [ITEMS[n:n + PER_SAVE] for n in range(0, len(ITEMS), PER_SAVE)]
    return [{"submitForScoring": n == len(chunks) - 1, "responses": [answer(i) for i in chunk]}
            for n, chunk in enumerate(chunks)]


def test_every_attempt_of_the_largest_exam_submits_and_a_reset_restores_it_all(largest_exam):
    api = largest_exam
    started = time.monotonic()
    session = ok(api.request("POST", f"/api/exam-config/{EXAM}/exam-session", as_user=STUDENT,
                             json={"user_id": STUDENT}))["examSession"]
    sid = session["id"]
    for number in range(1, ATTEMPTS + 1):
        if number > 1:
            retaken = ok(api.request("GET", f"/api/exam-session/{sid}/retake", as_user=STUDENT))["examSession"]
            assert retaken["attempt"] == number
        for body in saves(number in FULL):
            answered = api.request("POST", f"/api/exam-session/{sid}/responses?include[]=results",
                                   as_user=STUDENT, json=body)
            assert answered.status_code == 200, (number, answered.text[:500])
        assert answered.json()["examSession"]["maturity"] == "COMPLETE", number
        if number % 20 == 0:
            print(f"attempt {number} submitted after {time.monotonic() - started:.0f} s", flush=True)
    # every attempt is used: one more is refused (409), not a 500
    refused = api.request("GET", f"/api/exam-session/{sid}/retake", as_user=STUDENT)
    assert refused.status_code == 409 and "attempts are used" in refused.text

    # the last (full) attempt's results read back whole: 100 items, 20 objectives, every question answered
    results = ok(api.request("GET", f"/api/exam-session/{sid}/results", as_user=TEACHER))
    items = results["results"]["items"]
    assert len(items) == content.MAX_POOL and all(len(i["questions"]) == content.MAX_QUESTIONS for i in items)
    assert all(len(q["response"]["options"]) == content.MAX_OPTIONS for i in items for q in i["questions"])
    assert len(results["results"]["objectives"]) == content.MAX_ALIGNMENTS
    assert results["results"]["points"] == {"actual": 0, "isScorable": True, "min": 0, "max": 2000}
    shown = ok(api.request("GET", f"/api/exam-session/{sid}?include[]=responses&include[]=results",
                           as_user=TEACHER))["examSession"]
    assert shown["attemptsUsed"] == ATTEMPTS and len(shown["responses"]) == content.MAX_POOL

    # a reset removes it all, a restore brings it all back: the attempts and the responses and results
    before = ok(api.request("GET", f"/api/exam-session/{sid}/results", as_user=TEACHER))
    removed = ok(api.request("DELETE", f"/users/{STUDENT}/courses/{COURSE}/exams/{EXAM}", as_user="ada"))
    assert removed["reset"]["savedAnswers"] >= content.MAX_POOL * content.MAX_QUESTIONS
    assert api.request("GET", f"/api/exam-session/{sid}", as_user=TEACHER).status_code == 404
    reset_id = removed["reset"]["id"]
    ok(api.request("POST", f"/courses/{COURSE}/exams/{EXAM}/resets/{reset_id}/restore", as_user="ada"))
    after = ok(api.request("GET", f"/api/exam-session/{sid}/results", as_user=TEACHER))
    assert after["results"] == before["results"]
    exams = ok(api.request("GET", f"/users/{STUDENT}/courses/{COURSE}/exams", as_user=TEACHER))["exams"]
    assert len(exams[0]["attempts"]) == ATTEMPTS
    print(f"{ATTEMPTS} attempts: {time.monotonic() - started:.0f} s", flush=True)
