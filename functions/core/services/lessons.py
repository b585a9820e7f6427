"""Authoring for PowerPath: lessons (component resources) and subject tracks.

Who may do what: create a lesson -> AUTHOR in its course; read a lesson -> any right in its course (students
see the lessons they take); map (subject, grade) to a course -> AUTHOR in that course, and, when the
mapping pointed elsewhere, AUTHOR in the course it pointed to (nobody moves another course's track).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from functions.core import acts, audit, content
from functions.core import external_tests as rules
from functions.core.audit import Change
from functions.core.errors import Forbidden, InvalidInput, NotFound
from functions.core.models import Lesson, SubjectTrack
from functions.core.rights import Access
from functions.core.services.external_ports import People


class LessonAuthoringStore(Protocol):
    def create_lesson(self, lesson: Lesson, extra_ops: list[dict[str, Any]] | None = None) -> None: ...

    def get_lesson(self, lesson_id: str) -> Lesson | None: ...

    def get_subject_track(self, subject: str, grade: int) -> SubjectTrack | None: ...

    def put_subject_track(self, track: SubjectTrack, replaced: SubjectTrack | None,
                          extra_ops: list[dict[str, Any]] | None = None) -> None: ...


@dataclass
class LessonService:
    lessons: LessonAuthoringStore
    people: People
    access: Access
    now: datetime

    def create_lesson(self, fields: dict[str, Any]) -> Lesson:
        course_id = fields["course_id"]
        self.access.require(course_id, acts.right("manage_lessons"))
        if self.people.get_course(course_id) is None:
            raise NotFound(f"course '{course_id}' not found, or not visible to you")
        lesson = Lesson.model_validate({**fields, "id": content.new_id(fields.get("id")),
                                        "created_at": self.now, "created_by": self.access.principal.subject})
        rules.check_lesson(lesson)
        self.lessons.create_lesson(lesson, audit.ops(self.access, self.now, "lesson.create", course_id,
                                                     Change("lesson", lesson.id, None, lesson)))
        return lesson

    def get_lesson(self, lesson_id: str) -> Lesson:
        lesson = self.lessons.get_lesson(lesson_id)
        if lesson is None or not self.access.rights_in(lesson.course_id):
            raise NotFound(f"lesson '{lesson_id}' not found, or not visible to you")
        return lesson

    def put_subject_track(self, subject: str, grade: int, course_id: str) -> tuple[SubjectTrack, bool]:
        """Returns the track and whether it was created (False: replaced; the old one is kept as history)."""
        rules.check_subject_grade(subject, grade)
        self.access.require(course_id, acts.right("manage_lessons"))
        if self.people.get_course(course_id) is None:
            raise InvalidInput(f"course '{course_id}' does not exist", field="courseId")
        before = self.lessons.get_subject_track(subject, grade)
        if before is not None and before.course_id != course_id and not self.access.has(before.course_id,
                                                                                         acts.right("manage_lessons")):
            raise Forbidden(f"the {subject} grade {grade} track leads to another course; only that course's "
                            "authors may move it")
        if before is not None and before.course_id == course_id:
            return before, False  # already so: nothing to write
        after = SubjectTrack(subject=subject, grade=grade, course_id=course_id,
                             version=before.version + 1 if before else 1, updated_at=self.now,
                             updated_by=self.access.principal.subject)
        change = Change("subject-track", f"{subject}/{grade}", before, after)
        self.lessons.put_subject_track(after, before, audit.ops(self.access, self.now, "subject-track.put", None,
                                                                change))
        return after, before is None
