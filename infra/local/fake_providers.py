"""Fake Edulastic and MasteryTrack: real HTTP servers on 127.0.0.1 (stdlib ``ThreadingHTTPServer``) that
answer the wire format the adapters in ``functions/providers/`` assume (docs/powerpath.md).

Used by the integration and end-to-end tests and by ``make run``'s demo. Faults on request, from Python
(``set_mode``, ``stop``) or over HTTP (``POST /_control/mode``): ``slow`` (answer after ``delay`` s),
``error`` (answer ``status``, 500 by default, with a message), ``malformed`` (200 with a body that is not
JSON), ``wrong-shape`` (200 with JSON missing required fields), ``partial`` (results with only some
questions), ``drop`` (close the connection without answering); ``times`` limits a fault to the next n
requests. The student "takes" a test by posting answers to its ``testUrl`` + ``/answers``.
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from functions.providers.masterytrack import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from infra.local.fake_http import MODES, Answer, FakeServer

__all__ = ["MODES", "FakeEdulastic", "FakeMasteryTrack", "FakeServer"]

EDULASTIC_TOKEN = "fake-edulastic-token"
MASTERYTRACK_API_KEY = "fake-masterytrack-key"


def questions_in(test_id: str | None) -> int:
    """A test named ``...-<n>q`` has n questions; any other has 3."""
    found = re.search(r"-(\d{1,2})q$", test_id or "")
    return max(1, int(found.group(1))) if found else 3


def _graded(question: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in question.items() if not k.startswith("_")}


class FakeEdulastic(FakeServer):
    name = "edulastic"

    def __init__(self, port: int = 0, *, delay: float = 0.0, token: str = EDULASTIC_TOKEN) -> None:
        super().__init__(port, delay=delay)
        self.token = token
        self.assignments: dict[str, dict[str, Any]] = {}
        self.result_fetches: Counter[str] = Counter()
        self.faults: dict[str, str] = {}  # assignment id -> error | malformed | slow: that one's results only
        self.route("POST", "/api/external/assignments", self._assign)
        self.route("GET", r"/api/external/assignments/([^/]+)/results", self._results)
        self.route("POST", r"/student/assignments/([^/]+)/answers", self._student_answers)

    def _authorized(self, headers: dict[str, str]) -> bool:
        return headers.get("authorization") == f"Bearer {self.token}"

    def _assign(self, *, query: Any, headers: dict[str, str], body: dict[str, Any]) -> Answer:
        if not self._authorized(headers):
            return 401, {"message": "invalid or missing API token"}
        test_id, student = body.get("testId"), body.get("student") or {}
        if not test_id or not student.get("email"):
            return 400, {"message": "testId and student.email are required"}
        if str(test_id).startswith("missing"):
            return 404, {"message": f"test {test_id} does not exist"}
        with self.lock:
            number = len(self.assignments) + 1
            aid, class_id = f"edu-as-{number}", f"edu-class-{number}"
            self.assignments[aid] = {
                "classId": class_id, "email": student["email"], "testId": test_id, "status": "NOT_STARTED",
                "questions": [{"id": f"{aid}-q{i + 1}", "index": i, "title": f"Question {i + 1}",
                               "url": f"{self.url}/student/assignments/{aid}#q{i + 1}",
                               "difficulty": ("easy", "medium", "hard")[i % 3], "answered": False}
                              for i in range(questions_in(str(test_id)))]}
        return 200, {"assignmentId": aid, "classId": class_id, "testId": test_id, "status": "ASSIGNED",
                     "testUrl": f"{self.url}/student/assignments/{aid}",
                     "credentials": {"email": student["email"], "password": f"pw-{number:04d}"}}

    def _results(self, aid: str, *, query: dict[str, str], headers: dict[str, str], body: Any) -> Answer:
        if not self._authorized(headers):
            return 401, {"message": "invalid or missing API token"}
        with self.lock:
            found = self.assignments.get(aid)
            if found is None or found["classId"] != query.get("classId") or found["email"] != query.get(
                    "studentEmail"):
                return 404, {"message": f"assignment {aid} has no student {query.get('studentEmail')}"}
            self.result_fetches[aid] += 1
            fault = self.faults.get(aid)
            answer = {"status": found["status"], "questions": [_graded(q) for q in found["questions"]]}
        if fault == "slow":
            time.sleep(self.delay)
        if fault == "error":
            return 500, {"message": f"assignment {aid} cannot be read right now"}
        return (200, b"{not json") if fault == "malformed" else (200, answer)

    def control(self, method: str, path: str, body: Any) -> Answer:
        """``POST /_control/seed`` {"assignments": [{assignmentId, classId, email, answers}]}: graded
        assignments in bulk (benchmarks); ``GET /_control/fetches``: result reads per assignment."""
        if path == "/_control/seed" and method == "POST":
            with self.lock:
                for seed in body.get("assignments", []):
                    answers = seed.get("answers", [True, True, False])
                    self.assignments[seed["assignmentId"]] = {
                        "classId": seed["classId"], "email": seed["email"], "testId": "seeded",
                        "status": "GRADED", "questions": [
                            {"id": f"{seed['assignmentId']}-q{i + 1}", "index": i, "answered": True,
                             "correct": right, "score": float(right), "maxScore": 1.0}
                            for i, right in enumerate(answers)]}
            return 200, {"assignments": len(self.assignments)}
        if path == "/_control/fetches":
            return 200, dict(self.result_fetches)
        return super().control(method, path, body)

    def partial(self, body: Any) -> Any:
        if isinstance(body, dict) and "questions" in body:
            half = body["questions"][: max(1, len(body["questions"]) // 2)]
            return {**body, "status": "IN_PROGRESS", "questions": half}
        return body

    def _student_answers(self, aid: str, *, query: Any, headers: Any, body: dict[str, Any]) -> Answer:
        """The student answers: ``answers`` is one of true (right), false (wrong) or null (skipped) per
        question; ``submit`` (default true) hands it in; ``grade`` (default true) has the teacher grade it."""
        return 200, self.work(aid, body.get("answers", []), submit=body.get("submit", True),
                              grade=body.get("grade", True))

    def work(self, aid: str, answers: list[bool | None], *, submit: bool = True, grade: bool = True
             ) -> dict[str, Any]:
        with self.lock:
            found = self.assignments[aid]
            for question, right in zip(found["questions"], answers, strict=False):
                if right is None:
                    continue
                question.update(answered=True, response="B" if right else "C", correct=bool(right),
                                score=(1.0 if right else 0.0) if grade else None, maxScore=1.0,
                                feedback="Well done." if right else "Review this skill.")
            found["status"] = ("GRADED" if submit and grade else "SUBMITTED" if submit else "IN_PROGRESS")
            return {"assignmentId": aid, "status": found["status"]}


class FakeMasteryTrack(FakeServer):
    name = "mastery-track"

    def __init__(self, port: int = 0, *, delay: float = 0.0, api_key: str = MASTERYTRACK_API_KEY,
                 webhook_url: str | None = None, webhook_secret: str | None = None) -> None:
        super().__init__(port, delay=delay)
        self.api_key, self.webhook_url, self.webhook_secret = api_key, webhook_url, webhook_secret
        self.jwts: set[str] = set()
        self.assignments: dict[str, dict[str, Any]] = {}
        self.route("POST", "/authorizer", self._authorizer)
        self.route("POST", "/delivery/assignments/assign", self._assign)
        self.route("POST", r"/delivery/tests/([^/]+)/answers", self._student_answers)

    def _authorizer(self, *, query: Any, headers: dict[str, str], body: dict[str, Any]) -> Answer:
        if headers.get("x-api-key") != self.api_key or not body.get("email"):
            return 401, {"success": False, "error": "invalid api key"}
        with self.lock:
            jwt = f"mt-jwt-{len(self.jwts) + 1}"
            self.jwts.add(jwt)
        return 200, {"success": True, "jwt": jwt}

    def _assign(self, *, query: Any, headers: dict[str, str], body: dict[str, Any]) -> Answer:
        if headers.get("x-auth-token", "").removeprefix("Bearer ") not in self.jwts:
            return 401, {"success": False, "error": "unauthorized"}
        if not body.get("student_email") or not (body.get("timeback_id") or body.get("subject")):
            return 400, {"success": False, "error": "Must provide either timeback_id or subject"}
        line_item = body.get("assessment_line_item_sourced_id")
        if bool(line_item) != bool(body.get("assessment_result_sourced_id")):
            return 400, {"success": False, "error": "line item and result ids must be provided together"}
        with self.lock:
            number = len(self.assignments) + 1001
            name = body.get("timeback_id") or f"{body['subject']} grade {body.get('grade_rank', '?')}"
            self.assignments[str(number)] = {**body, "test_name": name}
        assignment = {"id": number, "student_email": body["student_email"], "test_name": name,
                      "assigned_by": None, "test_url": f"{self.url}/delivery/tests/{number}",
                      "status": "assigned",
                      "expires_at": None, "metadata": None, "created_at": datetime.now(UTC).isoformat()}
        return 200, {"success": True, "platform": "fake",
                     "data": {"message": "Assignment created", "assignment": assignment}}

    def _student_answers(self, aid: str, *, query: Any, headers: Any, body: dict[str, Any]) -> Answer:
        """The student answers (as for Edulastic); MasteryTrack then writes the result back, signed."""
        raw, signed = self.writeback(aid, body.get("answers", []), body.get("scoreStatus", "fully graded"))
        if not self.webhook_url:
            return 200, {"delivered": None, "writeback": json.loads(raw)}
        request = urllib.request.Request(self.webhook_url, data=raw, method="POST",
                                         headers={"Content-Type": "application/json", **signed})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return 200, {"delivered": response.status, "answer": json.loads(response.read() or b"null")}
        except urllib.error.HTTPError as error:
            return 200, {"delivered": error.code, "answer": json.loads(error.read() or b"null")}

    def writeback(self, aid: str, answers: list[bool | None], score_status: str = "fully graded",
                  *, secret: str | None = None, at: datetime | None = None) -> tuple[bytes, dict[str, str]]:
        """The signed write-back MasteryTrack sends for this assignment: (raw body, headers)."""
        with self.lock:
            found = self.assignments[aid]
        questions: list[dict[str, Any]] = [{"id": f"mt-{aid}-q{i + 1}", "index": i, "title": f"Item {i + 1}",
                      "answered": right is not None, "correct": right,
                      "score": None if right is None else float(bool(right)), "maxScore": 1,
                      "feedback": "" if right is None else ("Correct" if right else "Try again"),
                      "difficulty": "medium"} for i, right in enumerate(answers)]
        points = sum(float(q["score"]) for q in questions if q["score"] is not None)
        payload = {"assessmentResultSourcedId": found["assessment_result_sourced_id"],
                   "assessmentLineItemSourcedId": found["assessment_line_item_sourced_id"],
                   "assignmentId": int(aid), "studentEmail": found["student_email"],
                   "scoreStatus": score_status,
                   "score": round(100 * points / max(1, len(questions)), 2),
                   "scoreDate": (at or datetime.now(UTC)).isoformat(), "questions": questions}
        raw = json.dumps(payload).encode()
        timestamp = str(int((at or datetime.now(UTC)).timestamp()))
        key = secret or self.webhook_secret or ""
        return raw, {TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: sign(key, raw, timestamp)}


def main(argv: list[str]) -> int:
    """``python -m infra.local.fake_providers edulastic|mastery-track [--port N] [--latency S]``: one fake,
    in its own process (the benchmark keeps it off the importer's interpreter)."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m infra.local.fake_providers")
    parser.add_argument("provider", choices=("edulastic", "mastery-track"))
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds before every API answer")
    args = parser.parse_args(argv)
    fake: FakeServer = (FakeEdulastic if args.provider == "edulastic" else FakeMasteryTrack)(
        args.port, delay=args.latency)
    print(fake.url, flush=True)
    fake._server.serve_forever()
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
