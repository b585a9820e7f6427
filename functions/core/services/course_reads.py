"""Reading a course and its exams (the `read_course` act): who may see what, and whether an exam is locked
for the caller. Canvas's course and quiz routes call it; shapes are theirs (functions/api/canvas/render.py).

The act's rights (any of course:view, exam:author, exam:take) come from the catalogue; students (``exam:take``)
see the quizzes visible to students (``content.visible_to_students``) and whether each is locked for them (the
exam's window, lifted by their own extension's unlock); staff (course:view or exam:author) see every quiz and
never a lock. Anyone with no right in the course gets 404 whether or not it exists, so a number reveals
nothing; a member holding none of the act's rights, 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from functions.core import acts, timing
from functions.core.content import visible_to_students
from functions.core.errors import Forbidden, NotFound
from functions.core.models import Course, Enrollment, Exam, Extension
from functions.core.rights import Access, Directory
from functions.core.services.authoring_exams import STAFF_READ


class CourseDirectory(Directory, Protocol):
    def get_course(self, course_id: str) -> Course | None: ...


class QuizStore(Protocol):
    def get_exam(self, exam_id: str) -> Exam | None: ...

    def list_exams(self, course_id: str, limit: int, token: str | None) -> tuple[list[Exam], str | None]: ...

    def get_extension(self, exam_id: str, user_id: str) -> Extension | None: ...

    def user_extensions(self, user_id: str, exam_ids: list[str]) -> dict[str, Extension]: ...


@dataclass(frozen=True)
class CourseView:
    course: Course
    staff: bool
    enrollment: Enrollment | None  # the caller's own, when the caller is an enrolled user


@dataclass(frozen=True)
class QuizView:
    exam: Exam
    staff: bool
    locked: bool  # for the caller: a student outside the window and not unlocked


@dataclass
class QuizCatalog:
    people: CourseDirectory  # a per-request memo (MemoDirectory): the rights check and the view share one read
    store: QuizStore
    access: Access
    now: datetime

    def course(self, course_id: str) -> CourseView:
        staff = self._staff(course_id)
        course = self._course(course_id, staff)
        user_id = self.access.principal.user_id
        enrollment = self.people.get_enrollment(course_id, user_id) if user_id else None
        return CourseView(course, staff, enrollment if enrollment and enrollment.active else None)

    def quizzes(self, course_id: str, limit: int, token: str | None) -> tuple[list[QuizView], str | None]:
        """One page of the course's quizzes (one Query of ``limit``): a student's page leaves out the quizzes
        hidden from students after the read, so it may be shorter than ``limit``."""
        staff = self._staff(course_id)
        self._course(course_id, staff)
        exams, next_token = self.store.list_exams(course_id, limit, token)
        if not staff:
            exams = [e for e in exams if visible_to_students(e, self.now)]
        return self._views(exams, staff, page=True), next_token

    def quiz(self, course_id: str, quiz_id: str) -> QuizView:
        staff = self._staff(course_id)
        if not staff:
            self._course(course_id, staff)  # an inactive course is closed to students (the read_course act)
        exam = self.store.get_exam(quiz_id)
        if exam is None or exam.course_id != course_id or not (staff or visible_to_students(exam, self.now)):
            raise NotFound(f"quiz '{quiz_id}' not found in course '{course_id}'")
        return self._views([exam], staff, page=False)[0]

    # ------------------------------------------------------------------------------------------------
    def _staff(self, course_id: str) -> bool:
        """The read_course act (core/acts.py): a caller with no rights in the course gets the same 404 as
        through every other door (nothing confirmed)."""
        rights = self.access.rights_in(course_id)
        if not rights:
            raise NotFound("not found, or not visible to you")
        allowing = acts.rights("read_course")
        if not rights & set(allowing):
            raise Forbidden("this needs the " + " or ".join(repr(r.value) for r in allowing)
                            + " right in the course")
        return bool(rights & STAFF_READ)  # staff: may view the course or author it

    def _course(self, course_id: str, staff: bool) -> Course:
        course = self.people.get_course(course_id)
        if course is None or not (course.active or staff):  # an inactive course is closed to students
            raise NotFound(f"course '{course_id}' not found")
        return course

    def _views(self, exams: list[Exam], staff: bool, *, page: bool) -> list[QuizView]:
        """A student's locks need their own extensions (an unlock lifts the window): one read for a quiz,
        one batch for a page; none for staff, an integration key or an empty page."""
        user_id = self.access.principal.user_id
        extensions: dict[str, Extension] = {}
        if not staff and user_id and exams:
            if not page:
                found = self.store.get_extension(exams[0].id, user_id)
                extensions = {exams[0].id: found} if found else {}
            else:
                extensions = self.store.user_extensions(user_id, [e.id for e in exams])
        return [QuizView(e, staff, not staff and not timing.window_open(e, extensions.get(e.id), self.now))
                for e in exams]
