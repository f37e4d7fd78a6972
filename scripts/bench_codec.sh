#!/usr/bin/env bash
# Codec benchmarks: a Go codec's Decode/Encode against its Python original
# on the same messages, measured in the same run.
#   pickle:  Go pickle against Python 2.7 cPickle.loads/dumps (the standard
#            Pyro 3 call and an exception capsule, pickle/testdata/bench).
#   serpent: Go serpent against Python's serpent 1.43 loads/dumps (Pyro5's
#            call message and an exception dict, serpent/testdata/golden.json;
#            issue 13 item 9's target: Python/Go at least 20 on the call).
#   json, marshal, msgpack: packages pyjson, pymarshal, pymsgpack against
#            Python's json, marshal and msgpack as Pyro5 calls them, on the
#            same two messages (their testdata/golden.json).
# Prints Go ns/op and allocs/op, Python ns/op, Go/Py (below 1.0 means Go is
# faster) and Py/Go (how many times faster Go is).
# Go and Python alternate for several rounds and each side keeps its best
# time (Go: best of 5 short runs per round, Python: best of 5 timeit repeats
# of about 0.2 s), so load from other processes skews the ratio less; the
# load average before and after is printed with the table.
#   scripts/bench_codec.sh pickle|serpent|json|marshal|msgpack [go -benchtime per run, default 200ms] [rounds, default 5]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
codec="${1:?usage: scripts/bench_codec.sh pickle|serpent|json|marshal|msgpack [benchtime] [rounds]}"
benchtime="${2:-200ms}"
rounds="${3:-5}"
case "$codec" in
pickle)
	pkg=pickle
	messages='Call|Capsule'
	python=("$PY2" scripts/bench_pickle.py time pickle/testdata/bench)
	;;
serpent | json | marshal | msgpack)
	pkg=serpent
	[ "$codec" = serpent ] || pkg="py$codec"
	messages='Call|Exception'
	python=("$PY3" scripts/bench_serpent.py "$codec")
	;;
*)
	echo "bench_codec.sh: unknown codec $codec (want pickle, serpent, json, marshal or msgpack)" >&2
	exit 2
	;;
esac

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go test -c -o "$tmp/codec.test" "./$pkg/"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for _ in $(seq "$rounds"); do
	(cd "$pkg" && "$tmp/codec.test" -test.run '^$' -test.bench "($messages)\$" -test.benchmem \
		-test.benchtime="$benchtime" -test.count=5) | tee -a "$tmp/go" >&2
	"${python[@]}" | tee -a "$tmp/py" >&2
done

awk -v messages="^Benchmark(Decode|Encode)($messages)" '
FNR == NR {
	# Python: name loads_ns dumps_ns
	for (i = 2; i <= 3; i++) {
		k = (i == 2 ? "Decode" : "Encode") " " $1
		if (!(k in py) || $i + 0 < py[k] + 0) py[k] = $i
	}
	next
}
$1 ~ messages {
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
	printf "%-18s %10s %10s %12s %8s %8s\n", "benchmark", "Go ns/op", "allocs/op", "Python ns/op", "Go/Py", "Py/Go"
	for (i = 1; i <= n; i++) {
		k = order[i]
		printf "%-18s %10.0f %10s %12.0f %8.2f %8.1f\n", k, best[k], al[k], py[k], best[k] / py[k], py[k] / best[k]
	}
}' "$tmp/py" "$tmp/go"
echo "load average before: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) CPUs)"
