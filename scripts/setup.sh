#!/usr/bin/env bash
# Installs everything gopyro's build and tests need on a fresh machine:
# Go modules, Pyro 3.16 for Python 2.7 (the Pyro 3 arbiter), a Python 3
# virtual environment with pytest, Pyro4, Pyro5, serpent and msgpack, and the
# sdists whose examples the interop suite runs. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh

if [ ! -x "$PY2" ]; then
  echo "setup: Python 2.7 not found at $PY2 (set GOPYRO_PY2 to its path)" >&2
  exit 1
fi
if ! "$PY2" -c 'import Pyro.constants, sys; sys.exit(Pyro.constants.VERSION != "3.16")' 2>/dev/null; then
  PIP_NO_PYTHON_VERSION_WARNING=1 "$PY2" -m pip install --disable-pip-version-check -q 'pyro==3.16'
fi
# The Python 3 side: one virtual environment with the interop driver
# (pytest; pytest-xdist runs the suite's tests three at a time, since most of
# their time is spent waiting on Pyro's own example programs) and the Pyro 4
# and Pyro 5 arbiters at the versions the project is checked against.
py3_pkgs=(pytest 'pytest-xdist==3.8.0' 'pyro4==4.82' 'pyro5==5.17' 'serpent==1.43' 'msgpack==1.2.4')
if [ ! -x "$PY3" ]; then
  python3 -m venv "$GOPYRO_VENV3"
fi
if ! "$PY3" -c '
import sys, importlib.metadata as m
want = {"pyro4": "4.82", "pyro5": "5.17", "serpent": "1.43", "msgpack": "1.2.4"}
import pytest, xdist
sys.exit(any(m.version(k) != v for k, v in want.items()))' 2>/dev/null; then
  PIP_ROOT_USER_ACTION=ignore "$PY3" -m pip install --disable-pip-version-check -q "${py3_pkgs[@]}"
fi
for sd in "$GOPYRO_PYRO4_SDIST:pyro4==4.82" "$GOPYRO_PYRO5_SDIST:pyro5==5.17" "$GOPYRO_SERPENT_SDIST:serpent==1.43"; do
  dir="${sd%%:*}" req="${sd#*:}"
  if [ ! -d "$dir" ]; then
    mkdir -p "$GOPYRO_CACHE"
    tmp="$(mktemp -d)"
    PIP_ROOT_USER_ACTION=ignore "$PY3" -m pip download --disable-pip-version-check -q --no-deps --no-binary :all: -d "$tmp" "$req"
    tar -xzf "$tmp"/*.tar.gz -C "$tmp"
    rm "$tmp"/*.tar.gz
    mv "$tmp"/* "$dir"
    rm -rf "$tmp"
  fi
done
if [ ! -d "$GOPYRO_EXAMPLES" ]; then
  mkdir -p "$GOPYRO_CACHE"
  tmp="$(mktemp -d)"
  PIP_NO_PYTHON_VERSION_WARNING=1 "$PY2" -m pip download --disable-pip-version-check -q --no-deps --no-binary :all: -d "$tmp" 'pyro==3.16'
  tar -xzf "$tmp"/Pyro-3.16.tar.gz -C "$GOPYRO_CACHE"
  rm -rf "$tmp"
fi
# The console's browser test (interop_tests/test_console.py): Debian's
# headless Chromium with its chromedriver, driven by Selenium. Never a
# downloaded browser.
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver ||
    { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver; }
fi
if ! "$PY3" -c 'import importlib.metadata as m, sys; sys.exit(m.version("selenium") != "4.51.0")' 2>/dev/null; then
  PIP_ROOT_USER_ACTION=ignore "$PY3" -m pip install --disable-pip-version-check -q 'selenium==4.51.0'
fi
# etcd (Debian's etcd-server) runs the 3-member clusters of the etcd store's
# Go tests (ns/internal/etcdtest) and interop_tests/test_ns_etcd.py.
if ! command -v etcd >/dev/null 2>&1; then
  sudo_cmd=()
  [ "$(id -u)" = 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends etcd-server ||
    { "${sudo_cmd[@]}" apt-get update &&
      "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends etcd-server; }
fi
# M2Crypto lets real Pyro speak PYROSSL in the TLS interop tests.
bash scripts/m2crypto.sh
go mod download
echo "setup: go $(go env GOVERSION), $("$PY2" -c 'import Pyro.constants as c; print "Pyro " + c.VERSION') on $("$PY2" -V 2>&1), pytest $("$PY3" -m pytest --version 2>&1 | awk '{print $2}'), $("$PY3" -c 'import Pyro4, Pyro5, serpent, msgpack; print("Pyro4", Pyro4.__version__, "Pyro5", Pyro5.__version__, "serpent", serpent.__version__, "msgpack", msgpack.version)') on $("$PY3" -V 2>&1)"
