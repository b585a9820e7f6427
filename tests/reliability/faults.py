"""Fault injection on the route functions' own DynamoDB client (functions/data/dynamo.py ``client()``).

A ``before-send`` hook answers in DynamoDB's place, on the wire: botocore parses the injected answer as it
would a real one, and its retries (standard mode) go through the hook again, so a fault that lasts shows what
a caller gets after those retries. Nothing the hook answers reaches DynamoDB Local.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.exceptions import ReadTimeoutError

Answer = Callable[[AWSPreparedRequest], AWSResponse]


class _Body:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.data


def _response(request: AWSPreparedRequest, status: int, body: dict[str, Any]) -> AWSResponse:
    headers = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": "injected-fault"}
    return AWSResponse(request.url, status, headers, _Body(json.dumps(body).encode()))


def error(code: str, status: int = 400, **fields: Any) -> Answer:
    """DynamoDB's JSON error answer (``__type`` carries the code, as on the wire)."""
    def answer(request: AWSPreparedRequest) -> AWSResponse:
        return _response(request, status, {"__type": f"com.amazonaws.dynamodb.v20120810#{code}",
                                           "message": f"injected {code}", **fields})
    return answer


def cancelled(*reasons: str) -> Answer:
    """TransactionCanceledException with one reason per item of the transaction (the rest ``None``)."""
    def answer(request: AWSPreparedRequest) -> AWSResponse:
        items = len(json.loads(request.body or b"{}").get("TransactItems", [])) or len(reasons)
        codes = [*reasons, *["None"] * max(0, items - len(reasons))]
        body = {"__type": "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
                "Message": f"Transaction cancelled, please refer cancellation reasons for specific reasons "
                           f"[{', '.join(codes)}]",
                "CancellationReasons": [{"Code": c, **({"Message": f"injected {c}"} if c != "None" else {})}
                                        for c in codes]}
        return _response(request, 400, body)
    return answer


def read_timeout() -> Answer:
    def answer(request: AWSPreparedRequest) -> AWSResponse:
        raise ReadTimeoutError(endpoint_url=request.url)
    return answer


def unprocessed(plain_client: Any, served_per_call: int = 1) -> Answer:
    """BatchGetItem that serves only ``served_per_call`` keys (read from DynamoDB Local through a client without
    hooks) and hands the rest back as UnprocessedKeys, as DynamoDB does when it throttles part of a batch.
    ``served_per_call=0``: nothing is served, every key comes back unprocessed."""
    def answer(request: AWSPreparedRequest) -> AWSResponse:
        asked = json.loads(request.body or b"{}")["RequestItems"]
        responses: dict[str, list[Any]] = {}
        left: dict[str, Any] = {}
        for table, spec in asked.items():
            serve, rest = spec["Keys"][:served_per_call], spec["Keys"][served_per_call:]
            if serve:
                got = plain_client.batch_get_item(RequestItems={table: {**spec, "Keys": serve}})
                responses[table] = got["Responses"].get(table, [])
            if rest:
                left[table] = {**spec, "Keys": rest}
        return _response(request, 200, {"Responses": responses, "UnprocessedKeys": left})
    return answer


@dataclass
class Rule:
    operation: str
    answer: Answer
    times: int | None  # None: every call from now on
    used: int = 0

    def take(self) -> bool:
        if self.times is not None and self.used >= self.times:
            return False
        self.used += 1
        return True


class Injector:
    """Registered on the client's ``before-send.dynamodb``; counts every call per operation."""

    def __init__(self) -> None:
        self.rules: list[Rule] = []
        self.sent: Counter[str] = Counter()  # calls that reached the hook (botocore's retries included)

    def fail(self, operation: str, answer: Answer, times: int | None = None) -> Rule:
        rule = Rule(operation, answer, times)
        self.rules.append(rule)
        return rule

    def clear(self) -> None:
        self.rules.clear()
        self.sent.clear()

    def __call__(self, request: AWSPreparedRequest, event_name: str, **_: Any) -> AWSResponse | None:
        operation = event_name.rsplit(".", 1)[-1]
        self.sent[operation] += 1
        for rule in self.rules:
            if rule.operation == operation and rule.take():
                return rule.answer(request)
        return None
