"""A course's proctoring settings (Open edX). Three fields are writable, as in edX's v2 API: the escalation
email, whether to create Zendesk tickets, and whether proctored exams are enabled. The provider is
read-only."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from functions.core import acts
from functions.core.changes import Saved, Work
from functions.core.errors import ConcurrentUpdate, InvalidInput, NotFound
from functions.core.ports import UnitOfWork
from functions.core.services.course_exams import CourseScope
from functions.core.special_exam_ports import ProctoringStore

WRITABLE = ("proctoring_escalation_email", "create_zendesk_tickets", "enable_proctored_exams")
READ_ONLY = ("proctoring_provider",)
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
MAX_EMAIL = 254


@dataclass(frozen=True)
class ProctoringSettings:
    proctoring_provider: str | None = None  # none configured: we run no proctoring backend
    proctoring_escalation_email: str | None = None
    create_zendesk_tickets: bool = True  # edX's default
    enable_proctored_exams: bool = False  # edX's default

    @classmethod
    def from_item(cls, item: dict[str, Any] | None) -> ProctoringSettings:
        item = item or {}
        return cls(
            proctoring_provider=item.get("proctoring_provider"),
            proctoring_escalation_email=item.get("proctoring_escalation_email"),
            create_zendesk_tickets=bool(item.get("create_zendesk_tickets", cls.create_zendesk_tickets)),
            enable_proctored_exams=bool(item.get("enable_proctored_exams", cls.enable_proctored_exams)),
        )


def checked_changes(changes: dict[str, Any]) -> dict[str, Any]:
    """The writable fields of a PATCH, checked; a read-only field is a 400 (nothing is written)."""
    for name in READ_ONLY:
        if name in changes:
            raise InvalidInput(f"{name} is read-only; writable fields: {', '.join(WRITABLE)}", field=name)
    out: dict[str, Any] = {}
    for name in ("create_zendesk_tickets", "enable_proctored_exams"):
        if name in changes:
            if not isinstance(changes[name], bool):
                raise InvalidInput(f"{name} must be true or false", field=name)
            out[name] = changes[name]
    if "proctoring_escalation_email" in changes:
        email = changes["proctoring_escalation_email"]
        if not isinstance(email, str):
            raise InvalidInput('proctoring_escalation_email must be an email address, or "" to clear it',
                               field="proctoring_escalation_email")
        email = email.strip()
        if email and (len(email) > MAX_EMAIL or not EMAIL.match(email)):
            raise InvalidInput(f"proctoring_escalation_email must be an email address of at most {MAX_EMAIL} "
                               f"characters, or empty to clear it; got {email[:60]!r}",
                               field="proctoring_escalation_email")
        out["proctoring_escalation_email"] = email or None
    return out


@dataclass
class ProctoringService:
    scope: CourseScope
    store: ProctoringStore
    unit: UnitOfWork

    def get(self, course_id: str) -> ProctoringSettings:
        self.scope.require(course_id, acts.right("read_special_exams"), "see proctoring settings")
        item = self.store.get_settings(course_id)
        if item is None and self.store.get_course(course_id) is None:
            raise NotFound(f"course '{course_id}' not found", field="course_id")
        return ProctoringSettings.from_item(item)

    def update(self, course_id: str, changes: dict[str, Any]) -> ProctoringSettings:
        self.scope.require(course_id, acts.right("change_settings"), "change proctoring settings")
        checked = checked_changes(changes)
        if self.store.get_course(course_id) is None:
            raise NotFound(f"course '{course_id}' not found", field="course_id")
        for try_number in (1, 2):  # a concurrent change: read again and apply once more
            before = self.store.get_settings(course_id, consistent=try_number > 1)
            if not checked:
                return ProctoringSettings.from_item(before)
            after = {**(before or {}), **checked}
            # Only the fields sent are set (data/proctoring.py), on the version read: two requests changing
            # different fields never undo each other.
            change = Saved("proctoring-settings", course_id, before, after,
                           extra={"fields": checked, "by": self.scope.subject, "at": self.scope.now})
            try:
                self.unit.commit(Work("proctoring.update", course_id, [change],
                                      conflict="the proctoring settings were changed meanwhile; retry"))
            except ConcurrentUpdate:
                if try_number == 2:
                    raise
                continue
            return ProctoringSettings.from_item(after)
        raise AssertionError("unreachable")
