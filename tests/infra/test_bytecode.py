"""The code asset's bytecode (infra/constructs/bytecode.py): compiled for the runtime, hashed on the sources."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from infra.constructs import bytecode
from infra.constructs.code_assets import stage_functions

ROOT = Path(__file__).resolve().parents[2]
needs_runtime_python = pytest.mark.skipif(not bytecode.can_compile(), reason="the synth's Python is not 3.12")


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
    done = subprocess.run([sys.executable, "-c", "import pkg; print(pkg.VALUE)"], cwd=tmp_path,
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
