"""Open edX response and request shapes (../shared/specs/openedx-instructor-v2-special-exams.swagger.yaml).

Responses carry the spec's fields; where edX's v2 views answer more (per-user ``results`` of allowance
writes), those fields come too (docs/openedx.md). Request bodies ignore unknown fields, as edX's serializers
do; the fields they name are checked strictly (a non-boolean is a 400).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StrictStr

from functions.core.allowances import MAX_MINUTES, MAX_TEXT
from functions.core.numeric_ids import LARGEST
from functions.core.services.allowances import MAX_PAIRS
from functions.platform.request_limits import ID_BYTES, ID_BYTES_NOTE

Identifier = Annotated[StrictStr, Field(min_length=1, max_length=256,
                                        description=f"a username, email or user id; {ID_BYTES_NOTE}"), ID_BYTES]
# additional_time_granted (minutes), time_multiplier (a number) or review_policy_exception (text); each is
# checked against its own range once the type is known (core/allowances.py).
Value = (Annotated[StrictStr, Field(max_length=MAX_TEXT)] | Annotated[StrictInt, Field(ge=0, le=MAX_MINUTES)]
         | Annotated[StrictFloat, Field(ge=0, le=MAX_MINUTES)])
ExamNumber = Annotated[StrictInt, Field(ge=1, le=LARGEST)]
MAX_LIST = 50  # users (or exams) in one request: see core/services/allowances.py MAX_PAIRS


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


class UserOut(Out):
    id: int
    username: str
    email: str


class ExamAttemptOut(Out):
    id: int
    user: UserOut
    exam_id: int
    exam_name: str
    exam_type: str
    status: str
    start_time: datetime | None
    end_time: datetime | None
    allowed_time_limit_mins: int | None
    ready_to_resume: bool


class AttemptPageOut(Out):
    count: int
    next: str | None
    previous: str | None
    results: list[ExamAttemptOut]


class ExamAllowanceOut(Out):
    id: int
    modified: datetime | None
    user: UserOut
    key: str
    value: str
    proctored_exam: SpecialExamOut


class AllowancePageOut(Out):
    count: int
    next: str | None
    previous: str | None
    results: list[ExamAllowanceOut]


class ProctoringSettingsOut(Out):
    proctoring_provider: str | None
    proctoring_escalation_email: str | None
    create_zendesk_tickets: bool
    enable_proctored_exams: bool


class ResultOut(Out):
    success: bool
    message: str


class BulkOut(Out):
    successes: int
    failures: int
    data: list[dict[str, int | str]]


# --- requests ---------------------------------------------------------------------------------------
class AllowanceRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    user_ids: Annotated[list[Identifier], Field(min_length=1, max_length=MAX_LIST)]
    allowance_type: Annotated[StrictStr, Field(min_length=1, max_length=64)]
    value: Value


class AllowanceDeleteRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    user_ids: Annotated[list[Identifier | Annotated[StrictInt, Field(ge=1, le=LARGEST)]],
                        Field(min_length=1, max_length=MAX_LIST)]
    allowance_type: Annotated[StrictStr, Field(min_length=1, max_length=64)]


class BulkAllowanceRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    exam_ids: Annotated[list[ExamNumber], Field(min_length=1, max_length=MAX_LIST,
                                                description=f"exams x users: at most {MAX_PAIRS} pairs")]
    user_ids: Annotated[list[Identifier], Field(min_length=1, max_length=MAX_LIST,
                                                description=f"exams x users: at most {MAX_PAIRS} pairs")]
    allowance_type: Annotated[StrictStr, Field(min_length=1, max_length=64)]
    value: Value


class ProctoringSettingsPatch(BaseModel):
    """The three writable fields; ``proctoring_provider`` is read-only (a 400), other fields are ignored."""

    model_config = ConfigDict(extra="ignore")
    proctoring_escalation_email: Annotated[StrictStr, Field(max_length=254)] | None = None
    create_zendesk_tickets: StrictBool | None = None
    enable_proctored_exams: StrictBool | None = None
    proctoring_provider: Annotated[StrictStr, Field(max_length=64)] | None = Field(
        None, description="read-only: sending it is a 400")
