package pickle

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// decCmp are the go-cmp options for comparing decoded values: Dicts by
// content with exact key types, *big.Int by value, NaN equal to NaN, nil and
// empty slices alike.
var decCmp cmp.Options

func init() {
	decCmp = cmp.Options{
		cmp.Comparer(func(a, b *big.Int) bool {
			if a == nil || b == nil {
				return a == b
			}
			return a.Cmp(b) == 0
		}),
		cmp.Comparer(decDictEqual),
		cmpopts.EquateNaNs(),
		cmpopts.EquateEmpty(),
	}
}

func decDictEqual(a, b Dict) bool {
	if a.Len() != b.Len() {
		return false
	}
	// Keys match by type and Go syntax, so str and unicode keys differ.
	fp := func(k any) string { return fmt.Sprintf("%T:%#v", k, k) }
	bm := make(map[string]any, b.Len())
	for k, v := range b.Iter() {
		bm[fp(k)] = v
	}
	for k, va := range a.Iter() {
		vb, ok := bm[fp(k)]
		if !ok || !cmp.Equal(va, vb, decCmp...) {
			return false
		}
	}
	return true
}

// decDict builds a Dict from key, value pairs.
func decDict(kv ...any) Dict {
	d := NewDict()
	for i := 0; i < len(kv); i += 2 {
		d.Set(kv[i], kv[i+1])
	}
	return d
}

func decBig(s string) *big.Int {
	b, ok := new(big.Int).SetString(s, 0)
	if !ok {
		panic("bad big int " + s)
	}
	return b
}

// decPython returns the path of a Python interpreter, skipping the test when
// it is not installed.
func decPython(t testing.TB, major int) string {
	t.Helper()
	if major == 2 {
		p := "/root/.pyenv/versions/2.7.18/bin/python"
		if env := os.Getenv("PY2"); env != "" {
			p = env
		}
		if _, err := os.Stat(p); err == nil {
			return p
		}
		if lp, err := exec.LookPath("python2"); err == nil {
			return lp
		}
		t.Skip("Python 2.7 interpreter not found (set PY2): cannot generate reference pickles")
	}
	p := os.Getenv("PY3")
	if p == "" {
		p = "python3"
	}
	lp, err := exec.LookPath(p)
	if err != nil {
		t.Skip("python3 interpreter not found (set PY3): cannot generate reference pickles")
	}
	return lp
}

// decRunPython runs script with python, bounded by a timeout, and returns the
// hex-encoded pickles it prints, one a line.
func decRunPython(t testing.TB, python, script string) [][]byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, "-c", script)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s", python, err, stderr.String())
	}
	var res [][]byte
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		b, err := hex.DecodeString(strings.TrimSpace(l))
		if err != nil {
			t.Fatalf("bad python output line %q: %v", l, err)
		}
		res = append(res, b)
	}
	return res
}

// decIsError checks that err is an *Error wrapping want.
func decIsError(t *testing.T, err, want error) {
	t.Helper()
	var pe *Error
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T) is not a *pickle.Error", err, err)
	}
	if !errors.Is(err, want) {
		t.Fatalf("error %q does not wrap %q", err, want)
	}
}

// decPlain decodes with an empty registry: the test binary also holds tests
// that register Pyro's classes in DefaultRegistry.
func decPlain(data []byte) (any, error) {
	return (&Decoder{Registry: NewRegistry(nil)}).Decode(data)
}
