#!/usr/bin/env bash
# Codec benchmarks: Go pickle Decode/Encode against Python 2.7 cPickle.loads/
# dumps on the same messages (the standard Pyro call and an exception
# capsule), measured in the same run. Prints Go ns/op and allocs/op, Python
# ns/op and the Go/Python ratio (below 1.0 means Go is faster).
# Go and Python alternate for several rounds and each side keeps its best
# time (Go: best of 5 short runs per round, Python: best of 5 timeit repeats
# of about 0.2 s), so load from other processes skews the ratio less.
#   scripts/bench_pickle.sh [go -benchtime per run, default 200ms] [rounds, default 3]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
benchtime="${1:-200ms}"
rounds="${2:-3}"
data=pickle/testdata/bench

gofile=$(mktemp)
pyfile=$(mktemp)
trap 'rm -f "$gofile" "$pyfile"' EXIT

go test -c -o "$gofile.test" ./pickle/
trap 'rm -f "$gofile" "$pyfile" "$gofile.test"' EXIT
for _ in $(seq "$rounds"); do
	(cd pickle && "$gofile.test" -test.run '^$' -test.bench 'Call$|Capsule$' -test.benchmem -test.benchtime="$benchtime" -test.count=5) | tee -a "$gofile" >&2
	"$PY2" scripts/bench_pickle.py time "$data" | tee -a "$pyfile" >&2
done

awk '
FNR == NR {
	# Python: name loads_ns dumps_ns
	for (i = 2; i <= 3; i++) {
		k = (i == 2 ? "Decode" : "Encode") " " $1
		if (!(k in py) || $i + 0 < py[k] + 0) py[k] = $i
	}
	next
}
/^Benchmark(Decode|Encode)(Call|Capsule)/ {
	name = $1; sub(/^Benchmark/, "", name); sub(/-[0-9]+$/, "", name)
	key = substr(name, 1, 6) " " tolower(substr(name, 7))
	ns = ""; allocs = ""
	for (i = 2; i <= NF; i++) {
		if ($i == "ns/op") ns = $(i-1)
		if ($i == "allocs/op") allocs = $(i-1)
	}
	if (!(key in best)) order[++n] = key
	if (!(key in best) || ns + 0 < best[key] + 0) { best[key] = ns; al[key] = allocs }
}
END {
	printf "%-16s %10s %10s %12s %8s\n", "benchmark", "Go ns/op", "allocs/op", "Python ns/op", "Go/Py"
	for (i = 1; i <= n; i++) {
		k = order[i]
		printf "%-16s %10.0f %10s %12.0f %8.2f\n", k, best[k], al[k], py[k], best[k] / py[k]
	}
}' "$pyfile" "$gofile"
