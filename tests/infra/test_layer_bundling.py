"""The dependency layer: requirements from pyproject.toml, aarch64 wheels, runtime-provided packages dropped.

These run without the network; the real pip download is exercised by ``python app.py`` (see docs/deploy.md).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from aws_cdk import App, Stack
from aws_cdk import aws_lambda as lambda_

from infra.config import LAMBDA_PYTHON, PYPROJECT, UV_LOCK
from infra.constructs.code_assets import CodeAssets
from infra.constructs.layer_bundling import (
    PLATFORM,
    RUNTIME_PROVIDED,
    canonical,
    locked_runtime_pins,
    pip_arguments,
    remove_distribution,
    runtime_requirements,
)
from tests.infra.conftest import Synth

# One xdist worker runs them all (make test uses --dist loadgroup): the app is synthesized once.
pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("infra")]


def test_requirements_are_pyproject_dependencies_without_boto3() -> None:
    declared = tomllib.loads(PYPROJECT.read_text())["project"]["dependencies"]
    requirements = runtime_requirements(PYPROJECT)
    assert requirements == [d for d in declared if not canonical(d).startswith("boto3")]
    assert not any(canonical(r).startswith(("boto3", "botocore")) for r in requirements)


def test_runtime_provided_packages_are_excluded(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\ndependencies = ["boto3>=1.35", "Botocore", "pydantic==2.*"]\n')
    assert runtime_requirements(pyproject) == ["pydantic==2.*"]


def test_layer_pins_the_locked_runtime_closure() -> None:
    lock = tomllib.loads(UV_LOCK.read_text())
    locked = {canonical(p["name"]): p["version"] for p in lock["package"] if "version" in p}
    pins = dict(pin.split("==") for pin in locked_runtime_pins(UV_LOCK, PYPROJECT))
    for requirement in runtime_requirements(PYPROJECT):
        name = canonical(requirement.split("[")[0].split("=")[0].split(">")[0].split("<")[0])
        assert pins[name] == locked[name], name
    assert "pydantic-core" in pins  # followed transitively
    assert not set(pins) & RUNTIME_PROVIDED
    assert not set(pins) & {"pytest", "aws-cdk-lib", "moto", "cdk-nag"}  # dev-only, not followed


def test_pip_targets_lambda_arm64_and_the_runtimes_python(tmp_path: Path) -> None:
    args = pip_arguments(tmp_path / "requirements.txt", tmp_path / "constraints.txt", tmp_path / "python")
    joined = " ".join(args)
    assert f"--platform {PLATFORM}" in joined and PLATFORM == "manylinux2014_aarch64"
    assert f"--python-version {LAMBDA_PYTHON}" in joined
    assert "--implementation cp" in joined
    assert "--only-binary=:all:" in args
    assert f"--target {tmp_path / 'python'}" in joined
    assert f"--constraint {tmp_path / 'constraints.txt'}" in joined


def test_remove_distribution_deletes_only_that_distribution(tmp_path: Path) -> None:
    site = tmp_path / "python"
    for name, package in (("botocore", "botocore"), ("wrapt", "wrapt")):
        (site / package).mkdir(parents=True)
        (site / package / "__init__.py").write_text("")
        dist_info = site / f"{name}-1.0.dist-info"
        dist_info.mkdir()
        (dist_info / "RECORD").write_text(f"{package}/__init__.py,,\n{dist_info.name}/RECORD,,\n")
    assert remove_distribution(site, "botocore")
    assert not (site / "botocore").exists() and not (site / "botocore-1.0.dist-info").exists()
    assert (site / "wrapt" / "__init__.py").exists()
    assert not remove_distribution(site, "boto3")


def _layer_key(tmp_path: Path, dependencies: list[str]) -> str:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(f"[project]\ndependencies = {dependencies!r}\n".replace("'", '"'))
    (tmp_path / "functions").mkdir(exist_ok=True)
    stack = Stack(App(context={"aws:cdk:bundling-stacks": []}), "Layer")
    assets = CodeAssets(
        stack, "Code", functions_dir=tmp_path / "functions", pyproject=pyproject, uv_lock=tmp_path / "uv.lock"
    )
    layer = assets.layer.node.default_child
    assert isinstance(layer, lambda_.CfnLayerVersion)
    return str(stack.resolve(layer.content)["s3Key"])


def test_layer_asset_changes_exactly_when_the_requirements_change(tmp_path: Path) -> None:
    # A stable hash means an unchanged dependency list never publishes a new layer version.
    first = _layer_key(tmp_path, ["pydantic==2.*", "pyjwt==2.*"])
    assert _layer_key(tmp_path, ["pyjwt==2.*", "pydantic==2.*", "boto3"]) == first
    assert _layer_key(tmp_path, ["pydantic==2.*", "pyjwt==2.9"]) != first


def test_layer_targets_the_runtimes_python_arm64(synth: Synth) -> None:
    (layer,) = synth.of_type("AWS::Lambda::LayerVersion").values()
    assert layer["Properties"]["CompatibleRuntimes"] == [f"python{LAMBDA_PYTHON}"]
    assert layer["Properties"]["CompatibleArchitectures"] == ["arm64"]
