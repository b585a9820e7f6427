"""Generic single-table operations: get, put, transact, paged queries. Entity modules build on these."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel

from functions.core.errors import InvalidInput, Unavailable
from functions.data import keys, tokens
from functions.data.dynamo import client, deserialize, serialize, serialize_value, table_name, translated_errors
from functions.data.keys import Index

M = TypeVar("M", bound=BaseModel)

BATCH_GET_LIMIT = 100
BATCH_GET_TRIES = 5  # calls per 100 keys while some stay unprocessed; full-jitter backoff between them
BATCH_GET_BACKOFF = 0.05  # seconds: waits of at most 0.1, 0.2, 0.4, 0.8 (about 0.75 s on average in all)


def to_item(model: BaseModel, key: dict[str, str], extra: dict[str, Any] | None = None) -> dict[str, Any]:
    body = model.model_dump(mode="json", exclude_none=True)
    return {**body, **(extra or {}), **key}


def from_item(model: type[M], item: dict[str, Any]) -> M:
    return model.model_validate(item)


@dataclass
class Page:
    items: list[dict[str, Any]]
    next_token: str | None


class Store:
    """Thin wrapper over the DynamoDB client for the one table."""

    @property
    def table(self) -> str:
        return table_name()

    def get(self, key: dict[str, str], *, consistent: bool = False) -> dict[str, Any] | None:
        with translated_errors():
            response = client().get_item(TableName=self.table, Key=serialize(key), ConsistentRead=consistent)
        item = response.get("Item")
        return deserialize(item) if item else None

    def get_model(self, model: type[M], key: dict[str, str], *, consistent: bool = False) -> M | None:
        item = self.get(key, consistent=consistent)
        return from_item(model, item) if item else None

    def batch_get(self, key_list: list[dict[str, str]], *, consistent: bool = False) -> list[dict[str, Any]]:
        """Up to 100 keys per call (strongly consistent reads with ``consistent``). Keys the store leaves
        unprocessed (throttling) are asked for again with exponential backoff and jitter; any still unprocessed
        after ``BATCH_GET_TRIES`` calls make the request a 503 (Unavailable): a partial answer is never
        returned as if it were whole."""
        found: list[dict[str, Any]] = []
        unique = list({(k[keys.PK], k[keys.SK]): k for k in key_list}.values())
        for start in range(0, len(unique), BATCH_GET_LIMIT):
            chunk = unique[start : start + BATCH_GET_LIMIT]
            pending: dict[str, Any] = {self.table: {"Keys": [serialize(k) for k in chunk],
                                                    **({"ConsistentRead": True} if consistent else {})}}
            for attempt in range(BATCH_GET_TRIES):
                if attempt:
                    time.sleep(random.uniform(0, min(BATCH_GET_BACKOFF * 2 ** attempt, 1.0)))
                with translated_errors():
                    response = client().batch_get_item(RequestItems=pending)
                found.extend(deserialize(i) for i in response.get("Responses", {}).get(self.table, []))
                pending = response.get("UnprocessedKeys") or {}
                if not pending:
                    break
            if pending:
                raise Unavailable("the store is busy (keys left unprocessed); retry shortly")
        return found

    def put(self, item: dict[str, Any], *, condition: str | None = None, names: dict | None = None,
            values: dict | None = None, conflict_message: str | None = None) -> None:
        args: dict[str, Any] = {"TableName": self.table, "Item": serialize(item)}
        _add_condition(args, condition, names, values)
        with translated_errors(*([conflict_message] if conflict_message else [])):
            client().put_item(**args)

    def update(self, key: dict[str, str], expression: str, *, names: dict | None = None,
               values: dict | None = None, condition: str | None = None, return_values: str | None = None,
               conflict_message: str | None = None) -> dict[str, Any] | None:
        """One UpdateItem; with ``return_values`` (e.g. "ALL_NEW") the attributes it returns, else None. A
        failed condition is a ConcurrentUpdate (``conflict_message``)."""
        args: dict[str, Any] = {"TableName": self.table, "Key": serialize(key), "UpdateExpression": expression}
        if return_values:
            args["ReturnValues"] = return_values
        _add_condition(args, condition, names, values)
        with translated_errors(*([conflict_message] if conflict_message else [])):
            response = client().update_item(**args)
        attributes = response.get("Attributes")
        return deserialize(attributes) if attributes else None

    def transact(self, operations: list[dict[str, Any]], conflict_message: str | None = None) -> None:
        """All-or-nothing write of up to 100 operations built with the ``op_*`` helpers below."""
        if not operations:
            return
        for op in operations:
            next(iter(op.values()))["TableName"] = self.table
        with translated_errors(*([conflict_message] if conflict_message else [])):
            client().transact_write_items(TransactItems=operations)

    def query_page(
        self,
        pk_value: str,
        sk_prefix: str,
        *,
        index: Index | None = None,
        limit: int,
        token: str | None = None,
        forward: bool = True,
        filter_expression: str | None = None,
        filter_names: dict[str, str] | None = None,
        filter_values: dict[str, Any] | None = None,
    ) -> Page:
        pk_attr, sk_attr = (index.pk, index.sk) if index else (keys.PK, keys.SK)
        args: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "#pk = :pk AND begins_with(#sk, :prefix)",
            "ExpressionAttributeNames": {"#pk": pk_attr, "#sk": sk_attr, **(filter_names or {})},
            "ExpressionAttributeValues": serialize({":pk": pk_value, ":prefix": sk_prefix, **(filter_values or {})}),
            "Limit": limit,
            "ScanIndexForward": forward,
        }
        if index:
            args["IndexName"] = index.name
        if filter_expression:
            args["FilterExpression"] = filter_expression
        if token:
            args["ExclusiveStartKey"] = serialize(self._start_key(token, pk_value, sk_prefix, index))
        with translated_errors():
            response = client().query(**args)
        last = response.get("LastEvaluatedKey")
        next_token = tokens.encode([{keys.PK: last[keys.PK]["S"], keys.SK: last[keys.SK]["S"]}]) if last else None
        return Page([deserialize(i) for i in response.get("Items", [])], next_token)

    def query(self, condition: str, names: dict[str, str], values: dict[str, Any], *, index: Index | None = None,
              limit: int | None = None, forward: bool | None = None, projection: str | None = None,
              filter_expression: str | None = None, start: dict[str, Any] | None = None
              ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """One Query page with any key condition (``index`` None or unnamed: the table), continuing from
        DynamoDB's own last key ``start``: the page's items and its last key (None at the end). Only the
        options given are sent."""
        args: dict[str, Any] = {"TableName": self.table, "KeyConditionExpression": condition,
                                "ExpressionAttributeNames": names, "ExpressionAttributeValues": serialize(values)}
        if index and index.name:
            args["IndexName"] = index.name
        if limit is not None:
            args["Limit"] = limit
        if forward is not None:
            args["ScanIndexForward"] = forward
        if projection:
            args["ProjectionExpression"] = projection
        if filter_expression:
            args["FilterExpression"] = filter_expression
        if start:
            args["ExclusiveStartKey"] = serialize(start)
        with translated_errors():
            return _items_and_last(client().query(**args))

    def scan_page(self, segment: int, segments: int, *, limit: int, start: dict[str, Any] | None = None
                  ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """One page of one segment of a parallel Scan of the table, from DynamoDB's own last key ``start``: the
        items and the page's last key (None at the segment's end). An operator's job only (the list backfill,
        data/backfill.py): no route scans, and only that job's role may (infra/dynamodb_actions.json)."""
        args: dict[str, Any] = {"TableName": self.table, "Segment": segment, "TotalSegments": segments,
                                "Limit": limit}
        if start:
            args["ExclusiveStartKey"] = serialize(start)
        with translated_errors():
            return _items_and_last(client().scan(**args))

    def index_keys(self, key: dict[str, str], index: Index) -> dict[str, Any]:
        """The ``index`` key attributes of the item ``key`` names (one projected GetItem); {} when it is gone."""
        with translated_errors():
            response = client().get_item(
                TableName=self.table,
                Key=serialize(key),
                ProjectionExpression="#pk, #sk",
                ExpressionAttributeNames={"#pk": index.pk, "#sk": index.sk},
            )
        return deserialize(response.get("Item") or {})

    def count(self, pk_value: str, sk_prefix: str) -> int:
        """How many items of a partition start with ``sk_prefix`` (Select=COUNT, every page; a job's read)."""
        args: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "#pk = :pk AND begins_with(#sk, :prefix)",
            "ExpressionAttributeNames": {"#pk": keys.PK, "#sk": keys.SK},
            "ExpressionAttributeValues": serialize({":pk": pk_value, ":prefix": sk_prefix}),
            "Select": "COUNT",
        }
        total = 0
        while True:
            with translated_errors():
                response = client().query(**args)
            total += int(response.get("Count", 0))
            if not response.get("LastEvaluatedKey"):
                return total
            args["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def _start_key(self, token: str, pk_value: str, sk_prefix: str, index: Index | None) -> dict[str, str]:
        """Turn a seed-format token back into a start key, refusing one that names anything outside this list.

        The seed's format carries only ``id`` and ``sk``; on an index the index keys are read back from that
        item (one small read per continued page, independent of the table's size).
        """
        key = tokens.decode(token)[0]
        outside = InvalidInput("nextToken does not belong to this list", field="nextToken")
        if index is None:
            if key[keys.PK] != pk_value or not key[keys.SK].startswith(sk_prefix):
                raise outside
            return key
        found = self.index_keys(key, index)
        if found.get(index.pk) != pk_value or not str(found.get(index.sk, "")).startswith(sk_prefix):
            raise outside
        return {**key, index.pk: found[index.pk], index.sk: found[index.sk]}


def _add_condition(args: dict[str, Any], condition: str | None, names: dict | None, values: dict | None) -> None:
    if condition:
        args["ConditionExpression"] = condition
    if names:
        args["ExpressionAttributeNames"] = names
    if values:
        args["ExpressionAttributeValues"] = {k: serialize_value(v) for k, v in values.items()}


def op_put(item: dict[str, Any], condition: str | None = None, names: dict | None = None,
           values: dict | None = None) -> dict[str, Any]:
    args: dict[str, Any] = {"Item": serialize(item)}
    _add_condition(args, condition, names, values)
    return {"Put": args}


def op_delete(key: dict[str, str], condition: str | None = None, names: dict | None = None,
              values: dict | None = None) -> dict[str, Any]:
    args: dict[str, Any] = {"Key": serialize(key)}
    _add_condition(args, condition, names, values)
    return {"Delete": args}


def _items_and_last(response: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """A Query or Scan page: its items and DynamoDB's last key (None at the end), deserialized."""
    last = response.get("LastEvaluatedKey")
    return [deserialize(i) for i in response.get("Items", [])], deserialize(last) if last else None


def set_and_remove(fields: dict[str, Any]) -> tuple[str, dict[str, str], dict[str, Any]]:
    """An update expression that SETs each field and REMOVEs those given None, with its names and values
    (``#f<n>`` / ``:f<n>``, so attribute names never clash with DynamoDB's reserved words)."""
    names = {f"#f{n}": name for n, name in enumerate(fields)}
    values = {f":f{n}": value for n, value in enumerate(fields.values()) if value is not None}
    sets = [f"#f{n} = :f{n}" for n, value in enumerate(fields.values()) if value is not None]
    removes = [f"#f{n}" for n, value in enumerate(fields.values()) if value is None]
    clauses = (["SET " + ", ".join(sets)] if sets else []) + (["REMOVE " + ", ".join(removes)] if removes else [])
    return " ".join(clauses), names, values


def op_update(key: dict[str, str], expression: str, names: dict | None = None, values: dict | None = None,
              condition: str | None = None) -> dict[str, Any]:
    args: dict[str, Any] = {"Key": serialize(key), "UpdateExpression": expression}
    _add_condition(args, condition, names, values)
    return {"Update": args}


def op_check(key: dict[str, str], condition: str, names: dict | None = None,
             values: dict | None = None) -> dict[str, Any]:
    args: dict[str, Any] = {"Key": serialize(key)}
    _add_condition(args, condition, names, values)
    return {"ConditionCheck": args}


NEW_ITEM = keys.ITEM_ABSENT
SAME_VERSION = "#version = :expected"
UNVERSIONED = "attribute_not_exists(#version) OR #version = :expected"  # items written before ``version``
