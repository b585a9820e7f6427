"""Builds the CDK app: context from cdk.json, the examdesk stack, and cdk-nag AwsSolutions checks."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from aws_cdk import App, Validations
from cdk_nag import AwsSolutionsChecks, ServerlessChecks

from functions.routes import ROUTES, Route
from infra.config import REPO_ROOT, DeployConfig
from infra.stack import ExamdeskStack


def cdk_json_context() -> dict[str, Any]:
    """cdk.json's context. The CLI passes it itself; reading it here makes ``python app.py`` (and tests)
    synthesize with the same feature flags as ``cdk synth``. CLI-supplied values still take precedence."""
    path = REPO_ROOT / "cdk.json"
    if not path.exists():
        return {}
    context: dict[str, Any] = json.loads(path.read_text()).get("context", {})
    return context


NAG_PACKS = (AwsSolutionsChecks, ServerlessChecks)


def build_app(*, outdir: str, context: Mapping[str, Any] | None = None, routes: Sequence[Route] = ROUTES,
              actions: dict[str, frozenset[str]] | None = None) -> tuple[App, ExamdeskStack]:
    app = App(outdir=outdir, context={**cdk_json_context(), **(context or {})})
    config = DeployConfig.from_node(app.node)
    stack = ExamdeskStack(
        app,
        config.stack_name,
        config=config,
        routes=routes,
        actions=actions,
        description="examdesk: serverless exam administration (API Gateway, Lambda, DynamoDB)",
    )
    # cdk-nag 3 is a policy-validation plugin: findings fail the synth, acknowledgments need a reason. Two
    # packs: AwsSolutions and Serverless. The acknowledgments stay out of the template (they are in the
    # validation report and in the code beside each resource): as metadata they were 40% of its bytes.
    Validations.of(app).add_plugins(*(pack(app, verbose=True) for pack in NAG_PACKS))
    return app, stack
