"""Domain objects for tests, written straight through the repositories (not through the API)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from functions.core.models import Course, Enrollment, Exam, Extension, Item, Objective, Option, Question, Session, User
from functions.data.store import Store
from functions.data.writers import seed

NOW = datetime.now(UTC)


def user(uid: str, *, admin: bool = False) -> User:
    u = User(id=uid, username=uid, email=f"{uid}@example.edu", name=uid.title(), admin=admin)
    seed("user", u)
    return u


def course(cid: str = "course-1") -> Course:
    c = Course(id=cid, title=f"Course {cid}")
    seed("course", c)
    return c


def enroll(course_id: str, user_id: str, role: str) -> None:
    seed("enrollment", Enrollment(course_id=course_id, user_id=user_id, role=role))


def item(iid: str, course_id: str, key_index: int = 2, objective: str | None = None) -> Item:
    options = [Option(id=f"{iid}-o{i}", content=f"<p>option {i}</p>", is_key=i == key_index) for i in range(4)]
    it = Item(id=iid, course_id=course_id, name=f"Item {iid}", alignment_ids=[objective] if objective else [],
              questions=[Question(id=f"{iid}-q", options=options)])
    seed("item", it)
    return it


def objective(oid: str, course_id: str) -> Objective:
    o = Objective(id=oid, course_id=course_id, text=f"objective {oid}", abbreviation=oid.upper())
    seed("objective", o)
    return o


def exam(eid: str, course_id: str, items: list[str], **fields: object) -> Exam:
    values: dict[str, object] = {"opens_at": NOW - timedelta(days=1), "closes_at": NOW + timedelta(days=7)}
    values.update(fields)
    e = Exam(id=eid, course_id=course_id, title=f"Exam {eid}", item_pool=items, **values)  # type: ignore[arg-type]
    seed("exam", e)
    return e


def classroom(course_id: str = "course-1") -> dict[str, object]:
    """A course with an instructor, a TA, two students, three items and a timed exam."""
    course(course_id)
    people = {role: user(f"{role}-{course_id}") for role in ("instructor", "ta", "student", "other")}
    enroll(course_id, people["instructor"].id, "instructor")
    enroll(course_id, people["ta"].id, "teaching_assistant")
    enroll(course_id, people["student"].id, "student")
    enroll(course_id, people["other"].id, "student")
    objective(f"obj-{course_id}", course_id)
    items = [item(f"item-{course_id}-{n}", course_id, objective=f"obj-{course_id}").id for n in range(3)]
    e = exam(f"exam-{course_id}", course_id, items, time_limit_minutes=60, type="timed")
    return {"course": course_id, "exam": e, "items": items, **people}


# --- PowerPath -------------------------------------------------------------------------------------
def lesson(lid: str, course_id: str, lesson_type: str = "placement", tool_provider: str | None = "edulastic",
           subject: str = "Math", grade: int = 2, test_id: str | None = None) -> object:
    from functions.core.models import Lesson
    from functions.data.external_tests import lesson_item
    from functions.data.store import NEW_ITEM, Store

    found = Lesson(id=lid, course_id=course_id, title=f"Lesson {lid}", lesson_type=lesson_type,
                   tool_provider=tool_provider, subject=subject, grade=grade, test_id=test_id, created_at=NOW)
    Store().put(lesson_item(found), condition=NEW_ITEM)
    return found


def subject_track(subject: str, grade: int, course_id: str) -> None:
    from functions.core.models import SubjectTrack
    from functions.data.external_tests import subject_track_item
    from functions.data.store import NEW_ITEM, Store

    Store().put(subject_track_item(SubjectTrack(subject=subject, grade=grade, course_id=course_id)), condition=NEW_ITEM)


def seed_session(session: Session) -> None:
    """A session stored as it is (no statistics, counts or audit event): a test's starting state."""
    from functions.data.sessions import part_ops, session_item
    from functions.data.store import NEW_ITEM, Store, op_put

    Store().transact([op_put(session_item(session), NEW_ITEM), *part_ops(None, session, history=False)])


def seed_extension(extension: Extension) -> None:
    """An extension stored as it is, over any earlier one (no history copy, counter or audit event)."""
    from functions.data import keys
    from functions.data.sessions import extension_index
    from functions.data.store import to_item

    Store().put(to_item(extension, keys.extension_key(extension.exam_id, extension.user_id),
                        extension_index(extension)))
