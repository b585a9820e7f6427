"""A course's exams by number and type (the `read_special_exams` act): which exams are special (timed,
proctored, practice), who may see them, and an exam by its number. Open edX's routes call it.

Special exams are our timed, proctored and practice exams (standard exams are not listed and not found).
Rights follow Open edX's instructor dashboard: anyone without the needed right in the course, a student or
another course's staff alike, is refused with 403; an exam that is not this course's special exam is a 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from functions.core import acts, numeric_ids
from functions.core.errors import Forbidden, InvalidInput, NotFound
from functions.core.models import Exam, ExamType
from functions.core.numeric_ids import Kind
from functions.core.ports import ExamStore
from functions.core.rights import Access, Right
from functions.core.special_exam_ports import Aliases, CourseLists

SPECIAL = (ExamType.TIMED, ExamType.PROCTORED, ExamType.PRACTICE)
MAX_COURSE_ID = 256  # longer ids cannot be ours (authoring allows 128): refused before any read


def is_special(exam: Exam) -> bool:
    return exam.type in SPECIAL


def exam_type(text: str) -> ExamType:
    try:
        kind = ExamType(text)
    except ValueError:
        kind = ExamType.STANDARD
    if kind not in SPECIAL:
        allowed = ", ".join(t.value for t in SPECIAL)
        raise InvalidInput(f"exam_type must be one of {allowed}; got {text[:40]!r}", field="exam_type")
    return kind


@dataclass
class CourseScope:
    """The checks every Open edX route starts with: rights in the course, then the exam the path names."""

    access: Access
    exams: ExamStore
    aliases: Aliases
    now: datetime

    @property
    def subject(self) -> str:
        return self.access.principal.subject

    def require(self, course_id: str, right: Right, doing: str) -> None:
        held = self.access.rights_in(course_id) if len(course_id) <= MAX_COURSE_ID else frozenset()
        if right not in held:
            raise Forbidden(f"you may not {doing} in course '{course_id[:MAX_COURSE_ID]}' "
                            f"(it needs the '{right.value}' right there)")

    def exam(self, course_id: str, exam_ref: str) -> Exam:
        """The special exam numbered ``exam_ref`` in ``course_id``; anything else is a 404 naming it."""
        number = numeric_ids.parse(exam_ref)
        missing = NotFound(f"exam {exam_ref[:40]} not found in course '{course_id[:MAX_COURSE_ID]}'",
                           field="exam_id")
        target = self.aliases.target(Kind.EXAM, number) if number is not None else None
        exam = self.exams.get_exam(target) if target is not None else None
        if exam is None or exam.course_id != course_id or not is_special(exam):
            raise missing
        return exam


@dataclass
class SpecialExamService:
    scope: CourseScope
    lists: CourseLists

    def special_exams(self, course_id: str, type_filter: str | None) -> list[Exam]:
        self.scope.require(course_id, acts.right("read_special_exams"), "see special exams")
        wanted = exam_type(type_filter) if type_filter is not None else None
        return [e for e in self.lists.course_exams(course_id)
                if is_special(e) and (wanted is None or e.type is wanted)]

    def get(self, course_id: str, exam_ref: str) -> Exam:
        self.scope.require(course_id, acts.right("read_special_exams"), "see special exams")
        return self.scope.exam(course_id, exam_ref)
