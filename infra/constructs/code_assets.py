"""The function code (a staged copy of functions/ only) and the dependency layer (pyproject's runtime deps)."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

from aws_cdk import AssetHashType, BundlingOptions, Stack
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra.config import LAMBDA_PYTHON
from infra.constructs import bytecode
from infra.constructs.layer_bundling import (
    PipLayerBundling,
    locked_runtime_pins,
    requirements_hash,
    runtime_requirements,
)

# CDK's own enum member (it knows the runtime's bundling image); infra/config.LAMBDA_PYTHON picks it.
RUNTIME: lambda_.Runtime = getattr(lambda_.Runtime, "PYTHON_" + LAMBDA_PYTHON.replace(".", "_"))
ARCHITECTURE = lambda_.Architecture.ARM_64

_STAGING_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".mypy_cache", ".pytest_cache", ".ruff_cache")


def _scratch_dir(prefix: str) -> Path:
    # A fresh directory per synth: parallel synths (pytest-xdist) never race, and a module deleted from
    # functions/ can never linger. CDK copies assets into cdk.out, so the scratch copy goes at exit.
    path = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, path, True)
    return path


def stage_functions(functions_dir: Path) -> Path:
    """``<scratch>/functions/...``: handler strings are ``functions.<module>.lambda_handler``; the sources and
    their bytecode for the runtime (infra/constructs/bytecode.py), never the developer's own caches."""
    root = _scratch_dir("examdesk-code-")
    shutil.copytree(functions_dir, root / functions_dir.name, ignore=_STAGING_IGNORE)
    bytecode.compile_tree(root)
    return root


class CodeAssets(Construct):
    def code_for(self, scope: Construct) -> lambda_.Code:
        """The function code for a function in ``scope``'s stack: CDK binds an asset to one stack, so each
        (nested) stack gets its own Code object; the same hash makes them one uploaded asset."""
        stack = Stack.of(scope)
        if stack.node.path not in self._codes:
            self._codes[stack.node.path] = lambda_.Code.from_asset(
                str(self._staged), asset_hash_type=AssetHashType.CUSTOM, asset_hash=self._hash)
        return self._codes[stack.node.path]

    def __init__(
        self, scope: Construct, construct_id: str, *, functions_dir: Path, pyproject: Path, uv_lock: Path
    ) -> None:
        super().__init__(scope, construct_id)
        self._staged = staged = stage_functions(functions_dir)
        # Hashed on the sources: an unchanged functions/ must not redeploy every function.
        self._hash = bytecode.source_hash(staged)
        self._codes: dict[str, lambda_.Code] = {}
        self.code = self.code_for(self)

        self.requirements = requirements = runtime_requirements(pyproject)
        self.pins = pins = locked_runtime_pins(uv_lock, pyproject)
        source = _scratch_dir("examdesk-layer-")
        (source / "requirements.txt").write_text("\n".join(requirements) + "\n")
        (source / "constraints.txt").write_text("\n".join(pins) + "\n")
        self.layer = lambda_.LayerVersion(
            self,
            "Dependencies",
            description=("examdesk runtime dependencies: " + ", ".join(requirements))[:256],
            compatible_runtimes=[RUNTIME],
            compatible_architectures=[ARCHITECTURE],
            code=lambda_.Code.from_asset(
                str(source),
                # A custom hash of requirements and pins: an unchanged dependency set must not publish a
                # new layer version, and a bump in uv.lock must.
                asset_hash_type=AssetHashType.CUSTOM,
                asset_hash=requirements_hash(requirements, pins),
                bundling=BundlingOptions(
                    image=RUNTIME.bundling_image,  # required by the API; Docker is not used (no daemon here)
                    local=PipLayerBundling(source / "requirements.txt", source / "constraints.txt"),
                ),
            ),
        )
