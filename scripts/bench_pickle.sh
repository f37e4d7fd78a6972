#!/usr/bin/env bash
# Codec benchmarks: Go pickle Decode/Encode against Python 2.7 cPickle.loads/
# dumps on the same messages (the standard Pyro call and an exception
# capsule), measured in the same run. Prints Go ns/op and allocs/op, Python
# ns/op and the Go/Python ratio (below 1.0 means Go is faster).
# Both sides take the best of several runs, so a busy machine skews less.
#   scripts/bench_pickle.sh [go test -benchtime value, default 1s]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
benchtime="${1:-1s}"
data=pickle/testdata/bench

gofile=$(mktemp)
pyfile=$(mktemp)
trap 'rm -f "$gofile" "$pyfile"' EXIT

go test -run '^$' -bench 'Call$|Capsule$' -benchmem -benchtime="$benchtime" -count=3 ./pickle/ | tee "$gofile" >&2
"$PY2" scripts/bench_pickle.py time "$data" | tee "$pyfile" >&2

awk '
FNR == NR {
	# Python: name loads_ns dumps_ns
	py["Decode", $1] = $2; py["Encode", $1] = $3; next
}
/^Benchmark(Decode|Encode)(Call|Capsule)/ {
	name = $1; sub(/^Benchmark/, "", name); sub(/-[0-9]+$/, "", name)
	op = substr(name, 1, 6); msg = tolower(substr(name, 7))
	ns = ""; allocs = ""
	for (i = 2; i <= NF; i++) {
		if ($i == "ns/op") ns = $(i-1)
		if ($i == "allocs/op") allocs = $(i-1)
	}
	key = op " " msg
	if (!(key in best)) order[++n] = key
	if (!(key in best) || ns + 0 < best[key] + 0) { best[key] = ns; al[key] = allocs; pyns[key] = py[op, msg] }
}
END {
	printf "%-16s %10s %10s %12s %8s\n", "benchmark", "Go ns/op", "allocs/op", "Python ns/op", "Go/Py"
	for (i = 1; i <= n; i++) {
		k = order[i]
		printf "%-16s %10.0f %10s %12.0f %8.2f\n", k, best[k], al[k], pyns[k], best[k] / pyns[k]
	}
}' "$pyfile" "$gofile"
