#!/usr/bin/env bash
# Pyro 5 daemon benchmarks (issue 13 item 9): Pyro5 5.17 client processes
# against the Go daemon (goprogs/coreserver, which serves Pyro 3 and 5 on
# one port) and against a Python Pyro5 daemon (interop_tests/py5/
# values_server.py), both serving echo(x), in the same run, the sides
# alternating round by round; then Go clients (go test -bench ./core over
# Pyro 5) against both daemons, and the raw loopback ping-pong floor of the
# same message sizes. Prints each measurement and the medians and ratios.
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
gobench() { # output file, then go test arguments
  out="$1"
  shift
  go test -run '^$' -benchtime="${secs}s" -count "$rounds" "$@" ./core | tee -a "$out" | grep '^Benchmark'
}
echo "== Go client -> Go daemon over Pyro 5, and the raw ping-pong floor (go test -bench)"
GOPYRO_BENCH_PYRO=5 gobench "$tmp/gogo.txt" -bench 'CallSequential|CallParallel|RawPingPong|Echo10MB'
echo "== Go client -> Python Pyro5 daemon"
GOPYRO_BENCH_URI="$pyuri" gobench "$tmp/gopy.txt" -bench 'CallSequential|CallParallel|Echo10MB'
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== medians (calls/s; big: MB/s)"
"$PY3" - "$tmp/go" "$tmp/py" "$tmp/gogo.txt" "$tmp/gopy.txt" "$secs" <<'PY'
import re, statistics, sys
def load(path):
    d = {}
    for line in open(path):
        *m, v = line.split()
        d.setdefault(" ".join(m), []).append(float(v))
    return {m: statistics.median(v) for m, v in d.items()}
def gobench(path):
    d = {}
    for line in open(path):
        m = re.match(r"Benchmark(\S+?)-\d+\s", line)
        r = re.search(r"([\d.]+) (calls/s|MB/s)", line)
        if m and r:
            d.setdefault(m.group(1), []).append(float(r.group(1)))
    return {k: statistics.median(v) for k, v in d.items()}
go, py = load(sys.argv[1]), load(sys.argv[2])
gogo, gopy = gobench(sys.argv[3]), gobench(sys.argv[4])
print("Python Pyro5 clients:")
print("| measurement | Go daemon | Python Pyro5 daemon | Go/Python |")
print("|---|---|---|---|")
for m in go:
    print("| %s | %.0f | %.0f | %.2fx |" % (m, go[m], py[m], go[m] / py[m]))
print("Go clients (Go client / Python client: against the same daemon):")
print("| measurement | Go daemon | Python Pyro5 daemon | Go client/Python client, Go daemon | same, Python daemon |")
print("|---|---|---|---|---|")
secs = sys.argv[5]
pairs = {"CallSequential": "seq " + secs, "CallParallel8": "par 8 " + secs, "CallParallel32": "par 32 " + secs, "Echo10MB": "big 10"}
for k, pm in pairs.items():
    g, p = gogo.get(k), gopy.get(k)
    r1 = "%.2fx" % (g / go[pm]) if pm in go and g else "-"
    r2 = "%.2fx" % (p / py[pm]) if pm in py and p else "-"
    print("| %s | %.0f | %.0f | %s | %s |" % (k, g or 0, p or 0, r1, r2))
for call, raw in (("CallSequential", "RawPingPong"), ("CallParallel32", "RawPingPong32")):
    print("Go client -> Go daemon %s / raw ping-pong: %.2fx (target >= 0.8x)" % (call, gogo[call] / gogo[raw]))
PY
