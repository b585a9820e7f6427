"""PowerPath request bodies and response shapes (camelCase, PowerPath's field names). Route functions
return these models; Powertools validates and serializes them by alias and documents them in OpenAPI."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt
from pydantic.alias_generators import to_camel

from functions.core import content
from functions.core import external_tests as rules
from functions.core.models import ExternalAssignment, ExternalQuestion, Lesson, SubjectTrack

CAMEL = ConfigDict(alias_generator=to_camel, populate_by_name=True)
Id = Annotated[str, Field(pattern=content.ID_PATTERN, description=content.ID_DESCRIPTION)]
Short = Annotated[str, Field(min_length=1, max_length=128)]
Grade = Annotated[StrictInt, Field(ge=rules.GRADE_MIN, le=rules.GRADE_MAX, description="-1 (pre-K) .. 13")]


class Body(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


# --- requests --------------------------------------------------------------------------------------
class LessonCreate(Body):
    sourced_id: Id | None = Field(None, description="the lesson's id; a uuid4 is made when absent")
    course_id: Id
    title: Annotated[str, Field(min_length=1, max_length=200)]
    lesson_type: rules.LessonType
    tool_provider: Annotated[str, Field(pattern=r"^[a-z0-9-]{1,64}$")] | None = Field(
        None, description="edulastic or mastery-track for an external test (others are kept, not assignable)")
    subject: rules.Subject
    grade: Grade
    test_id: Short | None = Field(None, description="the provider's test id (MasteryTrack: timeback id)")

    def fields(self) -> dict[str, Any]:
        values = self.model_dump(exclude={"sourced_id"}, exclude_none=True)
        return {**values, "id": self.sourced_id} if self.sourced_id else values


class SubjectTrackPut(Body):
    course_id: Id


class MakeAssignment(Body):
    student: Short = Field(description="the student's user id")
    lesson: Short = Field(description="the lesson's sourcedId")
    application_name: Short | None = None
    test_id: Short | None = Field(None, description="overrides the lesson's test")
    skip_course_enrollment: StrictBool = False


# --- responses -------------------------------------------------------------------------------------
class LessonOut(BaseModel):
    model_config = CAMEL
    sourced_id: str
    course_id: str
    title: str
    lesson_type: str
    tool_provider: str | None
    subject: str
    grade: int
    test_id: str | None
    created_at: datetime | None
    created_by: str | None


def lesson_out(lesson: Lesson) -> LessonOut:
    return LessonOut(sourced_id=lesson.id, **lesson.model_dump(exclude={"id"}))


class SubjectTrackOut(BaseModel):
    model_config = CAMEL
    subject: str
    grade: int
    course_id: str
    version: int
    updated_at: datetime | None
    updated_by: str | None


def subject_track_out(track: SubjectTrack) -> SubjectTrackOut:
    return SubjectTrackOut(**track.model_dump())


class CredentialsOut(BaseModel):
    email: str
    password: str


class AssignmentOut(BaseModel):
    """makeExternalTestAssignment's answer."""

    model_config = CAMEL
    tool_provider: str
    lesson_type: str
    attempt: int
    credentials: CredentialsOut | None = None
    assignment_id: str | None = None
    class_id: str | None = None
    test_url: str | None = None
    test_id: str | None = None


def assignment_out(a: ExternalAssignment) -> AssignmentOut:
    credentials = CredentialsOut(**a.credentials.model_dump()) if a.credentials else None
    return AssignmentOut(tool_provider=a.tool_provider, lesson_type=a.lesson_type, attempt=a.attempt,
                         credentials=credentials, assignment_id=a.assignment_id, class_id=a.class_id,
                         test_url=a.test_url, test_id=a.test_id)


class ImportStatusOut(BaseModel):
    """examdesk's addition: where the import of this attempt stands (PowerPath's clients ignore fields they do
    not know, so the published shapes carry it as one more field)."""

    model_config = CAMEL
    imported_at: datetime | None
    last_tried_at: datetime | None
    next_try_at: datetime | None = Field(description="when the scheduled importer looks again (null: final or "
                                                     "parked)")
    failures: int = Field(description="consecutive import failures (the importer backs off, then parks it)")
    last_error: str | None = Field(description="why the last import failed (the provider's message, or why the "
                                               "store refused the results)")
    parked_at: datetime | None = Field(None, description="set when the importer gave up after repeated failures: "
                                                         "no further tries until an operator re-queues it or "
                                                         "MasteryTrack writes back again")


def import_status_out(a: ExternalAssignment) -> ImportStatusOut:
    return ImportStatusOut(imported_at=a.imported_at, last_tried_at=a.last_tried_at, next_try_at=a.next_try_at,
                           failures=a.failures, last_error=a.last_error, parked_at=a.parked_at)


class ImportOut(AssignmentOut):
    """importExternalTestAssignmentResults' answer."""

    lesson_id: str
    finalized: bool
    import_status: ImportStatusOut


def import_out(a: ExternalAssignment) -> ImportOut:
    return ImportOut(lesson_id=a.lesson_id, finalized=a.finalized, import_status=import_status_out(a),
                     **assignment_out(a).model_dump())


class QuestionResultOut(BaseModel):
    score: float
    feedback: str


class QuestionOut(BaseModel):
    model_config = CAMEL
    id: str
    index: int
    title: str
    url: str
    difficulty: Literal["easy", "medium", "hard"] | str
    answered: bool
    response: str | list[str] | None = None
    correct: bool | None = None
    max_score: float
    result: QuestionResultOut | None = Field(None, description="null until the question is graded")


def question_out(q: ExternalQuestion) -> QuestionOut:
    result = QuestionResultOut(score=q.score, feedback=q.feedback) if q.score is not None else None
    return QuestionOut(id=q.id, index=q.index, title=q.title, url=q.url, difficulty=q.difficulty,
                       answered=q.answered, response=q.response, correct=q.correct, max_score=q.max_score,
                       result=result)


class ProgressOut(BaseModel):
    """getAssessmentProgress' answer for an external test-out, placement or unit-test."""

    model_config = CAMEL
    lesson_type: str
    finalized: bool
    score: float | None = None
    score_status: str
    questions: list[QuestionOut]
    tool_provider: str
    enrollment_failed: bool | None = Field(None, description="placement / test-out only, once finalized")
    attempt: int
    accuracy: float = Field(description="percent of questions answered correctly")
    correct_questions: int
    total_questions: int
    import_status: ImportStatusOut


def progress_out(a: ExternalAssignment) -> ProgressOut:
    correct, total, accuracy = rules.tally(a.questions)
    enrollment_failed = None if a.enrollment is None else a.enrollment == "failed"
    status = import_status_out(a)
    return ProgressOut(lesson_type=a.lesson_type, finalized=a.finalized, score=a.score,
                       score_status=a.score_status, questions=[question_out(q) for q in a.questions],
                       tool_provider=a.tool_provider, enrollment_failed=enrollment_failed, attempt=a.attempt,
                       accuracy=accuracy, correct_questions=correct, total_questions=total,
                       import_status=status)


class WritebackOut(BaseModel):
    model_config = CAMEL
    received: bool = True
    assessment_result_sourced_id: str
    writebacks: int = Field(description="write-backs stored for this result so far")
    stored: bool = Field(True, description="false: this write-back changed nothing (see ignored)")
    ignored: Literal["duplicate", "older"] | None = Field(
        None, description="duplicate: the stored write-back has the same content (a replay, or sent again); "
                          "older: the stored one is later (dateLastModified or scoreDate, then signing time)")
