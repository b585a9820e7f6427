"""What the Canvas course and quiz reads need: exams by id and a course's exams a page at a time (gsi1), and a
student's own extensions on them (for ``locked_for_user``)."""

from __future__ import annotations

from functions.core.errors import InvalidInput
from functions.core.models import Exam, Extension
from functions.data import keys, tokens
from functions.data.exams import ExamRepository
from functions.data.store import Store, from_item


class QuizRepository:
    def __init__(self, store: Store | None = None) -> None:
        self.store = store or Store()
        self._exams = ExamRepository(self.store)

    def get_exam(self, exam_id: str) -> Exam | None:
        return self._exams.get_exam(exam_id)

    def list_exams(self, course_id: str, limit: int, token: str | None) -> tuple[list[Exam], str | None]:
        """One Query of gsi1 ``course#<course>`` / ``exam#`` (a continued page: +1 GetItem, the token's exam)."""
        if token:
            tokens.decode(token, field="page")  # a garbled token: 400 naming the parameter
        try:
            return self._exams.list_exams(course_id, limit, token)
        except InvalidInput as error:  # a well-formed token that names something outside this list
            raise InvalidInput(error.message.replace("nextToken", "page"), field="page") from None

    def get_extension(self, exam_id: str, user_id: str) -> Extension | None:
        return self.store.get_model(Extension, keys.extension_key(exam_id, user_id))

    def user_extensions(self, user_id: str, exam_ids: list[str]) -> dict[str, Extension]:
        """One student's extensions on a page of exams (one BatchGetItem: a page holds at most 100)."""
        found = self.store.batch_get([keys.extension_key(e, user_id) for e in exam_ids]) if exam_ids else []
        extensions = (from_item(Extension, item) for item in found)
        return {extension.exam_id: extension for extension in extensions}
