"""The scale model (bench/scale_model.py) and its input, the recorded request shapes (tests/dynamodb_requests.py):
the committed recording covers the exam-day routes, a key every student writes is SHORT, a sharded one passes,
and the recorder's patterns and merges of partial runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench import scale_model
from functions.core import prewarm
from functions.data import keys
from functions.routes import ROUTES
from tests import dynamodb_requests
from tests.dynamodb_requests import Recorder, join, pattern, write


def _recorded() -> dict[str, Any]:
    return json.loads(scale_model.REQUESTS_FILE.read_text())


def test_the_recording_covers_every_exam_day_route_with_its_writes() -> None:
    recorded = _recorded()
    names = {r.name for r in ROUTES}
    for route in scale_model.EXAM_DAY_ROUTES:
        assert route in names
        assert recorded.get(route), f"{route} has no recorded successful invocation"
    start = scale_model.shape_of("examspark_start_session", recorded)
    put = [r for r in start if r["op"] == "Put" and r["sk"] == keys.SESSION_SK]
    assert put and put[0]["tx"], "a start writes its session in a transaction"
    # The session's index partitions are in the recording, by shape (what the model judges).
    assert put[0]["indexes"]
    assert all(r["size"] > 0 for r in put)
    submit = scale_model.shape_of("examspark_set_responses", recorded)
    assert any(r["op"] in ("Put", "Update") and r["pk"] == "<session>" for r in submit)


def _start(extra_pk: str) -> dict[str, Any]:
    """A made-up recording: every route reads one item per student; the start also updates ``extra_pk``."""
    read = {"call": "GetItem", "n": 1, "op": "Get", "pk": "<session>", "sk": "exam-session", "size": 700,
            "consistent": False}
    shapes = {route: [{"status": 200, "seen": 1, "requests": [read]}] for route in scale_model.EXAM_DAY_ROUTES}
    write_part = {"call": "TransactWriteItems", "n": 2, "op": "Update", "tx": True, "pk": extra_pk,
                  "sk": "counter", "size": 300, "indexes": {}}
    shapes["examspark_start_session"][0]["requests"] = [read, write_part]
    return shapes


def _model(tmp_path: Path, recorded: dict[str, Any]) -> list[Any]:
    path = tmp_path / "requests.json"
    path.write_text(json.dumps(recorded))
    return scale_model.rows(path)


def test_a_key_every_student_writes_is_short(tmp_path: Path) -> None:
    rows = _model(tmp_path, _start("<exam>#counter"))
    partition = next(r for r in rows if r.subject == "table key `<exam>#counter`")
    assert partition.ok is False and partition.mark == "SHORT"
    item = next(r for r in rows if r.subject == "transactions on item `<exam>#counter / counter`")
    assert item.ok is False
    assert "3,333 WCU/s" in partition.figure  # 1,667 starts/s, 2 WCU each (a transactional write of <= 1 KB)
    assert item.figure == "peak 1,666.7/s"


def test_the_same_key_sharded_passes(tmp_path: Path) -> None:
    rows = _model(tmp_path, _start("<exam>#counter#<shard/256>"))
    partition = next(r for r in rows if r.subject == "table key `<exam>#counter#<shard/256>`")
    assert partition.ok is True
    item = next(r for r in rows if r.subject == "transactions on item `<exam>#counter#<shard/256> / counter`")
    assert item.ok is True  # 1,667/s over 256 shards: 6.5/s each
    too_few = _model(tmp_path, _start("<exam>#counter#<shard/16>"))
    assert next(r for r in too_few if r.subject.startswith("transactions on item `<exam>#counter")).ok is False


def test_a_route_missing_from_the_recording_fails_loudly(tmp_path: Path) -> None:
    recorded = _start("<session>")
    del recorded["examspark_set_responses"]
    try:
        _model(tmp_path, recorded)
    except KeyError as missing:
        assert "examspark_set_responses" in str(missing)
    else:
        raise AssertionError("the model ran without the submit route's requests")


def test_every_row_has_its_limit_and_a_mark() -> None:
    rows = scale_model.rows()
    assert rows and all(r.part == "scale model" and r.goal and r.ok is not None for r in rows)
    subjects = " ".join(r.subject for r in rows)
    for part in ("table key", "transactions on item", "Lambda", "API Gateway"):
        assert part in subjects


def test_patterns_name_what_each_id_is() -> None:
    kinds = {"e1": "exam", "c1": "course", "u1": "user"}
    assert pattern("e1", kinds) == "<exam>"
    assert pattern("course#c1", kinds) == "course#<course>"
    assert pattern("session#c1#e1#u1#0b7c9d1e-8d0b-5b7a-9f43-0e9d5c1a2b3c", kinds) == \
        "session#<course>#<exam>#<user>#<id>"
    assert pattern("event#20261204T202541.927077Z-603ca88d3ac5", kinds) == "event#<time>"
    assert pattern("idempotency#r#u1#" + "ab" * 32, kinds) == "idempotency#r#<user>#<hash>"
    assert pattern("pending#3", kinds) == f"pending#<shard/{keys.WORK_QUEUE_SHARDS}>"
    assert pattern("number#exam#17", kinds) == "number#exam#<n>"


def test_the_recorder_learns_ids_from_items() -> None:
    recorder = Recorder()
    recorder.learn({"id": {"S": "s1"}, "sk": {"S": "exam-session"}, "exam_id": {"S": "e1"},
                    "course_id": {"S": "c1"}, "user_id": {"S": "u1"}, "item_ids": {"L": [{"S": "i1"}]}})
    assert recorder.pattern("s1") == "<session>"
    assert recorder.pattern("audit#c1") == "audit#<course>"
    assert recorder.pattern("i1") == "<item>"
    # A key names what its id is even when no item is found (an exam config that does not exist).
    recorder.learn({"id": {"S": "nope"}, "sk": {"S": "exam#v0"}})
    assert recorder.pattern("nope#exam-stats#3") == f"<exam>#exam-stats#<shard/{keys.EXAM_STATS_SHARDS}>"


def _shape(sk: str, size: int, seen: int = 1) -> dict[str, Any]:
    return {"status": 200, "seen": seen, "requests": [{"call": "GetItem", "n": 1, "op": "Get", "pk": "<exam>",
                                                      "sk": sk, "size": size, "consistent": False}]}


def test_partial_runs_merge(tmp_path: Path) -> None:
    path = tmp_path / "requests.json"
    path.write_text(json.dumps({"kept_route": [_shape("a", 1)], "rerun_route": [_shape("old", 1)]}))
    # Two xdist workers saw the same shape of one route: joined once, counts added, the larger size kept.
    joined = join({"rerun_route": [_shape("new", 10, 2)]}, {"rerun_route": [_shape("new", 30, 1)]})
    assert joined == {"rerun_route": [_shape("new", 30, 3)]}
    write(joined, path)
    merged = json.loads(path.read_text())
    assert merged["kept_route"] == [_shape("a", 1)]  # a route the partial run did not call keeps its entry
    assert merged["rerun_route"] == [_shape("new", 30, 3)]  # a route it called is replaced, not unioned


def test_workers_leave_partials_that_the_controller_joins(tmp_path: Path, monkeypatch: Any) -> None:
    path = tmp_path / "requests.json"
    recorder = Recorder()
    recorder.invocations.append(("r", 200, [{"call": "GetItem", "n": 1, "op": "Get", "pk": "x", "sk": "y",
                                             "size": 5, "consistent": False}]))
    monkeypatch.setattr(dynamodb_requests, "recorder", recorder)
    dynamodb_requests.finish("gw0", path)
    assert not path.exists() and list(tmp_path.glob(".requests.gw0.json"))
    monkeypatch.setattr(dynamodb_requests, "recorder", Recorder())
    dynamodb_requests.finish(None, path)
    assert json.loads(path.read_text())["r"][0]["seen"] == 1
    assert not list(tmp_path.glob(".requests.*.json"))


def test_requests_of_one_shape_in_one_call_are_counted_once() -> None:
    recorder = Recorder()
    recorder.learn({"id": {"S": "e1"}, "sk": {"S": "exam#v0"}})
    shard = {"call": "BatchGetItem", "n": 1, "op": "Get", "sk": "exam-stats", "size": 60, "consistent": False}
    recorder.invocations.append(("r", 200, [{**shard, "pk": f"e1#exam-stats#{n}"} for n in range(3)]))
    (shape,) = recorder.shapes()["r"]
    assert shape["requests"] == [{**shard, "pk": f"<exam>#exam-stats#<shard/{keys.EXAM_STATS_SHARDS}>",
                                  "count": 3}]
    # The model reads it as 3 reads of one key shape: 1.5 read units per invocation, spread over the shards.
    loads = scale_model.request_loads(shape["requests"])
    assert loads[("table", shape["requests"][0]["pk"], "partition")].rcu == 1.5


def test_the_start_function_is_short_cold_and_passes_prewarmed() -> None:
    """The pre-warm job's own sizing rule (functions/core/prewarm.py) is what lifts the start function's rows."""
    def lambda_rows(prewarmed: bool) -> dict[str, Any]:
        return {r.subject: r for r in scale_model.rows(prewarmed=prewarmed)
                if r.subject.startswith("Lambda examspark_start_session")}

    cold = lambda_rows(False)
    assert {r.mark for r in cold.values()} == {"SHORT"}
    warm = lambda_rows(True)
    assert all(r.ok for r in warm.values())
    recorded = _recorded()
    duration = scale_model.INVOKE_S + scale_model.DYNAMODB_CALL_S * len(
        {r["n"] for r in scale_model.shape_of("examspark_start_session", recorded)})
    ready = scale_model.provisioned("examspark_start_session", duration)
    # rate x duration x headroom: enough to serve every start without a new environment, under the cap.
    assert scale_model.STUDENTS / scale_model.START_S * duration <= ready <= prewarm.DEFAULT_CAP
    assert warm["Lambda examspark_start_session concurrency"].figure.startswith(f"{ready:,} provisioned + 0.0/s")
    assert warm["Lambda examspark_start_session scale-out"].figure.startswith("0 new instances")
    assert scale_model.provisioned("examspark_list_sessions", duration) == 0  # staff routes are not pre-warmed
