"""The code asset's bytecode (infra/constructs/bytecode.py): compiled for the runtime, hashed on the sources."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from infra.constructs import bytecode
from infra.constructs.code_assets import stage_functions

ROOT = Path(__file__).resolve().parents[2]
needs_runtime_python = pytest.mark.skipif(not bytecode.can_compile(), reason="no interpreter of the runtime's Python")


def test_the_asset_hash_follows_the_sources_not_the_bytecode() -> None:
    first, second = stage_functions(ROOT / "functions"), stage_functions(ROOT / "functions")
    assert bytecode.source_hash(first) == bytecode.source_hash(second)
    (second / "functions" / "routes.py").write_text((second / "functions" / "routes.py").read_text() + "\n# x\n")
    assert bytecode.source_hash(first) != bytecode.source_hash(second)


@needs_runtime_python
def test_unchecked_bytecode_is_used_whatever_the_source_mtime(tmp_path: Path) -> None:
    """What the zip does to mtimes does not matter: Python runs the .pyc without looking at the source's."""
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("VALUE = 'compiled'\n")
    assert bytecode.compile_tree(tmp_path)
    # The source changes behind the bytecode's back (same mtime games as a zip): the .pyc still wins.
    (package / "__init__.py").write_text("VALUE = 'source'\n")
    os.utime(package / "__init__.py", (0, 0))
    python = bytecode.interpreter()
    assert python is not None
    done = subprocess.run([python, "-c", "import pkg; print(pkg.VALUE)"], cwd=tmp_path,
                          env=os.environ | {"PYTHONDONTWRITEBYTECODE": "1"}, capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "compiled"


def test_a_source_that_does_not_compile_fails_the_synth(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text("def (:\n")
    if not bytecode.can_compile():
        assert bytecode.compile_tree(tmp_path) is False
        return
    with pytest.raises(RuntimeError, match="failed"):
        bytecode.compile_tree(tmp_path)


def test_the_runtime_version_is_defined_once() -> None:
    """infra/config.LAMBDA_PYTHON drives the runtime, the layer's wheels and the bytecode."""
    from infra.config import LAMBDA_PYTHON
    from infra.constructs.code_assets import RUNTIME
    from infra.constructs.layer_bundling import PYTHON_VERSION

    assert RUNTIME.name == f"python{LAMBDA_PYTHON}" and PYTHON_VERSION == LAMBDA_PYTHON
    assert ".".join(map(str, bytecode.RUNTIME_PYTHON)) == LAMBDA_PYTHON
    sources = "\n".join(p.read_text() for p in (ROOT / "infra").rglob("*.py"))
    assert "3.12" not in sources and "PYTHON_3_" not in sources.replace('"PYTHON_" + LAMBDA_PYTHON', "")


@needs_runtime_python
def test_the_compiling_interpreter_is_the_runtimes_version() -> None:
    python = bytecode.interpreter()
    assert python is not None
    done = subprocess.run([python, "-c", "import sys; print(sys.version_info[:2])"], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == str(bytecode.RUNTIME_PYTHON)
