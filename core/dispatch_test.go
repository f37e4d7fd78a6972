package core

import (
	"context"
	"errors"
	"math/big"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/pickle"
)

func TestPythonName(t *testing.T) {
	tests := map[string]string{
		"Add":        "add",
		"GetBalance": "get_balance",
		"HTTPServer": "http_server",
		"GetID":      "get_id",
		"Do2Things":  "do2_things",
		"X":          "x",
		"already_ok": "already_ok",
	}
	for in, want := range tests {
		if got := PythonName(in); got != want {
			t.Errorf("PythonName(%q) = %q, want %q", in, got, want)
		}
	}
}

type findOpts struct {
	Keywords
	Limit int  `pyro:"limit"`
	Exact bool `pyro:"exact"`
}

type point struct {
	X, Y int
}

type svc struct {
	Value int
	Name  string
	ctxOK bool
}

func (s *svc) Add(a, b int) int                     { return a + b }
func (s *svc) GetBalance() float64                  { return 12.5 }
func (s *svc) Concat(a string, b []byte) string     { return a + string(b) }
func (s *svc) Sum(base int, more ...int) int        { return base + len(more)*0 + sumInts(more) }
func (s *svc) Kw(a any, kw Kwargs, rest ...any) any { return []any{a, len(rest), kw["x"]} }
func (s *svc) Find(p string, o findOpts) []any      { return []any{p, o.Limit, o.Exact} }
func (s *svc) FindP(p string, o *findOpts) int      { return o.Limit }
func (s *svc) Two() (int, string)                   { return 1, "one" }
func (s *svc) Nothing()                             {}
func (s *svc) Fail(msg string) error                { return errors.New(msg) }
func (s *svc) FailTyped() error                     { return compat.NewNamingError("nope", "x") }
func (s *svc) WithCtx(ctx context.Context, a int) int {
	s.ctxOK = ctx != nil
	return a
}
func (s *svc) Boom() int                 { panic("kaboom") }
func (s *svc) Dist(p point) int          { return p.X*p.X + p.Y*p.Y }
func (s *svc) Keys(m map[string]int) int { return len(m) }
func (s *svc) Big(n *big.Int) string     { return n.String() }
func (s *svc) Uint(n uint8) uint8        { return n }
func (s *svc) URIOf(p *Proxy) string     { return p.URI().String() }

func sumInts(xs []int) int {
	n := 0
	for _, x := range xs {
		n += x
	}
	return n
}

type renamed struct{}

func (renamed) Balance() int { return 1 }
func (renamed) Hidden() int  { return 2 }
func (renamed) PyroNames() map[string]string {
	return map[string]string{"Balance": "getBalance", "Hidden": "-"}
}

// viaPyro3 answers attribute requests as a Pyro 3 connection does.
var viaPyro3 attrProtocol = newPyro3(pyro3Config{})

func invoke(t *testing.T, obj any, method string, args []any, kw map[string]any) (any, error) {
	t.Helper()
	o, err := newObject(obj, "guid", "")
	if err != nil {
		t.Fatal(err)
	}
	return o.invoke(context.Background(), &Call{Method: method, Args: args, Kwargs: kw}, viaPyro3)
}

func TestDispatch(t *testing.T) {
	bs := func(s string) pickle.ByteString { return pickle.ByteString(s) }
	d := pickle.NewDict()
	d.Set(bs("X"), int64(3))
	d.Set("y", int64(4))
	keys := pickle.NewDict()
	keys.Set(bs("a"), int64(1))
	keys.Set("b", int64(2))
	tests := []struct {
		name   string
		method string
		args   []any
		kw     map[string]any
		want   any
	}{
		{"positional", "add", []any{int64(3), int64(4)}, nil, 7},
		{"go name", "Add", []any{int64(3), true}, nil, 4},
		{"snake name", "get_balance", nil, nil, 12.5},
		{"str and unicode", "concat", []any{bs("a"), "b"}, nil, "ab"},
		{"varargs", "sum", []any{int64(1), int64(2), int64(3)}, nil, 6},
		{"varargs empty", "sum", []any{int64(1)}, nil, 1},
		{"kwargs map", "kw", []any{int64(1), int64(2), int64(3)}, map[string]any{"x": bs("y")}, []any{int64(1), 2, bs("y")}},
		{"kwargs map none", "kw", []any{int64(1)}, nil, []any{int64(1), 0, nil}},
		{"options struct", "find", []any{bs("p")}, map[string]any{"limit": int64(5), "exact": true}, []any{"p", 5, true}},
		{"options pointer", "find_p", []any{bs("p")}, map[string]any{"limit": int64(9)}, 9},
		{"tuple result", "two", nil, nil, pickle.Tuple{1, "one"}},
		{"no result", "nothing", nil, nil, nil},
		{"context", "with_ctx", []any{int64(2)}, nil, 2},
		{"struct from dict", "dist", []any{d}, nil, 25},
		{"map", "keys", []any{keys}, nil, 2},
		{"long", "big", []any{new(big.Int).Lsh(big.NewInt(1), 70)}, nil, "1180591620717411303424"},
		{"uint", "uint", []any{int64(255)}, nil, uint8(255)},
		{"proxy param", "uri_of", []any{compat.NewDynamicProxy(compat.URI{Protocol: "PYRO", Address: "127.0.0.1", Port: 1, ObjectID: "abc"})}, nil, "PYRO://127.0.0.1:1/abc"},
		{"attr is method", "_r_ha", []any{bs("add")}, nil, int64(1)},
		{"attr is field", "_r_ha", []any{bs("value")}, nil, int64(2)},
		{"attr missing", "_r_ha", []any{bs("nothing_here")}, nil, int64(2)},
		{"attr get", "_r_ga", []any{bs("Value")}, nil, 10},
		{"attr get snake", "_r_ga", []any{"name"}, nil, "n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := invoke(t, &svc{Value: 10, Name: "n"}, tc.method, tc.args, tc.kw)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(big.Int{})); diff != "" {
				t.Errorf("result mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDispatchErrors(t *testing.T) {
	bs := func(s string) pickle.ByteString { return pickle.ByteString(s) }
	tests := []struct {
		name   string
		method string
		args   []any
		kw     map[string]any
		class  string
		msg    string
	}{
		{"unknown method", "nosuch", nil, nil, "AttributeError", "'svc' object has no attribute 'nosuch'"},
		{"too few", "add", []any{int64(1)}, nil, "TypeError", "add() takes exactly 2 arguments (1 given)"},
		{"too many", "add", []any{int64(1), int64(2), int64(3)}, nil, "TypeError", "add() takes exactly 2 arguments (3 given)"},
		{"wrong type", "add", []any{bs("x"), int64(2)}, nil, "TypeError", "add(): argument 1: cannot use str as int"},
		{"overflow", "uint", []any{int64(256)}, nil, "TypeError", "uint(): argument 1: cannot use int as uint8 (out of range)"},
		{"unexpected kw", "add", []any{int64(1), int64(2)}, map[string]any{"z": int64(1)}, "TypeError", "add() got an unexpected keyword argument 'z'"},
		{"unknown option", "find", []any{bs("p")}, map[string]any{"z": int64(1)}, "TypeError", "unexpected keyword argument"},
		{"go error", "fail", []any{bs("it broke")}, nil, "RuntimeError", "it broke"},
		{"typed error", "fail_typed", nil, nil, "NamingError", "('nope', 'x')"},
		{"panic", "boom", nil, nil, "RuntimeError", "panic: kaboom"},
		{"set method", "_r_sa", []any{bs("add"), int64(1)}, nil, "AttributeError", "not an attribute"},
		{"get missing", "_r_ga", []any{bs("zzz")}, nil, "AttributeError", "'svc' object has no attribute 'zzz'"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := invoke(t, &svc{}, tc.method, tc.args, tc.kw)
			if err == nil {
				t.Fatal("no error")
			}
			ex := ToException(err)
			if ex.Class.Name != tc.class || !strings.Contains(ex.Message(), tc.msg) {
				t.Errorf("got %s(%q), want %s containing %q", ex.Class.Name, ex.Message(), tc.class, tc.msg)
			}
		})
	}
}

func TestPanicTraceback(t *testing.T) {
	_, err := invoke(t, &svc{}, "boom", nil, nil)
	ex := ToException(err)
	tb := traceback(err, ex)
	if tb[0] != "Traceback (most recent call last):\n" {
		t.Errorf("first line %q", tb[0])
	}
	if !strings.Contains(tb[1], "dispatch_test.go") || !strings.Contains(tb[1], "(*svc).Boom") {
		t.Errorf("traceback does not point at the panic: %q", tb)
	}
	if last := tb[len(tb)-1]; last != "RuntimeError: panic: kaboom\n" {
		t.Errorf("last line %q", last)
	}
	_, err = invoke(t, &svc{}, "fail", []any{"x"}, nil)
	tb = traceback(err, ToException(err))
	if len(tb) != 3 || !strings.Contains(tb[1], "in github.com/gopyro/gopyro/core.(*svc).Fail") {
		t.Errorf("error traceback %q", tb)
	}
}

func TestSetAttr(t *testing.T) {
	s := &svc{Value: 1}
	o, _ := newObject(s, "g", "")
	if _, err := o.invoke(context.Background(), &Call{Method: "_r_sa", Args: []any{"value", int64(5)}}, viaPyro3); err != nil {
		t.Fatal(err)
	}
	if s.Value != 5 {
		t.Errorf("Value = %d, want 5", s.Value)
	}
	if _, err := o.invoke(context.Background(), &Call{Method: "_r_sa", Args: []any{"value", "x"}}, viaPyro3); err == nil {
		t.Error("setting an int field to a string succeeded")
	}
}

func TestNamer(t *testing.T) {
	for method, want := range map[string]any{"getBalance": 1, "Balance": 1} {
		got, err := invoke(t, renamed{}, method, nil, nil)
		if err != nil || got != want {
			t.Errorf("%s: %v, %v", method, got, err)
		}
	}
	for _, method := range []string{"balance", "hidden", "Hidden"} {
		if _, err := invoke(t, renamed{}, method, nil, nil); err == nil {
			t.Errorf("%s is callable", method)
		}
	}
}

func TestApplyFlags(t *testing.T) {
	kw := pickle.NewDict()
	kw.Set(pickle.ByteString("k"), int64(9))
	ukw := pickle.NewDict()
	ukw.Set("k", int64(9))
	one := map[string]any{"k": int64(9)}
	tests := []struct {
		flags    int64
		args     pickle.Tuple
		wantArgs []any
		wantKw   map[string]any
	}{
		{0, pickle.Tuple{int64(1), int64(2)}, []any{int64(1), int64(2)}, nil},
		{1, pickle.Tuple{int64(1), pickle.Tuple{int64(2), int64(3)}}, []any{int64(1), int64(2), int64(3)}, nil},
		{2, pickle.Tuple{int64(1), kw}, []any{int64(1)}, one},
		{3, pickle.Tuple{pickle.Tuple{int64(1)}, kw}, []any{int64(1)}, one},
		{3, pickle.Tuple{pickle.Tuple{}, ukw}, []any{}, one},
		{4, pickle.Tuple{int64(1)}, []any{int64(1)}, nil},
		{5, pickle.Tuple{pickle.Tuple{pickle.ByteString("register"), int64(1)}}, []any{pickle.ByteString("register"), int64(1)}, nil},
		{6, pickle.Tuple{kw}, []any{}, one},
		{7, pickle.Tuple{pickle.Tuple{int64(5)}, pickle.NewDict()}, []any{int64(5)}, nil},
		{0x13, pickle.Tuple{pickle.Tuple{}, pickle.NewDict()}, []any{}, nil},
	}
	for _, tc := range tests {
		args, kwargs, err := applyFlags("m", tc.flags, tc.args)
		if err != nil {
			t.Errorf("flags %d: %v", tc.flags, err)
			continue
		}
		if diff := cmp.Diff(tc.wantArgs, args); diff != "" {
			t.Errorf("flags %d args (-want +got):\n%s", tc.flags, diff)
		}
		if diff := cmp.Diff(tc.wantKw, kwargs); diff != "" {
			t.Errorf("flags %d kwargs (-want +got):\n%s", tc.flags, diff)
		}
	}
	if _, _, err := applyFlags("m", 2, pickle.Tuple{int64(1)}); err == nil {
		t.Error("flags 2 without a dict accepted")
	}
	if _, _, err := applyFlags("m", 1, pickle.Tuple{}); err == nil {
		t.Error("flags 1 without args accepted")
	}
}

// TestProxyArguments checks what core adds to pickle's conversion engine: a
// *Proxy destination, wherever it occurs, is made from a URI or a proxy.
func TestProxyArguments(t *testing.T) {
	const uri = "PYRO://127.0.0.1:7766/7f00000146c929cefcdb0cb175b39735c4"
	var p *Proxy
	if err := pickle.Assign(&p, pickle.ByteString(uri)); err != nil || p == nil || p.URI().String() != uri {
		t.Fatalf("str URI to *Proxy: %v %v", p, err)
	}
	var ps []*Proxy
	if err := pickle.Assign(&ps, pickle.NewList(uri, p)); err != nil || len(ps) != 2 || ps[1] != p || ps[0].URI().String() != uri {
		t.Fatalf("list to []*Proxy: %v %v", ps, err)
	}
	if err := pickle.Assign(&p, pickle.None{}); err != nil || p != nil {
		t.Errorf("None to *Proxy: %v %v", p, err)
	}
	err := pickle.Assign(&p, int64(1))
	var ae *pickle.AssignError
	if !errors.As(err, &ae) || !strings.Contains(err.Error(), "want a Pyro proxy or URI") {
		t.Errorf("int to *Proxy: %v", err)
	}
}

// account is a sync.Locker whose method and remote attribute access share
// the lock; log records the daemon's locking.
type account struct {
	Balance float64
	mu      sync.Mutex
	log     []string
}

func (a *account) Lock()   { a.mu.Lock(); a.log = append(a.log, "lock") }
func (a *account) Unlock() { a.log = append(a.log, "unlock"); a.mu.Unlock() }

func (a *account) Deposit(x float64) {
	a.Lock()
	defer a.Unlock()
	a.Balance += x
}

func TestLockerAttrs(t *testing.T) {
	a := &account{}
	o, err := newObject(a, "g", "")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	tests := []struct {
		method  string
		args    []any
		want    any
		wantLog []string
	}{
		{"_r_sa", []any{"balance", 2.5}, nil, []string{"lock", "unlock"}},
		{"_r_ga", []any{"balance"}, 2.5, []string{"lock", "unlock"}},
		{"_r_ha", []any{"lock"}, int64(2), nil},
	}
	for _, tt := range tests {
		a.log = nil
		got, err := o.invoke(ctx, &Call{Method: tt.method, Args: tt.args}, viaPyro3)
		if err != nil {
			t.Fatalf("%s: %v", tt.method, err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s result (-want +got):\n%s", tt.method, diff)
		}
		if diff := cmp.Diff(tt.wantLog, a.log); diff != "" {
			t.Errorf("%s locking (-want +got):\n%s", tt.method, diff)
		}
	}
	for _, m := range []string{"lock", "Lock", "unlock", "Unlock"} {
		if _, err := o.invoke(ctx, &Call{Method: m}, viaPyro3); err == nil {
			t.Errorf("%s of a sync.Locker is a remote method", m)
		}
	}
	// Under -race: field access and methods from several connections.
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				_, _ = o.invoke(ctx, &Call{Method: "deposit", Args: []any{1.0}}, viaPyro3)
				_, _ = o.invoke(ctx, &Call{Method: "_r_ga", Args: []any{"balance"}}, viaPyro3)
				_, _ = o.invoke(ctx, &Call{Method: "_r_sa", Args: []any{"balance", 0.0}}, viaPyro3)
			}
		}()
	}
	wg.Wait()
}

// BenchmarkBind measures argument binding alone (no network): positional
// scalars, a keyword-options struct and a dict to a struct parameter.
func BenchmarkBind(b *testing.B) {
	o, err := newObject(&svc{}, "guid", "")
	if err != nil {
		b.Fatal(err)
	}
	pt := pickle.NewDict()
	pt.Set(pickle.ByteString("X"), int64(3))
	pt.Set("y", int64(4))
	calls := []struct {
		name string
		call Call
	}{
		{"add", Call{Method: "add", Args: []any{int64(1), int64(2)}}},
		{"find-kw", Call{Method: "find", Args: []any{pickle.ByteString("p")}, Kwargs: map[string]any{"limit": int64(3), "exact": true}}},
		{"dist-struct", Call{Method: "dist", Args: []any{pt}}},
	}
	ctx := context.Background()
	for _, c := range calls {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := o.invoke(ctx, &c.call, viaPyro3); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
