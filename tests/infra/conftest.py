"""Synthesize the app once per test session (bundling skipped: no pip, no network) and share the result."""

from __future__ import annotations

import functools
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


def _substitute(value: Any, parameters: dict[str, Any]) -> Any:
    """A nested template's references to its parameters replaced by what the parent passes."""
    if isinstance(value, dict):
        if set(value) == {"Ref"} and value["Ref"] in parameters:
            return parameters[value["Ref"]]
        return {k: _substitute(v, parameters) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, parameters) for v in value]
    return value


def nested_templates(stack: ExamdeskStack, outdir: Path) -> dict[str, tuple[str, Path]]:
    """Nested stack's logical id in the parent -> (its construct path, its template file)."""
    found = {}
    for nested in stack.route_functions.stacks.values():
        resource = nested.nested_stack_resource
        assert resource is not None
        logical_id = str(stack.resolve(stack.get_logical_id(resource)))  # type: ignore[arg-type]
        found[logical_id] = (nested.node.path, outdir / nested.template_file)
    return found


def merged_resources(stack: ExamdeskStack, outdir: Path, template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The parent's resources and every nested stack's, with nested parameters resolved to the parent's
    expressions (a function's role is then the parent's GetAtt, as in a single template)."""
    resources = dict(template["Resources"])
    for logical_id, (_, path) in nested_templates(stack, outdir).items():
        parameters = template["Resources"][logical_id]["Properties"].get("Parameters", {})
        for key, resource in json.loads(path.read_text())["Resources"].items():
            assert key not in resources, f"logical id {key} in two stacks"
            resources[key] = _substitute(resource, parameters)
    return resources


@dataclass
class Synth:
    app: App
    stack: ExamdeskStack
    outdir: Path
    template: dict[str, Any]
    template_path: Path

    @functools.cached_property
    def resources(self) -> dict[str, dict[str, Any]]:
        """Every stack's resources (parent and nested), as one template would hold them."""
        return merged_resources(self.stack, self.outdir, self.template)

    @property
    def template_paths(self) -> list[Path]:
        return [self.template_path] + [path for _, path in nested_templates(self.stack, self.outdir).values()]

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
