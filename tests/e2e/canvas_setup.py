"""A course of the Canvas e2e and contract tests' own, built through the authoring API as ada (the demo
institution administrator), with ids unique to each run so no other test file touches it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any


@dataclass(frozen=True)
class CanvasCourse:
    course: str
    quiz: str  # timed (30 minutes), one attempt, retakable
    other_quiz: str  # timed (45 minutes)
    teacher: str
    students: tuple[str, ...]
    item: str


def _ok(answer: Any) -> dict[str, Any]:
    assert answer.status_code in (200, 201), answer.text
    return dict(answer.json())


def build(api: Any, tag: str, students: int = 3) -> CanvasCourse:
    run = f"{tag}-{uuid.uuid4().hex[:8]}"
    course, teacher = f"course-{run}", f"teacher-{run}"
    learners = tuple(f"student{n}-{run}" for n in range(students))
    _ok(api.request("POST", "/authoring/courses", as_user="ada",
                    json={"id": course, "title": f"Canvas {run}"}))
    for user_id, role in ((teacher, "instructor"), *((s, "student") for s in learners)):
        _ok(api.request("POST", "/authoring/users", as_user="ada",
                        json={"id": user_id, "username": user_id, "email": f"{user_id}@example.edu",
                              "name": user_id.title()}))
        _ok(api.request("PUT", f"/authoring/courses/{course}/enrollments/{user_id}", as_user="ada",
                        json={"role": role}))
    item = f"item-{run}"
    options = [{"content": f"<p>{n}</p>", "isKey": n == 1} for n in range(3)]
    _ok(api.request("POST", f"/authoring/courses/{course}/items", as_user="ada",
                    json={"id": item, "name": "Q1", "questions": [{"options": options}]}))
    now = datetime.now(UTC)
    window = {"opensAt": (now - timedelta(days=1)).isoformat(),
              "closesAt": (now + timedelta(days=7)).isoformat()}
    quiz, other = f"quiz-{run}", f"quiz2-{run}"
    _ok(api.request("POST", f"/authoring/courses/{course}/exams", as_user="ada",
                    json={"id": quiz, "title": "Timed quiz", "type": "timed", "timeLimitMinutes": 30,
                          "maxAttempts": 1, "retakable": True, "itemPool": [item], **window}))
    _ok(api.request("POST", f"/authoring/courses/{course}/exams", as_user="ada",
                    json={"id": other, "title": "Second quiz", "type": "timed", "timeLimitMinutes": 45,
                          "itemPool": [item], **window}))
    return CanvasCourse(course, quiz, other, teacher, learners, item)
