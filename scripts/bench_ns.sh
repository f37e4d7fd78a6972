#!/usr/bin/env bash
# Name Server benchmark, side by side in one run: our Go pyro-ns against
# Python Pyro 3.16's NS on loopback.
#   - resolve/s and register+unregister/s from Python clients (1 and 8 processes)
#   - resolve/s from Go clients (1 sequential, 8 connections; go test -bench
#     in ns/) against both NS processes and against a Go NS in the client's
#     own process, each beside a raw loopback ping-pong of the same
#     arrangement (two processes, or one) as its floor
#   - restart time and memory with 100k names
# usage: scripts/bench_ns.sh [seconds-per-measurement]   (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
SECS="${1:-5}"
work="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
trap "exit 130" INT TERM
go build -o "$work" ./cmd/pyro-ns ./cmd/pyro-nsc
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 200); do (echo >/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.05; done; echo "port $1 not up" >&2; exit 1; }
start_go() { # port storage [args]
  local port="$1" st="$2"; shift 2
  PYRO_STORAGE="$st" "$work/pyro-ns" -n 127.0.0.1 -p "$port" -r -x "$@" >"$st/ns.log" 2>&1 & pids+=($!); wait_port "$port"
}
start_py() { # port storage
  PYRO_STORAGE="$2" "$PY2" -c 'import sys, Pyro.naming; Pyro.naming.main(sys.argv[1:])' -n 127.0.0.1 -p "$1" -r -x >"$2/ns.log" 2>&1 & pids+=($!); wait_port "$1"
}
clients() { # port mode nclients -> total ops/s
  local port="$1" mode="$2" n="$3" i out=()
  for i in $(seq "$n"); do PYRO_STORAGE="$work" "$PY2" scripts/bench_ns_client.py 127.0.0.1 "$port" "$mode" "$SECS" "$i" >"$work/c$i.out" & out+=($!); done
  for p in "${out[@]}"; do wait "$p"; done
  cat "$work"/c*.out | awk -v s="$SECS" '{t+=$1} END {printf "%.0f", t/s}'; rm -f "$work"/c*.out
}
mkdir -p "$work/go" "$work/py"
GO_PORT=$(free_port); PY_PORT=$(free_port)
start_go "$GO_PORT" "$work/go"; start_py "$PY_PORT" "$work/py"
# The raw ping-pong floor between two processes talks to an echo server
# process started here, alongside the name servers and like them, so that
# the operating system places it as it places them (see seq_median below).
go test -c -o "$work/ns.test" ./ns/
start_echo() { # var [command prefix...]: an echo server process, its address in var
  local var="$1" fifo="$work/$1.in"; shift
  mkfifo "$fifo"
  GOPYRO_BENCH_ECHO=serve "$@" "$work/ns.test" <"$fifo" >"$work/$var.addr" & pids+=($!)
  exec {keep_open}>"$fifo" # its standard input, open until this script ends
  until [ -s "$work/$var.addr" ]; do sleep 0.02; done
  printf -v "$var" '%s' "$(head -1 "$work/$var.addr")"
}
start_echo ECHO_ADDR

# Each figure is the best of BENCH_REPEAT runs (default 3), the two name
# servers measured alternately: the machine is shared, and the best run is
# the least disturbed one.
REPEAT="${BENCH_REPEAT:-3}"
best_clients() { # port mode nclients -> best total ops/s of REPEAT runs
  local best=0 r
  for _ in $(seq "$REPEAT"); do r=$(clients "$@"); [ "$r" -gt "$best" ] && best=$r; done
  echo "$best"
}
echo "== Python clients (Pyro 3.16, ${SECS}s each, best of $REPEAT), ops/s: Python NS | Go NS | ratio"
declare -A pyrate
for mode in resolve regunreg; do
  for n in 1 8; do
    py=$(best_clients "$PY_PORT" "$mode" "$n"); go=$(best_clients "$GO_PORT" "$mode" "$n")
    pyrate[$mode$n]=$py
    printf "%-9s %d client(s): %8s | %8s | %.2fx\n" "$mode" "$n" "$py" "$go" "$(echo "$go/$py" | bc -l)"
  done
done

echo "== Go clients (go test -bench, ${SECS}s each, $REPEAT times; the summary takes the best), ns/op"
# Against the two NS processes above, then against a Go NS inside the
# benchmark process; each beside the raw loopback ping-pong floor of the
# same arrangement (echo server in another process, or in the same one).
gobench() { # pattern [NS host:port] -> benchmark lines
  GOPYRO_BENCH_NS="${2:-}" "$work/ns.test" -test.run xxx -test.bench "$1" -test.benchtime "${SECS}s" -test.count "$REPEAT" | grep '^Benchmark' | tee -a "$work/gobench.out"
}
nsop() { # name -> the best (lowest) ns/op of that benchmark
  grep "^$1-" "$work/gobench.out" | awk '{print $3}' | sort -n | head -1
}
: >"$work/gobench.out"
echo "-- against Python NS (process)"; gobench 'BenchmarkRemote' "127.0.0.1:$PY_PORT" >/dev/null
sed -i 's/^BenchmarkRemote/PyBenchmarkRemote/' "$work/gobench.out"; grep '^Py' "$work/gobench.out"
echo "-- against Go NS (process), and the floor between two processes"
gobench 'BenchmarkRemote' "127.0.0.1:$GO_PORT"
GOPYRO_BENCH_ECHO_ADDR="$ECHO_ADDR" gobench 'BenchmarkLoopbackPingPongProcess'
sed -i 's/^BenchmarkRemote/ProcBenchmarkRemote/' "$work/gobench.out"
echo "-- against a Go NS in the benchmark process, and the floor in one process"
gobench 'BenchmarkRemoteResolve'
gobench 'BenchmarkLoopbackPingPong8?$'
"$work/ns.test" -test.run xxx -test.bench 'BenchmarkRestart100k' -test.benchtime 1x | grep '^Benchmark'

# One sequential client is bound by wake-up latency, which on this 2-core
# VM is bimodal (a raw round trip between two processes reads 20 us in one
# run and 70 us in the next): a best-of-3 compares whichever side got lucky.
# The sequential targets therefore use medians of BENCH_SEQ_RUNS (9) runs,
# the NS client and the raw floor alternating.
SEQ_RUNS="${BENCH_SEQ_RUNS:-9}"
seq_median() { # label NS-host:port-or-empty client-bench floor-bench iterations [client command prefix]
  local i a b
  : >"$work/seq.txt"
  for i in $(seq "$SEQ_RUNS"); do
    a=$(GOPYRO_BENCH_NS="$2" ${6:-} "$work/ns.test" -test.run xxx -test.bench "$3\$" -test.benchtime "$5x" | awk '/^Benchmark/ {print $3}')
    b=$(${6:-} "$work/ns.test" -test.run xxx -test.bench "$4\$" -test.benchtime "$5x" | awk '/^Benchmark/ {print $3}')
    echo "$a $b" >>"$work/seq.txt"
  done
  python3 - "$1" "$work/seq.txt" <<'PY'
import statistics, sys
rows = [list(map(float, l.split())) for l in open(sys.argv[2]) if l.strip()]
ns, raw = statistics.median(r[0] for r in rows), statistics.median(r[1] for r in rows)
print("one Go client sequential, %s: median %.0f ns vs raw %.0f ns = %.2fx (target 0.8x; runs: %s)" % (
    sys.argv[1], ns, raw, raw / ns, ", ".join("%.0f/%.0f" % (r[0] / 1000, r[1] / 1000) for r in rows)))
PY
}

echo "== Go client targets (this run)"
hz() { echo "1000000000/$1" | bc -l; }
printf "Go clients over 8 connections -> Go NS process: %.0f resolves/s = %.2fx Python 1 client -> Python NS (%s/s; target 6x)\n" \
  "$(hz "$(nsop ProcBenchmarkRemoteResolve8)")" "$(echo "$(hz "$(nsop ProcBenchmarkRemoteResolve8)")/${pyrate[resolve1]}" | bc -l)" "${pyrate[resolve1]}"
printf "   (floor: raw ping-pong over 8 connections between two processes %.0f/s)\n" "$(hz "$(nsop BenchmarkLoopbackPingPongProcess8)")"
GOPYRO_BENCH_ECHO_ADDR="$ECHO_ADDR" seq_median "NS process (us/us)" "127.0.0.1:$GO_PORT" BenchmarkRemoteResolve BenchmarkLoopbackPingPongProcess 20000
# For comparison, the floor against an echo server that each benchmark run
# starts as its own child: a fresh child often lands on its parent's CPU, a
# placement that a long-running server does not get, and reads up to 3x
# faster for it.
seq_median "NS process, floor with an echo server started by the client (us/us)" "127.0.0.1:$GO_PORT" BenchmarkRemoteResolve BenchmarkLoopbackPingPongProcess 20000
seq_median "NS in process (us/us)" "" BenchmarkRemoteResolve BenchmarkLoopbackPingPong 100000
# Between two processes the bimodality is placement: a round trip between
# processes on one CPU costs about half of one between two CPUs, where each
# message wakes an idle virtual CPU. With taskset, both placements are
# measured on their own, the name server and the echo server pinned alike.
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then
  P=$(free_port); mkdir -p "$work/pinned"
  PYRO_STORAGE="$work/pinned" taskset -c 0 "$work/pyro-ns" -n 127.0.0.1 -p "$P" -r -x >"$work/pinned/ns.log" 2>&1 & pids+=($!); wait_port "$P"
  start_echo PINNED_ECHO_ADDR taskset -c 0
  GOPYRO_BENCH_ECHO_ADDR="$PINNED_ECHO_ADDR" seq_median "NS process, both on CPU 0 (us/us)" "127.0.0.1:$P" BenchmarkRemoteResolve BenchmarkLoopbackPingPongProcess 20000 "taskset -c 0"
  GOPYRO_BENCH_ECHO_ADDR="$PINNED_ECHO_ADDR" seq_median "NS process on CPU 0, client on CPU 1 (us/us)" "127.0.0.1:$P" BenchmarkRemoteResolve BenchmarkLoopbackPingPongProcess 20000 "taskset -c 1"
fi

echo "== 100k names"
# Ours: persistent. A Pyro 3 database with 100k names is imported on the first
# start; the second start is the restart we time.
db="$work/go100k/Pyro_NS_database"; mkdir -p "$db/bench" "$db/Pyro" "$db/Default"
python3 - "$db/bench" <<'PY'
import sys, os
d = sys.argv[1]
for i in range(100000):
    with open(os.path.join(d, "n%06d" % i), "w") as f:
        f.write("PYRO://127.0.0.1:7766/%032x\n" % i)
PY
P=$(free_port)
start_go "$P" "$work/go100k" -d; kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
t0=$(date +%s.%N); start_go "$P" "$work/go100k" -d
until "$work/pyro-nsc" -h 127.0.0.1 -p "$P" ping >/dev/null 2>&1; do sleep 0.01; done; t1=$(date +%s.%N)
rss=$(awk '/VmRSS/ {print $2}' /proc/"${pids[-1]}"/status)
printf "Go NS (-d, bbolt): restart with 100k names %.3f s (exec to first answered ping), RSS %.1f MB\n" "$(echo "$t1-$t0" | bc -l)" "$(echo "$rss/1024" | bc -l)"
# In-memory Name Servers filled over the network by 8 Python clients.
fill100k() { # port
  local fill=() i p
  for i in $(seq 0 7); do PYRO_STORAGE="$work" "$PY2" scripts/bench_ns_client.py 127.0.0.1 "$1" fill $((i*12500)) 12500 >/dev/null & fill+=($!); done
  for p in "${fill[@]}"; do wait "$p"; done
}
for kind in py go; do
  P=$(free_port); mkdir -p "$work/${kind}100kmem"
  if [ "$kind" = py ]; then start_py "$P" "$work/${kind}100kmem"; else start_go "$P" "$work/${kind}100kmem"; fi
  t0=$(date +%s.%N); fill100k "$P"; t1=$(date +%s.%N)
  rss=$(awk '/VmRSS/ {print $2}' /proc/"${pids[-1]}"/status)
  printf "%s NS (in memory): 100k registrations by 8 Python clients in %.1f s, RSS %.1f MB\n" \
    "$([ "$kind" = py ] && echo Python || echo Go)" "$(echo "$t1-$t0" | bc -l)" "$(echo "$rss/1024" | bc -l)"
done
