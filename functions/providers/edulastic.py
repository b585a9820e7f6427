"""Edulastic adapter. Edulastic publishes no client library; the wire format assumed here is written down
in docs/powerpath.md ("Edulastic adapter") and is exactly what infra/local/fake_providers.py serves.

- assign: ``POST /api/external/assignments`` (Bearer token): the student is identified by email, Edulastic
  creates (or reuses) their account and answers the assignment, class, test, URL and login credentials.
- results: ``GET /api/external/assignments/{assignmentId}/results?classId=&studentEmail=``: the test's
  status (NOT_STARTED, IN_PROGRESS, SUBMITTED, GRADED), an optional percentage and the questions so far.
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import quote, urlencode

from pydantic import BaseModel, ConfigDict, Field

from functions.core.external_tests import EDULASTIC, Assigned, AssignRequest, ProviderResults, ScoreStatus
from functions.core.models import ExternalAssignment, ExternalCredentials, ExternalQuestion
from functions.providers import config
from functions.providers.base import Provider


class _Wire(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore", coerce_numbers_to_str=True)


class EdulasticCredentials(_Wire):
    email: str
    password: str


class EdulasticAssignment(_Wire):
    assignment_id: str = Field(alias="assignmentId", min_length=1)
    class_id: str = Field(alias="classId")
    test_id: str = Field(alias="testId")
    test_url: str = Field(alias="testUrl")
    status: str = "ASSIGNED"
    credentials: EdulasticCredentials | None = None


class EdulasticQuestion(_Wire):
    id: str = Field(min_length=1)
    index: int = Field(ge=0)
    title: str = ""
    url: str = ""
    difficulty: Literal["easy", "medium", "hard"] = "medium"
    answered: bool
    correct: bool | None = None
    score: float | None = Field(default=None, ge=0)
    max_score: float = Field(default=1, alias="maxScore", gt=0)
    feedback: str = ""
    response: str | list[str] | None = None


class EdulasticResults(_Wire):
    status: Literal["NOT_STARTED", "IN_PROGRESS", "SUBMITTED", "GRADED"]
    score: float | None = Field(default=None, ge=0, le=100)
    questions: list[EdulasticQuestion]


def score_status(results: EdulasticResults) -> ScoreStatus:
    if results.status == "GRADED":
        graded = all(q.answered and q.score is not None for q in results.questions)
        return ScoreStatus.FULLY_GRADED if graded else ScoreStatus.PARTIALLY_GRADED
    return ScoreStatus.SUBMITTED if results.status == "SUBMITTED" else ScoreStatus.NOT_SUBMITTED


class Edulastic(Provider):
    name = EDULASTIC

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.secret(config.EDULASTIC_TOKEN)}"}

    def assign(self, request: AssignRequest) -> Assigned:
        body = {"testId": request.test_id, "externalResultId": request.result_id,
                "student": {"email": request.student_email, "name": request.student_name,
                            "externalId": request.student_id},
                "applicationName": request.application_name}
        payload = self.call("POST", "/api/external/assignments", body=body, headers=self._headers())
        wire = self.parse(EdulasticAssignment, payload, "the assignment")
        credentials = (ExternalCredentials(email=wire.credentials.email, password=wire.credentials.password)
                       if wire.credentials else None)
        return Assigned(assignment_id=wire.assignment_id, class_id=wire.class_id, test_id=wire.test_id,
                        test_url=wire.test_url, credentials=credentials, status=wire.status)

    def fetch_results(self, assignment: ExternalAssignment) -> ProviderResults:
        query = urlencode({"classId": assignment.class_id or "", "studentEmail": assignment.student_email})
        path = f"/api/external/assignments/{quote(assignment.assignment_id or '', safe='')}/results?{query}"
        wire = self.parse(EdulasticResults, self.call("GET", path, headers=self._headers()), "the results")
        questions = [ExternalQuestion(id=q.id, index=q.index, title=q.title, url=q.url,
                                      difficulty=q.difficulty, answered=q.answered, correct=q.correct,
                                      score=q.score, max_score=q.max_score, feedback=q.feedback,
                                      response=q.response)
                     for q in sorted(wire.questions, key=lambda q: q.index)]
        return ProviderResults(status=wire.status, score_status=score_status(wire), questions=questions,
                               score=wire.score)
