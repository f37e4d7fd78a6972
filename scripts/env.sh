# Sourced by the scripts: where the two Pythons are.
# PY2 runs real Pyro 3.16; PY3 is the Python 3 virtual environment that
# setup.sh makes: pytest (the interop driver), Pyro4 4.82, Pyro5 5.17,
# serpent 1.43 and msgpack, the arbiters of the Pyro 4 and Pyro 5 work.
if [ -z "${GOPYRO_PY2:-}" ]; then
  if command -v pyenv >/dev/null 2>&1; then
    GOPYRO_PY2="$(pyenv root)/versions/2.7.18/bin/python"
  else
    GOPYRO_PY2="${HOME}/.pyenv/versions/2.7.18/bin/python"
  fi
fi
export GOPYRO_PY2
PY2="$GOPYRO_PY2"
# The Pyro 3.16 sdist (manual, bin/ tools, examples/) is unpacked here by setup.sh;
# the interop suite runs Pyro's own example programs from it.
GOPYRO_CACHE="${GOPYRO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gopyro}"
export GOPYRO_SDIST="${GOPYRO_SDIST:-$GOPYRO_CACHE/Pyro-3.16}"
export GOPYRO_EXAMPLES="${GOPYRO_EXAMPLES:-$GOPYRO_SDIST/examples}"
# The Python 3 virtual environment and the unpacked Pyro4, Pyro5 and serpent
# sdists (their docs, examples and test suites).
export GOPYRO_VENV3="${GOPYRO_VENV3:-$GOPYRO_CACHE/venv3}"
PY3="${GOPYRO_PY3:-$GOPYRO_VENV3/bin/python}"
export GOPYRO_PY3="$PY3"
export GOPYRO_PYRO4_SDIST="${GOPYRO_PYRO4_SDIST:-$GOPYRO_CACHE/Pyro4-4.82}"
export GOPYRO_PYRO5_SDIST="${GOPYRO_PYRO5_SDIST:-$GOPYRO_CACHE/Pyro5-5.17}"
export GOPYRO_SERPENT_SDIST="${GOPYRO_SERPENT_SDIST:-$GOPYRO_CACHE/serpent-1.43}"
