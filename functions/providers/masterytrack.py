"""MasteryTrack adapter, after the published client ``timeback-masterytrack`` 0.4.0 (read, not a dependency):

- ``POST /authorizer`` with header ``x-api-key`` and ``{"email"}`` answers ``{"success": true, "jwt"}``;
  the JWT goes in ``X-Auth-Token: Bearer <jwt>`` (not ``Authorization``), is reused for 50 minutes and
  fetched again once when a call answers 401.
- ``POST /delivery/assignments/assign`` takes ``student_email`` and ``timeback_id`` (or ``subject`` with an
  optional ``grade_rank`` 0..12), plus ``assessment_line_item_sourced_id`` and
  ``assessment_result_sourced_id`` (together) naming where results are written back; it answers
  ``{"success", "data": {"assignment": {"id", "test_url", "test_name", "status", ...}, "message"}}``.

MasteryTrack has no results endpoint: results arrive by write-back (``read_writeback``; the signed format
we accept is in docs/powerpath.md), and ``fetch_results`` turns the stored write-back into results.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from functions.core.errors import InvalidInput, ProviderFailed, TooLarge, Unauthenticated, Unavailable
from functions.core.external_tests import (
    MASTERY_TRACK,
    MASTERYTRACK_GRADES,
    Assigned,
    AssignRequest,
    ProviderResults,
    ScoreStatus,
    has_news,
)
from functions.core.models import ExternalAssignment, ExternalQuestion
from functions.providers import config
from functions.providers.base import Provider

TOKEN_TTL = 50 * 60
SIGNATURE_HEADER, TIMESTAMP_HEADER = "x-masterytrack-signature", "x-masterytrack-timestamp"
SIGNATURE_TOLERANCE = 300  # seconds either side of our clock: an old signed body cannot be replayed later
# A write-back is kept on its assignment twice: as received, and as the imported questions (each filled out
# with defaults). 2 x 128 KiB, plus at most ~55 KB of those defaults (500 questions), plus the rest of the
# assignment (~4 KB) stays near 320 KB, under DynamoDB's 400 KB per item with room to spare; 500 questions of a
# realistic ~200 bytes are ~100 KB. A larger body is refused (413) before its signature is even read.
MAX_WRITEBACK_BYTES = 128 * 1024
EARLIEST_SCORE_DATE = datetime(2000, 1, 1, tzinfo=UTC)
ScoreStatusWord = Literal["exempt", "fully graded", "not submitted", "partially graded", "submitted"]


class _Wire(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore", coerce_numbers_to_str=True)


class MasteryTrackAssignment(_Wire):
    id: str = Field(min_length=1)
    test_url: str
    test_name: str = ""
    status: str = "assigned"


class MasteryTrackAssignData(_Wire):
    assignment: MasteryTrackAssignment
    message: str = ""


class MasteryTrackAssignResponse(_Wire):
    success: bool = True
    data: MasteryTrackAssignData


class WritebackQuestion(_Wire):
    id: str = Field(min_length=1, max_length=256)
    index: int = Field(ge=0, le=99_999)
    title: str = Field(default="", max_length=2000)
    url: str = Field(default="", max_length=2048)
    difficulty: Literal["easy", "medium", "hard"] = "medium"
    answered: bool = True
    correct: bool | None = None
    score: float | None = Field(default=None, ge=0, le=1_000_000)  # bounded: DynamoDB numbers are too
    max_score: float = Field(default=1, alias="maxScore", gt=0, le=1_000_000)
    feedback: str = Field(default="", max_length=5000)
    response: str | list[str] | None = None


class Writeback(_Wire):
    """What we accept (docs/powerpath.md); unknown fields are ignored, so MasteryTrack may add some."""

    assessment_result_sourced_id: str = Field(alias="assessmentResultSourcedId", min_length=1, max_length=400)
    assessment_line_item_sourced_id: str = Field(alias="assessmentLineItemSourcedId", min_length=1,
                                                 max_length=200)
    assignment_id: str = Field(alias="assignmentId", min_length=1, max_length=100)
    student_email: str = Field(alias="studentEmail", min_length=3, max_length=320)
    score_status: ScoreStatusWord = Field(alias="scoreStatus")
    score: float | None = Field(default=None, ge=0, le=100)
    score_date: AwareDatetime | None = Field(
        default=None, alias="scoreDate",
        description="when MasteryTrack scored it (ISO 8601 with a zone): orders write-backs of one result")
    date_last_modified: AwareDatetime | None = Field(
        default=None, alias="dateLastModified",
        description="OneRoster's version time of the result: orders write-backs before scoreDate when given")
    questions: list[WritebackQuestion] = Field(default_factory=list, max_length=500)


@dataclass(frozen=True)
class SignedWriteback:
    """A write-back whose signature held: what is stored, and where it stands among the result's others."""

    writeback: Writeback
    payload: dict[str, Any]  # as stored on the assignment
    order: str  # its dateLastModified, else scoreDate, else signing time; then its signing time: later sorts higher
    digest: str  # of its content: the same result sent again is recognized

    @property
    def result_id(self) -> str:
        return self.writeback.assessment_result_sourced_id


def _utc(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")  # fixed width: compared as strings


def sign(secret: str, raw: bytes, timestamp: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + raw, hashlib.sha256).hexdigest()


def verify_signature(secret: str, raw: bytes, timestamp: str | None, signature: str | None,
                     now: datetime) -> None:
    if not timestamp or not signature:
        raise Unauthenticated(f"the write-back must carry {TIMESTAMP_HEADER} and {SIGNATURE_HEADER}")
    if not timestamp.isdigit() or abs(now.timestamp() - int(timestamp)) > SIGNATURE_TOLERANCE:
        raise Unauthenticated(f"{TIMESTAMP_HEADER} is not a time within {SIGNATURE_TOLERANCE}s of now")
    if not hmac.compare_digest(sign(secret, raw, timestamp), signature.strip()):
        raise Unauthenticated("the write-back's signature does not match its body")


def read_writeback(raw: bytes, headers: dict[str, str], now: datetime) -> SignedWriteback:
    """Refuse an oversize body (413), authenticate (401) before reading anything, then parse (400 naming the
    field)."""
    if len(raw) > MAX_WRITEBACK_BYTES:
        raise TooLarge(f"the write-back is {len(raw):,} bytes; at most {MAX_WRITEBACK_BYTES:,} bytes (128 KiB) "
                       "are accepted", field="body")
    try:
        secret = config.secret(config.MASTERYTRACK_WEBHOOK_SECRET)
    except Exception as error:
        raise Unavailable(f"the write-back secret could not be read: {type(error).__name__}") from None
    if not secret:
        raise Unavailable("MasteryTrack write-back is not configured on this deployment")
    timestamp = headers.get(TIMESTAMP_HEADER) or ""
    verify_signature(secret, raw, timestamp, headers.get(SIGNATURE_HEADER), now)
    try:
        payload = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise InvalidInput("the request body is not valid JSON", field="body") from None
    try:
        writeback = Writeback.model_validate(payload)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "body"
        raise InvalidInput(f"{where}: {first.get('msg', 'invalid')}", field=where) from None
    signed_at = datetime.fromtimestamp(int(timestamp), UTC)
    for name, at in (("dateLastModified", writeback.date_last_modified), ("scoreDate", writeback.score_date)):
        if at is not None and not EARLIEST_SCORE_DATE <= at <= now + timedelta(seconds=SIGNATURE_TOLERANCE):
            # a time in the future would outrank every later write-back of the result
            raise InvalidInput(f"{name} must be a time since 2000 and not in the future", field=name)
    version_at = writeback.date_last_modified or writeback.score_date or signed_at
    stored = writeback.model_dump(mode="json", by_alias=True, exclude_none=True)
    digest = hashlib.sha256(json.dumps(stored, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
    return SignedWriteback(writeback, stored, f"{_utc(version_at)}|{_utc(signed_at)}", digest)


class MasteryTrack(Provider):
    name = MASTERY_TRACK

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._token: tuple[str, float] | None = None
        self._lock = threading.Lock()

    def _jwt(self, fresh: bool = False) -> str:
        with self._lock:
            if not fresh and self._token and self._token[1] > time.monotonic():
                return self._token[0]
            email = config.provider_settings().masterytrack_email
            payload = self.call("POST", "/authorizer", body={"email": email},
                                headers={"x-api-key": self.secret(config.MASTERYTRACK_API_KEY)})
            if not isinstance(payload, dict) or payload.get("success") is not True \
                    or not isinstance(payload.get("jwt"), str):
                raise ProviderFailed("mastery-track authorizer answered with an invalid response")
            self._token = (payload["jwt"], time.monotonic() + TOKEN_TTL)
            return self._token[0]

    def _authorized(self, method: str, path: str, body: Any) -> Any:
        try:
            return self.call(method, path, body=body, headers={"X-Auth-Token": f"Bearer {self._jwt()}"})
        except ProviderFailed as error:
            if (error.details or {}).get("status") != 401:
                raise
        return self.call(method, path, body=body, headers={"X-Auth-Token": f"Bearer {self._jwt(fresh=True)}"})

    def assign(self, request: AssignRequest) -> Assigned:
        body: dict[str, Any] = {"student_email": request.student_email,
                                "assessment_line_item_sourced_id": request.lesson_id,
                                "assessment_result_sourced_id": request.result_id}
        if request.test_id:
            body["timeback_id"] = request.test_id
        else:
            body["subject"] = request.subject
            if request.grade in MASTERYTRACK_GRADES:
                body["grade_rank"] = request.grade
        answer = self._authorized("POST", "/delivery/assignments/assign", body)
        wire = self.parse(MasteryTrackAssignResponse, answer, "the assignment")
        if not wire.success:
            raise ProviderFailed(f"mastery-track refused the assignment: {wire.data.message or 'no message'}")
        assignment = wire.data.assignment
        return Assigned(assignment_id=assignment.id, test_url=assignment.test_url,
                        test_id=request.test_id or assignment.test_name or None, status=assignment.status)

    def fetch_results(self, assignment: ExternalAssignment) -> ProviderResults | None:
        if assignment.writeback is None or not has_news(assignment):
            return None
        wire = self.parse(Writeback, assignment.writeback, "the write-back")
        questions = [ExternalQuestion(id=q.id, index=q.index, title=q.title, url=q.url,
                                      difficulty=q.difficulty, answered=q.answered, correct=q.correct,
                                      score=q.score, max_score=q.max_score, feedback=q.feedback,
                                      response=q.response)
                     for q in sorted(wire.questions, key=lambda q: q.index)]
        return ProviderResults(status="results written back", score_status=ScoreStatus(wire.score_status),
                               questions=questions, score=wire.score, processed_seq=assignment.writeback_seq)
