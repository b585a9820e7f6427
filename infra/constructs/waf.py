"""A WAFv2 web ACL on the API stage: rate rules per client IP (docs/operations.md, "WAF").

The MasteryTrack write-back is the one public route: anyone can reach it, and each call costs a Lambda
invocation and a signature check before it is refused. It gets a tight per-IP rate; the rest of the API a
generous one (the authorizer refuses strangers, but only after an invocation). Requests under the rates pass
(default action allow): API Gateway's stage throttling and the authorizer still apply.
"""

from __future__ import annotations

from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

WEBHOOK_PATH_PREFIX = "/powerpath/webhooks/"
WEBHOOK_RATE = 300  # requests per 5 minutes per IP: MasteryTrack writes back once per finished test
API_RATE = 6000  # per 5 minutes per IP (20/s): an integration's burst, far above the stage's per-client share
WINDOW_SECONDS = 300


def _visibility(name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    return wafv2.CfnWebACL.VisibilityConfigProperty(cloud_watch_metrics_enabled=True, metric_name=name,
                                                    sampled_requests_enabled=True)


def _rate_rule(name: str, priority: int, limit: int, scope_down: wafv2.CfnWebACL.StatementProperty | None
               ) -> wafv2.CfnWebACL.RuleProperty:
    return wafv2.CfnWebACL.RuleProperty(
        name=name, priority=priority, action=wafv2.CfnWebACL.RuleActionProperty(block={}),
        visibility_config=_visibility(name),
        statement=wafv2.CfnWebACL.StatementProperty(rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
            limit=limit, aggregate_key_type="IP", evaluation_window_sec=WINDOW_SECONDS,
            scope_down_statement=scope_down)))


class ApiFirewall(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, stage: apigw.Stage, name: str) -> None:
        super().__init__(scope, construct_id)
        webhook = wafv2.CfnWebACL.StatementProperty(byte_match_statement=wafv2.CfnWebACL.ByteMatchStatementProperty(
            field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(uri_path={}),
            positional_constraint="STARTS_WITH", search_string=WEBHOOK_PATH_PREFIX,
            text_transformations=[wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="NONE")]))
        self.web_acl = wafv2.CfnWebACL(
            self, "WebAcl", scope="REGIONAL", default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            visibility_config=_visibility(f"{name}-api"),
            rules=[_rate_rule("webhook-rate", 0, WEBHOOK_RATE, webhook), _rate_rule("api-rate", 1, API_RATE, None)])
        self.association = wafv2.CfnWebACLAssociation(self, "Stage", resource_arn=stage.stage_arn,
                                                      web_acl_arn=self.web_acl.attr_arn)
