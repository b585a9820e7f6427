"""Part 5, deployment size: the function code asset (functions/ staged as infra/constructs/code_assets.py does)
and the dependency layer (built with the same pip command CDK's local bundling runs, for arm64 / the Lambda Python,
cached in .local/bench-layer-<hash>), zipped and unzipped, against Lambda's limits. The runtime's boto3 is not
in the layer (as deployed); Lambda's 250 MB applies to the function and its layers together."""

from __future__ import annotations

import io
import shutil
import tempfile
import zipfile
from pathlib import Path

from bench.report import Row

ROOT = Path(__file__).resolve().parents[1]
ZIPPED, UNZIPPED = 50 * 2**20, 250 * 2**20


def measure(directory: Path) -> tuple[int, int]:
    """(unzipped bytes, zipped bytes) of everything under ``directory``."""
    files = [p for p in sorted(directory.rglob("*")) if p.is_file()]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            archive.write(path, path.relative_to(directory))
    return sum(p.stat().st_size for p in files), buffer.tell()


def code_asset() -> tuple[int, int]:
    from infra.constructs.code_assets import stage_functions

    return measure(stage_functions(ROOT / "functions"))


def layer() -> tuple[int, int]:
    from infra.constructs.layer_bundling import (
        PipLayerBundling,
        locked_runtime_pins,
        requirements_hash,
        runtime_requirements,
    )

    requirements = runtime_requirements(ROOT / "pyproject.toml")
    pins = locked_runtime_pins(ROOT / "uv.lock", ROOT / "pyproject.toml")
    out = ROOT / ".local" / f"bench-layer-{requirements_hash(requirements, pins)[:16]}"
    if not (out / "python").is_dir():
        with tempfile.TemporaryDirectory() as scratch:
            (Path(scratch) / "requirements.txt").write_text("\n".join(requirements) + "\n")
            (Path(scratch) / "constraints.txt").write_text("\n".join(pins) + "\n")
            build = Path(scratch) / "out"
            PipLayerBundling(Path(scratch) / "requirements.txt", Path(scratch) / "constraints.txt").try_bundle(
                str(build), image=None)  # type: ignore[arg-type]
            shutil.rmtree(out, ignore_errors=True)
            shutil.copytree(build, out)
    return measure(out)


def rows() -> list[Row]:
    mb = 2**20
    code, deps = code_asset(), layer()
    out = []
    for label, (unzipped, zipped) in (("function code asset", code), ("dependency layer", deps)):
        out.append(Row("size", label, f"{zipped / mb:.2f} MB zipped, {unzipped / mb:.2f} MB unzipped",
                       "<= 50 MB zipped", zipped <= ZIPPED))
    total = code[0] + deps[0]
    out.append(Row("size", "function + layer unzipped", f"{total / mb:.2f} MB", "<= 250 MB", total <= UNZIPPED))
    return out
