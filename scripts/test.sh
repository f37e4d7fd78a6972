#!/usr/bin/env bash
# Runs every test: formatting, vet, the Go tests with the race detector, and
# the interop suite in which real Pyro 3.16 talks to our binaries.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh

unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; exit 1
fi
go vet ./...
go test -race -count=1 -timeout 15m ./...

bin="$(mktemp -d)"
trap 'rm -rf "$bin"' EXIT
go build -o "$bin" $(go list ./cmd/... ./interop_tests/goprogs/... 2>/dev/null)
GOPYRO_BIN="$bin" "$PY3" -m pytest -q -n 3 interop_tests
