"""Issue 15's cases over HTTP on the local runner (DynamoDB Local): the same act gets the same verdict through
every door (docs/rulebook.md). Each test reproduces one case the issue measured against the old code.

Everything is authored through the authoring API as ada with ids unique to this run."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from functions.core.numeric_ids import Kind, number

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

RUN = f"rb-{uuid.uuid4().hex[:8]}"
COURSE, OTHER_COURSE = f"{RUN}-course", f"{RUN}-other"
STUDENT, TEACHER, TA = (f"{RUN}-{n}" for n in ("student", "teacher", "ta"))
ITEMS = [f"{RUN}-item-{n}" for n in range(3)]
EDX = "/api/instructor/v2/courses"


def ok(answer: Any, status: int = 200) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    return dict(answer.json())


@pytest.fixture(scope="module")
def world(api):
    def author(method: str, path: str, body: dict[str, Any]) -> None:
        ok(api.request(method, path, as_user="ada", json=body), 200 if method in ("PUT", "PATCH") else 201)

    for course in (COURSE, OTHER_COURSE):
        author("POST", "/authoring/courses", {"id": course, "title": f"Rulebook {course}"})
    for uid, role in ((STUDENT, "student"), (TEACHER, "instructor"), (TA, "teaching_assistant")):
        author("POST", "/authoring/users", {"id": uid, "username": uid, "email": f"{uid}@example.edu", "name": uid})
        author("PUT", f"/authoring/courses/{COURSE}/enrollments/{uid}", {"role": role})
    for item in ITEMS:
        author("POST", f"/authoring/courses/{COURSE}/items", {
            "id": item, "name": f"Question {item}",
            "questions": [{"id": f"{item}-q", "options": [{"content": f"<p>{n}</p>", "isKey": n == 1}
                                                          for n in range(3)]}]})
    return author


def new_exam(author, name: str, **fields: Any) -> str:
    now = datetime.now(UTC)
    exam_id = f"{RUN}-{name}"
    author("POST", f"/authoring/courses/{COURSE}/exams", {
        "id": exam_id, "title": name, "itemPool": ITEMS, "type": "timed", "timeLimitMinutes": 60,
        "opensAt": (now - timedelta(hours=1)).isoformat(), "closesAt": (now + timedelta(days=1)).isoformat(),
        **fields})
    return exam_id


def start(api, exam_id: str, *, as_user: str = STUDENT, context: str = "", results: bool = False):
    query = "?include[]=results" if results else ""
    return api.request("POST", f"/api/exam-config/{exam_id}/exam-session{query}", as_user=as_user,
                       json={"user_id": STUDENT, "context_id": context})


def submit(api, sid: str, right: int = 3, as_user: str = STUDENT) -> dict[str, Any]:
    responses = [{"itemId": item, "questions": [{"id": f"{item}-q", "response": {"options": [
        {"index": 1 if n < right else 0}]}}]} for n, item in enumerate(ITEMS)]
    return ok(api.request("POST", f"/api/exam-session/{sid}/responses", as_user=as_user,
                          json={"submitForScoring": True, "responses": responses}))


def ls_reset(api, exam_id: str, as_user: str):
    return api.request("DELETE", f"/users/{STUDENT}/courses/{COURSE}/exams/{exam_id}", as_user=as_user)


def edx_reset(api, exam_id: str, as_user: str):
    return api.request("POST", f"{EDX}/{COURSE}/special_exams/{number(Kind.EXAM, exam_id)}/reset/{STUDENT}",
                       as_user=as_user)


def test_a_teaching_assistant_is_refused_removal_through_both_doors(api, world):
    exam_id = new_exam(world, "ta")
    ok(start(api, exam_id))
    assert ls_reset(api, exam_id, TA).status_code == 403
    assert edx_reset(api, exam_id, TA).status_code == 403
    assert ok(edx_reset(api, exam_id, TEACHER))["attempts_removed"] == 1


def test_no_removal_after_the_end_through_either_door(api, world):
    exam_id = new_exam(world, "ended")
    ok(start(api, exam_id))
    world("PATCH", f"/authoring/exams/{exam_id}", {"closesAt": (datetime.now(UTC) - timedelta(minutes=1)).isoformat()})
    assert ls_reset(api, exam_id, TEACHER).status_code == 409
    assert edx_reset(api, exam_id, TEACHER).status_code == 409


def test_a_reopen_never_moves_a_submitted_attempt_back_in_open_edx(api, world):
    exam_id = new_exam(world, "reopen")
    sid = ok(start(api, exam_id))["examSession"]["id"]
    submit(api, sid)
    ok(api.request("GET", f"/api/exam-session/{sid}/reopen", as_user=TEACHER))
    listed = api.request("GET", f"{EDX}/{COURSE}/special_exams/{number(Kind.EXAM, exam_id)}/attempts",
                         as_user=TEACHER)
    assert listed.status_code == 200, listed.text
    rows = listed.json()
    assert sorted(r["status"] for r in rows) == ["started", "submitted"]


def test_work_from_an_lms_launch_is_the_learningstudio_instance_it_deletes(api, world):
    exam_id = new_exam(world, "lms", maxAttempts=2, retakable=True)
    launched = ok(start(api, exam_id, as_user=TEACHER, context="lms-1"))["examSession"]["id"]
    listed = ok(api.request("GET", f"/users/{STUDENT}/courses/{COURSE}/exams", as_user=TEACHER))["exams"]
    assert launched in {e["instanceId"] for e in listed}
    removed = ok(ls_reset(api, exam_id, TEACHER))
    assert launched in {r["exam"]["instanceId"] for r in removed["resets"]}
    listed = ok(api.request("GET", f"/users/{STUDENT}/courses/{COURSE}/exams", as_user=TEACHER))["exams"]
    assert exam_id not in {e["id"] for e in listed}


def test_a_student_cannot_walk_around_max_attempts_or_mint_sessions(api, world):
    exam_id = new_exam(world, "once", maxAttempts=1)
    sid = ok(start(api, exam_id, context="a"))["examSession"]["id"]
    submit(api, sid, right=0)
    results = ok(api.request("GET", f"/api/exam-session/{sid}/results", as_user=STUDENT))
    assert results["examSession"]["keysShown"] is True  # no further attempt possible: the keys are shown
    again = ok(start(api, exam_id, context="b"))["examSession"]
    assert again["id"] == sid and again["attemptsUsed"] == 1 and again["maturity"] == "COMPLETE"
    for context in ("c", "d", "e"):
        assert ok(start(api, exam_id, context=context))["examSession"]["id"] == sid
    assert api.request("GET", f"/api/exam-session/{sid}/retake", as_user=STUDENT).status_code == 409


def test_hidden_scores_and_keys_of_a_retakable_exam_do_not_leak(api, world):
    hidden = new_exam(world, "hidden", showScoreOnComplete=False)
    sid = ok(start(api, hidden))["examSession"]["id"]
    submit(api, sid)
    again = ok(start(api, hidden, results=True))["examSession"]
    assert again["scoreActual"] is None and again["results"] is None
    retry = new_exam(world, "retry", maxAttempts=3, retakable=True)
    sid = ok(start(api, retry))["examSession"]["id"]
    submit(api, sid, right=1)
    results = ok(api.request("GET", f"/api/exam-session/{sid}/results", as_user=STUDENT))
    assert results["examSession"]["keysShown"] is False
    assert all(q["keys"] == [] for i in results["results"]["items"] for q in i["questions"])


def test_reset_after_a_retake_recomputes_the_score_everywhere(api, world):
    exam_id = new_exam(world, "rescore", maxAttempts=2, retakable=True)
    sid = ok(start(api, exam_id))["examSession"]["id"]
    submit(api, sid, right=1)
    ok(api.request("GET", f"/api/exam-session/{sid}/retake", as_user=STUDENT))
    submit(api, sid, right=3)
    reset = ok(api.request("GET", f"/api/exam-session/{sid}/reset", as_user=TEACHER))
    assert reset["examSession"]["scoreActual"] == 33.33
    listed = ok(api.request("POST", "/api/exam-sessions", as_user=TEACHER,
                            json={"filter": {"examConfigIds": {"include": [exam_id]}}}))
    assert [i["examSession"]["scoreActual"] for i in listed["items"]] == [33.33]
    assert listed["aggregations"]["maxScore"]["value"] == 33.33


def test_an_inactive_course_is_closed_to_its_students(api, world):
    exam_id = new_exam(world, "inactive")
    world("PATCH", f"/authoring/courses/{COURSE}", {"active": False})
    try:
        assert api.request("GET", f"/authoring/courses/{COURSE}/exams", as_user=STUDENT).status_code == 404
        assert start(api, exam_id).status_code == 404
        assert api.request("POST", f"/users/{STUDENT}/courses/{COURSE}/exams/{exam_id}",
                           as_user=STUDENT).status_code == 404
    finally:
        world("PATCH", f"/authoring/courses/{COURSE}", {"active": True})


def test_the_canvas_read_back_lists_a_student_moved_only_by_extend_from_now(api, world):
    exam_id = new_exam(world, "moved")
    ok(start(api, exam_id))
    quiz = f"/api/v1/courses/{COURSE}/quizzes/{exam_id}/extensions"
    moved = ok(api.request("POST", quiz, as_user=TEACHER,
                           json={"quiz_extensions": [{"user_id": STUDENT, "extend_from_now": 90}]}))
    assert [e["sis_user_id"] for e in moved["quiz_extensions"]] == [STUDENT]
    for path in (quiz, f"/api/v1/courses/{COURSE}/quiz_extensions"):
        listed = [e for e in ok(api.request("GET", path, as_user=TEACHER))["quiz_extensions"]
                  if e["sis_user_id"] == STUDENT and e["quiz_id"] == number(Kind.EXAM, exam_id)]
        assert len(listed) == 1 and listed[0]["end_at"], (path, listed)
        ends = datetime.fromisoformat(listed[0]["end_at"].replace("Z", "+00:00")) - datetime.now(UTC)
        assert timedelta(minutes=88) < ends <= timedelta(minutes=90)


def test_a_reset_of_many_sessions_is_undone_by_one_restore(api, world):
    exam_id = new_exam(world, "many", maxAttempts=20, retakable=True)
    sids = {ok(start(api, exam_id, as_user=TEACHER, context=f"lms-{n}"))["examSession"]["id"] for n in range(20)}
    assert len(sids) == 20
    assert start(api, exam_id, as_user=TEACHER, context="lms-20").status_code == 409  # at most 20 sessions
    removed = ok(ls_reset(api, exam_id, TEACHER))
    assert {r["exam"]["instanceId"] for r in removed["resets"]} == sids
    events = ok(api.request("GET", f"/authoring/courses/{COURSE}/audit-events?action=session.remove&limit=100",
                            as_user=TEACHER))["items"]
    event = next(e for e in events if set(e["objectIds"]) == sids)
    restored = ok(api.request("POST", f"/authoring/courses/{COURSE}/audit-events/{event['id']}/restore",
                              as_user=TEACHER))
    assert {r["sessionId"] for r in restored["restored"]} == sids
    for sid in sids:
        assert ok(api.request("GET", f"/api/exam-session/{sid}", as_user=TEACHER))["examSession"]["id"] == sid


def test_the_learningstudio_list_shows_one_instance_per_exam_across_pages(api, world):
    exams = [new_exam(world, f"paged-{n}", maxAttempts=3, retakable=True) for n in range(2)]
    for exam_id in exams:
        for context in ("", "lms-a", "lms-b"):
            ok(start(api, exam_id, as_user=TEACHER, context=context))
    seen: list[str] = []
    token = None
    while True:
        query = "?limit=1" + (f"&nextToken={token}" if token else "")
        page = ok(api.request("GET", f"/users/{STUDENT}/courses/{COURSE}/exams{query}", as_user=TEACHER))
        seen += [e["id"] for e in page["exams"] if e["id"] in exams]
        for listed in page["exams"]:
            if listed["id"] in exams:
                assert len(listed["sessionIds"]) == 3, listed
        token = page["nextToken"]
        if not token:
            break
    assert sorted(seen) == sorted(exams)  # each exam once, whichever page its sessions fell on
    removed = ok(ls_reset(api, exams[0], TEACHER))
    assert len(removed["resets"]) == 3
