#!/usr/bin/env bash
# Pyro 5 daemon benchmarks (issue 13 item 9): Pyro5 5.17 client processes
# against the Go daemon (goprogs/coreserver, which serves Pyro 3 and 5 on
# one port) and against a Python Pyro5 daemon (interop_tests/py5/
# values_server.py), both serving echo(x), in the same run, the sides
# alternating round by round. Prints each measurement per round and the
# median Go/Python ratio.
#   scripts/bench_pyro5.sh [seconds per measurement, default 3] [rounds, default 3]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
secs="${1:-3}"
rounds="${2:-3}"
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
# Pyro5 refuses PYRO_* variables it does not know.
unset $(env | awk -F= '/^PYRO/ {print $1}') 2>/dev/null || true

wait_line() { # file pattern
  for _ in $(seq 300); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "no $2 in $1:"; cat "$1"; exit 1
}
go build -o "$tmp" ./interop_tests/goprogs/coreserver
"$tmp/coreserver" -maxconn 2000 -lifetime 1800s >"$tmp/go.out" 2>&1 &
pids+=($!)
"$PY3" interop_tests/py5/values_server.py >"$tmp/py.out" 2>&1 &
pids+=($!)
wait_line "$tmp/go.out" READY
wait_line "$tmp/py.out" "^URI"
gouri="$(awk '$1=="URI5" && $2==":test.core" {print $3}' "$tmp/go.out")"
pyuri="$(awk '$1=="URI" {print $2}' "$tmp/py.out")"

measurements=("seq $secs" "par 8 $secs" "par 32 $secs" "oneway 20000" "batch 1000" "big 10")
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq "$rounds"); do
  for side in go py; do
    if [ "$side" = go ]; then uri="$gouri"; else uri="$pyuri"; fi
    for m in "${measurements[@]}"; do
      # shellcheck disable=SC2086
      set -- $m
      res="$("$PY3" scripts/bench_pyro5_client.py "$1" "$uri" "${@:2}")"
      echo "$m" "$res" >>"$tmp/$side"
      printf 'round %d %-3s %-14s %s\n' "$round" "$side" "$m" "$res"
    done
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== medians (calls/s; big: MB/s)"
"$PY3" - "$tmp/go" "$tmp/py" <<'PY'
import statistics, sys
def load(path):
    d = {}
    for line in open(path):
        *m, v = line.split()
        d.setdefault(" ".join(m), []).append(float(v))
    return {m: statistics.median(v) for m, v in d.items()}
go, py = load(sys.argv[1]), load(sys.argv[2])
print("| measurement | Go daemon | Python Pyro5 daemon | Go/Python |")
print("|---|---|---|---|")
for m in go:
    print("| %s | %.0f | %.0f | %.2fx |" % (m, go[m], py[m], go[m] / py[m]))
PY
