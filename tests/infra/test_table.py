"""The table matches functions/data/keys.py and is protected (PITR, retain, encryption, TTL)."""

from __future__ import annotations

from typing import Any

import pytest

from functions.data import keys
from infra.constructs.table import TTL_ATTRIBUTE
from tests.infra.conftest import Synth

# One xdist worker runs them all (make test uses --dist loadgroup): the app is synthesized once.
pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("infra")]


@pytest.fixture(scope="module")
def table(synth: Synth) -> dict[str, Any]:
    (table,) = synth.of_type("AWS::DynamoDB::Table").values()
    return table


def test_key_schema_is_keys_py(table: dict[str, Any]) -> None:
    assert table["Properties"]["KeySchema"] == [
        {"AttributeName": keys.PK, "KeyType": "HASH"},
        {"AttributeName": keys.SK, "KeyType": "RANGE"},
    ]


def test_indexes_are_keys_py_indexes(table: dict[str, Any]) -> None:
    gsis = {gsi["IndexName"]: gsi for gsi in table["Properties"]["GlobalSecondaryIndexes"]}
    assert sorted(gsis) == sorted(index.name for index in keys.INDEXES)
    for index in keys.INDEXES:
        assert gsis[index.name]["KeySchema"] == [
            {"AttributeName": index.pk, "KeyType": "HASH"},
            {"AttributeName": index.sk, "KeyType": "RANGE"},
        ]
        assert gsis[index.name]["Projection"] == {"ProjectionType": "ALL"}


def test_same_definition_as_moto_and_local_runner(table: dict[str, Any]) -> None:
    local = keys.table_definition("examdesk")
    props = table["Properties"]
    assert sorted(props["AttributeDefinitions"], key=str) == sorted(local["AttributeDefinitions"], key=str)
    assert props["BillingMode"] == local["BillingMode"] == "PAY_PER_REQUEST"


def test_protected(table: dict[str, Any]) -> None:
    props = table["Properties"]
    assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert props["SSESpecification"]["SSEEnabled"] is True
    assert table["DeletionPolicy"] == "Retain"
    assert table["UpdateReplacePolicy"] == "Retain"
    assert props["DeletionProtectionEnabled"] is True


def test_ttl_for_idempotency_records(table: dict[str, Any]) -> None:
    assert table["Properties"]["TimeToLiveSpecification"] == {"AttributeName": TTL_ATTRIBUTE, "Enabled": True}


def test_the_data_model_document_lists_the_template_s_indexes(table: dict[str, Any]) -> None:
    """docs/data-model.md "Indexes": every GSI the stack deploys, with its keys, in the document's order."""
    from tests import doc_tables

    documented = [(row[0], row[1]) for row in doc_tables.table("Indexes", "index").rows]
    deployed = [(gsi["IndexName"], " / ".join(f"`{k['AttributeName']}`" for k in gsi["KeySchema"]))
                for gsi in table["Properties"]["GlobalSecondaryIndexes"]]
    assert sorted(documented) == sorted(deployed)
    assert {gsi["Projection"]["ProjectionType"] for gsi in table["Properties"]["GlobalSecondaryIndexes"]} == {"ALL"}
