"""Room to grow: every stack (the parent and each dialect's nested stack) stays under CloudFormation's limits of
500 resources and 1 MB of template, today and with twice today's routes (a doubled registry synthesized)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from functions.routes import ROUTES, Route
from infra.application import build_app
from infra.constructs.permissions import load_actions
from tests.infra.conftest import TEST_CONTEXT, Synth, nested_templates

# One xdist worker runs them all (make test uses --dist loadgroup): the app is synthesized once.
pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("infra")]

MAX_RESOURCES = 500  # per stack (CloudFormation quota)
MAX_TEMPLATE_BYTES = 1_000_000  # 1 MB per template uploaded through S3 (a nested stack's template is)


def stack_sizes(paths: list[Path]) -> dict[str, tuple[int, int]]:
    return {path.name: (len(json.loads(path.read_text())["Resources"]), path.stat().st_size) for path in paths}


def report(title: str, sizes: dict[str, tuple[int, int]], capsys: pytest.CaptureFixture[str]) -> None:
    with capsys.disabled():
        print(f"\n{title}")
        for name, (count, size) in sizes.items():
            print(f"  {name}: {count} resources, {size / 1000:.0f} KB")


def check(sizes: dict[str, tuple[int, int]]) -> None:
    for name, (count, size) in sizes.items():
        assert count < MAX_RESOURCES, f"{name}: {count} resources"
        assert size < MAX_TEMPLATE_BYTES, f"{name}: {size} bytes"


def test_todays_stacks_are_under_the_limits(synth: Synth, capsys: pytest.CaptureFixture[str]) -> None:
    sizes = stack_sizes(synth.template_paths)
    report(f"{len(ROUTES)} routes:", sizes, capsys)
    check(sizes)
    assert len(sizes) == 1 + len({r.dialect for r in ROUTES})  # the parent and one nested stack per dialect


def doubled(routes: tuple[Route, ...]) -> list[Route]:
    """Every route twice: the copy under /v2 with its own name (same dialect, access, needs)."""
    return list(routes) + [dataclasses.replace(r, name=f"{r.name}_v2", path=f"/v2{r.path}") for r in routes]


def test_twice_todays_routes_fit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    routes = doubled(ROUTES)
    actions = load_actions()
    actions |= {f"{name}_v2": actions[name] for name in [r.name for r in ROUTES]}
    app, stack = build_app(outdir=str(tmp_path), context=TEST_CONTEXT, routes=routes, actions=actions)
    assembly = app.synth()  # cdk-nag runs here too: the doubled stacks pass it
    parent = Path(assembly.directory) / stack.template_file
    paths = [parent] + [path for _, path in nested_templates(stack, Path(assembly.directory)).values()]
    sizes = stack_sizes(paths)
    report(f"{len(routes)} routes (doubled registry):", sizes, capsys)
    check(sizes)
    functions = sum(1 for p in paths for r in json.loads(p.read_text())["Resources"].values()
                    if r["Type"] == "AWS::Lambda::Function")
    assert functions == len(routes) + 4  # + the importer, the credential sweep, the pre-warm, the backfill
