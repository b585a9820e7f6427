"""Compiled bytecode shipped in the code asset and the layer, so a cold start does not compile.

Lambda's /var/task and /opt are read-only: without ``.pyc`` in the zip, every cold start compiles every module
it imports and throws the result away (docs/performance.md: about 0.4 s of a 2 s route import on the bench
machine). The ``.pyc`` are *unchecked-hash* (PEP 552): Python loads them without comparing the source's
mtime, which the zip does not keep. They are valid only for the runtime's Python version, so they are made
only when the synth itself runs on that version; otherwise the asset ships sources alone, as before.
"""

from __future__ import annotations

import compileall
import hashlib
import py_compile
import sys
from pathlib import Path

RUNTIME_PYTHON = (3, 12)  # infra/constructs/code_assets.RUNTIME; layer_bundling.PYTHON_VERSION


def can_compile() -> bool:
    return sys.version_info[:2] == RUNTIME_PYTHON


def compile_tree(directory: Path) -> bool:
    """Write unchecked-hash ``.pyc`` beside every ``.py`` under ``directory``; False when this Python is not
    the runtime's (nothing written). A file that does not compile fails the synth."""
    if not can_compile():
        return False
    ok = compileall.compile_dir(directory, quiet=1, rx=None, workers=1, legacy=False,
                                invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
    if not ok:
        raise RuntimeError(f"compiling {directory} for Python {'.'.join(map(str, RUNTIME_PYTHON))} failed")
    return True


def marker() -> str:
    """Part of an asset's hash: an asset with bytecode differs from one without."""
    return f"bytecode=cpython-{''.join(map(str, RUNTIME_PYTHON))}-unchecked-hash" if can_compile() else "bytecode=none"


def source_hash(directory: Path) -> str:
    """The staged sources (paths and bytes) and the bytecode marker: marshal's output is not byte-for-byte
    stable between runs, so the asset is hashed on what it was compiled from."""
    digest = hashlib.sha256(marker().encode())
    for path in sorted(p for p in directory.rglob("*") if p.is_file() and p.suffix != ".pyc"):
        digest.update(str(path.relative_to(directory)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()
