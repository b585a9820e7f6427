"""Issue 9, part 4: DynamoDB faults on representative routes of every dialect, on DynamoDB Local.

Each case injects one fault for as long as the request runs (botocore's own retries included), then checks:
the answer is a clean 503 with Retry-After (store busy or unreachable) or a 409 (a lost race), in the
dialect's error shape, with no trace in it; the table is exactly as before (no partial write); and the same
request, sent again once the fault is gone, succeeds.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from functions.core.numeric_ids import Kind, number
from functions.data import dynamo
from infra.local.dynamodb_local import DynamoDBLocal
from tests import factories
from tests.conftest import Answer, call
from tests.integration.powerpath_helpers import Fakes, fakes  # noqa: F401 - the fake providers fixture
from tests.reliability import faults
from tests.reliability.conftest import scan_all
from tests.reliability.faults import Injector

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

C = f"flt-{uuid.uuid4().hex[:8]}"
INSTRUCTOR, STUDENT, OTHER, ADMIN = f"instructor-{C}", f"student-{C}", f"other-{C}", f"admin-{C}"
EXAM, LS_EXAM = f"exam-{C}", f"ls-{C}"
SHAPES = {"examspark": "examdesk", "learningstudio": "examdesk", "powerpath": "examdesk", "authoring": "examdesk",
          "openedx": "openedx", "canvas": "canvas"}


@pytest.fixture(scope="module")
def world(own_table: str) -> dict[str, Any]:
    """A classroom (instructor, TA, two students, three items, a timed exam), an untimed exam for
    LearningStudio, an administrator, and the student's running ExamSpark session."""
    room = factories.classroom(C)
    factories.exam(LS_EXAM, C, room["items"])  # type: ignore[arg-type]
    factories.user(ADMIN, admin=True)
    started = call("examspark_start_session", {"examConfigId": EXAM}, as_user=STUDENT,
                   body={"user_id": STUDENT, "context_id": "faults"})
    assert started.status == 200, started.body
    return {**room, "session": started.body["examSession"]["id"]}


@pytest.fixture
def injector(local_db: DynamoDBLocal, monkeypatch: pytest.MonkeyPatch) -> Iterator[Injector]:
    """A fresh route client (fresh retry quota) with the injector on it. botocore's backoff waits are
    skipped here (its attempts are not): test_a_lasting_throttle_costs_bounded_time keeps the real waits."""
    from botocore.retries.standard import ExponentialBackoff

    monkeypatch.setattr(ExponentialBackoff, "delay_amount", lambda self, context: 0)
    dynamo.client.cache_clear()
    hook = Injector()
    dynamo.client().meta.events.register("before-send.dynamodb", hook)
    yield hook
    dynamo.client().meta.events.unregister("before-send.dynamodb", hook)
    dynamo.client.cache_clear()


@pytest.fixture(scope="module")
def plain(local_db: DynamoDBLocal) -> Any:
    """A client without hooks (serves the part of a batch the injected answer does process)."""
    return boto3.client("dynamodb", endpoint_url=local_db.endpoint)


# --- the requests: ``n`` makes each case's request its own; the retry sends exactly the same request ------
def respond(world: dict[str, Any], n: int) -> Answer:
    item = world["items"][n % 3]
    return call("examspark_set_responses", {"sessionId": world["session"]}, as_user=STUDENT,
                body={"responses": [{"itemId": item, "questions": [
                    {"id": f"{item}-q", "response": {"options": [{"index": n % 4}]}}]}]})


def start_other(world: dict[str, Any], n: int) -> Answer:
    return call("examspark_start_session", {"examConfigId": LS_EXAM}, as_user=OTHER,
                body={"user_id": OTHER, "context_id": f"faults-{n}"})


def list_sessions(world: dict[str, Any], n: int) -> Answer:
    return call("examspark_list_sessions", as_user=INSTRUCTOR,
                body={"filter": {"examConfigIds": {"include": [EXAM, LS_EXAM]}}})


def grant_allowance(world: dict[str, Any], n: int) -> Answer:
    return call("openedx_grant_allowance", {"course_id": C, "exam_id": str(number(Kind.EXAM, EXAM))},
                as_user=INSTRUCTOR, body={"user_ids": [STUDENT], "allowance_type": "additional_time_granted",
                                          "value": str(n)})


def course_extensions(world: dict[str, Any], n: int) -> Answer:
    return call("canvas_course_extensions", {"course_id": C}, as_user=INSTRUCTOR,
                body={"quiz_extensions": [{"user_id": OTHER, "extra_attempts": n}]})


def quiz_extensions(world: dict[str, Any], n: int) -> Answer:
    return call("canvas_quiz_extensions", {"course_id": C, "quiz_id": EXAM}, as_user=INSTRUCTOR,
                body={"quiz_extensions": [{"user_id": STUDENT, "extra_time": n}]})


def begin_ls(world: dict[str, Any], n: int) -> Answer:
    return call("learningstudio_begin_exam", {"userId": STUDENT, "courseId": C, "examId": LS_EXAM},
                as_user=STUDENT)


def ensure_ls(world: dict[str, Any], n: int) -> Answer:
    """The student's LearningStudio instance exists (begun now, or earlier)."""
    answer = begin_ls(world, n)
    assert answer.status in (200, 201) or "already has an instance" in answer.body["error"]["message"], answer
    return answer


def reset_ls(world: dict[str, Any], n: int) -> Answer:
    return call("learningstudio_reset_exam", {"userId": STUDENT, "courseId": C, "examId": LS_EXAM},
                as_user=INSTRUCTOR)


def create_lesson(world: dict[str, Any], n: int) -> Answer:
    return call("powerpath_create_lesson", as_user=INSTRUCTOR,
                body={"sourcedId": f"lesson-{C}-{n}", "courseId": C, "title": "Placement",
                      "lessonType": "placement", "toolProvider": "edulastic", "subject": "Math", "grade": 2,
                      "testId": "edu-math-2"})


def subject_track(world: dict[str, Any], n: int) -> Answer:
    return call("powerpath_put_subject_track", {"subject": "Science", "grade": str(n % 13)},
                as_user=INSTRUCTOR, body={"courseId": C})


def create_course(world: dict[str, Any], n: int) -> Answer:
    return call("create_course", as_user=ADMIN, body={"id": f"c-{C}-{n}", "title": "Faults"})


def update_exam(world: dict[str, Any], n: int) -> Answer:
    return call("update_exam", {"examId": LS_EXAM}, as_user=INSTRUCTOR, body={"title": f"Untimed {n}"})


WRITES = ("PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems")  # whichever one the route writes with


@dataclass(frozen=True)
class Case:
    dialect: str
    request: Callable[[dict[str, Any], int], Answer]
    operation: str | tuple[str, ...]
    fault: str
    status: int
    prepare: Callable[[dict[str, Any], int], Answer] | None = None


THROTTLES = {"ProvisionedThroughputExceededException": 400, "ThrottlingException": 400,
             "RequestLimitExceeded": 400, "InternalServerError": 500, "ServiceUnavailable": 503}

CASES = {
    # ExamSpark: save responses (4 GetItem, 1 BatchGetItem, 1 TransactWriteItems), start, list
    "examspark-save-throughput": Case("examspark", respond, "TransactWriteItems",
                                      "ProvisionedThroughputExceededException", 503),
    "examspark-save-condition": Case("examspark", respond, "TransactWriteItems", "cancel:ConditionalCheckFailed",
                                     409),
    "examspark-save-conflict": Case("examspark", respond, "TransactWriteItems", "cancel:TransactionConflict", 409),
    "examspark-save-item-throttled": Case("examspark", respond, "TransactWriteItems", "cancel:ThrottlingError",
                                          503),
    "examspark-save-unprocessed": Case("examspark", respond, "BatchGetItem", "unprocessed", 503),
    "examspark-save-timeout": Case("examspark", respond, "GetItem", "timeout", 503),
    "examspark-start-internal": Case("examspark", start_other, "TransactWriteItems", "InternalServerError", 503),
    "examspark-list-throttling": Case("examspark", list_sessions, "BatchGetItem", "ThrottlingException", 503),
    # Open edX: grant an allowance (BatchGetItem x3, 1 TransactWriteItems)
    "openedx-grant-limit": Case("openedx", grant_allowance, "BatchGetItem", "RequestLimitExceeded", 503),
    "openedx-grant-unavailable": Case("openedx", grant_allowance, "TransactWriteItems", "ServiceUnavailable", 503),
    # Open edX's published spec has no 409: a lost race is its 503 with Retry-After (docs/openedx.md)
    "openedx-grant-condition": Case("openedx", grant_allowance, "TransactWriteItems",
                                    "cancel:ConditionalCheckFailed", 503),
    # Canvas: course and quiz extensions
    "canvas-course-throttling": Case("canvas", course_extensions, "TransactWriteItems", "ThrottlingException",
                                     503),
    "canvas-course-unprocessed": Case("canvas", course_extensions, "BatchGetItem", "unprocessed", 503),
    "canvas-course-conflict": Case("canvas", course_extensions, "TransactWriteItems", "cancel:TransactionConflict",
                                   409),
    "canvas-quiz-query-timeout": Case("canvas", quiz_extensions, "Query", "timeout", 503),
    # LearningStudio: begin, reset
    "learningstudio-begin-throughput": Case("learningstudio", begin_ls, "GetItem",
                                            "ProvisionedThroughputExceededException", 503),
    "learningstudio-reset-conflict": Case("learningstudio", reset_ls, "TransactWriteItems",
                                          "cancel:TransactionConflict", 409, prepare=ensure_ls),
    "learningstudio-reset-internal": Case("learningstudio", reset_ls, "TransactWriteItems", "InternalServerError",
                                          503, prepare=ensure_ls),
    # PowerPath: create a lesson (PutItem), map a subject track (TransactWriteItems)
    "powerpath-lesson-throttling": Case("powerpath", create_lesson, WRITES, "ThrottlingException", 503),
    "powerpath-track-internal": Case("powerpath", subject_track, "TransactWriteItems", "InternalServerError", 503),
    # examdesk authoring: create a course (PutItem), update an exam (TransactWriteItems, version check)
    "authoring-course-throughput": Case("authoring", create_course, WRITES,
                                        "ProvisionedThroughputExceededException", 503),
    "authoring-exam-condition": Case("authoring", update_exam, "TransactWriteItems",
                                     "cancel:ConditionalCheckFailed", 409),
}


def _fault(name: str, plain: Any) -> faults.Answer:
    if name.startswith("cancel:"):
        return faults.cancelled(name.split(":", 1)[1])
    if name == "unprocessed":
        return faults.unprocessed(plain, served_per_call=0)  # lasting: no key is ever read
    if name == "timeout":
        return faults.read_timeout()
    return faults.error(name, THROTTLES[name])


def check_clean(answer: Answer, status: int, dialect: str) -> None:
    """The dialect's error shape, a Retry-After on 503, and nothing that looks like a trace."""
    assert answer.status == status, answer.body
    text = str(answer.body)
    assert "Traceback" not in text and "File \"" not in text and "botocore" not in text
    shape = SHAPES[dialect]
    if shape == "examdesk":
        assert answer.body["error"]["code"] == ("unavailable" if status == 503 else "concurrent_update")
        assert answer.body["error"]["message"]
    elif shape == "openedx":
        assert answer.body["status_code"] == status and answer.body["error"] and answer.body["message"]
    else:
        assert answer.body["errors"][0]["message"]
    if status == 503:
        assert answer.headers.get("Retry-After") == "1"


@pytest.mark.parametrize("name", list(CASES))
def test_fault_answers_cleanly_writes_nothing_and_the_retry_succeeds(name: str, world: dict[str, Any],
                                                                      injector: Injector, plain: Any) -> None:
    case = CASES[name]
    n = next(_counter)
    if case.prepare:
        case.prepare(world, n)
    before = scan_all()
    operations = (case.operation,) if isinstance(case.operation, str) else case.operation
    injector.clear()
    for operation in operations:
        injector.fail(operation, _fault(case.fault, plain))
    answer = case.request(world, n)
    check_clean(answer, case.status, case.dialect)
    assert scan_all() == before, "a refused request must write nothing"
    faulted = sum(injector.sent[o] for o in operations)
    if case.fault in THROTTLES or case.fault == "timeout":
        assert faulted == dynamo.MAX_ATTEMPTS  # botocore retried, then gave up
    print(f"\n{name}: {'/'.join(operations)} {case.fault} -> {answer.status}; calls {dict(injector.sent)}")

    injector.clear()
    again = case.request(world, n)  # the very same request, the fault gone
    assert again.status in (200, 201), again.body
    assert scan_all() != before or case.request is list_sessions


_counter = iter(range(1, 10_000))


def test_one_throttle_is_absorbed_by_botocores_retry(world: dict[str, Any], injector: Injector) -> None:
    injector.fail("TransactWriteItems", faults.error("ProvisionedThroughputExceededException"), times=1)
    answer = respond(world, next(_counter))
    assert answer.status == 200, answer.body
    assert injector.sent["TransactWriteItems"] == 2


def test_unprocessed_keys_are_asked_again_until_all_are_read(world: dict[str, Any], injector: Injector,
                                                              plain: Any) -> None:
    """BatchGetItem serving one key per call: store.batch_get keeps asking (with backoff) for the rest."""
    whole = list_sessions(world, 0)
    assert whole.status == 200
    baseline = injector.sent["BatchGetItem"]
    injector.clear()
    rule = injector.fail("BatchGetItem", faults.unprocessed(plain, served_per_call=1), times=3)
    answer = list_sessions(world, 0)
    assert answer.status == 200, answer.body
    assert answer.body == whole.body
    assert rule.used == 3 and injector.sent["BatchGetItem"] == baseline + 3  # then one real call for the rest


def test_a_lasting_throttle_costs_bounded_time(local_db: DynamoDBLocal, world: dict[str, Any]) -> None:
    """With botocore's real backoff: 3 attempts (waits up to 1 s, then 2 s), then a 503 with Retry-After."""
    dynamo.client.cache_clear()
    hook = Injector()
    dynamo.client().meta.events.register("before-send.dynamodb", hook)
    try:
        hook.fail("TransactWriteItems", faults.error("ThrottlingException"))
        began = time.monotonic()
        answer = respond(world, next(_counter))
        took = time.monotonic() - began
    finally:
        dynamo.client().meta.events.unregister("before-send.dynamodb", hook)
        dynamo.client.cache_clear()
    check_clean(answer, 503, "examspark")
    assert hook.sent["TransactWriteItems"] == 3
    assert took < 5, took


def test_no_function_uses_batch_write_item() -> None:
    """BatchWriteItem can leave items unprocessed, which would be a partial write: every write is one
    PutItem / UpdateItem or one TransactWriteItems (all or nothing). Adding one needs its own retry first."""
    root = Path(__file__).resolve().parents[2] / "functions"
    users = [p for p in root.rglob("*.py") if "batch_write_item" in p.read_text() or "batch_writer" in p.read_text()]
    assert users == []


@pytest.mark.parametrize("operation", ["PutItem", "TransactWriteItems"])
def test_faults_with_an_idempotency_key(operation: str, world: dict[str, Any], injector: Injector) -> None:
    """With an Idempotency-Key: a throttled idempotency record (PutItem) or a throttled route write
    (TransactWriteItems) is a clean 503 that leaves nothing behind, not even the IN_PROGRESS record, so the
    retry with the same key runs and succeeds; a further retry replays that answer without writing."""
    n = next(_counter)
    headers = {"Idempotency-Key": f"faults-{C}-{n}"}
    item = world["items"][n % 3]
    body = {"responses": [{"itemId": item, "questions": [{"id": f"{item}-q",
                                                          "response": {"options": [{"index": n % 4}]}}]}]}

    def save() -> Answer:
        return call("examspark_set_responses", {"sessionId": world["session"]}, as_user=STUDENT, body=body,
                    headers=headers)

    before = scan_all()
    injector.fail(operation, faults.error("ThrottlingException"))
    answer = save()
    check_clean(answer, 503, "examspark")
    assert scan_all() == before
    injector.clear()
    again = save()
    assert again.status == 200, again.body
    after = scan_all()
    assert after != before
    replayed = save()
    assert replayed.status == 200 and replayed.headers.get("Idempotent-Replayed") == "true"
    assert replayed.body == again.body and scan_all() == after


def test_a_failed_import_keeps_no_lease_and_the_retry_imports(world: dict[str, Any], injector: Injector,
                                                               fakes: Fakes) -> None:  # noqa: F811
    """PowerPath import (a claim, the provider call, then one write of the outcome): a throttled outcome write
    is a 503 that writes no results and no enrollment, and must not leave the route's lease held (else the
    retry would be a 409 'being imported right now' for a minute)."""
    from functions.data import keys
    from functions.data.directory import DirectoryRepository
    from functions.data.store import Store

    lesson_id, target = f"placement-{C}", factories.course(f"track-{C}").id
    factories.lesson(lesson_id, C, "placement", "edulastic", "Writing", 4, "edu-writing-3q")
    factories.subject_track("Writing", 4, target)
    made = call("powerpath_make_assignment", as_user=STUDENT, body={"student": STUDENT, "lesson": lesson_id})
    assert made.status in (200, 201), made.body
    fakes.edulastic.work(made.body["assignmentId"], [True, True, False])

    def assignment() -> dict[str, Any]:
        found = Store().get(keys.external_test_key(STUDENT, lesson_id, 1), consistent=True)
        assert found is not None
        return found

    def import_now() -> Answer:
        return call("powerpath_import_results", as_user=STUDENT, query={"student": [STUDENT], "lesson": [lesson_id]})

    before = assignment()
    injector.fail("TransactWriteItems", faults.error("ThrottlingException"))
    answer = import_now()
    check_clean(answer, 503, "powerpath")
    failed = assignment()
    assert DirectoryRepository().get_enrollment(target, STUDENT) is None
    assert {k: v for k, v in failed.items() if k not in LEASE_BOOKKEEPING} == \
        {k: v for k, v in before.items() if k not in LEASE_BOOKKEEPING}  # no results written
    assert "leaseOwner" not in failed, "the failed request still holds the lease"

    injector.clear()
    again = import_now()
    assert again.status == 200, again.body
    assert again.body["finalized"] is True
    assert DirectoryRepository().get_enrollment(target, STUDENT) is not None


# What a claim and its release change on the assignment item without writing any outcome.
LEASE_BOOKKEEPING = {"version", "gsi4sk", "next_try_at", "leaseOwner", "leaseUntil"}
