#!/usr/bin/env bash
# Creates or refreshes everything the project needs on a fresh machine: the Python environment (uv, from
# the lock file) and the Node tools (DynamoDB Local, CDK CLI, from package-lock.json). Fast when done.
# Needs Python >= 3.11 and Node.js >= 20 (lint, tests, synth); Java >= 17 only for DynamoDB Local (e2e tests,
# make run): without it everything else still works, and setup says so.
set -euo pipefail
cd "$(dirname "$0")/.."

# Inside an activated venv, `python3` is that venv's interpreter (no pip, no uv): look past it for the host's.
if [ -n "${VIRTUAL_ENV:-}" ]; then
  PATH="$(printf '%s' "$PATH" | tr ':' '\n' | grep -vxF "$VIRTUAL_ENV/bin" | paste -sd: -)"
  export PATH
  unset VIRTUAL_ENV
fi

need_node=20
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "setup: Node.js ${need_node} or later (with npm) is needed for the CDK (synth, tests) and DynamoDB Local;" \
       "none found on PATH. Install it (https://nodejs.org, or your package manager) and run make again." >&2
  exit 1
fi
node_major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$node_major" -lt "$need_node" ]; then
  echo "setup: Node.js $(node --version) is too old: ${need_node} or later is needed (the CDK CLI and jsii)." >&2
  exit 1
fi

if ! command -v python3 >/dev/null 2>&1; then
  echo "setup: python3 (3.11 or later) is needed; none found on PATH." >&2
  exit 1
fi
# uv lives in whichever interpreter `python3` is now; remember that one before PYENV_VERSION changes what
# `python3` resolves to below.
host_python="$(python3 -c 'import sys; print(sys.executable)')"
# uv: the host Python's module, else a uv binary on PATH (its real path: a pyenv shim stops answering once
# PYENV_VERSION changes below), else installed with the host's pip.
if "$host_python" -m uv --version >/dev/null 2>&1; then
  uv=("$host_python" -m uv)
elif uv --version >/dev/null 2>&1; then
  uv=("$( (command -v pyenv >/dev/null && pyenv which uv 2>/dev/null) || command -v uv)")
else
  echo "setup: installing uv (PyPI)"
  if ! "$host_python" -m pip install --quiet --disable-pip-version-check --user uv; then
    echo "setup: uv is needed and could not be installed with $host_python's pip; install it" \
         "(pipx install uv, or https://docs.astral.sh/uv/) and run make again." >&2
    exit 1
  fi
  uv=("$host_python" -m uv)
fi

# The development venv runs Python 3.12 where it exists (any >= 3.11 works). The Lambda runtime's version is
# defined in infra/config.py (LAMBDA_PYTHON); the synth finds an interpreter of it for the bytecode itself.
if command -v pyenv >/dev/null 2>&1; then
  PYENV_VERSION="$(pyenv versions --bare | grep -E '^3\.12' | tail -n 1 || true)"
  export PYENV_VERSION="${PYENV_VERSION:-$(pyenv version-name)}"
fi
want=3.12
python3.12 -c 'pass' >/dev/null 2>&1 || want=3

stamp=.venv/.synced
if [ ! -f "$stamp" ] || [ uv.lock -nt "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  UV_PYTHON_DOWNLOADS=never "${uv[@]}" sync --frozen --python "$want" --quiet
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

# Java: only DynamoDB Local needs it. A warning, not a failure: lint, unit tests and synth run without it.
need_java=17
java_major=""
if command -v java >/dev/null 2>&1; then
  java_major="$( (java -version 2>&1 || true) | sed -n 's/.*version "\([0-9]*\)[."].*/\1/p' | head -n 1)"
fi
if [ -z "$java_major" ]; then
  echo "setup: note: no Java found; Java ${need_java}+ is needed only for DynamoDB Local (make run, make e2e)." >&2
elif [ "$java_major" -lt "$need_java" ]; then
  echo "setup: note: Java ${java_major} is too old for DynamoDB Local (make run, make e2e): ${need_java}+ is needed." >&2
fi
