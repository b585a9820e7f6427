"""Query parameters shared by the PowerPath routes."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

Student = Annotated[str, Query(min_length=1, max_length=128, description="the student's user id")]
LessonId = Annotated[str, Query(min_length=1, max_length=128, description="the lesson's sourcedId")]
ApplicationName = Annotated[str | None, Query(alias="applicationName", max_length=128)]
