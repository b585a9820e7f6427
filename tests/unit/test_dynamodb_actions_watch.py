"""The watcher behind infra/dynamodb_actions.json turns each DynamoDB call into the IAM actions it needs."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from tests import dynamodb_actions as watch


def test_a_transaction_needs_the_actions_of_its_parts_not_a_transaction_action() -> None:
    items = [{"Put": {}}, {"Update": {}}, {"ConditionCheck": {}}, {"Delete": {}}, {"Put": {}}]
    assert watch.iam_actions("TransactWriteItems", {"TransactItems": items}) == {
        "PutItem", "UpdateItem", "ConditionCheckItem", "DeleteItem"}
    assert watch.iam_actions("TransactGetItems", {"TransactItems": [{"Get": {}}]}) == {"GetItem"}


def test_a_query_on_an_index_is_named_by_its_index() -> None:
    assert watch.iam_actions("Query", {"IndexName": "gsi2"}) == {"Query@gsi2"}
    assert watch.iam_actions("Query", {}) == {"Query"}
    assert watch.iam_actions("BatchGetItem", {}) == {"BatchGetItem"}


def test_calls_outside_a_handler_are_not_attributed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(watch, "seen", {})
    with mock_aws():
        boto3.client("dynamodb", region_name="us-east-1").list_tables()
    assert watch.seen == {}


def test_a_handlers_unlisted_call_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(watch, "seen", {})
    monkeypatch.setattr(watch, "unlisted", [])

    def handler() -> None:
        boto3.client("dynamodb", region_name="us-east-1").list_tables()

    with mock_aws():
        watch.labelled("get_course", handler)()
    assert watch.seen == {"get_course": {"ListTables"}}
    assert watch.unlisted == ([] if watch.RECORD else [("get_course", "ListTables")])
