"""Monitoring as code: one topic (email as a deploy-time parameter), one dashboard, and the alarms with the
metrics they watch: the API's 5xx rate and p99 latency, the routes' own 5xx answers, each function's errors,
throttles and duration near its timeout, the table's throttles and system errors, the importer's failed and
parked assignments and its dead-letter queue."""

from __future__ import annotations

import json
from typing import Any

import pytest

from functions.platform.observability import IMPORT_FAILED, IMPORT_PARKED, ROUTE_5XX
from functions.routes import ROUTES
from infra.constructs.importer_schedule import IMPORTER_HANDLER
from tests.infra.conftest import Synth

# One xdist worker runs them all (make test uses --dist loadgroup): the app is synthesized once.
pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("infra")]

ALL_HANDLERS = [route.handler for route in ROUTES] + [IMPORTER_HANDLER]


def alarms(synth: Synth) -> dict[str, dict[str, Any]]:
    return {k: v["Properties"] for k, v in synth.of_type("AWS::CloudWatch::Alarm").items()}


def topic_id(synth: Synth) -> str:
    (topic,) = synth.of_type("AWS::SNS::Topic")
    return topic


def single_metric(props: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
    dims = {d["Name"]: d["Value"] for d in props.get("Dimensions", [])}
    return props["Namespace"], props["MetricName"], dims


def alarms_on(synth: Synth, namespace: str, metric: str) -> list[dict[str, Any]]:
    return [a for a in alarms(synth).values() if "MetricName" in a and a["Namespace"] == namespace
            and a["MetricName"] == metric]


def test_every_alarm_notifies_the_one_topic_on_alarm_and_on_recovery(synth: Synth) -> None:
    assert len(synth.of_type("AWS::SNS::Topic")) == 1
    for logical_id, props in alarms(synth).items():
        assert props["AlarmActions"] == [{"Ref": topic_id(synth)}], logical_id
        assert props["OKActions"] == [{"Ref": topic_id(synth)}], logical_id
        assert props["TreatMissingData"] == "notBreaching", logical_id
        assert props.get("AlarmDescription"), logical_id


def test_the_email_subscription_is_a_deploy_time_parameter(synth: Synth) -> None:
    assert synth.template["Parameters"]["AlarmEmail"]["Type"] == "String"
    (subscription,) = synth.of_type("AWS::SNS::Subscription").values()
    assert subscription["Properties"]["Protocol"] == "email"
    assert subscription["Properties"]["Endpoint"] == {"Ref": "AlarmEmail"}
    condition = synth.template["Conditions"][subscription["Condition"]]
    assert condition == {"Fn::Not": [{"Fn::Equals": [{"Ref": "AlarmEmail"}, ""]}]}


def test_one_dashboard_with_the_api_functions_table_and_importer(synth: Synth) -> None:
    (dashboard,) = synth.of_type("AWS::CloudWatch::Dashboard").values()
    body = json.dumps(dashboard["Properties"]["DashboardBody"])
    for needle in ("5XXError", ROUTE_5XX, "Latency", "AWS/Lambda", "ReadThrottleEvents", IMPORT_FAILED,
                   IMPORT_PARKED, "ApproximateNumberOfMessagesVisible"):
        assert needle in body, needle


def test_api_5xx_rate_and_p99_latency(synth: Synth) -> None:
    (rate,) = alarms_on(synth, "AWS/ApiGateway", "5XXError")
    assert rate["Statistic"] == "Average" and 0 < rate["Threshold"] <= 0.05  # a share of requests
    assert {d["Name"] for d in rate["Dimensions"]} == {"ApiName", "Stage"}
    (latency,) = alarms_on(synth, "AWS/ApiGateway", "Latency")
    assert latency["ExtendedStatistic"] == "p99" and latency["Threshold"] <= 29_000


def test_the_routes_own_5xx_answers_have_an_alarm(synth: Synth) -> None:
    (route_5xx,) = alarms_on(synth, "examdesk", ROUTE_5XX)
    assert single_metric(route_5xx)[2] == {"service": "examdesk"} and route_5xx["Statistic"] == "Sum"


@pytest.mark.parametrize("metric", [IMPORT_FAILED, IMPORT_PARKED])
def test_the_importers_failed_and_parked_assignments_have_alarms(synth: Synth, metric: str) -> None:
    (alarm,) = alarms_on(synth, "examdesk", metric)
    assert alarm["Threshold"] == 1 and alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"


def test_every_dead_letter_queue_depth_has_an_alarm(synth: Synth) -> None:
    queues = set(synth.of_type("AWS::SQS::Queue"))  # the importer's, the credential sweep's, the pre-warm's
    assert len(queues) == 3
    depths = alarms_on(synth, "AWS/SQS", "ApproximateNumberOfMessagesVisible")
    watched = {d["Dimensions"][0]["Value"]["Fn::GetAtt"][0] for d in depths}
    assert watched == queues and all(d["Threshold"] == 1 for d in depths)


def _math_metrics(props: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    found = []
    for query in props.get("Metrics", []):
        if "MetricStat" in query:
            metric = query["MetricStat"]["Metric"]
            found.append((metric["Namespace"], metric["MetricName"],
                          {d["Name"]: d["Value"] for d in metric.get("Dimensions", [])}))
    return found


def test_table_throttles_and_system_errors(synth: Synth) -> None:
    (table_id,) = synth.of_type("AWS::DynamoDB::Table")
    watched = {m for a in alarms(synth).values() for (ns, m, dims) in _math_metrics(a)
               if ns == "AWS/DynamoDB" and dims["TableName"] == {"Ref": table_id}}
    assert watched == {"ReadThrottleEvents", "WriteThrottleEvents", "SystemErrors"}
    for props in alarms(synth).values():
        assert len(props.get("Metrics", [])) <= 11  # an alarm's math: at most 10 metrics and the expression


@pytest.mark.parametrize("handler", ALL_HANDLERS)
def test_each_function_has_errors_throttles_and_near_timeout_alarms(synth: Synth, handler: str) -> None:
    _, fn = synth.function_for(handler)
    name = fn["Properties"]["FunctionName"]
    mine = {a["MetricName"]: a for a in alarms(synth).values()
            if "MetricName" in a and a["Namespace"] == "AWS/Lambda" and a["Dimensions"] == [
                {"Name": "FunctionName", "Value": {"Ref": synth.function_for(handler)[0]}}]}
    assert set(mine) == {"Errors", "Throttles", "Duration"}, name
    assert mine["Errors"]["Threshold"] == 1 and mine["Throttles"]["Threshold"] == 1
    assert mine["Duration"]["ExtendedStatistic"] == "p99"
    assert mine["Duration"]["Threshold"] == pytest.approx(fn["Properties"]["Timeout"] * 1000 * 0.8)
