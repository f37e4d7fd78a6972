package gateway_test

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/gateway"
	"github.com/gopyro/gopyro/internal/servetest"
	"github.com/gopyro/gopyro/pickle"
)

// Service is the target object, served by a Go daemon of one generation.
type Service struct {
	mu    sync.Mutex
	notes []string
	Label string
}

func (s *Service) Hello(name any) pickle.Tuple {
	return pickle.Tuple{"hello", name, pickle.PythonType(name)}
}

func (s *Service) Echo(v any) any { return v }

func (s *Service) Fail(msg string) error { return compat.ValueError(msg) }

func (s *Service) Keywords(kw core.Kwargs) any { return kw["x"] }

// Note records a message; called oneway.
func (s *Service) Note(msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.notes = append(s.notes, msg)
}

func (s *Service) PyroOneway() []string { return []string{"note"} }

// Notes waits for n notes to have arrived.
func (s *Service) Notes(t *testing.T, n int) []string {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		s.mu.Lock()
		got := append([]string(nil), s.notes...)
		s.mu.Unlock()
		if len(got) >= n {
			return got
		}
	}
	t.Fatalf("fewer than %d notes arrived", n)
	return nil
}

// Subscribe calls the callback back at once, as a Pyro server does with
// the proxy it is given.
func (s *Service) Subscribe(ctx context.Context, cb any) (any, error) {
	p, err := callbackProxy(cb)
	if err != nil {
		return nil, err
	}
	defer p.Close()
	return p.Call(ctx, "notify", "event")
}

// callbackProxy makes a proxy of a Pyro 3 proxy or of the class dict of
// a Pyro 5 one (which Go's Pyro 5 daemon does not bind to *core.Proxy).
func callbackProxy(cb any) (*core.Proxy, error) {
	if d, ok := cb.(pickle.Dict); ok {
		st, _ := d.Get_("state")
		if items, _ := pickle.Items(st); len(items) > 0 {
			if u, ok := pickle.Text(items[0]); ok {
				return core.NewProxy(u)
			}
		}
	}
	var p *core.Proxy
	return p, pickle.Assign(&p, cb)
}

// Listener is a callback object.
type Listener struct{}

func (Listener) Notify(what any) pickle.Tuple {
	return pickle.Tuple{"got", what, pickle.PythonType(what)}
}

func daemon(t testing.TB, gens core.Generations) *core.Daemon {
	t.Helper()
	d, err := core.NewDaemon(core.DaemonOptions{Host: "127.0.0.1", NoRange: true, Generations: gens})
	if err != nil {
		t.Fatal(err)
	}
	servetest.Run(t, d)
	return d
}

func uriOf(t testing.TB, d *core.Daemon, obj any, gen core.Generations) compat.URI {
	t.Helper()
	if _, err := d.Connect(obj, ""); err != nil {
		t.Fatal(err)
	}
	uris, err := d.URIsFor(obj)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range uris {
		if gateway.Generation(u) == gen {
			return u
		}
	}
	t.Fatalf("no URI of generation %d in %v", gen, uris)
	return compat.URI{}
}

func proxy(t testing.TB, u compat.URI) *core.Proxy {
	t.Helper()
	p, err := core.NewProxy(u, core.WithTimeout(10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

type setup struct {
	gw          *gateway.Gateway
	gwd         *core.Daemon
	svc3, svc5  *Service
	uri3, uri5  compat.URI // the targets
	via5, via3  *core.Proxy
	fwd3, fwd5  *gateway.Forwarder
	listenerDmn *core.Daemon
}

// start runs a Pyro 3 target, a Pyro 5 target and a gateway to both, and
// returns proxies of the other generation to each through the gateway.
func start(t testing.TB, opts gateway.Options) *setup {
	t.Helper()
	s := &setup{svc3: &Service{Label: "three"}, svc5: &Service{Label: "five"}}
	d3, d5 := daemon(t, core.Pyro3), daemon(t, core.Pyro5)
	s.uri3, s.uri5 = uriOf(t, d3, s.svc3, core.Pyro3), uriOf(t, d5, s.svc5, core.Pyro5)
	s.gwd = daemon(t, 0)
	s.gw = gateway.New(s.gwd, opts)
	t.Cleanup(func() { s.gw.Close() })
	ctx := context.Background()
	var err error
	if s.fwd3, err = s.gw.Forward(ctx, s.uri3); err != nil {
		t.Fatal(err)
	}
	if s.fwd5, err = s.gw.Forward(ctx, s.uri5); err != nil {
		t.Fatal(err)
	}
	if g := gateway.Generation(s.fwd3.URI()); g != core.Pyro5 {
		t.Fatalf("the forwarder to a Pyro 3 object has a URI of generation %d", g)
	}
	s.via5, s.via3 = proxy(t, s.fwd3.URI()), proxy(t, s.fwd5.URI())
	return s
}

func TestForwardValues(t *testing.T) {
	s := start(t, gateway.Options{Pyro3Methods: []string{"hello", "echo"}})
	ctx := context.Background()
	tests := []struct {
		name string
		p    *core.Proxy
		arg  any
		// what the target got (the Python 2 name of its type), and what
		// came back to the client
		targetGot string
		back      any
	}{
		// A Pyro 5 client's str reaches Python 2 as str (ASCII) or unicode.
		{"py3 ascii str to py2", s.via5, "bob", "str", "bob"},
		{"py3 text to py2", s.via5, "bøb", "unicode", "bøb"},
		{"py3 bytes to py2", s.via5, pickle.Bytes("\xff"), "str", pickle.Bytes("\xff")},
		// A Pyro 3 client's str and unicode reach Python 3 as str, bytes
		// when they are not UTF-8.
		{"py2 str to py3", s.via3, pickle.ByteString("bob"), "unicode", pickle.ByteString("bob")},
		{"py2 unicode to py3", s.via3, "bøb", "unicode", "bøb"},
		{"py2 binary str to py3", s.via3, pickle.ByteString("\xff"), "bytes", pickle.ByteString("\xff")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.p.Call(ctx, "hello", tt.arg)
			if err != nil {
				t.Fatal(err)
			}
			items, _ := pickle.Items(got)
			if len(items) != 3 {
				t.Fatalf("got %#v", got)
			}
			if typ, _ := pickle.Text(items[2]); typ != tt.targetGot {
				t.Errorf("the target got a %s, want %s", typ, tt.targetGot)
			}
			if items[1] != tt.back {
				t.Errorf("back came %#v, want %#v", items[1], tt.back)
			}
		})
	}
}

func TestForwardContainersAndKeywords(t *testing.T) {
	s := start(t, gateway.Options{Pyro3Methods: []string{"echo", "keywords"}})
	ctx := context.Background()
	d := pickle.NewDict()
	d.Set("k", pickle.NewList("a", int64(1)))
	got, err := s.via5.Call(ctx, "echo", d)
	if err != nil {
		t.Fatal(err)
	}
	gd, ok := got.(pickle.Dict)
	if !ok {
		t.Fatalf("echo gave %#v", got)
	}
	v, _ := gd.Get_("k")
	items, _ := pickle.Items(v)
	if len(items) != 2 || items[0] != "a" || items[1] != int64(1) {
		t.Errorf("echo gave %#v", got)
	}
	for _, p := range []*core.Proxy{s.via5, s.via3} {
		got, err := p.CallKw(ctx, "keywords", nil, map[string]any{"x": "y"})
		if err != nil || compat.Str(got) != "y" {
			t.Errorf("keywords through %v: %#v, %v", p, got, err)
		}
	}
}

func TestForwardExceptions(t *testing.T) {
	s := start(t, gateway.Options{Pyro3Methods: []string{"fail"}})
	ctx := context.Background()
	tests := []struct {
		name   string
		p      *core.Proxy
		module string
	}{
		{"Pyro 3 object to Pyro 5 client", s.via5, "builtins"},
		{"Pyro 5 object to Pyro 3 client", s.via3, "exceptions"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.p.Call(ctx, "fail", "no way")
			var ex *compat.Exception
			if !errors.As(err, &ex) {
				t.Fatalf("got %v (%T), want an exception", err, err)
			}
			if ex.Class != (pickle.Class{Module: tt.module, Name: "ValueError"}) || ex.Message() != "no way" {
				t.Errorf("got %s.%s(%q)", ex.Class.Module, ex.Class.Name, ex.Message())
			}
			// The traceback is the target's: it names the Go method that failed.
			if tb := strings.Join(ex.Traceback, ""); !strings.Contains(tb, "Fail") {
				t.Errorf("remote traceback does not show the target's frames:\n%s", tb)
			}
		})
	}
}

func TestForwardUnknownMethod(t *testing.T) {
	s := start(t, gateway.Options{Pyro3Methods: []string{"nosuch"}})
	for _, p := range []*core.Proxy{s.via5, s.via3} {
		_, err := p.Call(context.Background(), "nosuch")
		var ex *compat.Exception
		if !errors.As(err, &ex) || ex.Class.Name != "AttributeError" {
			t.Errorf("through %v: %v, want AttributeError", p, err)
		}
	}
}

func TestForwardOneway(t *testing.T) {
	s := start(t, gateway.Options{Pyro3Methods: []string{"note"}, Pyro3Oneway: []string{"note"}})
	ctx := context.Background()
	// A Pyro 5 client calls oneway what the gateway declares so; a Pyro 3
	// client's call is forwarded oneway because the Pyro 5 target
	// declares it so.
	if err := s.via5.Oneway(ctx, "note", "to three"); err != nil {
		t.Fatal(err)
	}
	if res, err := s.via3.Call(ctx, "note", "to five"); err != nil || res != (pickle.None{}) && res != nil {
		t.Fatalf("note: %v, %v", res, err)
	}
	if got := s.svc3.Notes(t, 1); got[0] != "to three" {
		t.Errorf("Pyro 3 target got %q", got)
	}
	if got := s.svc5.Notes(t, 1); got[0] != "to five" {
		t.Errorf("Pyro 5 target got %q", got)
	}
}

func TestForwardAttributes(t *testing.T) {
	s := start(t, gateway.Options{})
	ctx := context.Background()
	// A Pyro 3 client's remote attribute requests reach the Pyro 5 target.
	if v, err := s.via3.GetAttr(ctx, "Label"); err != nil || compat.Str(v) != "five" {
		t.Fatalf("GetAttr: %v, %v", v, err)
	}
	if err := s.via3.SetAttr(ctx, "Label", "changed"); err != nil {
		t.Fatal(err)
	}
	if s.svc5.Label != "changed" {
		t.Errorf("Label = %q", s.svc5.Label)
	}
	for name, want := range map[string]int64{"echo": 1, "Label": 2} {
		if ok, err := s.via3.IsMethod(ctx, name); err != nil || ok != (want == 1) {
			t.Errorf("IsMethod(%q) = %v, %v", name, ok, err)
		}
	}
}

// TestForwardCallbacks passes a proxy to a callback object of the
// client's generation through the gateway: the target gets a proxy it can
// call, which reaches the callback through a forwarder.
func TestForwardCallbacks(t *testing.T) {
	s := start(t, gateway.Options{Pyro3Methods: []string{"subscribe", "notify"}})
	ctx := context.Background()

	// A Pyro 5 client's callback object, passed as Pyro 5 passes proxies.
	d5 := daemon(t, core.Pyro5)
	cb5 := uriOf(t, d5, Listener{}, core.Pyro5)
	proxy5 := map[string]any{"__class__": "Pyro5.client.Proxy", "state": pickle.Tuple{cb5.String(), pickle.Tuple{}, pickle.Tuple{}, pickle.Tuple{}, pickle.None{}, pickle.None{}}}
	got, err := s.via5.Call(ctx, "subscribe", proxy5)
	if err != nil {
		t.Fatal(err)
	}
	// notify got a py2 str "event" through the forwarder: a Python 3 str.
	if items, _ := pickle.Items(got); len(items) != 3 || compat.Str(items[1]) != "event" || compat.Str(items[2]) != "unicode" {
		t.Errorf("Pyro 3 object calling back a Pyro 5 one: %#v", got)
	}

	// A Pyro 3 client's callback object, passed as a DynamicProxy.
	d3 := daemon(t, core.Pyro3)
	cb3 := uriOf(t, d3, Listener{}, core.Pyro3)
	got, err = s.via3.Call(ctx, "subscribe", compat.NewDynamicProxy(cb3))
	if err != nil {
		t.Fatal(err)
	}
	if items, _ := pickle.Items(got); len(items) != 3 || compat.Str(items[1]) != "event" || compat.Str(items[2]) != "str" {
		t.Errorf("Pyro 5 object calling back a Pyro 3 one: %#v", got)
	}
}

// TestForwardProxiesBack hands a target a proxy to a forwarder of the
// same gateway: the target gets the object behind it, not a second hop.
func TestForwardProxiesBack(t *testing.T) {
	s := start(t, gateway.Options{Pyro3Methods: []string{"echo"}})
	ctx := context.Background()
	got, err := s.via3.Call(ctx, "echo", compat.NewDynamicProxy(s.fwd5.URI()))
	if err != nil {
		t.Fatal(err)
	}
	dp, ok := got.(*compat.DynamicProxy)
	if !ok {
		t.Fatalf("echo gave %#v", got)
	}
	// Sent to the Pyro 5 object as a proxy to itself; back to the Pyro 3
	// client as a proxy to its forwarder.
	if dp.URI != s.fwd5.URI() {
		t.Errorf("echo gave a proxy to %v, want %v", dp.URI, s.fwd5.URI())
	}
	if n := len(s.gw.Forwarders()); n != 2 {
		t.Errorf("%d forwarders, want 2", n)
	}
}

func TestForwardTargetDown(t *testing.T) {
	s := start(t, gateway.Options{Pyro3Methods: []string{"hello"}, Timeout: 5 * time.Second})
	ctx := context.Background()
	if _, err := s.via5.Call(ctx, "hello", "x"); err != nil {
		t.Fatal(err)
	}
	// A forwarder to an address where nothing listens reports a Pyro
	// communication error in the caller's generation.
	f, err := s.gw.Forward(ctx, compat.URI{Protocol: "PYRO", Address: "127.0.0.1", Port: 1, ObjectID: "x"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = proxy(t, f.URI()).Call(ctx, "hello", "x")
	var ex *compat.Exception
	if !errors.As(err, &ex) || ex.Class.Module != "Pyro5.errors" {
		t.Errorf("got %v, want a Pyro5.errors exception", err)
	}
	if _, err := s.gw.Forward(ctx, compat.URI{Protocol: "PYRO", Address: "127.0.0.1", Port: 1, ObjectID: "x", Style: compat.Pyro5Style}); err == nil {
		t.Error("Forward to an unreachable Pyro 5 object succeeded")
	}
}

// TestConnectionPerClient checks that each client connection has its own
// connection to the target, closed once the client is gone.
func TestConnectionPerClient(t *testing.T) {
	s := start(t, gateway.Options{})
	ctx := context.Background()
	a, b := proxy(t, s.fwd5.URI()), proxy(t, s.fwd5.URI())
	for _, p := range []*core.Proxy{a, b, a} {
		if _, err := p.Call(ctx, "echo", int64(1)); err != nil {
			t.Fatal(err)
		}
	}
	if n := s.fwd5.Connections(); n != 2 {
		t.Fatalf("%d connections to the target for 2 clients", n)
	}
	a.Close()
	b.Close()
	for deadline := time.Now().Add(10 * time.Second); s.fwd5.Connections() > 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d connections to the target left after the clients went", s.fwd5.Connections())
		}
		runtime.GC()
	}
}

// TestReapPassedForwarders: a daemon that reaps transient objects reaps
// the forwarders made for proxies passed through the gateway, once they
// are not used, and keeps those Forward made.
func TestReapPassedForwarders(t *testing.T) {
	d3 := daemon(t, core.Pyro3)
	target := uriOf(t, d3, &Service{}, core.Pyro3)
	gwd, err := core.NewDaemon(core.DaemonOptions{Host: "127.0.0.1", NoRange: true, TransientsCleanupAge: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	servetest.Run(t, gwd)
	gw := gateway.New(gwd, gateway.Options{Pyro3Methods: []string{"echo"}})
	defer gw.Close()
	ctx := context.Background()
	f, err := gw.Forward(ctx, target)
	if err != nil {
		t.Fatal(err)
	}
	p := proxy(t, f.URI())
	d5 := daemon(t, core.Pyro5)
	cb := uriOf(t, d5, Listener{}, core.Pyro5)
	proxy5 := map[string]any{"__class__": "Pyro5.client.Proxy", "state": pickle.Tuple{cb.String(), pickle.Tuple{}, pickle.Tuple{"notify"}, pickle.Tuple{}, pickle.None{}, pickle.None{}}}
	if _, err := p.Call(ctx, "echo", proxy5); err != nil {
		t.Fatal(err)
	}
	if n := len(gw.Forwarders()); n != 2 {
		t.Fatalf("%d forwarders after passing a proxy, want 2", n)
	}
	for deadline := time.Now().Add(10 * time.Second); len(gw.Forwarders()) > 1; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the forwarder of the passed proxy was not reaped")
		}
	}
	time.Sleep(400 * time.Millisecond)
	if _, err := p.Call(ctx, "echo", "still there"); err != nil {
		t.Errorf("the forwarder Forward made was reaped: %v", err)
	}
}
