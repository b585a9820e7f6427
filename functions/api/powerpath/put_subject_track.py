"""PUT /powerpath/subject-tracks/{subject}/{grade}"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body, Path

from functions.api.powerpath.schemas import SubjectTrackOut, SubjectTrackPut, subject_track_out
from functions.core.errors import InvalidInput
from functions.platform.http import RouteApp
from functions.wiring import lesson_service

app = RouteApp("powerpath_put_subject_track", errors=(400, 401, 403, 404, 409))


@app
def put_subject_track(
    subject: Annotated[str, Path(max_length=64, description="e.g. Math, Social%20Studies")],
    grade: Annotated[str, Path(max_length=3, description="-1 .. 13")],
    body: Annotated[SubjectTrackPut, Body()],
) -> SubjectTrackOut:
    """Map (subject, grade) to the course a placement or test-out import enrolls the student in. Needs
    exam:author in that course (and in the course it led to before); the replaced mapping is kept."""
    try:
        number = int(grade)
    except ValueError:
        raise InvalidInput(f"grade must be an integer -1..13; got '{grade}'", field="grade") from None
    track, _ = lesson_service(app).put_subject_track(subject, number, body.course_id)
    return subject_track_out(track)


lambda_handler = app.lambda_handler
