package mobile

import (
	"context"
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/internal/servetest"
	"github.com/gopyro/gopyro/pickle"
)

// serve connects obj to a loopback daemon and returns a proxy for it.
func serve(t *testing.T, obj any) *core.Proxy {
	t.Helper()
	d, err := core.NewDaemon(core.DaemonOptions{Host: "127.0.0.1", NoRange: true})
	if err != nil {
		t.Fatal(err)
	}
	servetest.Run(t, d)
	uri, err := d.Connect(obj, "")
	if err != nil {
		t.Fatal(err)
	}
	p, err := core.NewProxy(uri, core.WithTimeout(10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// shop is a served Go object with mobile code, as a Go type embeds Code.
type shop struct {
	Code
}

func (s *shop) Hello() string { return "hello" }

// validations records what a CodeValidator was asked.
type validations struct {
	mu    sync.Mutex
	calls []string
}

func (v *validations) validator(allow func(name string, upload bool) bool) CodeValidator {
	return func(name string, code []byte, addr net.Addr) bool {
		v.mu.Lock()
		defer v.mu.Unlock()
		upload := code != nil
		what := "download " + name
		if upload {
			what = "upload " + name + " " + string(code)
			if a, ok := addr.(*net.TCPAddr); !ok || !a.IP.IsLoopback() || a.Port == 0 {
				what += " from ?"
			}
		} else if addr != nil {
			what += " with an address"
		}
		v.calls = append(v.calls, what)
		return allow(name, upload)
	}
}

func TestCodeOverDaemon(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"objects/__init__.py": "", "objects/tv.py": "class tv(object): pass\n"}, time.Now())
	var v validations
	// Like agent2's validator: uploads of agent.ShoppingAgent only,
	// downloads of objects.* only.
	obj := &shop{Code{Repo: NewRepository(dir), AcceptUploads: true, Validator: v.validator(func(name string, upload bool) bool {
		if upload {
			return name == "agent.ShoppingAgent"
		}
		return len(name) > 8 && name[:8] == "objects."
	})}}
	p := serve(t, obj)
	ctx := context.Background()
	addr := pickle.Tuple{pickle.ByteString("127.0.0.1"), int64(333)}
	tests := []struct {
		name    string
		method  string
		args    []any
		want    any
		wantErr *compat.Exception
	}{
		{"download", "remote_retrieve_code", []any{pickle.ByteString("objects.tv")}, pickle.ByteString("class tv(object): pass\n"), nil},
		{"download denied", "remote_retrieve_code", []any{pickle.ByteString("os")}, nil,
			&compat.NewPyroError("attempt to retrieve code denied").Exception},
		{"download missing", "remote_retrieve_code", []any{pickle.ByteString("objects.car")}, nil,
			&compat.NewPyroError("Client wanted a non-existing module", pickle.ByteString("objects.car")).Exception},
		{"upload denied", "remote_supply_code", []any{pickle.ByteString("crash"), pickle.ByteString("this is no python code"), int64(333)}, nil,
			&compat.NewPyroError("attempt to supply code denied").Exception},
		{"upload", "remote_supply_code", []any{pickle.ByteString("agent.ShoppingAgent"), pickle.ByteString("class ShoppingAgent: pass\n"), addr}, pickle.None{}, nil},
		{"uploaded code downloads", "remote_retrieve_code", []any{pickle.ByteString("agent.ShoppingAgent")}, nil,
			&compat.NewPyroError("attempt to retrieve code denied").Exception},
		{"other methods", "hello", nil, "hello", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := p.CallPositional(ctx, tt.method, tt.args...)
			checkResult(t, got, err, tt.want, tt.wantErr)
		})
	}
	want := []string{
		"download objects.tv", "download os", "download objects.car",
		"upload crash this is no python code", "upload agent.ShoppingAgent class ShoppingAgent: pass\n",
		"download agent.ShoppingAgent",
	}
	if diff := cmp.Diff(want, v.calls); diff != "" {
		t.Errorf("validator calls (-want +got):\n%s", diff)
	}
	if code, err := obj.Repo.Code("agent.ShoppingAgent"); err != nil || string(code) != "class ShoppingAgent: pass\n" {
		t.Errorf("uploaded code not stored: %q, %v", code, err)
	}
}

func checkResult(t *testing.T, got any, err error, want any, wantErr *compat.Exception) {
	t.Helper()
	if wantErr != nil {
		var ex *compat.Exception
		if !errors.As(err, &ex) {
			t.Fatalf("got %v, %v; want exception %v", got, err, wantErr)
		}
		if diff := cmp.Diff(wantErr.Class, ex.Class); diff != "" {
			t.Errorf("exception class (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(wantErr.Args, ex.Args); diff != "" {
			t.Errorf("exception args (-want +got):\n%s", diff)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("result (-want +got):\n%s", diff)
	}
}

// The zero Code refuses everything; Wrap serves an Invoker.
func TestWrapAndZeroCode(t *testing.T) {
	inv := core.InvokerFunc(func(ctx context.Context, c *core.Call) (any, error) { return "called " + c.Method, nil })
	zero := serve(t, Wrap(inv, &Code{}))
	repo := NewRepository("")
	if _, err := repo.Add("m", []byte("x = 1\n")); err != nil {
		t.Fatal(err)
	}
	served := serve(t, Wrap(inv, &Code{Repo: repo}))
	ctx := context.Background()
	tests := []struct {
		name    string
		p       *core.Proxy
		method  string
		args    []any
		want    any
		wantErr *compat.Exception
	}{
		{"zero download", zero, "remote_retrieve_code", []any{pickle.ByteString("m")}, nil, &compat.NewPyroError("attempt to retrieve code denied").Exception},
		{"zero upload", zero, "remote_supply_code", []any{pickle.ByteString("m"), pickle.ByteString("x"), pickle.None{}}, nil, &compat.NewPyroError("attempt to supply code denied").Exception},
		{"download", served, "remote_retrieve_code", []any{"m"}, pickle.ByteString("x = 1\n"), nil},
		{"uploads off", served, "remote_supply_code", []any{pickle.ByteString("n"), pickle.ByteString("x"), pickle.None{}}, nil, &compat.NewPyroError("attempt to supply code denied").Exception},
		{"bad name", served, "remote_retrieve_code", []any{pickle.ByteString("../etc/passwd")}, nil,
			&compat.NewPyroError("Client wanted a non-existing module", pickle.ByteString("../etc/passwd")).Exception},
		{"wrong arity", served, "remote_retrieve_code", nil, nil, compat.TypeError("remote_retrieve_code() takes exactly 2 arguments (1 given)")},
		{"passed on", served, "other", nil, "called other", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.p.CallPositional(ctx, tt.method, tt.args...)
			checkResult(t, got, err, tt.want, tt.wantErr)
		})
	}
}

// fakePyroServer behaves like a Pyro server with PYRO_MOBILE_CODE=1 whose
// sys.modules starts with loaded: a call whose argument is an object of a
// class in a module it lacks answers _InternalNoModuleError; executing
// supplied code that imports a missing module does too.
type fakePyroServer struct {
	mu       sync.Mutex
	loaded   map[string]bool
	imports  map[string]string // module → module its code imports
	supplies []string
	addr     any
}

func (f *fakePyroServer) Invoke(ctx context.Context, c *core.Call) (any, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch c.Method {
	case "remote_supply_code":
		name := string(c.Args[0].(pickle.ByteString))
		f.supplies = append(f.supplies, name)
		f.addr = c.Args[2]
		if dep := f.imports[name]; dep != "" && !f.loaded[dep] {
			return nil, compat.NewInternalNoModuleError(dep, nil)
		}
		f.loaded[name] = true
		return nil, nil
	case "visit":
		o, ok := c.Args[0].(*pickle.Object)
		if !ok {
			return nil, compat.TypeError("want an object")
		}
		if !f.loaded[o.Class.Module] {
			return nil, compat.NewInternalNoModuleError(o.Class.Module, []string{"__doc__"})
		}
		return o, nil
	}
	return nil, compat.AttributeError(c.Method)
}

func TestSupplier(t *testing.T) {
	repo := NewRepository("")
	for name, code := range map[string]string{"params.parameters": "import params.base\n", "params.base": "class B: pass\n", "loop.a": "x\n"} {
		if _, err := repo.Add(name, []byte(code)); err != nil {
			t.Fatal(err)
		}
	}
	agent := &pickle.Object{Class: pickle.Class{Module: "params.parameters", Name: "Parameter"}, Build: pickle.BuildNewObj,
		Args: pickle.Tuple{}, State: pickle.Dict(dictOf("name", pickle.ByteString("Some name")))}
	tests := []struct {
		name         string
		loaded       []string
		imports      map[string]string
		arg          *pickle.Object
		sourceAddr   func() net.Addr
		wantSupplies []string
		wantAddr     any
		proxyAddr    bool // the source address is the proxy's own end of the connection
		wantErr      string
	}{
		{name: "server has the module", loaded: []string{"params.parameters"}, arg: agent, wantSupplies: nil},
		{name: "module and its import", imports: map[string]string{"params.parameters": "params.base"}, arg: agent,
			sourceAddr:   func() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4321} },
			wantSupplies: []string{"params.parameters", "params.base", "params.parameters"},
			wantAddr:     pickle.Tuple{pickle.ByteString("127.0.0.1"), int64(4321)}},
		{name: "source address from the proxy", imports: map[string]string{"params.parameters": "params.base"}, arg: agent, proxyAddr: true,
			wantSupplies: []string{"params.parameters", "params.base", "params.parameters"}},
		{name: "missing in repository", arg: &pickle.Object{Class: pickle.Class{Module: "nowhere", Name: "X"}, Build: pickle.BuildNewObj, Args: pickle.Tuple{}},
			wantErr: "PyroError: ('Server wanted a non-existing module', 'nowhere')"},
		{name: "server keeps asking", imports: map[string]string{"params.parameters": "params.parameters"}, arg: agent,
			wantSupplies: []string{"params.parameters"}, wantErr: "asked again for a module it was supplied: params.parameters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakePyroServer{loaded: map[string]bool{}, imports: tt.imports}
			for _, m := range tt.loaded {
				f.loaded[m] = true
			}
			p := serve(t, f)
			s := &Supplier{Repo: repo, SourceAddr: tt.sourceAddr}
			got, err := s.CallMethod(context.Background(), p, "visit", tt.arg)
			if tt.wantErr != "" {
				if err == nil || !contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
			} else if err != nil {
				t.Fatal(err)
			} else if diff := cmp.Diff(tt.arg, got, dictEqual); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantSupplies, f.supplies); diff != "" {
				t.Errorf("supplied (-want +got):\n%s", diff)
			}
			want := tt.wantAddr
			if tt.proxyAddr {
				a := p.LocalAddr().(*net.TCPAddr)
				want = pickle.Tuple{pickle.ByteString(a.IP.String()), int64(a.Port)}
			}
			if want != nil {
				if diff := cmp.Diff(want, f.addr); diff != "" {
					t.Errorf("source address (-want +got):\n%s", diff)
				}
			}
		})
	}
}

// dictEqual compares pickle.Dict values by their items.
var dictEqual cmp.Option

func init() { dictEqual = cmp.Comparer(dictEq) }

func dictEq(a, b pickle.Dict) bool {
	if a.Len() != b.Len() {
		return false
	}
	equal := true
	a.Iter()(func(k, v any) bool {
		w, ok := b.Get_(k)
		equal = ok && cmp.Equal(v, w, dictEqual)
		return equal
	})
	return equal
}

func dictOf(kv ...any) pickle.Dict {
	d := pickle.NewDict()
	for i := 0; i < len(kv); i += 2 {
		d.Set(kv[i], kv[i+1])
	}
	return d
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

// A Go server with Collect asks the client for the code of the classes of
// its arguments; a Go client with a Supplier (as a Python client does by
// itself) uploads it and the call goes through.
func TestCollect(t *testing.T) {
	param := &pickle.Object{Class: pickle.Class{Module: "params.parameters", Name: "Parameter"}, Build: pickle.BuildNewObj, Args: pickle.Tuple{}}
	other := &pickle.Object{Class: pickle.Class{Module: "datetime", Name: "date"}, Build: pickle.BuildReduce, Args: pickle.Tuple{pickle.ByteString("\x07\xe4\x01\x02")}}
	tests := []struct {
		name    string
		arg     any
		kw      map[string]any
		want    []string // modules the server collected
		wantErr string
	}{
		{name: "plain value", arg: int64(1)},
		{name: "object", arg: param, want: []string{"params.parameters"}},
		{name: "nested in list and dict", arg: &pickle.List{Items: []any{pickle.Tuple{dictOf(pickle.ByteString("p"), param)}}}, want: []string{"params.parameters"}},
		{name: "keyword argument", arg: int64(1), kw: map[string]any{"p": param}, want: []string{"params.parameters"}},
		{name: "class reference", arg: pickle.Class{Module: "params.parameters", Name: "Parameter"}, want: []string{"params.parameters"}},
		{name: "module not collected", arg: other},
		{name: "client lacks the code", arg: &pickle.Object{Class: pickle.Class{Module: "params.secret", Name: "X"}, Build: pickle.BuildNewObj, Args: pickle.Tuple{}},
			wantErr: "Server wanted a non-existing module"},
	}
	clientRepo := NewRepository("")
	if _, err := clientRepo.Add("params.parameters", []byte("class Parameter(object): pass\n")); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			serverRepo := NewRepository("")
			var calls int
			inv := core.InvokerFunc(func(ctx context.Context, c *core.Call) (any, error) {
				calls++
				return "ok", nil
			})
			p := serve(t, Wrap(inv, &Code{Repo: serverRepo, AcceptUploads: true, Collect: func(m string) bool { return len(m) > 7 && m[:7] == "params." }}))
			s := &Supplier{Repo: clientRepo}
			got, err := s.Call(context.Background(), p, func(ctx context.Context) (any, error) {
				return p.CallKw(ctx, "method", []any{tt.arg}, tt.kw)
			})
			if tt.wantErr != "" {
				if err == nil || !contains(err.Error(), tt.wantErr) || calls != 0 {
					t.Fatalf("got %v, %v after %d calls; want error %q", got, err, calls, tt.wantErr)
				}
				return
			}
			if err != nil || got != "ok" || calls != 1 {
				t.Fatalf("got %v, %v after %d calls", got, err, calls)
			}
			var collected []string
			for _, m := range []string{"params.parameters"} {
				if serverRepo.Has(m) {
					collected = append(collected, m)
				}
			}
			if diff := cmp.Diff(tt.want, collected); diff != "" {
				t.Errorf("collected (-want +got):\n%s", diff)
			}
		})
	}
}
