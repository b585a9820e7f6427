"""PUT /authoring/courses/{courseId}/enrollments/{userId}"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from functions.api.authoring.bodies import EnrollmentPut
from functions.api.authoring.params import PathId, UserPathId
from functions.api.authoring.render import EnrollmentOut, out
from functions.platform.http import RouteApp
from functions.wiring import authoring

app = RouteApp("put_enrollment")


@app
def put_enrollment(
    courseId: PathId,
    userId: UserPathId,
    body: Annotated[EnrollmentPut, Body()],
) -> EnrollmentOut:
    """Enroll an existing user with an existing role, or change it (the course:admin right in the course)."""
    return out(EnrollmentOut, authoring(app).put_enrollment(courseId, userId, body.given()))


lambda_handler = app.lambda_handler
