"""A WAFv2 web ACL on the API stage: rate limits per caller, per dialect (docs/operations.md, "Throttling").

The rules come from one table, functions/platform/rate_limits.py (the local runner mirrors it):

- per caller: one rate-based rule per dialect's paths, counting per ``Authorization`` header value (a custom
  aggregation key), over 60 s; over its limit a caller gets a 429 in its dialect's error shape with
  ``Retry-After`` (custom response bodies, one per dialect), and nobody else is slowed. ExamSpark and LearningStudio
  count integration keys (Basic) apart from tokens: an integration may start a whole exam for its students.
- per IP (not per caller): the public MasteryTrack write-back (no credentials: each call costs an invocation and
  a signature check before it is refused), and a backstop over every request against floods of anonymous or
  ever-changing credentials, which no per-caller count can hold.

Requests under the limits pass (default action allow); API Gateway's stage throttle (sized from the model) and the
routes' own credential checks still apply.
"""

from __future__ import annotations

import json
import re

from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from functions.platform import rate_limits
from functions.platform.rate_limits import CallerLimit
from infra.config import DeployConfig

W = wafv2.CfnWebACL
# Kept for the tests and the docs that name them.
WEBHOOK_PATH_PREFIX = rate_limits.WEBHOOK_PREFIX
WEBHOOK_RATE = rate_limits.WEBHOOK_RATE
WINDOW_SECONDS = rate_limits.IP_BACKSTOP_WINDOW_SECONDS


def _visibility(name: str) -> W.VisibilityConfigProperty:
    return W.VisibilityConfigProperty(cloud_watch_metrics_enabled=True, metric_name=name, sampled_requests_enabled=True)


def _path_starts(*prefixes: str) -> W.StatementProperty:
    """The URI path starts with one of ``prefixes``, after the stage name when the execute-api URL carries it."""
    pattern = f"^({re.escape(rate_limits.STAGE_PREFIX)})?({'|'.join(re.escape(p) for p in prefixes)})"
    return W.StatementProperty(regex_match_statement=W.RegexMatchStatementProperty(
        field_to_match=W.FieldToMatchProperty(uri_path={}), regex_string=pattern,
        text_transformations=[W.TextTransformationProperty(priority=0, type="NONE")]))


def _basic_credentials() -> W.StatementProperty:
    return W.StatementProperty(byte_match_statement=W.ByteMatchStatementProperty(
        field_to_match=W.FieldToMatchProperty(single_header={"Name": "authorization"}),
        positional_constraint="STARTS_WITH", search_string="basic ",
        text_transformations=[W.TextTransformationProperty(priority=0, type="LOWERCASE")]))


def _block(status: int, body_key: str, retry_after: int) -> W.RuleActionProperty:
    return W.RuleActionProperty(block=W.BlockActionProperty(custom_response=W.CustomResponseProperty(
        response_code=status, custom_response_body_key=body_key,
        response_headers=[W.CustomHTTPHeaderProperty(name="Retry-After", value=str(retry_after))])))


def caller_rule(limit: CallerLimit, priority: int) -> W.RuleProperty:
    scope: W.StatementProperty = _path_starts(*limit.prefixes)
    if limit.basic is not None:
        scheme = _basic_credentials() if limit.basic else W.StatementProperty(
            not_statement=W.NotStatementProperty(statement=_basic_credentials()))
        scope = W.StatementProperty(and_statement=W.AndStatementProperty(statements=[scope, scheme]))
    per_caller = W.RateBasedStatementCustomKeyProperty(header=W.RateLimitHeaderProperty(
        name="authorization", text_transformations=[W.TextTransformationProperty(priority=0, type="NONE")]))
    return W.RuleProperty(
        name=limit.name, priority=priority, visibility_config=_visibility(limit.name),
        action=_block(429, limit.body_key, rate_limits.RETRY_AFTER_SECONDS),
        statement=W.StatementProperty(rate_based_statement=W.RateBasedStatementProperty(
            limit=limit.limit, evaluation_window_sec=rate_limits.WINDOW_SECONDS, aggregate_key_type="CUSTOM_KEYS",
            custom_keys=[per_caller], scope_down_statement=scope)))


def ip_rule(name: str, priority: int, limit: int, scope: W.StatementProperty | None) -> W.RuleProperty:
    return W.RuleProperty(
        name=name, priority=priority, visibility_config=_visibility(name),
        action=_block(429, rate_limits.IP_BACKSTOP_BODY_KEY, rate_limits.IP_BACKSTOP_WINDOW_SECONDS),
        statement=W.StatementProperty(rate_based_statement=W.RateBasedStatementProperty(
            limit=limit, aggregate_key_type="IP", evaluation_window_sec=rate_limits.IP_BACKSTOP_WINDOW_SECONDS,
            scope_down_statement=scope)))


class ApiFirewall(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, stage: apigw.Stage, config: DeployConfig) -> None:
        super().__init__(scope, construct_id)
        rules = [ip_rule("webhook-rate", 0, rate_limits.WEBHOOK_RATE, _path_starts(rate_limits.WEBHOOK_PREFIX))]
        rules += [caller_rule(limit, n + 1) for n, limit in enumerate(rate_limits.CALLER_LIMITS)]
        rules.append(ip_rule("ip-backstop", len(rules), rate_limits.IP_BACKSTOP, None))
        bodies = {key: W.CustomResponseBodyProperty(content_type="APPLICATION_JSON", content=json.dumps(body))
                  for key, body in rate_limits.response_bodies().items()}
        self.web_acl = W(
            self, "WebAcl", scope="REGIONAL", default_action=W.DefaultActionProperty(allow={}),
            visibility_config=_visibility(f"{config.stack_name}-api"), rules=rules, custom_response_bodies=bodies)
        self.association = wafv2.CfnWebACLAssociation(self, "Stage", resource_arn=stage.stage_arn,
                                                      web_acl_arn=self.web_acl.attr_arn)
