"""Open edX response and request shapes (../shared/specs/openedx-instructor-v2-special-exams.swagger.yaml).

Responses carry the spec's fields; where edX's v2 views answer more (per-user ``results`` of allowance
writes), those fields come too (docs/openedx.md). Request bodies ignore unknown fields, as edX's serializers
do; the fields they name are checked strictly (a non-boolean is a 400).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr

from functions.api.openedx.exam_schemas import Out, SpecialExamOut  # the exam routes import them from there
from functions.core import changes as unit_sizes
from functions.core.services.allowances import MAX_PAIRS

# additional_time_granted (minutes), time_multiplier (a number) or review_policy_exception (text), sent as text
# (the spec's string); each is checked against its own range once the type is known (core/allowances.py).
Value = StrictStr


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
# Only the spec's types are checked here (a wrong type or a missing field is a 400): every body its schemas
# allow reaches the service, whose refusals (an empty or too long user list, an unknown type, a value out of
# range) are the spec's own ``{success: false, message}`` answer (render.refused_write), not a 400.
# The bounds the service enforces (core/services/allowances.py max_pairs), stated from the same numbers: one
# request is one atomic write (core/changes.py fit). Not maxItems: a list over them is the spec's own refusal
# (200, success false), and a name listed twice counts once.
USERS = f"each user counted once: at most {MAX_PAIRS} (one atomic write)"
PAIRS = (f"exams x users, each counted once: at most {MAX_PAIRS} pairs on one exam; on n exams at most "
         f"({unit_sizes.TRANSACTION_ITEMS - unit_sizes.PER_UNIT_ITEMS} - "
         f"{'' if unit_sizes.PER_EXAM_ITEMS == 1 else f'{unit_sizes.PER_EXAM_ITEMS} x '}n) // "
         f"{unit_sizes.EXTENSION_SAVED_ITEMS} pairs (one atomic write: each pair an allowance and its history "
         f"copy, each exam its allowance counter)")


class AllowanceRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    user_ids: Annotated[list[StrictStr], Field(description=USERS)]
    allowance_type: StrictStr
    value: Value


class AllowanceDeleteRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    # usernames, emails or our numeric user ids (as text, the spec's string)
    user_ids: Annotated[list[StrictStr], Field(description=USERS)]
    allowance_type: StrictStr


class BulkAllowanceRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    exam_ids: Annotated[list[StrictInt], Field(description=PAIRS)]
    user_ids: Annotated[list[StrictStr], Field(description=PAIRS)]
    allowance_type: StrictStr
    value: Value


class ProctoringSettingsPatch(BaseModel):
    """The three writable fields; others (the read-only ``proctoring_provider`` too) are ignored, as edX's
    serializer ignores them."""

    model_config = ConfigDict(extra="ignore")
    proctoring_escalation_email: Annotated[StrictStr, Field(max_length=254)] | None = None
    create_zendesk_tickets: StrictBool | None = None
    enable_proctored_exams: StrictBool | None = None
