#!/usr/bin/env bash
# Installs everything gopyro's build and tests need on a fresh machine:
# Go modules, Pyro 3.16 for Python 2.7 (the interop arbiter), pytest for the
# Python-driven interop suite. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh

if [ ! -x "$PY2" ]; then
  echo "setup: Python 2.7 not found at $PY2 (set PYRO_PY2 to its path)" >&2
  exit 1
fi
if ! "$PY2" -c 'import Pyro.constants, sys; sys.exit(Pyro.constants.VERSION != "3.16")' 2>/dev/null; then
  PIP_NO_PYTHON_VERSION_WARNING=1 "$PY2" -m pip install --disable-pip-version-check -q 'pyro==3.16'
fi
# pytest-xdist runs the interop suite's tests three at a time: most of their
# time is spent waiting on Pyro's own example programs, not on the CPU.
if ! "$PY3" -c 'import pytest, xdist' 2>/dev/null; then
  PIP_ROOT_USER_ACTION=ignore "$PY3" -m pip install --disable-pip-version-check -q pytest 'pytest-xdist==3.8.0'
fi
if [ ! -d "$PYRO_EXAMPLES" ]; then
  mkdir -p "$GOPYRO_CACHE"
  tmp="$(mktemp -d)"
  PIP_NO_PYTHON_VERSION_WARNING=1 "$PY2" -m pip download --disable-pip-version-check -q --no-deps --no-binary :all: -d "$tmp" 'pyro==3.16'
  tar -xzf "$tmp"/Pyro-3.16.tar.gz -C "$GOPYRO_CACHE"
  rm -rf "$tmp"
fi
# M2Crypto lets real Pyro speak PYROSSL in the TLS interop tests.
bash scripts/m2crypto.sh
go mod download
echo "setup: go $(go env GOVERSION), $("$PY2" -c 'import Pyro.constants as c; print "Pyro " + c.VERSION') on $("$PY2" -V 2>&1), pytest $("$PY3" -m pytest --version 2>&1 | awk '{print $2}')"
