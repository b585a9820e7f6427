"""Local (Docker-free) bundling of the dependency layer: pip downloads aarch64 wheels for the Lambda Python
(infra/config.LAMBDA_PYTHON)."""

from __future__ import annotations

import hashlib
import importlib.util
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import jsii
from aws_cdk import DockerImage, ILocalBundling

from infra.config import LAMBDA_PYTHON
from infra.constructs import bytecode

PYTHON_VERSION = LAMBDA_PYTHON
PLATFORM = "manylinux2014_aarch64"
UV_PLATFORM = "aarch64-manylinux2014"  # uv's spelling of the same target

# The Lambda Python runtime ships boto3 and its dependency tree. Copies in the layer would shadow the
# runtime's botocore (the layer comes first on sys.path) and mismatch the runtime's boto3, so they go.
RUNTIME_PROVIDED = frozenset({"boto3", "botocore", "s3transfer", "jmespath", "python-dateutil", "six", "urllib3"})


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def runtime_requirements(pyproject: Path) -> list[str]:
    """``[project].dependencies`` minus what the Lambda runtime already provides."""
    with pyproject.open("rb") as handle:
        dependencies: list[str] = tomllib.load(handle)["project"]["dependencies"]
    requirements = []
    for spec in dependencies:
        match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", spec)
        if not match:
            raise ValueError(f"cannot read a package name from dependency {spec!r} in {pyproject}")
        if canonical(match.group(1)) not in RUNTIME_PROVIDED:
            requirements.append(spec.strip())
    return requirements


def locked_runtime_pins(uv_lock: Path, pyproject: Path) -> list[str]:
    """``name==version`` from uv.lock for everything the runtime dependencies pull in (extras included),
    so the layer ships the versions the tests ran against. Dev-only packages are not followed."""
    if not uv_lock.exists():
        return []
    with pyproject.open("rb") as handle:
        project = canonical(tomllib.load(handle)["project"]["name"])
    with uv_lock.open("rb") as handle:
        lock = tomllib.load(handle)
    entries: dict[str, list[dict[str, Any]]] = {}
    for package in lock.get("package", []):
        entries.setdefault(canonical(package["name"]), []).append(package)

    def edges(dependencies: list[dict[str, Any]]) -> list[tuple[str, tuple[str, ...]]]:
        return [(canonical(d["name"]), tuple(d.get("extra", ()))) for d in dependencies]

    todo = [edge for root in entries.get(project, []) for edge in edges(root.get("dependencies", []))]
    seen: set[tuple[str, tuple[str, ...]]] = set()
    pins: set[str] = set()
    while todo:
        name, extras = todo.pop()
        if (name, extras) in seen:
            continue
        seen.add((name, extras))
        for entry in entries.get(name, []):
            todo += edges(entry.get("dependencies", []))
            for extra in extras:
                todo += edges(entry.get("optional-dependencies", {}).get(extra, []))
        versions = {entry["version"] for entry in entries.get(name, []) if "version" in entry}
        if len(versions) == 1 and name not in RUNTIME_PROVIDED:  # forked resolutions stay unpinned
            pins.add(f"{name}=={versions.pop()}")
    return sorted(pins)


def pip_arguments(requirements_file: Path, constraints_file: Path, target: Path) -> list[str]:
    return [
        "install",
        "--requirement",
        str(requirements_file),
        "--constraint",
        str(constraints_file),
        "--target",
        str(target),
        "--platform",
        PLATFORM,
        "--implementation",
        "cp",
        "--python-version",
        PYTHON_VERSION,
        "--only-binary=:all:",
        "--no-compile",  # the host's Python may not be the runtime's: bytecode.compile_tree decides
        "--disable-pip-version-check",
        "--quiet",
    ]


def requirements_hash(requirements: list[str], pins: list[str]) -> str:
    """Asset hash: changes exactly when the requirements, their locked versions or the platform change."""
    material = "\n".join([PLATFORM, PYTHON_VERSION, bytecode.marker(), *sorted(requirements), "--", *sorted(pins)])
    return hashlib.sha256(material.encode()).hexdigest()


def _installer(requirements_file: Path, constraints_file: Path, target: Path) -> list[str] | None:
    arguments = pip_arguments(requirements_file, constraints_file, target)
    if importlib.util.find_spec("pip") is not None:
        return [sys.executable, "-m", "pip", *arguments]
    for name in ("pip3", "pip"):
        pip = shutil.which(name)
        if pip:
            # --platform/--target make pip fetch wheels for the target, whatever Python runs pip itself.
            return [pip, *arguments]
    uv = shutil.which("uv")  # uv-made virtualenvs have no pip
    if uv:
        return [
            uv,
            "pip",
            "install",
            "--requirement",
            str(requirements_file),
            "--constraint",
            str(constraints_file),
            "--target",
            str(target),
            "--python-platform",
            UV_PLATFORM,
            "--python-version",
            PYTHON_VERSION,
            "--only-binary",
            ":all:",
            "--quiet",
        ]
    return None


def remove_distribution(site: Path, name: str) -> bool:
    """Delete an installed distribution from a ``--target`` directory, file by file from its RECORD."""
    wanted = canonical(name)
    for dist_info in site.glob("*.dist-info"):
        if canonical(dist_info.name.split("-", 1)[0]) != wanted:
            continue
        record = dist_info / "RECORD"
        top_levels: set[Path] = set()
        for line in record.read_text().splitlines() if record.exists() else []:
            relative = line.split(",", 1)[0]
            path = (site / relative).resolve()
            if site.resolve() not in path.parents:
                continue  # RECORD entries pointing outside the target (scripts) are not ours to delete
            path.unlink(missing_ok=True)
            top_levels.add(site / Path(relative).parts[0])
        shutil.rmtree(dist_info, ignore_errors=True)
        for top in top_levels:
            if top.is_dir() and not any(p.is_file() for p in top.rglob("*")):
                shutil.rmtree(top, ignore_errors=True)
        return True
    return False


@jsii.implements(ILocalBundling)
class PipLayerBundling:
    """Runs on the build host instead of Docker; writes ``<output>/python`` as Lambda layers expect."""

    def __init__(self, requirements_file: Path, constraints_file: Path) -> None:
        self.requirements_file = requirements_file
        self.constraints_file = constraints_file

    # jsii expands the BundlingOptions struct into keyword-only arguments; only ``image`` is declared.
    def try_bundle(self, output_dir: str, *, image: DockerImage, **_: Any) -> bool:
        site = Path(output_dir) / "python"
        command = _installer(self.requirements_file, self.constraints_file, site)
        if command is None:
            return False  # CDK falls back to Docker, which says clearly that it is missing
        print(f"examdesk layer: {' '.join(command)}", file=sys.stderr)
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise RuntimeError(
                f"pip could not build the dependency layer (exit {result.returncode}):\n"
                f"{result.stdout}\n{result.stderr}"
            )
        for name in sorted(RUNTIME_PROVIDED):
            remove_distribution(site, name)
        shutil.rmtree(site / "bin", ignore_errors=True)  # console scripts have no use in a layer
        bytecode.compile_tree(site)  # after pip's --no-compile: for the runtime's Python, not the host's
        return True
