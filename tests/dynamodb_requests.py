"""The key *shapes* of every DynamoDB request each route makes, recorded while the tests run (the scale model's
input: bench/scale_model.py reads infra/dynamodb_requests.json).

Recorded with ``EXAMDESK_RECORD_ACTIONS=1`` (``make record-actions``, with the IAM actions) or alone with
``EXAMDESK_RECORD_REQUESTS=1`` (a partial run: only the routes its tests call are rewritten, every other
route's entry is kept). Per route, each distinct successful (2xx) invocation is one *shape*: its requests in
order, each with

- ``op``: Get (GetItem, BatchGetItem key), Query, Put, Update, Delete, Check (a transaction's ConditionCheck);
  ``call`` the API call and ``n`` its number in the invocation; ``tx`` true for a TransactWriteItems part;
- ``pk`` / ``sk``: the item's key as a pattern, or a Query's partition key and ``index``: every id replaced by
  what it is (``<exam>``, ``<course>``, ``<user>``, ``<session>``, ``<item>``), learned from the items the run
  reads and writes (an exam item's ``id`` is an exam, a session's ``course_id`` a course...); a fresh random id
  nobody learned is ``<id>``, a digest ``<hash>``, a time ``<time>``, a number ``<n>``; a shard number after
  a segment that ``functions.data.keys.SHARDED`` names is ``<shard/N>``; everything else is constant text;
- ``indexes``: for a write, the index partition keys (``gsi*pk``) of the item before and after it;
- ``size``: the largest item size seen in bytes (DynamoDB's rule, bench/capacity.py): for a write the larger
  of before and after (what DynamoDB bills), for a Query the page's items together, with ``items`` and
  ``limit``; ``consistent`` for strongly consistent reads.

The sizes before and after a write come from a second client (not the one ``dynamo_calls`` counts on), so
recording never changes what the tests assert.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

REQUESTS_FILE = Path(__file__).resolve().parents[1] / "infra" / "dynamodb_requests.json"
RECORD = os.environ.get("EXAMDESK_RECORD_ACTIONS") == "1" or os.environ.get("EXAMDESK_RECORD_REQUESTS") == "1"

_TX_OPS = {"Put": "Put", "Update": "Update", "Delete": "Delete", "ConditionCheck": "Check"}
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
_HASH = re.compile(r"^[0-9a-f]{32,}$", re.I)
_TIME = re.compile(r"^(\d{4}-\d\d-\d\dT|\d{8}T\d{6})")
_NUMBER = re.compile(r"^-?\d+$")
# Which item attributes name what (the models' field names) and what an item's own ``id`` is, by its sort key.
_ATTRIBUTE_KINDS = {"exam_id": "exam", "course_id": "course", "user_id": "user", "session_id": "session",
                    "latest_session_id": "session", "item_ids": "item", "item_pool": "item"}
_OWN_ID_KINDS = (("exam-session", "session"), ("exam#", "exam"), ("exam-stats", "exam"), ("extension#", "exam"),
                 ("course#", "course"), ("enrollment#", "course"), ("user#", "user"), ("item#", "item"))


class Recorder:
    """One process's recording: raw requests per invocation, and what each id it saw is."""

    def __init__(self) -> None:
        self.kinds: dict[str, str] = {}
        self.invocations: list[tuple[str, int, list[dict[str, Any]]]] = []
        self._open: list[dict[str, Any]] | None = None
        self._calls = 0
        self._side: dict[int, Any] = {}  # the shared client's id -> a client of its own beside it

    # --- invocations -----------------------------------------------------------------------------
    def begin(self) -> None:
        self._open, self._calls = [], 0

    def end(self, route: str, result: Any) -> None:
        requests, self._open = self._open, None
        status = result.get("statusCode") if isinstance(result, dict) else None
        if requests is not None and isinstance(status, int) and 200 <= status < 300:
            self.invocations.append((route, status, requests))

    # --- one call --------------------------------------------------------------------------------
    def call(self, client: Any, operation: str, params: dict[str, Any],
             send: Callable[[Any, str, dict[str, Any]], Any]) -> Any:
        """Make the call (``send``), recording its requests when an invocation is open."""
        if self._open is None:
            return send(client, operation, params)
        self._calls += 1
        n = self._calls
        try:
            writes = _write_parts(operation, params)
            before = {i: self._read(client, send, key) for i, (_, key, _) in enumerate(writes)}
        except KeyError:  # an item without our key attributes: not one of ours to model
            return send(client, operation, params)
        response = send(client, operation, params)
        try:
            for i, (op, key, item) in enumerate(writes):
                after = item if op == "Put" else (self._read(client, send, key) if op in ("Update", "Check")
                                                  else None)
                self._write(operation, n, op, key, before[i], after)
            self._reads(operation, n, params, response)
        except KeyError:
            pass  # recording never fails a test; a request it cannot read is left out
        return response

    def _write(self, call: str, n: int, op: str, key: dict[str, Any], before: dict | None,
               after: dict | None) -> None:
        from bench.capacity import item_size

        for image in (key, before, after):
            if image:
                self.learn(image)
        by_index: dict[str, set[str]] = {}
        for image in (before, after):
            for attr, value in (image or {}).items():
                if op != "Check" and re.fullmatch(r"gsi\d+pk", attr) and "S" in value:
                    by_index.setdefault(attr[:-2], set()).add(value["S"])
        size = max([item_size(i) for i in (before, after) if i] or [0])
        assert self._open is not None
        self._open.append({"call": call, "n": n, "op": op, "tx": call == "TransactWriteItems",
                           "pk": key["id"]["S"], "sk": key["sk"]["S"], "size": size,
                           "indexes": {name: sorted(values) for name, values in sorted(by_index.items())}})

    def _reads(self, call: str, n: int, params: dict[str, Any], response: dict[str, Any]) -> None:
        from bench.capacity import item_size

        assert self._open is not None
        if call == "GetItem":
            self.learn(params["Key"])
            item = response.get("Item")
            if item:
                self.learn(item)
            self._open.append({"call": call, "n": n, "op": "Get", "pk": params["Key"]["id"]["S"],
                               "sk": params["Key"]["sk"]["S"], "size": item_size(item) if item else 0,
                               "consistent": bool(params.get("ConsistentRead"))})
        elif call == "BatchGetItem":
            found = {(i["id"]["S"], i["sk"]["S"]): i for items in response.get("Responses", {}).values()
                     for i in items}
            for i in found.values():
                self.learn(i)
            for table in params["RequestItems"].values():
                for key in table["Keys"]:
                    self.learn(key)
                    item = found.get((key["id"]["S"], key["sk"]["S"]))
                    self._open.append({"call": call, "n": n, "op": "Get", "pk": key["id"]["S"],
                                       "sk": key["sk"]["S"], "size": item_size(item) if item else 0,
                                       "consistent": bool(table.get("ConsistentRead"))})
        elif call in ("Query", "Scan"):
            items = response.get("Items", [])
            for i in items:
                self.learn(i)
            names, values = params.get("ExpressionAttributeNames", {}), params.get("ExpressionAttributeValues", {})
            pk = values.get(":pk", {}).get("S", "") if names.get("#pk") else ""
            self._open.append({"call": call, "n": n, "op": call, "index": params.get("IndexName"), "pk": pk,
                               "sk": values.get(":prefix", {}).get("S", ""), "limit": params.get("Limit"),
                               "items": len(items), "size": sum(item_size(i) for i in items),
                               "consistent": bool(params.get("ConsistentRead"))})

    def _read(self, client: Any, send: Callable[..., Any], key: dict[str, Any]) -> dict[str, Any] | None:
        """The item as stored, through a client of its own (so no counting hook on the shared one sees it)."""
        import boto3

        side = self._side.get(id(client))
        if side is None:
            if len(self._side) > 8:
                self._side.clear()
            side = self._side[id(client)] = boto3.client("dynamodb", endpoint_url=client.meta.endpoint_url,
                                                         region_name=client.meta.region_name)
        from functions.data.dynamo import table_name

        item = send(side, "GetItem", {"TableName": table_name(), "Key": key, "ConsistentRead": True})
        return item.get("Item")

    # --- what ids are ------------------------------------------------------------------------------
    def learn(self, item: dict[str, Any]) -> None:
        """What the ids in an item (or a key: an exam's key names an exam even when none is found) are."""
        sk = item.get("sk", {}).get("S", "")
        for prefix, kind in _OWN_ID_KINDS:
            if sk.startswith(prefix) and "S" in item.get("id", {}):
                self.kinds.setdefault(item["id"]["S"], kind)
                break
        for attr, kind in _ATTRIBUTE_KINDS.items():
            value = item.get(attr)
            if not value:
                continue
            for v in ([value["S"]] if "S" in value else [x.get("S") for x in value.get("L", [])]):
                if v:
                    self.kinds.setdefault(v, kind)

    def pattern(self, value: str) -> str:
        return pattern(value, self.kinds)

    def shapes(self) -> dict[str, list[dict[str, Any]]]:
        """Per route, its distinct invocation shapes (patterns, sizes merged by max), most often seen first."""
        by_route: dict[str, dict[str, dict[str, Any]]] = {}
        for route, status, requests in self.invocations:
            shaped = _counted([self._shaped(r) for r in requests])
            signature = json.dumps([{k: v for k, v in r.items() if k not in ("size", "items")} for r in shaped])
            entry = by_route.setdefault(route, {}).setdefault(signature, {"status": status, "seen": 0,
                                                                           "requests": shaped})
            entry["seen"] += 1
            for kept, new in zip(entry["requests"], shaped, strict=True):
                kept["size"] = max(kept["size"], new["size"])
                if "items" in new:
                    kept["items"] = max(kept["items"], new["items"])
        return {route: sorted(found.values(), key=lambda s: -s["seen"]) for route, found in by_route.items()}

    def _shaped(self, request: dict[str, Any]) -> dict[str, Any]:
        shaped = dict(request)
        shaped["pk"], shaped["sk"] = self.pattern(request["pk"]), self.pattern(request["sk"])
        if "indexes" in request:
            shaped["indexes"] = {name: sorted({self.pattern(v) for v in values})
                                 for name, values in request["indexes"].items()}
        return shaped


def _counted(requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Requests of one call with the same shape as one entry with their ``count`` (a BatchGetItem of an exam's
    192 statistics shards is one entry of count 192), sizes the largest."""
    out: dict[str, dict[str, Any]] = {}
    for r in requests:
        signature = json.dumps({k: v for k, v in r.items() if k not in ("size", "items")}, sort_keys=True)
        kept = out.get(signature)
        if kept is None:
            out[signature] = dict(r)
            continue
        kept["count"] = kept.get("count", 1) + 1
        kept["size"] = max(kept["size"], r["size"])
        if "items" in r:
            kept["items"] = max(kept["items"], r["items"])
    return list(out.values())


def _write_parts(operation: str, params: dict[str, Any]) -> list[tuple[str, dict[str, Any], dict | None]]:
    """(op, key, item for a Put) of each item a write call changes or checks."""
    if operation == "TransactWriteItems":
        parts = []
        for entry in params.get("TransactItems", []):
            (kind, body), = entry.items()
            item = body.get("Item")
            key = {"id": item["id"], "sk": item["sk"]} if item else body["Key"]
            parts.append((_TX_OPS[kind], key, item))
        return parts
    if operation == "PutItem":
        item = params["Item"]
        return [("Put", {"id": item["id"], "sk": item["sk"]}, item)]
    if operation == "UpdateItem":
        return [("Update", params["Key"], None)]
    if operation == "DeleteItem":
        return [("Delete", params["Key"], None)]
    if operation == "BatchWriteItem":
        parts = []
        for table in params.get("RequestItems", {}).values():
            for entry in table:
                if "PutRequest" in entry:
                    item = entry["PutRequest"]["Item"]
                    parts.append(("Put", {"id": item["id"], "sk": item["sk"]}, item))
                else:
                    parts.append(("Delete", entry["DeleteRequest"]["Key"], None))
        return parts
    return []


def pattern(value: str, kinds: dict[str, str]) -> str:
    """``value`` with every id replaced by what it is (see the module's docstring)."""
    from functions.data.keys import SHARDED, SHARDED_PARTITIONS

    out: list[str] = []
    for segment in value.split("#"):
        if segment in kinds:
            out.append(f"<{kinds[segment]}>")
        elif out and out[-1] in SHARDED and _NUMBER.match(segment):
            out.append(f"<shard/{SHARDED[out[-1]]}>")
        elif _UUID.match(segment):
            out.append("<id>")
        elif _HASH.match(segment):
            out.append("<hash>")
        elif _TIME.match(segment):
            out.append("<time>")
        elif _NUMBER.match(segment):
            out.append("<n>")
        else:
            out.append(segment)
    if len(out) == 3 and out[0] in SHARDED_PARTITIONS and out[-1] == "<n>":  # e.g. ``course#<course>#3``
        out[-1] = f"<shard/{SHARDED_PARTITIONS[out[0]]}>"
    return "#".join(out)


def committed() -> dict[str, Any]:
    return json.loads(REQUESTS_FILE.read_text()) if REQUESTS_FILE.exists() else {}


def join(*runs: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """The shapes of several processes of one run (xdist workers): the same shape once, seen counts added,
    sizes the largest."""
    by_route: dict[str, dict[str, dict[str, Any]]] = {}
    for run in runs:
        for route, shapes in run.items():
            for shape in shapes:
                signature = json.dumps([{k: v for k, v in r.items() if k not in ("size", "items")}
                                        for r in shape["requests"]])
                kept = by_route.setdefault(route, {}).get(signature)
                if kept is None:
                    by_route[route][signature] = json.loads(json.dumps(shape))
                    continue
                kept["seen"] += shape["seen"]
                for old, new in zip(kept["requests"], shape["requests"], strict=True):
                    old["size"] = max(old["size"], new["size"])
                    if "items" in new:
                        old["items"] = max(old["items"], new["items"])
    return {route: sorted(found.values(), key=lambda s: -s["seen"]) for route, found in by_route.items()}


def write(seen: dict[str, list[dict[str, Any]]], path: Path = REQUESTS_FILE) -> None:
    """Routes this run saw replace their entries; every other route keeps what an earlier run recorded."""
    merged = {**(json.loads(path.read_text()) if path.exists() else {}), **seen}
    path.write_text(_dumps(dict(sorted(merged.items()))))


def _dumps(recorded: dict[str, list[dict[str, Any]]]) -> str:
    """One request per line: the file diffs by request when a key changes."""
    routes = []
    for route, shapes in recorded.items():
        texts = []
        for shape in shapes:
            requests = ",\n".join(f"    {json.dumps(r)}" for r in shape["requests"])
            texts.append(f'  {{"status": {shape["status"]}, "seen": {shape["seen"]}, "requests": [\n{requests}\n  ]}}')
        routes.append(f" {json.dumps(route)}: [\n" + ",\n".join(texts) + "\n ]")
    return "{\n" + ",\n".join(routes) + "\n}\n"


def _partial(worker: str, path: Path = REQUESTS_FILE) -> Path:
    return path.with_name(f".{path.stem}.{worker}.json")


def finish(worker: str | None, path: Path = REQUESTS_FILE) -> None:
    """An xdist worker leaves its shapes beside the file; the controlling process (or a run without xdist)
    joins them with its own and merges the result into the file."""
    if worker is not None:
        _partial(worker, path).write_text(json.dumps(recorder.shapes()))
        return
    parts = sorted(path.parent.glob(f".{path.stem}.*.json"))
    runs = [recorder.shapes()] + [json.loads(p.read_text()) for p in parts]
    for p in parts:
        p.unlink()
    seen = join(*runs)
    if seen:
        write(seen, path)


recorder = Recorder()
