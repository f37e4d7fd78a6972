# Sourced by the scripts: where the two Pythons are.
# PY2 runs real Pyro 3.16; PY3 runs pytest (the interop driver).
if [ -z "${PYRO_PY2:-}" ]; then
  if command -v pyenv >/dev/null 2>&1; then
    PYRO_PY2="$(pyenv root)/versions/2.7.18/bin/python"
  else
    PYRO_PY2="${HOME}/.pyenv/versions/2.7.18/bin/python"
  fi
fi
export PYRO_PY2
PY2="$PYRO_PY2"
PY3="${PYRO_PY3:-python3}"
# The Pyro 3.16 sdist (manual, bin/ tools, examples/) is unpacked here by setup.sh;
# the interop suite runs Pyro's own example programs from it.
GOPYRO_CACHE="${GOPYRO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gopyro}"
export PYRO_SDIST="${PYRO_SDIST:-$GOPYRO_CACHE/Pyro-3.16}"
export PYRO_EXAMPLES="${PYRO_EXAMPLES:-$PYRO_SDIST/examples}"
