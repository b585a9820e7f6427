"""The Open edX special exam's response shape, apart from the other shapes (schemas.py): the two exam routes
build only this model at cold start, not the allowance and attempt models or their services' limits."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class Out(BaseModel):
    model_config = ConfigDict(extra="allow")


class SpecialExamOut(Out):
    id: int
    course_id: str
    content_id: str
    exam_name: str
    time_limit_mins: int
    due_date: datetime | None
    exam_type: str
    is_proctored: bool
    is_practice_exam: bool
    is_active: bool
    hide_after_due: bool
    backend: str | None
