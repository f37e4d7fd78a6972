#!/usr/bin/env bash
# The attack suite (issue 11): hostile clients (amplifying pickles, malformed
# frames, slow, idle and reconnecting attackers; raw frames from Python 3,
# from 127.0.0.2) against pyro-echo, pyro-ns, pyro-ns -d and pyro-es, each
# under an address-space limit, while a real Pyro 3.16 client (Python 2.7)
# keeps calling; prints a table of what each server answered, whether it
# lived and whether the real client was served. See scripts/attack.py for the
# attacks and the options, e.g.
#
#   scripts/attack.sh -j 2                                   # everything, two servers at a time
#   scripts/attack.sh --servers pyro-echo --attacks encoder  # one cell
#   scripts/attack.sh --known scripts/attack_known_failures.txt  # as CI runs it
#
# GOPYRO_BIN=dir uses the binaries built there; otherwise they are built from
# this checkout into a temporary directory.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
bin="${GOPYRO_BIN:-}"
if [ -z "$bin" ]; then
  bin="$work/bin"
  mkdir "$bin"
  go build -o "$bin" ./cmd/...
fi
# attack.py bounds every process itself; timeout bounds attack.py, and a
# signal to this script reaches it (it then stops every process it started).
set +e
timeout -k 10 600 "$PY3" scripts/attack.py --bin "$bin" "$@" &
child=$!
trap 'kill -TERM "$child" 2>/dev/null' TERM INT HUP
wait "$child"
status=$?
while kill -0 "$child" 2>/dev/null; do
  wait "$child"
  status=$?
done
exit "$status"
