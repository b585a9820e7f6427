"""Synthesize the app once per test session (bundling skipped: no pip, no network) and share the result."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

# Must be set before aws_cdk starts its node process.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

from aws_cdk import App

from functions.routes import ROUTES
from infra.application import build_app
from infra.stack import ExamdeskStack

JWKS_URL = "https://issuer.example/.well-known/jwks.json"
TEST_CONTEXT = {
    "aws:cdk:bundling-stacks": [],  # skip the pip layer build: tests never touch the network
    "examdesk:jwksUrl": JWKS_URL,
}


@dataclass
class Synth:
    app: App
    stack: ExamdeskStack
    outdir: Path
    template: dict[str, Any]
    template_path: Path

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        return self.template["Resources"]

    def of_type(self, resource_type: str) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.resources.items() if v["Type"] == resource_type}

    def functions_by_handler(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for logical_id, fn in self.of_type("AWS::Lambda::Function").items():
            found.setdefault(fn["Properties"]["Handler"], []).append(logical_id)
        return found

    def function_for(self, handler: str) -> tuple[str, dict[str, Any]]:
        (logical_id,) = self.functions_by_handler()[handler]
        return logical_id, self.resources[logical_id]


@pytest.fixture(scope="session")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    assert ROUTES, "functions/routes.py declares no routes"
    outdir = tmp_path_factory.mktemp("cdk.out")
    app, stack = build_app(outdir=str(outdir), context=TEST_CONTEXT)
    # cdk-nag 3 runs as a validation plugin here: an unacknowledged finding raises from synth().
    assembly = app.synth()
    template_path = Path(assembly.directory) / stack.template_file
    return Synth(app, stack, Path(assembly.directory), json.loads(template_path.read_text()), template_path)
