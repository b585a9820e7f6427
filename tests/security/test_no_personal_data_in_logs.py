"""No personal data in logs: every log line of a full flow across the dialects (on moto, through the routes'
real lambda_handlers, their credential checks and the scheduled importer) is captured at DEBUG and searched for the
users' emails and names and for every token and Authorization header used. None may appear.

The flow: the matrix world is built through the routes (sessions started and submitted, allowances granted,
LearningStudio resets, PowerPath assignments), then ExamSpark lists and results, Open edX allowances by email
and searches by email, an attempt reset by username, Canvas extensions, LearningStudio begin / reset / restore,
authoring users, refusals whose subject is an email, the importer (console import and a pass), the
MasteryTrack write-back with a bad signature and a route refusing and accepting credentials."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from functions.platform.auth import mint_jwt
from functions.platform.observability import logger
from tests.conftest import LambdaContext, call
from tests.security import world as w
from tests.security.matrix import ROWS
from tests.security.tokens import bad_authorizations


class Flow:
    def __init__(self, world: w.World) -> None:
        self.world = world
        self.tokens: list[str] = []
        self.emails = {w.email(uid) for uid in w.NAMES} | {"mx-new-person.mail@mx-school.test"}
        self.names = set(w.NAMES.values()) | {"Newton Personhood"}

    def bearer(self, user: str) -> dict[str, str]:
        token = mint_jwt(user)
        self.tokens.append(token)
        return {"Authorization": f"Bearer {token}"}

    def as_(self, user: str, route: str, path: dict[str, str] | None = None, **kw: object) -> int:
        """A route call with the caller's real Authorization header in the event too, as API Gateway sends it."""
        return call(route, path, as_user=user, headers=self.bearer(user), **kw).status  # type: ignore[arg-type]


def run_flow(flow: Flow) -> None:
    from functions.jobs import import_results

    world, olive, edx = flow.world, w.email(w.OLIVE), {"course_id": w.ALPHA}
    live = {**edx, "exam_id": w.exam_number(w.LIVE)}
    a, i = flow.as_, w.INSTRUCTOR
    # ExamSpark: answer, list, results, reset, reopen
    sid = world.session(w.OLIVE, w.LIVE)
    answer = [{"itemId": w.ITEMS[1], "questions": [{"id": f"{w.ITEMS[1]}-q", "response": {"options": [{"index": 0}]}}]}]
    assert a(w.OLIVE, "examspark_set_responses", {"sessionId": sid}, body={"responses": answer}) == 200
    assert a(i, "examspark_list_sessions", body={"filter": {"examConfigIds": {"include": [w.LIVE, w.DONE]}}}) == 200
    assert a(w.OLIVE, "examspark_get_results", {"sessionId": world.session(w.OLIVE, w.DONE)}) == 200
    assert a(w.TA, "examspark_reset", {"sessionId": sid}) == 200
    assert a(w.PERCY, "examspark_get_session", {"sessionId": sid}) == 404
    # Open edX: allowances by email, searches by email and name, an unknown email, a reset by username
    allowance = {"user_ids": [olive, "nobody.known@mx-school.test"], "allowance_type": "time_multiplier",
                 "value": "1.5"}
    assert a(i, "openedx_grant_allowance", live, body=allowance) == 200
    assert a(i, "openedx_list_course_allowances", edx, query={"search": [olive]}) == 200
    assert a(i, "openedx_list_course_attempts", edx, query={"search": ["Olive"]}) == 200
    assert a(i, "openedx_remove_allowance", live, body={"user_ids": [olive], "allowance_type": "time_multiplier"}
             ) == 200
    assert a(i, "openedx_reset_attempt", {**live, "username": w.email(w.PERCY)}) in (200, 404)
    assert a(i, "openedx_reset_attempt", {**live, "username": w.OLIVE}) == 200
    assert a(w.OLIVE, "openedx_list_course_allowances", edx) == 403
    # Canvas
    extensions = {"quiz_extensions": [{"user_id": w.PERCY, "extra_time": 5}, {"user_id": w.BIANCA, "extra_time": 5}]}
    assert a(i, "canvas_quiz_extensions", {"course_id": w.ALPHA, "quiz_id": w.LIVE}, body=extensions) == 400
    extensions["quiz_extensions"].pop()
    assert a(i, "canvas_course_extensions", {"course_id": w.ALPHA}, body=extensions) == 200
    assert a(w.TA, "canvas_list_course_extensions", {"course_id": w.ALPHA}) == 200
    # LearningStudio
    ls = {"userId": w.OLIVE, "courseId": w.ALPHA}
    assert a(w.OLIVE, "learningstudio_begin_exam", {**ls, "examId": w.FRESH}) == 201
    assert a(w.OLIVE, "learningstudio_begin_exam", {**ls, "examId": w.FRESH}) == 400
    assert a(i, "learningstudio_reset_exam", {**ls, "examId": w.FRESH}, query={"reason": ["Olive Ownerton asked"]}
             ) == 200
    assert a(i, "learningstudio_restore_exam", {"courseId": w.ALPHA, "examId": w.GONE, "resetId": world.reset_id}
             ) == 200
    assert a(w.PERCY, "learningstudio_list_user_exams", ls) == 403
    # Authoring: users with names and emails, a taken email, a lookup refused
    person = {"id": "mx-new-person", "username": "mx-new-person", "email": "mx-new-person.mail@mx-school.test",
              "name": "Newton Personhood"}
    assert a(w.ADMIN, "create_user", body=person) == 201
    assert a(w.ADMIN, "create_user", body={**person, "id": "mx-new-2", "username": "mx-new-2"}) == 409
    assert a(w.ADMIN, "update_user", {"userId": w.PERCY}, body={"name": "Percy Peerage", "email": w.email(w.PERCY)}
             ) == 200
    assert a(w.OLIVE, "get_user", {"userId": w.PERCY}) == 403
    assert a(w.ADMIN, "list_users") == 200
    # PowerPath and the importer (a console import, then a pass)
    assert a(w.OLIVE, "powerpath_import_results", query={"student": [w.OLIVE], "lesson": [w.LESSON]}) == 200
    assert a(w.PERCY, "powerpath_get_progress", query={"student": [w.OLIVE], "lesson": [w.LESSON]}) == 404
    assert call("powerpath_masterytrack_writeback", body={"assessmentResultSourcedId": olive}).status == 401
    import_results.lambda_handler({"student": w.PERCY, "lesson": w.LESSON}, LambdaContext())
    import_results.lambda_handler({"all": True}, LambdaContext())
    # An unexpected error whose message carries an email: logged with its traceback, answered 500
    with pytest.MonkeyPatch.context() as patch:
        def broken(*_: object, **__: object) -> None:
            raise RuntimeError(f"lookup failed for {olive} (token {flow.bearer(w.OLIVE)['Authorization']})")
        patch.setattr("functions.data.directory.DirectoryRepository.get_user", broken)
        assert a(w.OLIVE, "get_course", {"courseId": w.ALPHA}) == 500
    # A route's own credential check: bad tokens and keys refused, a good token accepted
    for authorization in [*filter(None, bad_authorizations("test-secret-not-for-production-0123456789").values()),
                          f"Bearer {mint_jwt(w.OLIVE, secret='a-wrong-secret-0123456789-0123456789')}",
                          "Basic " + __import__("base64").b64encode(f"{olive}:secret".encode()).decode()]:
        flow.tokens.append(authorization.split(" ", 1)[1])
        assert call("get_course", {"courseId": w.ALPHA}, headers={"Authorization": authorization}).status == 401
    assert call("get_course", {"courseId": w.ALPHA}, headers=flow.bearer(w.OLIVE)).status == 200


@pytest.fixture(scope="module")
def captured() -> Iterator[tuple[str, Flow]]:
    """Everything the Powertools logger writes (JSON lines) and every standard logging record at INFO and
    above, from the world's build through the flow."""
    buffer, records = io.StringIO(), io.StringIO()
    handler = logger.registered_handler
    assert isinstance(handler, logging.StreamHandler)
    stream, level = handler.setStream(buffer), logger.log_level
    std = logging.StreamHandler(records)
    std.setLevel(logging.INFO)
    logging.getLogger().addHandler(std)
    logger.setLevel("DEBUG")
    try:
        with w.moto_world({row.lacks for row in ROWS}) as world:
            flow = Flow(world)
            run_flow(flow)
    finally:
        handler.setStream(stream)
        logger.setLevel(level)
        logging.getLogger().removeHandler(std)
    yield buffer.getvalue() + records.getvalue(), flow


def test_the_flow_was_logged(captured):
    logs, _ = captured
    lines = [line for line in logs.splitlines() if line.strip()]
    assert len(lines) > 20, logs[-3000:]
    assert '"unhandled error"' in logs and "Traceback" in logs and "RuntimeError" in logs
    assert '"request refused"' in logs and '"credentials refused"' in logs and '"import pass"' in logs


def test_no_email_name_or_token_in_any_log_line(captured):
    logs, flow = captured
    found = {"email": sorted(e for e in flow.emails if e.lower() in logs.lower()),
             "name": sorted(n for n in flow.names if n.lower() in logs.lower()),
             "token": sorted(t[:20] + "…" for t in flow.tokens
                             if any(part and part in logs for part in [t, *t.split(".")[1:]]))}
    lines = [line for line in logs.splitlines() if any(v.rstrip("…") in line for vs in found.values() for v in vs)]
    assert not any(found.values()), f"{found}\n" + "\n".join(lines[:20])
    assert '"authorization":' not in logs.lower() and "bearer ey" not in logs.lower()  # no headers, no tokens
