#!/usr/bin/env bash
# Installs M2Crypto for the Python 2.7 that runs real Pyro 3.16, so the interop
# suite can test Pyro's PYROSSL against gopyro's TLS. Safe to run again: it does
# nothing when M2Crypto already imports. Bounded in time (each step has a
# timeout); on failure it says why and exits non-zero, and the SSL interop
# tests skip themselves.
#
# What works (checked on Debian 12, OpenSSL 3.0, Python 2.7.18): M2Crypto
# 0.38.0, the last release that still installs on Python 2.7, built from the
# sdist with swig and libssl-dev; it imports `typing`, which Python 2.7 gets
# from the `typing` backport (< 3.11).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh

M2_VERSION="${M2_VERSION:-0.38.0}"

if "$PY2" -c 'from M2Crypto import SSL' 2>/dev/null; then
  echo "m2crypto: $("$PY2" -c 'import M2Crypto; print M2Crypto.version') already installed"
  exit 0
fi

need=()
command -v swig >/dev/null 2>&1 || need+=(swig)
[ -f /usr/include/openssl/ssl.h ] || need+=(libssl-dev)
command -v gcc >/dev/null 2>&1 || need+=(gcc)
if [ "${#need[@]}" -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "m2crypto: need ${need[*]} (apt-get install as root)" >&2
    exit 1
  fi
  timeout 300 apt-get update -qq
  DEBIAN_FRONTEND=noninteractive timeout 300 apt-get install -y -qq "${need[@]}" >/dev/null
fi

export PIP_NO_PYTHON_VERSION_WARNING=1 PIP_DISABLE_PIP_VERSION_CHECK=1
timeout 300 "$PY2" -m pip install -q 'typing<3.11'
timeout 600 "$PY2" -m pip install -q --no-binary :all: "M2Crypto==$M2_VERSION"
"$PY2" -c 'from M2Crypto import SSL; SSL.Context("sslv23")'
echo "m2crypto: $("$PY2" -c 'import M2Crypto; print M2Crypto.version') installed"
