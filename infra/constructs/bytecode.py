"""Compiled bytecode shipped in the code asset and the layer, so a cold start does not compile.

Lambda's /var/task and /opt are read-only: without ``.pyc`` in the zip, every cold start compiles every module
it imports and throws the result away (docs/performance.md: about 0.4 s of a 2 s route import on the bench
machine). The ``.pyc`` are *unchecked-hash* (PEP 552): Python loads them without comparing the source's
mtime, which the zip does not keep. They are valid only for the runtime's Python version, so they are made by
an interpreter of that version: the synth's own when it is one, else ``python3.X`` on PATH or a pyenv
install; when none is found the asset ships sources alone (and says so in its hash).
"""

from __future__ import annotations

import compileall
import functools
import hashlib
import os
import py_compile
import shutil
import subprocess
import sys
from pathlib import Path

from infra.config import LAMBDA_PYTHON

RUNTIME_PYTHON = tuple(int(part) for part in LAMBDA_PYTHON.split("."))


@functools.cache
def interpreter() -> str | None:
    """An interpreter of the runtime's version: this one, ``python3.X`` on PATH, or pyenv's; None if none."""
    if sys.version_info[:2] == RUNTIME_PYTHON:
        return sys.executable
    candidates = [shutil.which(f"python{LAMBDA_PYTHON}")]
    pyenv_root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")
    candidates += sorted((str(p) for p in pyenv_root.glob(f"versions/{LAMBDA_PYTHON}.*/bin/python{LAMBDA_PYTHON}")),
                         reverse=True)
    for candidate in filter(None, candidates):
        code = f"import sys; print(sys.version_info[:2] == {RUNTIME_PYTHON!r})"
        probe = subprocess.run([candidate, "-c", code], capture_output=True, text=True, check=False)
        if probe.stdout.strip() == "True":
            return candidate
    return None


def can_compile() -> bool:
    return interpreter() is not None


def compile_tree(directory: Path) -> bool:
    """Write unchecked-hash ``.pyc`` beside every ``.py`` under ``directory``; False when no interpreter of the
    runtime's version is found (nothing written). A file that does not compile fails the synth."""
    python = interpreter()
    if python is None:
        return False
    if python == sys.executable:
        ok = compileall.compile_dir(directory, quiet=1, rx=None, workers=1, legacy=False,
                                    invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
    else:
        done = subprocess.run([python, "-m", "compileall", "-q", "-j", "1", "--invalidation-mode", "unchecked-hash",
                               str(directory)], capture_output=True, text=True, check=False)
        ok = done.returncode == 0
    if not ok:
        raise RuntimeError(f"compiling {directory} for Python {LAMBDA_PYTHON} failed")
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
