"""The data set the authorization matrix runs on (moto), built once per module through factories and real
route calls, with distinctive names so a leak is a plain substring search.

Course ALPHA (the course every matrix request is about): OLIVE (the student whose objects are targeted),
PERCY (another student of it), a teaching assistant, an instructor, custom-role members. Course BETA: its own
instructor, student BIANCA and exam (what must never show up in an answer about ALPHA).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from functions.core.models import Role
from functions.core.numeric_ids import Kind, number
from functions.core.rights import ALL_RIGHTS, Right
from functions.data.writers import seed
from tests.conftest import call

TABLE = "examdesk-test"
ALPHA, BETA = "mx-alpha", "mx-beta"
ALPHA_TITLE, BETA_TITLE = "Alphaville Advanced Algebra", "Betatown Botany"
OLIVE, PERCY, BIANCA = "mx-olive", "mx-percy", "mx-bianca"
CREDENTIAL = "mx-credential"  # an integration credential issued for ALPHA (the credential routes' object)
TA, INSTRUCTOR, BETA_INSTRUCTOR, ADMIN = "mx-theo-ta", "mx-irene-instructor", "mx-oscar-beta", "mx-ada-admin"
NAMES = {OLIVE: "Olive Ownerton", PERCY: "Percy Peerage", BIANCA: "Bianca Elsewhere", TA: "Theo Tutorsson",
         INSTRUCTOR: "Irene Instructorova", BETA_INSTRUCTOR: "Oscar Otherfield", ADMIN: "Ada Administratrix"}


def email(uid: str) -> str:
    return f"{uid.removeprefix('mx-')}.mail@mx-school.test"


# Exams of ALPHA: LIVE (Olive's attempt in progress), DONE (submitted, retakable), FRESH (no instance: begin),
# GONE (Olive's instance reset: restore). BETA's exam has Bianca's attempt.
LIVE, DONE, FRESH, GONE, BETA_EXAM = "mx-alpha-live", "mx-alpha-done", "mx-alpha-fresh", "mx-alpha-gone", "mx-beta-x"
EXAM_TITLES = {LIVE: "Alpha Live Midterm", DONE: "Alpha Done Quiz", FRESH: "Alpha Fresh Exam",
               GONE: "Alpha Gone Exam", BETA_EXAM: "Beta Botany Final"}
OBJECTIVE = "mx-alpha-obj"
ITEMS = [f"mx-alpha-item-{n}" for n in range(3)]
BETA_ITEMS = ["mx-beta-item-0"]
LESSON, BETA_LESSON = "mx-alpha-placement", "mx-beta-placement"
CUSTOM_ROLE = "mx-custom-role"  # a custom role that the update_role row changes


def custom_user(lacks: tuple[Right, ...]) -> str:
    """The member of ALPHA whose custom role holds every right but ``lacks``."""
    return "mx-custom-" + ("-".join(sorted(r.name.lower() for r in lacks)) or "all")


def custom_role(lacks: tuple[Right, ...]) -> str:
    return "mx-role-" + ("-".join(sorted(r.name.lower() for r in lacks)) or "all")


def exam_number(exam_id: str) -> str:
    return str(number(Kind.EXAM, exam_id))


@dataclass
class World:
    sessions: dict[str, str] = field(default_factory=dict)  # "<user>@<exam>" -> session id
    reset_id: str = ""
    reset_event: str = ""  # the audit event of Olive's reset (restorable from it)
    snapshot: Any = None

    def session(self, user: str, exam: str) -> str:
        return self.sessions[f"{user}@{exam}"]

    def restore(self) -> None:
        """Put the table back as built (moto's in-memory items), so every cell starts from the same state."""
        table = _moto_table()
        table.items = copy.deepcopy(self.snapshot)


def _moto_table() -> Any:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].tables[TABLE]


def _ok(answer: Any, what: str) -> Any:
    assert answer.status < 300, f"building the matrix world: {what}: {answer.status} {answer.body}"
    return answer.body


def _exam(eid: str, course: str, items: list[str], **fields: Any) -> None:
    from functions.core.models import Exam
    from functions.data.aliases import AliasRepository
    from tests.factories import NOW

    seed("exam", Exam(
        id=eid, course_id=course, title=EXAM_TITLES[eid], type="timed", time_limit_minutes=60, item_pool=items,
        opens_at=NOW - timedelta(days=1), closes_at=NOW + timedelta(days=7), **fields))
    AliasRepository().ensure(Kind.EXAM, eid)


def build(lacks_sets: set[tuple[Right, ...]]) -> World:
    from functions.core.models import User
    from functions.data.aliases import AliasRepository
    from tests import factories as f

    aliases, world = AliasRepository(), World()
    seed("course", f.Course(id=ALPHA, title=ALPHA_TITLE))
    seed("course", f.Course(id=BETA, title=BETA_TITLE))
    for uid, name in NAMES.items():
        seed("user", User(id=uid, username=uid, email=email(uid), name=name, admin=uid == ADMIN))
        aliases.ensure(Kind.USER, uid)
    for uid, role in ((OLIVE, "student"), (PERCY, "student"), (TA, "teaching_assistant"),
                      (INSTRUCTOR, "instructor")):
        f.enroll(ALPHA, uid, role)
    f.enroll(BETA, BETA_INSTRUCTOR, "instructor")
    f.enroll(BETA, BIANCA, "student")
    seed("role", Role(id=CUSTOM_ROLE, name="Matrix Custom", rights=[Right.VIEW_COURSE]))
    for lacks in lacks_sets:
        rights = [r for r in ALL_RIGHTS if r not in lacks]
        seed("role", Role(id=custom_role(lacks), name=f"All but {lacks}", rights=rights))
        uid = custom_user(lacks)
        seed("user", User(id=uid, username=uid, email=email(uid), name=uid))
        f.enroll(ALPHA, uid, custom_role(lacks))

    f.objective(OBJECTIVE, ALPHA)
    for iid in ITEMS:
        f.item(iid, ALPHA, objective=OBJECTIVE)
    f.item(BETA_ITEMS[0], BETA)
    for eid in (LIVE, DONE, FRESH, GONE):
        _exam(eid, ALPHA, ITEMS, retakable=True, max_attempts=3)
    _exam(BETA_EXAM, BETA, BETA_ITEMS)

    def start(user: str, exam: str) -> str:
        body = _ok(call("examspark_start_session", {"examConfigId": exam}, as_user=user, body={"user_id": user}),
                   f"{user} starts {exam}")
        world.sessions[f"{user}@{exam}"] = sid = body["examSession"]["id"]
        return sid

    for user in (OLIVE, PERCY):
        start(user, LIVE)
        start(user, GONE)
        sid = start(user, DONE)
        answers = [{"itemId": iid, "questions": [{"id": f"{iid}-q", "response": {"options": [{"index": 2}]}}]}
                   for iid in ITEMS]
        _ok(call("examspark_set_responses", {"sessionId": sid}, as_user=user,
                 body={"submitForScoring": True, "responses": answers}), f"{user} submits {DONE}")
    start(BIANCA, BETA_EXAM)
    # Allowances (Open edX) / extensions (Canvas): Olive and Percy on LIVE, Bianca on BETA's exam.
    for course, exam, users, by in ((ALPHA, LIVE, [OLIVE, PERCY], INSTRUCTOR), (BETA, BETA_EXAM, [BIANCA],
                                                                                   BETA_INSTRUCTOR)):
        _ok(call("openedx_grant_allowance", {"course_id": course, "exam_id": exam_number(exam)}, as_user=by,
                 body={"user_ids": users, "allowance_type": "additional_time_granted", "value": "15"}),
            f"allowance on {exam}")
    # A LearningStudio reset of Olive's GONE instance (restorable), and Percy's too.
    for user in (OLIVE, PERCY):
        _ok(call("learningstudio_reset_exam", {"userId": user, "courseId": ALPHA, "examId": GONE},
                 as_user=INSTRUCTOR), f"reset {user}'s {GONE}")
    resets = _ok(call("learningstudio_list_exam_resets", {"courseId": ALPHA, "examId": GONE}, as_user=INSTRUCTOR),
                 "list resets")
    world.reset_id = next(r["id"] for r in resets["resets"] if r["userId"] == OLIVE)
    events = _ok(call("list_audit_events", {"courseId": ALPHA}, as_user=INSTRUCTOR,
                      query={"action": ["session.remove"]}), "list audit events")
    world.reset_event = next(e["id"] for e in events["items"] if world.session(OLIVE, GONE) in e["objectIds"])
    _ok(call("create_credential", as_user=ADMIN, body={"id": CREDENTIAL, "kind": "basic", "name": "Matrix key",
                                                       "courses": [ALPHA], "rights": ["course:view"]}),
        "issue a credential")
    # PowerPath: a placement lesson in each course, Olive's assignment on ALPHA's.
    f.lesson(LESSON, ALPHA, "placement", "edulastic", "Math", 2, "edu-mx-math-3q")
    f.lesson(BETA_LESSON, BETA, "placement", "edulastic", "Math", 3, "edu-mx-beta-3q")
    f.subject_track("Math", 2, ALPHA)
    for user, lesson in ((OLIVE, LESSON), (PERCY, LESSON), (BIANCA, BETA_LESSON)):
        _ok(call("powerpath_make_assignment", as_user=user, body={"student": user, "lesson": lesson}),
            f"assign {lesson} to {user}")
    world.snapshot = copy.deepcopy(_moto_table().items)
    return world


@contextmanager
def moto_world(lacks_sets: set[tuple[Right, ...]]) -> Iterator[World]:
    """moto + fake providers for the whole module; the world built once."""
    import pytest
    from moto import mock_aws

    from functions.data import dynamo, keys
    from functions.providers import config, registry
    from infra.local.fake_providers import EDULASTIC_TOKEN, MASTERYTRACK_API_KEY, FakeEdulastic, FakeMasteryTrack

    edulastic, mastery = FakeEdulastic().start(), FakeMasteryTrack(webhook_secret="mx-webhook-secret").start()
    with pytest.MonkeyPatch.context() as patch, mock_aws():
        for name, value in {config.EDULASTIC_URL: edulastic.url, config.EDULASTIC_TOKEN: EDULASTIC_TOKEN,
                            config.MASTERYTRACK_URL: mastery.url, config.MASTERYTRACK_API_KEY: MASTERYTRACK_API_KEY,
                            config.MASTERYTRACK_WEBHOOK_SECRET: "mx-webhook-secret",
                            config.PROVIDER_TIMEOUT: "1.5", config.PROVIDER_ATTEMPTS: "1"}.items():
            patch.setenv(name, value)
        registry.reset()
        dynamo.client.cache_clear()
        dynamo.client().create_table(**keys.table_definition(TABLE))
        try:
            yield build(lacks_sets)
        finally:
            dynamo.client.cache_clear()
            registry.reset()
            edulastic.stop()
            mastery.stop()
