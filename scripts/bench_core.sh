#!/usr/bin/env bash
# Core benchmarks, side by side in one run (issue 3 item 9): Go client → Go
# daemon (go test -bench ./core), Python client → Go daemon, Python client →
# Python daemon, Go client → Python daemon, 32 Python clients against each
# daemon, oneway throughput, 10 MB echo, connect + first call, the raw
# loopback ping-pong floor, and the memory of 10,000 idle connections held
# by the Go daemon. Prints the figures and the target ratios. The Python
# clients' daemon serves Pyro 3 alone, as before Pyro 5 came: a daemon of
# Pyro 3 and 5 makes each Pyro 3 connect wait out the detection (DetectWait,
# 0.1 s), which BenchmarkConnectFirstCall measures for the Go client.
#
# usage: scripts/bench_core.sh [seconds-per-measurement] [idle-connections]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
secs="${1:-2}"
nidle="${2:-10000}"

tmp="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

free_port() { "$PY3" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_ready() { # file
  for _ in $(seq 300); do grep -q READY "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "no READY in $1:"; cat "$1"; exit 1
}
uri_of() { awk -v n="$2" '$1=="URI" && $2==n {print $3}' "$1"; }
go build -o "$tmp" ./interop_tests/goprogs/coreserver
gport="$(free_port)"
"$tmp/coreserver" -pyro3only -port "$gport" -maxconn 20000 -lifetime 1800s >"$tmp/go.out" 2>&1 &
pids+=($!)
pport="$(free_port)"
PYTHONDONTWRITEBYTECODE=1 "$PY2" scripts/bench_core_pyserver.py "$pport" 1800 >"$tmp/py.out" 2>&1 &
pids+=($!)
wait_ready "$tmp/go.out"
wait_ready "$tmp/py.out"
pyuri="$(uri_of "$tmp/py.out" :test.core)"

echo "== Go client -> Go daemon (go test -bench, ${secs}s each, 3 rounds)"
go test -run '^$' -bench . -benchtime="${secs}s" -count 3 ./core | tee "$tmp/gogo.txt" | grep '^Benchmark'
echo "== Go client -> Python daemon"
GOPYRO_BENCH_URI="$pyuri" go test -run '^$' -bench 'CallSequential|CallParallel|Echo10MB|ConnectFirstCall' \
  -benchtime="${secs}s" -count 3 ./core | tee "$tmp/gopy.txt" | grep '^Benchmark'

pyc() { PYTHONDONTWRITEBYTECODE=1 "$PY2" scripts/bench_core_client.py "$@"; }
echo "== Python client -> Go daemon (go) / Python daemon (py), 3 alternating rounds"
for round in 1 2 3; do
  for side in go py; do
    if [ "$side" = go ]; then port="$gport"; else port="$pport"; fi
    for m in "seq $secs" "par 32 $secs" "threads 32 $secs" "oneway 20000" "connect 300" "big 10 3"; do
      # shellcheck disable=SC2086
      set -- $m
      res="$(pyc "$1" "$port" "${@:2}")"
      echo "$res" >>"$tmp/$1.$side"
      printf '%-8s %s: %s\n' "$1" "$side" "$res"
    done
  done
done

echo "== $nidle idle connections held by a fresh Go daemon"
iport="$(free_port)"
"$tmp/coreserver" -pyro3only -port "$iport" -maxconn 100000 -lifetime 1800s >"$tmp/idle-go.out" 2>&1 &
ipid=$!
pids+=($ipid)
wait_ready "$tmp/idle-go.out"
rss() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
mkfifo "$tmp/hold"
"$PY3" scripts/bench_core_idle.py "$iport" "$nidle" <"$tmp/hold" >"$tmp/idle.out" 2>&1 &
pids+=($!)
exec 3>"$tmp/hold"
sleep 0.5
rss0="$(rss "$ipid")"
for _ in $(seq 1200); do grep -q HELD "$tmp/idle.out" && break; sleep 0.1; done
grep -q HELD "$tmp/idle.out" || { echo "idle clients failed:"; cat "$tmp/idle.out"; exit 1; }
sleep 1
rss1="$(rss "$ipid")"
exec 3>&-
idle_kb="$(awk -v a="$rss0" -v b="$rss1" -v n="$nidle" 'BEGIN {printf "%.1f", (b-a)/n}')"
echo "RSS ${rss0} kB -> ${rss1} kB: ${idle_kb} kB per idle connection"

echo
echo "== Summary (targets of issue 3 item 9; best of this run's rounds)"
"$PY3" scripts/bench_core_summary.py "$tmp" "$idle_kb"
