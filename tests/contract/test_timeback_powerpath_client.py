"""The real PowerPath client (PyPI timeback-powerpath 0.4.0), unmodified, configured only as its documentation
says (POWERPATH_BASE_URL, POWERPATH_TOKEN_URL, POWERPATH_CLIENT_ID, POWERPATH_CLIENT_SECRET), against the local
runner on DynamoDB Local: it fetches its own token (OAuth2 client credentials, HTTP Basic client authentication)
from the runner's token endpoint, then assigns an Edulastic placement test, imports its results once the student
has taken it, and reads the progress, every answer parsed by the client's own models."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
import requests

powerpath = pytest.importorskip("timeback_powerpath")  # a dev dependency on Python >= 3.12 (its own floor)

pytestmark = [pytest.mark.contract, pytest.mark.xdist_group("e2e")]

RUN = uuid.uuid4().hex[:8]
COURSE, STUDENT, LESSON = f"tb-{RUN}", f"tb-student-{RUN}", f"tb-placement-{RUN}"


def ok(answer: requests.Response, *statuses: int) -> Any:
    assert answer.status_code in (statuses or (200,)), answer.text
    return answer.json()


@pytest.fixture(scope="module")
def oauth_client(api) -> dict[str, Any]:
    """A course, a student, an Edulastic placement lesson (as ada and the course's instructor), and an OAuth
    client issued for that course with the rights PowerPath's routes need."""
    ok(api.request("POST", "/authoring/courses", as_user="ada", json={"id": COURSE, "title": COURSE}), 201)
    ok(api.request("POST", "/authoring/users", as_user="ada",
                   json={"id": STUDENT, "username": STUDENT, "email": f"{STUDENT}@example.edu", "name": STUDENT}),
       201)
    ok(api.request("PUT", f"/authoring/courses/{COURSE}/enrollments/{STUDENT}", as_user="ada",
                   json={"role": "student"}))
    ok(api.request("POST", "/powerpath/lessons", as_user="ada",
                   json={"sourcedId": LESSON, "courseId": COURSE, "title": LESSON, "lessonType": "placement",
                         "toolProvider": "edulastic", "subject": "Science", "grade": 9, "testId": "edu-tb-3q"}),
       201)
    return ok(api.request("POST", "/authoring/credentials", as_user="ada",
                          json={"kind": "oauth", "name": "Timeback PowerPath", "courses": [COURSE],
                                "rights": ["course:view", "attempt:manage"]}), 201)


def test_the_published_client_works_unmodified(api, oauth_client, monkeypatch):
    monkeypatch.setenv("POWERPATH_BASE_URL", api.base)
    monkeypatch.setenv("POWERPATH_TOKEN_URL", f"{api.base}/oauth2/token")
    monkeypatch.setenv("POWERPATH_CLIENT_ID", oauth_client["id"])
    monkeypatch.setenv("POWERPATH_CLIENT_SECRET", oauth_client["secret"])

    async def run() -> tuple[Any, Any, Any]:
        async with powerpath.PowerPathClient() as client:
            assigned = await client.assessments.make_external_test_assignment({"student": STUDENT, "lesson": LESSON})
            # The student takes the test at the provider (the fake Edulastic behind testUrl) and answers it all.
            taken = requests.post(f"{assigned.test_url}/answers", json={"answers": [True, True, False]}, timeout=15)
            assert taken.status_code == 200 and taken.json()["status"] == "GRADED", taken.text
            imported = await client.assessments.import_external_test_assignment_results(
                {"student": STUDENT, "lesson": LESSON})
            progress = await client.assessments.get_assessment_progress({"student": STUDENT, "lesson": LESSON})
            return assigned, imported, progress

    assigned, imported, progress = asyncio.run(run())
    assert assigned.tool_provider == "edulastic" and assigned.lesson_type == "placement"
    assert assigned.credentials is not None and assigned.assignment_id
    assert imported.finalized is True and imported.assignment_id == assigned.assignment_id
    assert imported.lesson_id == LESSON
    dumped = progress.model_dump(by_alias=True)
    assert dumped["finalized"] is True and dumped["totalQuestions"] == 3 and dumped["correctQuestions"] == 2


def test_a_wrong_secret_fails_inside_the_client(api, oauth_client):
    async def run() -> None:
        async with powerpath.PowerPathClient(base_url=api.base, auth_url=f"{api.base}/oauth2/token",
                                             client_id=oauth_client["id"], client_secret="wrong") as client:
            await client.assessments.get_assessment_progress({"student": STUDENT, "lesson": LESSON})

    with pytest.raises(Exception, match=r"401.*invalid_client"):
        asyncio.run(run())
