"""Authoring for PowerPath: lessons (component resources) and subject tracks.

Who may do what: create a lesson -> AUTHOR in its course; read a lesson -> any right in its course (students
see the lessons they take); map (subject, grade) to a course -> AUTHOR in that course, and, when the
mapping pointed elsewhere, AUTHOR in the course it pointed to (nobody moves another course's track).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from functions.core import acts, content
from functions.core import external_tests as rules
from functions.core.changes import Saved, Work
from functions.core.errors import Forbidden, InvalidInput, NotFound
from functions.core.models import Lesson, SubjectTrack
from functions.core.ports import CourseDirectory, UnitOfWork
from functions.core.rights import Access
from functions.core.services.external_ports import LessonStore


@dataclass
class LessonService:
    lessons: LessonStore
    people: CourseDirectory
    unit: UnitOfWork
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
        self.unit.commit(Work("lesson.create", course_id, [Saved("lesson", lesson.id, None, lesson)],
                              conflict=f"lesson '{lesson.id}' already exists"))
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
        self.unit.commit(Work("subject-track.put", None, [Saved("subject-track", f"{subject}/{grade}", before, after)],
                              conflict="the subject track was changed meanwhile; reload and retry"))
        return after, before is None
