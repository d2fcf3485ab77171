#!/usr/bin/env bash
# The official Judge0 Python SDK, in a virtualenv at .cache/python/judge0, for the test that drives
# the Judge0-compatible API through it unchanged (test/compat/judge0/sdk.test.ts). Idempotent: a
# second run only checks the installed version. Prints the virtualenv's python on success.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
version=0.0.8
venv=$root/.cache/python/judge0
python=$venv/bin/python

say() { printf 'judge0-sdk: %s\n' "$*" >&2; }

installed() {
  "$python" -c "import importlib.metadata as m, sys; sys.exit(m.version('judge0') != '$version')" 2>/dev/null
}

if ! installed; then
  say "installing judge0==$version into $venv"
  rm -rf "$venv"
  mkdir -p "$(dirname "$venv")"
  # Debian's python3 (setup.sh installs it and python3-venv), not whichever one PATH finds first.
  /usr/bin/python3 -m venv "$venv"
  "$python" -m pip install --quiet --disable-pip-version-check --no-input "judge0==$version"
  installed || { say "judge0==$version did not install"; exit 1; }
fi
echo "$python"
