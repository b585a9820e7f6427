"""The single DynamoDB table; keys and indexes come from functions/data/keys.py, never spelled here."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct

from functions.data import keys

# Idempotency records (Powertools) carry an epoch-seconds expiry; DynamoDB TTL deletes them for free.
TTL_ATTRIBUTE = keys.TTL_ATTRIBUTE


def _string(name: str) -> dynamodb.Attribute:
    return dynamodb.Attribute(name=name, type=dynamodb.AttributeType.STRING)


class ExamTable(Construct):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.table = dynamodb.Table(
            self,
            "Table",
            partition_key=_string(keys.PK),
            sort_key=_string(keys.SK),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            time_to_live_attribute=TTL_ATTRIBUTE,
            # Exam records are the product: keep the table if the stack goes, and refuse console deletes.
            removal_policy=RemovalPolicy.RETAIN,
            deletion_protection=True,
        )
        for index in keys.INDEXES:
            self.table.add_global_secondary_index(
                index_name=index.name,
                partition_key=_string(index.pk),
                sort_key=_string(index.sk),
                projection_type=dynamodb.ProjectionType.ALL,  # same as keys.table_definition (moto, local)
            )
