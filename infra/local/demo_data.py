"""The demo data set: the items, objectives and names of the ExamSpark seed's sample, plus people in
every role and a second course (for trying what is *not* visible).

Loading puts only what is absent, so restarting `make run` never undoes a change made through the API: every
write is conditional on the item not existing (a create, an enrollment), and what the API can remove or
replace (kevin's attempt, maria's allowance) is loaded once, under a marker item (keys.demo_marker_key)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from functools import partial

from functions.core.credentials import Credential, CredentialKind
from functions.core.errors import ConcurrentUpdate
from functions.core.models import (
    Course,
    Enrollment,
    Exam,
    ExamType,
    Extension,
    Item,
    Objective,
    Option,
    Question,
    User,
)
from functions.data import keys
from functions.data.directory import DirectoryRepository
from functions.data.exams import ExamRepository
from functions.data.store import NEW_ITEM
from functions.data.writers import seed
from functions.platform.auth import hash_secret

COURSE = "focus1f8-district"  # the seed's workspaceId
OTHER_COURSE = "riverside-high"
EXAM = "00722246-e417-475a-b1ae-994d65fd5cc2"  # the seed's examConfig id
DEMO_KEY, DEMO_SECRET = "demo-integration", "demo-secret-for-local-use-only"

OBJECTIVES = [
    ("92de756d-f455-595c-a2f6-18fb18c4461a", "explain that saving is an alternative to spending;", "2.11.B"),
    ("f10e8b11-7da6-568d-a6ea-d87b3bb35c83", "distinguish between a want and a need;", "2.11.A"),
    ("e5fac3cc-aa4c-5aaa-b5aa-178bcc60a366", "identify decisions involving income and spending;", "2.11.C"),
]

ITEMS = [
    ("b842bb5e-9957-403e-bc54-9a054b290158",
     "Cole earns $6.00 per week for his allowance. Which of the following items would he be able to buy ",
     "1CkpwzuRQSfg", [("wM7IvnjKcCCS", "<p>skateboard</p>"), ("6NiO4mi8zWln", "<p>new jacket</p>"),
                      ("fZosNqHDUhiG", "<p>cupcake</p>"), ("X3RTxQQFe2E3", "<p>bike</p>")], 2,
     "92de756d-f455-595c-a2f6-18fb18c4461a"),
    ("cdf02148-7888-4e4b-97ff-0003846baa4d", "Which of these is a need rather than a want?",
     "5Vkl1ZQLt3Io", [("q2o0", "<p>video game</p>"), ("q2o1", "<p>winter coat</p>"),
                      ("q2o2", "<p>candy</p>"), ("q2o3", "<p>toy car</p>")], 1,
     "f10e8b11-7da6-568d-a6ea-d87b3bb35c83"),
    ("993d673c-5c8d-43aa-99ea-8e417d1300dc", "Maya has $10. Which choice means she is saving?",
     "oRrwhIkKBBH", [("q3o0", "<p>buying a book</p>"), ("q3o1", "<p>buying lunch</p>"),
                     ("q3o2", "<p>lending it to a friend</p>"), ("q3o3", "<p>putting it in a bank</p>")], 3,
     "e5fac3cc-aa4c-5aaa-b5aa-178bcc60a366"),
]

PEOPLE = [  # id (= username), name, role in COURSE, admin
    ("ada", "Ada Admin", None, True),
    ("irene", "Irene Instructor", "instructor", False),
    ("theo", "Theo Assistant", "teaching_assistant", False),
    ("kevin", "Kevin Campbell", "student", False),
    ("maria", "Maria Lopez", "student", False),
    ("oscar", "Oscar Other", None, False),  # instructor of OTHER_COURSE only
]


def _ignore_existing(action: Callable[[], object]) -> None:
    with suppress(ConcurrentUpdate):  # already loaded
        action()


def _once(piece: str, action: Callable[[], object]) -> None:
    """``action`` the first time only: once its marker is written, what the API did since stays."""
    store = DirectoryRepository().store
    marker = keys.demo_marker_key(piece)
    if store.get(marker) is not None:
        return
    action()
    _ignore_existing(partial(store.put, {**marker, "piece": piece}, condition=NEW_ITEM))


def load(now: datetime | None = None) -> dict[str, str]:
    now = now or datetime.now(UTC)
    for cid, title in ((COURSE, "Personal Finance, Grade 2"), (OTHER_COURSE, "Riverside High Algebra")):
        _ignore_existing(partial(seed, "course", Course(id=cid, title=title)))
    for uid, name, role, admin in PEOPLE:
        email = "kevin@examspark.com" if uid == "kevin" else f"{uid}@example.edu"
        user = User(id=uid, username=uid, email=email, name=name, admin=admin)
        _ignore_existing(partial(seed, "user", user))
        if role:
            _ignore_existing(partial(seed, "enrollment", Enrollment(course_id=COURSE, user_id=uid, role=role),
                                     new=True))
    _ignore_existing(partial(seed, "enrollment", Enrollment(course_id=OTHER_COURSE, user_id="oscar",
                                                            role="instructor"), new=True))
    for oid, text, abbreviation in OBJECTIVES:
        objective = Objective(id=oid, course_id=COURSE, text=text, abbreviation=abbreviation)
        _ignore_existing(partial(seed, "objective", objective))
    for iid, name, qid, options, key, oid in ITEMS:
        item = Item(id=iid, course_id=COURSE, name=name, alignment_ids=[oid], questions=[Question(
            id=qid, options=[Option(id=o, content=c, is_key=i == key) for i, (o, c) in enumerate(options)])])
        _ignore_existing(partial(seed, "item", item))
    exam = Exam(id=EXAM, course_id=COURSE, title="Saving and Spending", type=ExamType.TIMED,
                time_limit_minutes=30, opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=30),
                max_attempts=3, retakable=True, item_pool=[i[0] for i in ITEMS])
    _ignore_existing(partial(seed, "exam", exam))
    key = Credential(id=DEMO_KEY, kind=CredentialKind.BASIC, name="Demo ExamSpark integration", courses=[COURSE],
                     rights=["course:view", "attempt:manage", "extension:grant"],
                     secret_hash=hash_secret(DEMO_SECRET), created_at=now, created_by="demo-loader")
    _ignore_existing(partial(seed, "credential", key.public(), credential=key))
    load_openedx(now)
    load_powerpath(now)
    _ensure_numbers()
    return {"course": COURSE, "exam": EXAM, "key": DEMO_KEY, "openedx_course": OPENEDX_COURSE}


def _ensure_numbers() -> None:
    """Canvas numbers (aliases) of the demo courses and the seed's exam, for a local database kept from before
    they existed (objects created now get theirs in their own transaction)."""
    from functions.core.numeric_ids import Kind
    from functions.data.aliases import AliasRepository

    aliases = AliasRepository()
    for cid in (COURSE, OTHER_COURSE, OPENEDX_COURSE):
        aliases.ensure(Kind.COURSE, cid)
    aliases.ensure(Kind.EXAM, EXAM)


# --- Open edX (docs/openedx.md): a course named as edX names them, the spec's x-example -------------------
OPENEDX_COURSE = "course-v1:edX+DemoX+Demo_Course"
OPENEDX_EXAMS = [  # id, title, type, minutes
    ("edx-demo-proctored", "Proctored Final", ExamType.PROCTORED, 90),
    ("edx-demo-timed", "Timed Midterm", ExamType.TIMED, 60),
    ("edx-demo-practice", "Practice Proctored Exam", ExamType.PRACTICE, 30),
    ("edx-demo-homework", "Homework (not a special exam)", ExamType.STANDARD, None),
]


def load_openedx(now: datetime) -> None:
    """irene instructs it, theo assists, kevin and maria study; three special exams and a standard one,
    kevin's attempt at the timed exam and maria's allowance on the proctored one. Numbers (aliases) are
    made sure of, for a local database kept from before they existed."""
    from functions.core.changes import ExtensionSaved, Work
    from functions.core.numeric_ids import Kind
    from functions.core.rights import Access, Principal
    from functions.core.services.sessions import SessionService, StartRequest
    from functions.data.aliases import AliasRepository
    from functions.data.extensions import ExtensionRepository
    from functions.data.sessions import SessionRepository
    from functions.data.unit_of_work import DynamoUnitOfWork
    from functions.platform.principal import OPERATOR

    people, exams, aliases = DirectoryRepository(), ExamRepository(), AliasRepository()
    course = Course(id=OPENEDX_COURSE, title="edX Demonstration Course")
    _ignore_existing(partial(seed, "course", course))
    for uid, role in (("irene", "instructor"), ("theo", "teaching_assistant"), ("kevin", "student"),
                      ("maria", "student")):
        _ignore_existing(partial(seed, "enrollment", Enrollment(course_id=OPENEDX_COURSE, user_id=uid, role=role),
                                 new=True))
    for uid, *_ in PEOPLE:
        aliases.ensure(Kind.USER, uid)
    for eid, title, kind, minutes in OPENEDX_EXAMS:
        exam = Exam(id=eid, course_id=OPENEDX_COURSE, title=title, type=kind, time_limit_minutes=minutes,
                    opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=30),
                    item_pool=[i[0] for i in ITEMS])
        _ignore_existing(partial(seed, "exam", exam))
        aliases.ensure(Kind.EXAM, eid)
    service = SessionService(people, exams, SessionRepository(), DynamoUnitOfWork(OPERATOR, now),
                             Access(OPERATOR, people), now)
    _once("openedx-kevin-timed-attempt",
          lambda: service.start("edx-demo-timed", StartRequest(user="kevin", context_id="edx-demo")))
    extensions = ExtensionRepository()

    def grant() -> None:
        if extensions.get_extension("edx-demo-proctored", "maria") is None:
            granted = Extension(course_id=OPENEDX_COURSE, exam_id="edx-demo-proctored", user_id="maria",
                                extra_time_minutes=15, review_policy_exception="May use a scribe",
                                updated_at=now, updated_by="irene", created_at=now, version=1)
            # As the grant route writes it (its allowance counter and audit event too), on irene's behalf.
            unit = DynamoUnitOfWork(Principal("user", "irene"), now)
            _ignore_existing(partial(unit.commit, Work("allowance.grant", OPENEDX_COURSE,
                                                       [ExtensionSaved(None, granted)])))

    _once("openedx-maria-proctored-allowance", grant)


# --- PowerPath (docs/powerpath.md): two external tests in the seed's course; placement enrolls in Riverside
POWERPATH_LESSONS = [  # id, type, provider, subject, grade, provider test id (fake: "-<n>q" = n questions)
    ("demo-placement-edulastic", "placement", "edulastic", "Math", 2, "edu-demo-math-3q"),
    ("demo-testout-masterytrack", "test-out", "mastery-track", "Math", 3, None),
]


def load_powerpath(now: datetime) -> None:
    from functions.core.models import Lesson, SubjectTrack
    from functions.data.external_tests import LessonRepository, lesson_item, subject_track_item
    from functions.data.store import NEW_ITEM

    lessons = LessonRepository()
    for lid, kind, provider, subject, grade, test_id in POWERPATH_LESSONS:
        lesson = Lesson(id=lid, course_id=COURSE, title=lid.replace("-", " ").title(), lesson_type=kind,
                        tool_provider=provider, subject=subject, grade=grade, test_id=test_id,
                        created_at=now, created_by="irene")
        _ignore_existing(partial(lessons.store.put, lesson_item(lesson), condition=NEW_ITEM))
        if lessons.get_subject_track(subject, grade) is None:
            track = SubjectTrack(subject=subject, grade=grade, course_id=OTHER_COURSE, updated_at=now,
                                 updated_by="irene")
            _ignore_existing(partial(lessons.store.put, subject_track_item(track), condition=NEW_ITEM))
