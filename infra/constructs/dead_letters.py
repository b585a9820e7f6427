"""The failure path of a scheduled function (the importer, the credential sweep): an encrypted SQS queue that is
both its asynchronous on-failure destination and its EventBridge targets' dead-letter queue, bounded retries,
and an event age no older than the schedule's rate (docs/operations.md)."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_events as events
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.constructs.nag import acknowledge, acknowledge_lint

RETRY_ATTEMPTS = 1  # a failed scheduled run is retried once; the next run is never more than a rate away


def dead_letter_queue(scope: Construct, construct_id: str, what: str) -> sqs.Queue:
    queue = sqs.Queue(scope, construct_id, retention_period=Duration.days(14), enforce_ssl=True,
                      encryption=sqs.QueueEncryption.SQS_MANAGED)
    why = (f"This queue is itself the {what}'s dead-letter queue: nothing consumes it, an operator reads and "
           "replays it (docs/operations.md), so there is nothing to redrive to.")
    acknowledge(queue, "AwsSolutions-SQS3", why)
    acknowledge_lint(queue, "ES6000", why)
    acknowledge(queue, "Serverless-SQSRedrivePolicy", why)
    return queue


def fail_into(function: lambda_.Function, queue: sqs.Queue, *, every: Duration, what: str) -> None:
    """Asynchronous failures of ``function`` go to ``queue`` after RETRY_ATTEMPTS, events older than ``every``
    are dropped (the next scheduled run replaces them)."""
    acknowledge(function, "Serverless-LambdaDLQ",
                f"The {what}'s failed asynchronous runs go to an on-failure destination (an SQS queue): a "
                "destination record carries the error and the request, a DeadLetterConfig only the event.")
    function.configure_async_invoke(retry_attempts=RETRY_ATTEMPTS, max_event_age=every,
                                    on_failure=destinations.SqsDestination(queue))


def acknowledge_invoke_config(rule: events.Rule, what: str) -> None:
    for child in rule.node.find_all():
        if isinstance(child, lambda_.CfnPermission):  # EventBridge's invoke permission
            acknowledge_lint(child, "ES1007",
                             f"The {what}'s EventInvokeConfig exists (retries, event age, on-failure queue): "
                             "the rule looks for it by the permission's GetAtt, CDK names it by Ref.")
