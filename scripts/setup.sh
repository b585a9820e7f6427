#!/usr/bin/env bash
# Creates or refreshes everything the project needs on a fresh machine: the Python environment (uv, from
# the lock file) and the Node tools (DynamoDB Local, CDK CLI, from package-lock.json). Fast when done.
set -euo pipefail
cd "$(dirname "$0")/.."

# uv lives in whichever interpreter `python3` is now; remember that one before PYENV_VERSION changes what
# `python3` resolves to below.
host_python="$(python3 -c 'import sys; print(sys.executable)')"
if ! "$host_python" -m uv --version >/dev/null 2>&1; then
  echo "setup: installing uv (PyPI)"
  "$host_python" -m pip install --quiet --disable-pip-version-check uv
fi

# Lambda runs Python 3.12: prefer it. pyenv machines need PYENV_VERSION for the python3.12 shim to answer.
if command -v pyenv >/dev/null 2>&1; then
  PYENV_VERSION="$(pyenv versions --bare | grep -E '^3\.12' | tail -n 1 || true)"
  export PYENV_VERSION="${PYENV_VERSION:-$(pyenv version-name)}"
fi
want=3.12
python3.12 -c 'pass' >/dev/null 2>&1 || want=3   # any Python >= 3.11 works; 3.12 is what Lambda runs

stamp=.venv/.synced
if [ ! -f "$stamp" ] || [ uv.lock -nt "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  UV_PYTHON_DOWNLOADS=never "$host_python" -m uv sync --frozen --python "$want" --quiet
  touch "$stamp"
fi

nstamp=node_modules/.installed
if [ ! -f "$nstamp" ] || [ package-lock.json -nt "$nstamp" ]; then
  npm ci --no-audit --no-fund --silent
  touch "$nstamp"
fi

# Headless Chromium renders /docs in tests/e2e/test_swagger_ui_browser.py (that test skips without it).
if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing chromium (apt)"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
      || echo "setup: could not install chromium; the Swagger UI browser test will skip" >&2
  else
    echo "setup: no chromium (as root: apt-get install chromium); the Swagger UI browser test will skip" >&2
  fi
fi

java -version >/dev/null 2>&1 || { echo "setup: Java 17 is needed for DynamoDB Local" >&2; exit 1; }
