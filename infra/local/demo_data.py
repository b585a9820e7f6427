"""The demo data set: the items, objectives and names of the ExamSpark seed's sample, plus people in
every role and a second course (for trying what is *not* visible). Loading is idempotent."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from functools import partial

from functions.core.errors import ConcurrentUpdate
from functions.core.models import Course, Enrollment, Exam, ExamType, Item, Objective, Option, Question, User
from functions.data.directory import DirectoryRepository
from functions.data.exams import ExamRepository
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


def _ignore_existing(action: Callable[[], None]) -> None:
    with suppress(ConcurrentUpdate):  # already loaded
        action()


def load(now: datetime | None = None) -> dict[str, str]:
    now = now or datetime.now(UTC)
    people, exams = DirectoryRepository(), ExamRepository()
    for cid, title in ((COURSE, "Personal Finance, Grade 2"), (OTHER_COURSE, "Riverside High Algebra")):
        _ignore_existing(partial(people.create_course, Course(id=cid, title=title)))
    for uid, name, role, admin in PEOPLE:
        email = "kevin@examspark.com" if uid == "kevin" else f"{uid}@example.edu"
        user = User(id=uid, username=uid, email=email, name=name, admin=admin)
        _ignore_existing(partial(people.create_user, user))
        if role:
            people.put_enrollment(Enrollment(course_id=COURSE, user_id=uid, role=role))
    people.put_enrollment(Enrollment(course_id=OTHER_COURSE, user_id="oscar", role="instructor"))
    for oid, text, abbreviation in OBJECTIVES:
        objective = Objective(id=oid, course_id=COURSE, text=text, abbreviation=abbreviation)
        _ignore_existing(partial(exams.create_objective, objective))
    for iid, name, qid, options, key, oid in ITEMS:
        item = Item(id=iid, course_id=COURSE, name=name, alignment_ids=[oid], questions=[Question(
            id=qid, options=[Option(id=o, content=c, is_key=i == key) for i, (o, c) in enumerate(options)])])
        _ignore_existing(partial(exams.save_item, item))
    exam = Exam(id=EXAM, course_id=COURSE, title="Saving and Spending", type=ExamType.TIMED,
                time_limit_minutes=30, opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=30),
                max_attempts=3, retakable=True, item_pool=[i[0] for i in ITEMS])
    _ignore_existing(partial(exams.save_exam, exam))
    _ignore_existing(partial(people.put_api_key, DEMO_KEY, hash_secret(DEMO_SECRET), [COURSE],
                             ["course:view", "attempt:manage", "extension:grant"], "Demo ExamSpark integration"))
    return {"course": COURSE, "exam": EXAM, "key": DEMO_KEY}
