package ns

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"math/big"
	"os"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/pickle"
)

// TestOracle replays the operations of testdata/oracle.jsonl, whose results
// real Pyro 3.16's NameServer produced (interop_tests/py2/ns_oracle.py), and
// requires the same results and errors with the same arguments.
func TestOracle(t *testing.T) {
	f, err := os.Open("testdata/oracle.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	nsp, err := NewNamespace(Options{ResolveHost: func(h string) (string, error) {
		if h == "localhost" {
			return "127.0.0.1", nil
		}
		return h, nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	srv := NewServer(nsp, ServerOptions{})
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var line struct {
			Op  []any `json:"op"`
			Ok  any   `json:"ok"`
			Err []any `json:"err"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatal(err)
		}
		method := line.Op[0].(string)
		args := make([]any, len(line.Op)-1)
		for i, a := range line.Op[1:] {
			args[i] = fromJSON(a)
		}
		if method == "_setSystemMeta" && args[1] == pickle.ByteString("SYSMETA") {
			args[1] = systemMeta(false, 12.5)
		}
		res, err := srv.Call(context.Background(), method, args, nil)
		var got, want any
		if line.Err != nil {
			want = map[string]any{"err": line.Err}
		} else {
			want = map[string]any{"ok": line.Ok}
		}
		if err != nil {
			got = map[string]any{"err": canonErr(t, err)}
		} else {
			got = map[string]any{"ok": canon(res)}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%v: (-pyro +ours)\n%s", line.Op, diff)
		}
	}
}

func fromJSON(v any) any {
	switch x := v.(type) {
	case string:
		return pickle.ByteString(x)
	case float64:
		return int64(x)
	case map[string]any:
		d := pickle.NewDict()
		for k, val := range x {
			d.Set(pickle.ByteString(k), fromJSON(val))
		}
		return d
	}
	return v
}

// canon converts a result to the JSON shape the oracle prints.
func canon(v any) any {
	switch x := v.(type) {
	case nil, pickle.None:
		return nil
	case compat.URI:
		return map[string]any{"uri": x.String()}
	case pickle.ByteString:
		return string(x)
	case int64:
		return float64(x)
	case *big.Int:
		f, _ := new(big.Float).SetInt(x).Float64()
		return f
	case pickle.Tuple:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = canon(e)
		}
		return out
	case *pickle.List:
		out := make([]any, len(x.Items))
		for i, e := range x.Items {
			out[i] = canon(e)
		}
		sort.Slice(out, func(i, j int) bool { return pyLess(out[i], out[j]) })
		return out
	case pickle.Dict:
		m := map[string]any{}
		for k, val := range x.Iter() {
			m[string(k.(pickle.ByteString))] = canon(val)
		}
		return m
	}
	if m, ok := ParseSystemMeta(v); ok {
		return map[string]any{"sysmeta": float64(m.Type)}
	}
	return v
}

func canonErr(t *testing.T, err error) []any {
	var exc *compat.Exception
	if !errors.As(err, &exc) {
		t.Fatalf("error %v (%T) is not a Python exception", err, err)
	}
	args := make([]any, len(exc.Args))
	for i, a := range exc.Args {
		args[i] = canon(a)
	}
	return []any{exc.Class.Name, args}
}

// pyLess orders canonical values as Python 2's sort does for the lists the
// oracle sorts (strings, numbers, lists of them).
func pyLess(a, b any) bool {
	switch x := a.(type) {
	case string:
		if y, ok := b.(string); ok {
			return x < y
		}
	case float64:
		if y, ok := b.(float64); ok {
			return x < y
		}
	case []any:
		if y, ok := b.([]any); ok {
			for i := 0; i < len(x) && i < len(y); i++ {
				if pyLess(x[i], y[i]) {
					return true
				}
				if pyLess(y[i], x[i]) {
					return false
				}
			}
			return len(x) < len(y)
		}
	}
	as, _ := json.Marshal(a)
	bs, _ := json.Marshal(b)
	return string(as) < string(bs)
}
