"""Monitoring as code, in this one construct: the alarm topic, every alarm, and the operations dashboard.

- API: the 5xx rate and the p99 latency of the stage (what callers see, API Gateway's own answers included);
- routes: the 5xx answers the routes themselves return (``Route5xx``, functions/platform/observability.py):
  a route turns an unexpected exception into a 500, so Lambda's Errors stays 0 during such an outage;
- each function: errors, throttles, and a p99 duration near its timeout (``watch_function``; the alarms sit
  beside the function, in its dialect's nested stack);
- the table: throttled reads and writes (table and indexes) and DynamoDB's system errors;
- the importer: assignments that failed or were parked (``ImportFailed`` / ``ImportParked``), and its
  dead-letter queue's depth (a shard run that failed all its retries).

Every alarm notifies one SNS topic; an email address is subscribed when the ``AlarmEmail`` parameter is given
at deploy time (``make deploy email=...``). Thresholds and their reasons: docs/operations.md.
"""

from __future__ import annotations

from aws_cdk import CfnCondition, CfnParameter, Duration, Fn, Stack
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from functions.data.keys import INDEXES
from functions.platform.observability import IMPORT_FAILED, IMPORT_PARKED, METRICS_NAMESPACE, ROUTE_5XX, SERVICE
from infra.config import DeployConfig
from infra.constructs.nag import acknowledge, acknowledge_lint

PERIOD = Duration.minutes(5)
API_5XX_RATE = 0.01  # 1% of requests answered 5xx, over two of three periods
API_P99_LATENCY_MS = 3000  # routes answer in well under a second (docs/performance.md); 3 s is trouble
ROUTE_5XX_COUNT = 5  # in a period: a bug or a failing dependency, not one unlucky request
NEAR_TIMEOUT = 0.8  # p99 duration at 80% of the function's timeout
# DynamoDB operations whose SystemErrors are watched (an alarm's math takes at most 10 metrics).
TABLE_OPERATIONS = ("GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "BatchGetItem", "TransactWriteItems",
                    "TransactGetItems")


class Monitoring(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: DeployConfig) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        self.stack_name = config.stack_name
        email = CfnParameter(stack, "AlarmEmail", type="String", default="",
                             description="Email address the alarms notify (confirm the subscription); empty: none")
        self.topic = sns.Topic(self, "AlarmTopic", display_name=f"{config.stack_name} alarms", enforce_ssl=True)
        acknowledge(self.topic, "AwsSolutions-SNS2",
                    "Alarm notifications carry alarm names and metric values, no personal data; CloudWatch "
                    "cannot publish to a topic under the AWS-managed aws/sns key, and a customer key for them "
                    "is a cost without a secret to protect.")
        has_email = CfnCondition(self, "HasAlarmEmail", expression=Fn.condition_not(
            Fn.condition_equals(email.value_as_string, "")))
        subscription = sns.CfnSubscription(self, "AlarmEmailSubscription", topic_arn=self.topic.topic_arn,
                                           protocol="email", endpoint=email.value_as_string)
        subscription.cfn_options.condition = has_email
        no_redrive = ("An email subscription: SNS retries email delivery itself, and an alarm that could not be "
                      "mailed is still in the alarm's history and on the dashboard; a queue for it would go unread.")
        acknowledge(subscription, "Serverless-SNSRedrivePolicy", no_redrive)
        acknowledge_lint(subscription, "ES7000", no_redrive)
        self.action = cw_actions.SnsAction(self.topic)
        self.dashboard = cloudwatch.Dashboard(self, "Dashboard", dashboard_name=f"{config.stack_name}-operations",
                                              default_interval=Duration.hours(3))
        self.alarms: list[cloudwatch.Alarm] = []

    def _alarm(self, scope: Construct, construct_id: str, metric: cloudwatch.IMetric, *, threshold: float,
               description: str, periods: int = 1, datapoints: int = 1) -> cloudwatch.Alarm:
        alarm = cloudwatch.Alarm(
            scope, construct_id, metric=metric, threshold=threshold, evaluation_periods=periods,
            datapoints_to_alarm=datapoints, alarm_description=description,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING)
        alarm.add_alarm_action(self.action)
        alarm.add_ok_action(self.action)
        self.alarms.append(alarm)
        return alarm

    def _metric(self, name: str, statistic: str = "Sum") -> cloudwatch.Metric:
        # Powertools adds the "service" dimension to every metric it emits.
        return cloudwatch.Metric(namespace=METRICS_NAMESPACE, metric_name=name, dimensions_map={"service": SERVICE},
                                 statistic=statistic, period=PERIOD)

    def watch_api(self, rest_api: apigw.RestApi) -> None:
        stage = rest_api.deployment_stage.stage_name
        dims = {"ApiName": rest_api.rest_api_name, "Stage": stage}

        def api(name: str, statistic: str) -> cloudwatch.Metric:
            return cloudwatch.Metric(namespace="AWS/ApiGateway", metric_name=name, dimensions_map=dims,
                                     statistic=statistic, period=PERIOD)

        # 5XXError's average is the share of requests answered 5xx (each request counts 0 or 1).
        self._alarm(self, "Api5xxRate", api("5XXError", "Average"), threshold=API_5XX_RATE, periods=3, datapoints=2,
                    description=f"More than {API_5XX_RATE:.0%} of API requests answered 5xx (gateway or routes)")
        self._alarm(self, "ApiLatencyP99", api("Latency", "p99"), threshold=API_P99_LATENCY_MS, periods=3,
                    datapoints=2, description=f"API p99 latency at or above {API_P99_LATENCY_MS} ms")
        self._alarm(self, "Route5xx", self._metric(ROUTE_5XX), threshold=ROUTE_5XX_COUNT,
                    description=f"Routes returned {ROUTE_5XX_COUNT}+ 5xx answers in 5 minutes (500: a bug, look "
                    "up the request id in the logs; 503: a dependency failing)")
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(title="API requests and errors", width=8, left=[
                api("Count", "Sum"), api("4XXError", "Sum"), api("5XXError", "Sum"), self._metric(ROUTE_5XX)]),
            cloudwatch.GraphWidget(title="API latency (ms)", width=8, left=[
                api("Latency", "p50"), api("Latency", "p99"), api("IntegrationLatency", "p99")]),
            cloudwatch.GraphWidget(title="Functions: errors and throttles", width=8, left=[
                self._search("Errors"), self._search("Throttles")]),
        )

    def _search(self, metric_name: str) -> cloudwatch.MathExpression:
        # One line per function, however many routes there are: the dashboard needs no edit per route.
        return cloudwatch.MathExpression(
            expression=f"SEARCH('{{AWS/Lambda,FunctionName}} MetricName=\"{metric_name}\" "
                       f"FunctionName=\"{self.stack_name}-\"', 'Sum', 300)",
            label=metric_name, period=PERIOD)

    def watch_table(self, table: dynamodb.Table) -> None:
        name = table.table_name

        def ddb(metric: str, **dims: str) -> cloudwatch.Metric:
            return cloudwatch.Metric(namespace="AWS/DynamoDB", metric_name=metric, statistic="Sum", period=PERIOD,
                                     dimensions_map={"TableName": name, **dims})

        # Reads and writes apart: an alarm's math takes at most 10 metrics, and the table has 5 indexes.
        reads = {"rt": ddb("ReadThrottleEvents")} | {
            f"ri{n}": ddb("ReadThrottleEvents", GlobalSecondaryIndexName=i.name) for n, i in enumerate(INDEXES)}
        writes = {"wt": ddb("WriteThrottleEvents")} | {
            f"wi{n}": ddb("WriteThrottleEvents", GlobalSecondaryIndexName=i.name) for n, i in enumerate(INDEXES)}
        read_throttled = cloudwatch.MathExpression(expression="+".join(reads), using_metrics=reads,
                                                   label="Throttled reads (table and indexes)", period=PERIOD)
        throttled = cloudwatch.MathExpression(expression="+".join(writes), using_metrics=writes,
                                              label="Throttled writes (table and indexes)", period=PERIOD)
        errors = {f"e{n}": ddb("SystemErrors", Operation=op) for n, op in enumerate(TABLE_OPERATIONS)}
        system_errors = cloudwatch.MathExpression(expression="+".join(errors), using_metrics=errors,
                                                  label="DynamoDB system errors", period=PERIOD)
        self._alarm(self, "TableThrottles", throttled, threshold=1, periods=3, datapoints=2,
                    description="DynamoDB throttled writes (on-demand table: a hot partition or a burst "
                    "over the account's limits)")
        self._alarm(self, "TableReadThrottles", read_throttled, threshold=1, periods=3, datapoints=2,
                    description="DynamoDB throttled reads (on-demand table: a hot partition or a burst "
                    "over the account's limits)")
        self._alarm(self, "TableSystemErrors", system_errors, threshold=1,
                    description="DynamoDB answered with system errors (HTTP 500 on its side)")
        self.dashboard.add_widgets(cloudwatch.GraphWidget(title="DynamoDB", width=8,
                                                          left=[read_throttled, throttled, system_errors]))

    def watch_importer(self, function: lambda_.Function, dead_letters: sqs.Queue) -> None:
        depth = dead_letters.metric_approximate_number_of_messages_visible(period=PERIOD, statistic="Maximum")
        failed, parked = self._metric(IMPORT_FAILED), self._metric(IMPORT_PARKED)
        self._alarm(self, "ImportFailed", failed, threshold=1,
                    description="The importer failed to import assignments (provider errors after its retries)")
        self._alarm(self, "ImportParked", parked, threshold=1,
                    description="The importer parked assignments: they wait for an operator (docs/operations.md)")
        self.watch_dead_letters("Importer", dead_letters, depth)
        self.dashboard.add_widgets(cloudwatch.GraphWidget(title="Importer", width=8, left=[
            self._metric("import_results.imported"), failed, parked, depth]))

    def watch_dead_letters(self, name: str, queue: sqs.Queue, depth: cloudwatch.IMetric | None = None) -> None:
        """A scheduled function's dead-letter queue (infra/constructs/dead_letters.py): one message is an alarm."""
        depth = depth or queue.metric_approximate_number_of_messages_visible(period=PERIOD, statistic="Maximum")
        self._alarm(self, f"{name}DeadLetters", depth, threshold=1,
                    description=f"A scheduled {name} run failed all its attempts: its event is in the "
                    "dead-letter queue (docs/operations.md says how to replay it)")

    def watch_function(self, scope: Construct, name: str, function: lambda_.Function, timeout: Duration) -> None:
        """Errors, throttles and a p99 duration near the timeout, as alarms beside the function."""
        near = timeout.to_milliseconds() * NEAR_TIMEOUT
        self._alarm(scope, f"{name}Errors", function.metric_errors(period=PERIOD), threshold=1,
                    description=f"{function.function_name}: invocations failed (crash, timeout, out of memory)")
        self._alarm(scope, f"{name}Throttles", function.metric_throttles(period=PERIOD), threshold=1,
                    description=f"{function.function_name}: invocations throttled (account or reserved concurrency)")
        self._alarm(scope, f"{name}NearTimeout", function.metric_duration(period=PERIOD, statistic="p99"),
                    threshold=near, periods=3, datapoints=2,
                    description=f"{function.function_name}: p99 duration at {NEAR_TIMEOUT:.0%} of its "
                    f"{timeout.to_seconds()} s timeout")
