"""The results importer runs every 5 minutes (configurable) with the providers' configuration, and a failed
run has somewhere to go: bounded retries, events no older than a period, a dead-letter queue with its alarm."""

from __future__ import annotations

import json

import pytest

from functions.data.keys import WORK_QUEUE_SHARDS
from functions.routes import ROUTES
from infra.constructs.importer_schedule import IMPORTER_HANDLER, RESERVED_CONCURRENCY
from tests.infra.conftest import Synth

# One xdist worker runs them all (make test uses --dist loadgroup): the app is synthesized once.
pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("infra")]


def test_rule_targets_the_importer_every_5_minutes(synth: Synth) -> None:
    importer_id, _ = synth.function_for(IMPORTER_HANDLER)
    (rule,) = [r for r in synth.of_type("AWS::Events::Rule").values()  # the other: the credential sweep's
               if r["Properties"]["Targets"][0]["Arn"] == {"Fn::GetAtt": [importer_id, "Arn"]}]
    props = rule["Properties"]
    assert props["ScheduleExpression"] == "rate(5 minutes)"
    assert props["State"] == "ENABLED"
    # One target per work-queue shard: each tick runs one importer invocation per shard.
    assert [t["Arn"] for t in props["Targets"]] == [{"Fn::GetAtt": [importer_id, "Arn"]}] * WORK_QUEUE_SHARDS
    assert [json.loads(t["Input"]) for t in props["Targets"]] == [{"shard": n} for n in range(WORK_QUEUE_SHARDS)]


def test_eventbridge_may_invoke_the_importer(synth: Synth) -> None:
    importer_id, _ = synth.function_for(IMPORTER_HANDLER)
    principals = {
        p["Properties"]["Principal"]
        for p in synth.of_type("AWS::Lambda::Permission").values()
        if p["Properties"]["FunctionName"] == {"Fn::GetAtt": [importer_id, "Arn"]}
    }
    assert principals == {"events.amazonaws.com"}


def test_importer_has_provider_configuration_matching_its_schedule(synth: Synth) -> None:
    _, importer = synth.function_for(IMPORTER_HANDLER)
    props = importer["Properties"]
    variables = props["Environment"]["Variables"]
    assert variables["EXAMDESK_IMPORTER_POLL_SECONDS"] == "300"
    # 4 shards x 4 provider calls: the 16 at once a single whole-queue pass held.
    assert int(variables["EXAMDESK_IMPORTER_CONCURRENCY"]) * WORK_QUEUE_SHARDS == 16
    assert variables["EXAMDESK_EDULASTIC_TOKEN"] == "ssm:/examdesk/edulastic-token"
    assert "EXAMDESK_MASTERYTRACK_WEBHOOK_SECRET" not in variables  # the write-back's secret only
    assert props["MemorySize"] == 1769 and props["Timeout"] == 300  # one full vCPU: a pass is CPU-bound


def test_provider_routes_get_provider_configuration_and_room_for_retries(synth: Synth) -> None:
    for route in ROUTES:
        props = synth.function_for(route.handler)[1]["Properties"]
        variables = props["Environment"]["Variables"]
        assert ("EXAMDESK_MASTERYTRACK_API_KEY" in variables) == (route.external and not route.public), route.name
        assert props["Timeout"] == (20 if route.external else 10), route.name


def _queue_id(synth: Synth) -> str:
    """The importer's dead-letter queue (the credential sweep has its own, watched the same way)."""
    (queue_id,) = [q for q in synth.of_type("AWS::SQS::Queue") if "Importer" in q]
    return queue_id


def test_a_failed_run_is_retried_once_within_one_period_then_dead_lettered(synth: Synth) -> None:
    importer_id, _ = synth.function_for(IMPORTER_HANDLER)
    (config,) = [c for c in synth.of_type("AWS::Lambda::EventInvokeConfig").values()
                 if c["Properties"]["FunctionName"] == {"Ref": importer_id}]
    props = config["Properties"]
    assert props["FunctionName"] == {"Ref": importer_id} and props["Qualifier"] == "$LATEST"
    assert props["MaximumRetryAttempts"] == 1
    assert props["MaximumEventAgeInSeconds"] <= 300  # no older than the schedule's period: the next tick repeats it
    assert props["DestinationConfig"]["OnFailure"]["Destination"] == {"Fn::GetAtt": [_queue_id(synth), "Arn"]}


def test_eventbridge_retries_are_bounded_and_undeliverable_events_dead_lettered(synth: Synth) -> None:
    importer_id, _ = synth.function_for(IMPORTER_HANDLER)
    (rule,) = [r for r in synth.of_type("AWS::Events::Rule").values()
               if r["Properties"]["Targets"][0]["Arn"] == {"Fn::GetAtt": [importer_id, "Arn"]}]
    for target in rule["Properties"]["Targets"]:
        assert target["RetryPolicy"] == {"MaximumRetryAttempts": 2, "MaximumEventAgeInSeconds": 300}
        assert target["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": [_queue_id(synth), "Arn"]}}


def test_every_dead_letter_queue_is_encrypted_kept_14_days_and_tls_only(synth: Synth) -> None:
    queues = synth.of_type("AWS::SQS::Queue")  # the importer's, the credential sweep's, the pre-warm's
    assert _queue_id(synth) in queues and len(queues) == 3
    policies = synth.of_type("AWS::SQS::QueuePolicy").values()
    for queue_id, queue in queues.items():
        assert queue["Properties"]["MessageRetentionPeriod"] == 14 * 24 * 3600
        assert queue["Properties"]["SqsManagedSseEnabled"] is True
        (policy,) = [p for p in policies if p["Properties"]["Queues"] == [{"Ref": queue_id}]]
        statements = policy["Properties"]["PolicyDocument"]["Statement"]
        assert any(s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
                   for s in statements)


def test_reserved_concurrency_is_one_per_shard_and_one_for_the_console(synth: Synth) -> None:
    _, importer = synth.function_for(IMPORTER_HANDLER)
    assert importer["Properties"]["ReservedConcurrentExecutions"] == RESERVED_CONCURRENCY == WORK_QUEUE_SHARDS + 1
    for route in ROUTES:  # route functions share the account's pool; none is capped
        assert "ReservedConcurrentExecutions" not in synth.function_for(route.handler)[1]["Properties"]
