package core_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/internal/servetest"
	"github.com/gopyro/gopyro/pickle"
	"github.com/gopyro/gopyro/protocol"
)

// startDaemon runs a daemon on an ephemeral loopback port until the test ends.
func startDaemon(t testing.TB, opts core.DaemonOptions) *core.Daemon {
	t.Helper()
	opts.Host = "127.0.0.1"
	opts.NoRange = true
	d, err := core.NewDaemon(opts)
	if err != nil {
		t.Fatal(err)
	}
	servetest.Run(t, d)
	return d
}

func newProxy(t testing.TB, uri any, opts ...core.ProxyOption) *core.Proxy {
	t.Helper()
	p, err := core.NewProxy(uri, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

type calc struct {
	mu      sync.Mutex
	log     []int
	started chan struct{}
	release chan struct{}
}

func (c *calc) Add(a, b int) int { return a + b }
func (c *calc) Echo(v any) any   { return v }
func (c *calc) Fail(msg string) error {
	return compat.ValueError(msg)
}
func (c *calc) Plain() error { return errors.New("plain") }
func (c *calc) Naming() error {
	return fmt.Errorf("lookup: %w", compat.NewNamingError("name not found", ":x"))
}
func (c *calc) Protocol() error  { return compat.NewProtocolError("bye") }
func (c *calc) Unpicklable() any { return make(chan int) }
func (c *calc) Record(n int) {
	c.mu.Lock()
	c.log = append(c.log, n)
	c.mu.Unlock()
}
func (c *calc) Log() []int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]int{}, c.log...)
}
func (c *calc) Block() {
	close(c.started)
	<-c.release
}
func (c *calc) Peer(ctx context.Context) string {
	cl, ok := core.CallerFromContext(ctx)
	if !ok {
		return ""
	}
	return cl.RemoteAddr.String()
}
func (c *calc) Call(ctx context.Context, p *core.Proxy, method string, arg any) (any, error) {
	defer p.Close()
	return p.Call(ctx, method, arg)
}

func TestCallRoundTrip(t *testing.T) {
	d := startDaemon(t, core.DaemonOptions{})
	uri, err := d.Connect(&calc{}, "calc")
	if err != nil {
		t.Fatal(err)
	}
	if uri.Protocol != "PYRO" || uri.Address != "127.0.0.1" || uri.Port != d.Port() || len(uri.ObjectID) != 34 {
		t.Errorf("uri %v", uri)
	}
	ctx := context.Background()
	p := newProxy(t, uri.String())
	n, err := core.CallAs[int](ctx, p, "add", 3, 4)
	if err != nil || n != 7 {
		t.Fatalf("add: %v, %v", n, err)
	}
	l := pickle.NewList(int64(1), "ü", pickle.ByteString("\x00\xff"), 2.5, pickle.None{}, pickle.Tuple{true})
	got, err := p.Call(ctx, "echo", l)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(l, got); diff != "" {
		t.Errorf("echo (-want +got):\n%s", diff)
	}
	// Go parameters have no names: keywords need a Kwargs parameter.
	_, err = p.CallKw(ctx, "echo", nil, map[string]any{"v": int64(5)})
	var ex *compat.Exception
	if !errors.As(err, &ex) || ex.Class.Name != "TypeError" {
		t.Errorf("echo with keyword: %v", err)
	}
	got, err = p.CallPositional(ctx, "add", 1, 2)
	if err != nil || got != int64(3) {
		t.Errorf("flags 0: %v %v", got, err)
	}
	got, err = p.CallPacked(ctx, "add", 1, 2)
	if err != nil || got != int64(3) {
		t.Errorf("flags 1: %v %v", got, err)
	}
	peer, err := core.CallAs[string](ctx, p, "peer")
	if err != nil || !strings.HasPrefix(peer, "127.0.0.1:") {
		t.Errorf("peer: %q %v", peer, err)
	}
}

func TestRemoteErrors(t *testing.T) {
	d := startDaemon(t, core.DaemonOptions{})
	uri, _ := d.Connect(&calc{}, "")
	p := newProxy(t, uri)
	ctx := context.Background()

	_, err := p.Call(ctx, "fail", "bad")
	var ex *compat.Exception
	if !errors.As(err, &ex) || ex.Class.Name != "ValueError" || ex.Message() != "bad" {
		t.Fatalf("fail: %v", err)
	}
	if len(ex.Traceback) < 2 || !strings.Contains(strings.Join(ex.Traceback, ""), "daemon_test.go") {
		t.Errorf("traceback %q", ex.Traceback)
	}
	_, err = p.Call(ctx, "plain")
	if !errors.As(err, &ex) || ex.Class != (pickle.Class{Module: "exceptions", Name: "RuntimeError"}) {
		t.Errorf("plain: %v", err)
	}
	_, err = p.Call(ctx, "naming")
	var ne *compat.NamingError
	if !errors.As(err, &ne) {
		t.Errorf("naming: %T %v", err, err)
	}
	_, err = p.Call(ctx, "missing")
	if !errors.As(err, &ex) || ex.Error() != "AttributeError: 'calc' object has no attribute 'missing'" {
		t.Errorf("missing: %v", err)
	}
	_, err = p.Call(ctx, "unpicklable")
	if !errors.As(err, &ex) || ex.Class != (pickle.Class{Module: "pickle", Name: "PicklingError"}) {
		t.Errorf("unpicklable result: %v", err)
	}
	// A method raising exactly ProtocolError makes Pyro close the
	// connection without an answer; the proxy reconnects on the next call.
	_, err = p.Call(ctx, "protocol")
	var ce *core.CommError
	if !errors.As(err, &ce) {
		t.Errorf("protocol: %T %v", err, err)
	}
	if n, err := p.Call(ctx, "add", 1, 1); err != nil || n != int64(2) {
		t.Errorf("after reconnect: %v %v", n, err)
	}
}

func TestUnknownObjectAndPYROLOC(t *testing.T) {
	d := startDaemon(t, core.DaemonOptions{})
	d.Connect(&calc{}, ":test.calc")
	ctx := context.Background()
	loc := fmt.Sprintf("PYROLOC://127.0.0.1:%d/:test.calc", d.Port())
	p := newProxy(t, loc)
	if n, err := p.Call(ctx, "add", 2, 2); err != nil || n != int64(4) {
		t.Fatalf("PYROLOC: %v %v", n, err)
	}
	if u := p.URI(); u.Protocol != "PYRO" || len(u.ObjectID) != 34 {
		t.Errorf("PYROLOC not resolved: %v", u)
	}
	bad := newProxy(t, fmt.Sprintf("PYROLOC://127.0.0.1:%d/nothing", d.Port()))
	_, err := bad.Call(ctx, "add", 1, 1)
	var ne *compat.NamingError
	if !errors.As(err, &ne) || ne.Message() != "('no object found by this name', 'nothing')" {
		t.Errorf("unknown PYROLOC name: %v", err)
	}
	unk := newProxy(t, fmt.Sprintf("PYRO://127.0.0.1:%d/deadbeef", d.Port()))
	for i := 0; i < 2; i++ {
		_, err = unk.Call(ctx, "add", 1, 1)
		var pe *compat.ProtocolError
		if !errors.As(err, &pe) || pe.Message() != "unknown object ID" {
			t.Errorf("unknown object: %v", err)
		}
	}
	reg := newProxy(t, fmt.Sprintf("PYRO://127.0.0.1:%d/%s", d.Port(), compat.InternalDaemonGUID))
	got, err := reg.CallPositional(ctx, "getRegistered")
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	if err := pickle.Assign(&m, replaceNone(got.(pickle.Dict))); err != nil {
		t.Fatal(err)
	}
	if m[compat.InternalDaemonGUID] != "__PYRO_Internal_Daemon" || len(m) != 2 {
		t.Errorf("getRegistered %v", m)
	}
	delete(m, compat.InternalDaemonGUID) // Registered lists only connected objects
	if diff := cmp.Diff(d.Registered(), m); diff != "" {
		t.Errorf("Registered vs getRegistered:\n%s", diff)
	}
}

func replaceNone(d pickle.Dict) pickle.Dict {
	out := pickle.NewDict()
	d.Iter()(func(k, v any) bool {
		if _, ok := v.(pickle.None); ok {
			v = ""
		}
		out.Set(k, v)
		return true
	})
	return out
}

func TestOnewayOrderAndConcurrency(t *testing.T) {
	d := startDaemon(t, core.DaemonOptions{})
	c := &calc{started: make(chan struct{}), release: make(chan struct{})}
	uri, _ := d.Connect(c, "")
	p := newProxy(t, uri, core.WithOneway("record"))
	ctx := context.Background()
	// A blocked oneway call does not hold up the normal calls after it.
	if err := p.Oneway(ctx, "block"); err != nil {
		t.Fatal(err)
	}
	<-c.started
	for i := 0; i < 100; i++ {
		if _, err := p.Call(ctx, "record", i); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := p.Call(ctx, "add", 1, 2); err != nil || n != int64(3) {
		t.Fatalf("call while oneway blocked: %v %v", n, err)
	}
	close(c.release)
	want := make([]int, 100)
	for i := range want {
		want[i] = i
	}
	for {
		var got []int
		if err := p.CallInto(ctx, &got, "log"); err != nil {
			t.Fatal(err)
		}
		if len(got) == len(want) {
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("oneway order (-want +got):\n%s", diff)
			}
			break
		}
		time.Sleep(time.Millisecond)
	}
}

func TestIdentification(t *testing.T) {
	d := startDaemon(t, core.DaemonOptions{Identifications: []string{"s3cr3t"}})
	uri, _ := d.Connect(&calc{}, "")
	ctx := context.Background()
	ok := newProxy(t, uri, core.WithIdentification("s3cr3t"))
	if _, err := ok.Call(ctx, "add", 1, 1); err != nil {
		t.Fatal(err)
	}
	bad := newProxy(t, uri, core.WithIdentification("wrong"))
	_, err := bad.Call(ctx, "add", 1, 1)
	var de *compat.ConnectionDeniedError
	if !errors.As(err, &de) || de.Message() != "security reasons" {
		t.Errorf("wrong identification: %v", err)
	}
	good := newProxy(t, uri, core.WithIdentification("s3cr3t"))
	if _, err := good.Call(ctx, "add", 1, 1); err != nil {
		t.Errorf("right identification: %v", err)
	}
}

// serverHalf and clientHalf are a validator's two halves as separate
// values, each only a protocol.ServerValidator or ClientValidator.
type serverHalf struct{ v *protocol.DefaultValidator }

func (h serverHalf) AcceptHost(info protocol.ConnInfo) (bool, protocol.DenyReason) {
	return h.v.AcceptHost(info)
}

func (h serverHalf) CreateChallenge(info protocol.ConnInfo) ([]byte, error) {
	return h.v.CreateChallenge(info)
}

func (h serverHalf) AcceptIdentification(info protocol.ConnInfo, challenge, token []byte) (bool, protocol.DenyReason) {
	return h.v.AcceptIdentification(info, challenge, token)
}

type clientHalf struct{ v protocol.DefaultValidator }

func (h *clientHalf) CreateToken(challenge, ident []byte) ([]byte, error) {
	return h.v.CreateToken(challenge, ident)
}

func (h *clientHalf) MungeIdent(passphrase string) []byte { return h.v.MungeIdent(passphrase) }

// TestValidatorHalves: a daemon takes the server's half of a validator and
// a proxy the client's (issue 12: protocol.Validator mixed them).
func TestValidatorHalves(t *testing.T) {
	sv := &protocol.DefaultValidator{}
	sv.SetAllowedIdentifications([]string{"s3cr3t"})
	d := startDaemon(t, core.DaemonOptions{Validator: serverHalf{sv}})
	uri, _ := d.Connect(&calc{}, "")
	ctx := context.Background()
	ok := newProxy(t, uri, core.WithValidator(&clientHalf{}), core.WithIdentification("s3cr3t"))
	if _, err := ok.Call(ctx, "add", 1, 1); err != nil {
		t.Fatal(err)
	}
	bad := newProxy(t, uri, core.WithValidator(&clientHalf{}), core.WithIdentification("wrong"))
	_, err := bad.Call(ctx, "add", 1, 1)
	var de *compat.ConnectionDeniedError
	if !errors.As(err, &de) || de.Message() != "security reasons" {
		t.Errorf("wrong identification: %v", err)
	}
}

func TestMaxConnections(t *testing.T) {
	ctx := context.Background()
	one := startDaemon(t, core.DaemonOptions{MaxConnections: 1})
	uri, _ := one.Connect(&calc{}, "")
	_, err := newProxy(t, uri).Call(ctx, "add", 1, 1)
	var de *compat.ConnectionDeniedError
	if !errors.As(err, &de) || de.Message() != "server too busy" {
		t.Errorf("MaxConnections=1: %v", err)
	}
	three := startDaemon(t, core.DaemonOptions{MaxConnections: 3})
	uri, _ = three.Connect(&calc{}, "")
	for i := 0; i < 2; i++ {
		if _, err := newProxy(t, uri).Call(ctx, "add", 1, 1); err != nil {
			t.Fatalf("client %d: %v", i, err)
		}
	}
	if _, err := newProxy(t, uri).Call(ctx, "add", 1, 1); !errors.As(err, &de) {
		t.Errorf("third client of MaxConnections=3: %v", err)
	}
}

func TestIdleTimeout(t *testing.T) {
	d := startDaemon(t, core.DaemonOptions{IdleTimeout: 300 * time.Millisecond})
	uri, _ := d.Connect(&calc{}, "")
	nc := dialGranted(t, d)
	defer nc.Close()
	nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	var b [1]byte
	if _, err := nc.Read(b[:]); err == nil {
		t.Error("idle connection not closed")
	}
	// The proxy reconnects transparently after the daemon dropped it.
	p := newProxy(t, uri)
	ctx := context.Background()
	if _, err := p.Call(ctx, "add", 1, 1); err != nil {
		t.Fatal(err)
	}
	time.Sleep(600 * time.Millisecond)
	// The first call after the drop may fail (at-most-once: it is not
	// retried); the one after it reconnects.
	_, _ = p.Call(ctx, "add", 1, 1)
	if _, err := p.Call(ctx, "add", 1, 1); err != nil {
		t.Errorf("after idle drop: %v", err)
	}
}

type reapable struct{ reaped atomic.Bool }

func (r *reapable) Ping() int { return 1 }
func (r *reapable) Reaped()   { r.reaped.Store(true) }

func TestTransientReaping(t *testing.T) {
	d := startDaemon(t, core.DaemonOptions{TransientsCleanupAge: 20 * time.Millisecond})
	r := &reapable{}
	named := &reapable{}
	d.Connect(r, "")
	d.Connect(named, "kept")
	for !r.reaped.Load() {
		time.Sleep(5 * time.Millisecond)
	}
	if _, err := d.URIFor(r); !errors.Is(err, core.ErrNotRegistered) {
		t.Errorf("reaped object still registered: %v", err)
	}
	if _, err := d.URIFor(named); err != nil || named.reaped.Load() {
		t.Errorf("named object reaped")
	}
}

// TestTransientInUseKept checks that calls keep a transient object from
// being reaped while an idle one goes.
func TestTransientInUseKept(t *testing.T) {
	d := startDaemon(t, core.DaemonOptions{TransientsCleanupAge: 300 * time.Millisecond})
	used, idle := &reapable{}, &reapable{}
	uri, _ := d.Connect(used, "")
	d.Connect(idle, "")
	p := newProxy(t, uri)
	for !idle.reaped.Load() {
		if _, err := p.Call(context.Background(), "ping"); err != nil {
			t.Fatal(err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if used.reaped.Load() {
		t.Error("an object called every 10 ms was reaped")
	}
}

type item struct{ Name string }

func (i *item) GetName() string { return i.Name }

type factory struct{ d *core.Daemon }

func (f *factory) Make(name string) (*core.Proxy, error) { return f.d.ProxyFor(&item{Name: name}) }

func TestProxiesAndCallbacks(t *testing.T) {
	d := startDaemon(t, core.DaemonOptions{})
	uri, _ := d.Connect(&factory{d: d}, "")
	ctx := context.Background()
	p := newProxy(t, uri)
	var it *core.Proxy
	if err := p.CallInto(ctx, &it, "make", "widget"); err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	if name, err := core.CallAs[string](ctx, it, "get_name"); err != nil || name != "widget" {
		t.Errorf("factory item: %q %v", name, err)
	}
	// Callback: a client daemon serves an object that the server calls.
	client := startDaemon(t, core.DaemonOptions{})
	cbURI, _ := client.Connect(&calc{}, "")
	server := startDaemon(t, core.DaemonOptions{})
	sURI, _ := server.Connect(&calc{}, "")
	cb := newProxy(t, cbURI)
	got, err := newProxy(t, sURI).Call(ctx, "call", cb, "add", 0)
	var ex *compat.Exception
	if !errors.As(err, &ex) || ex.Class.Name != "TypeError" {
		t.Errorf("callback with wrong arity: %v %v", got, err)
	}
	got, err = newProxy(t, sURI).Call(ctx, "call", cb, "echo", "back")
	if err != nil || got != "back" {
		t.Errorf("callback: %v %v", got, err)
	}
}

func TestReconnectAfterRestart(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	ctx := context.Background()
	start := func() (*core.Daemon, chan error) {
		d, err := core.NewDaemon(core.DaemonOptions{Host: "127.0.0.1", Port: port, NoRange: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.ConnectWithGUID(ctx, &calc{}, "fixedguid", ""); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- d.Serve(ctx) }()
		return d, done
	}
	d1, done1 := start()
	p := newProxy(t, fmt.Sprintf("PYRO://127.0.0.1:%d/fixedguid", port))
	if _, err := p.Call(ctx, "add", 1, 1); err != nil {
		t.Fatal(err)
	}
	d1.Shutdown(ctx)
	<-done1
	if _, err := p.Call(ctx, "add", 1, 1); err == nil {
		t.Error("call to a stopped daemon succeeded")
	}
	if err := p.Rebind(ctx, 2, time.Millisecond); err == nil {
		t.Error("Rebind to a stopped daemon succeeded")
	} else {
		var te *compat.TimeoutError
		if !errors.As(err, &te) {
			t.Errorf("Rebind error %v", err)
		}
	}
	d2, done2 := start()
	defer func() { d2.Shutdown(ctx); <-done2 }()
	if n, err := p.Call(ctx, "add", 2, 2); err != nil || n != int64(4) {
		t.Errorf("after restart: %v %v", n, err)
	}
	if err := p.Rebind(ctx, 3, time.Millisecond); err != nil {
		t.Errorf("Rebind: %v", err)
	}
}

func TestConcurrentProxies(t *testing.T) {
	d := startDaemon(t, core.DaemonOptions{})
	uri, _ := d.Connect(&calc{}, "")
	shared := newProxy(t, uri)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			own := shared.Clone()
			defer own.Close()
			for j := 0; j < 20; j++ {
				for _, p := range []*core.Proxy{shared, own} {
					n, err := core.CallAs[int](ctx, p, "add", i, j)
					if err != nil || n != i+j {
						errs <- fmt.Errorf("add(%d,%d) = %d, %v", i, j, n, err)
						return
					}
				}
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

type attrs struct {
	Value int
	Label string
}

func (a *attrs) Double() int { return a.Value * 2 }

func TestRemoteAttributes(t *testing.T) {
	d := startDaemon(t, core.DaemonOptions{})
	uri, _ := d.Connect(&attrs{Value: 21}, "")
	p := newProxy(t, uri)
	ctx := context.Background()
	if m, err := p.IsMethod(ctx, "double"); err != nil || !m {
		t.Errorf("IsMethod(double) = %v %v", m, err)
	}
	if m, err := p.IsMethod(ctx, "value"); err != nil || m {
		t.Errorf("IsMethod(value) = %v %v", m, err)
	}
	if err := p.SetAttr(ctx, "label", "hi"); err != nil {
		t.Fatal(err)
	}
	if v, err := p.GetAttr(ctx, "label"); err != nil || v != "hi" {
		t.Errorf("GetAttr(label) = %v %v", v, err)
	}
	if v, err := p.Call(ctx, "double"); err != nil || v != int64(42) {
		t.Errorf("double = %v %v", v, err)
	}
}

func TestContextTimeout(t *testing.T) {
	d := startDaemon(t, core.DaemonOptions{})
	c := &calc{started: make(chan struct{}), release: make(chan struct{})}
	uri, _ := d.Connect(c, "")
	defer close(c.release)
	p := newProxy(t, uri, core.WithTimeout(50*time.Millisecond))
	_, err := p.Call(context.Background(), "block")
	var te *compat.TimeoutError
	if !errors.As(err, &te) {
		t.Errorf("timeout: %T %v", err, err)
	}
}

func TestPickledProxy(t *testing.T) {
	p, err := core.NewProxy("PYRO://127.0.0.1:7766/abc", core.WithOneway("x"), core.WithIdentification("pw"), core.WithTimeout(1500*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	data, err := pickle.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	v, err := pickle.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	dp, ok := v.(*compat.DynamicProxy)
	if !ok {
		t.Fatalf("decoded %T", v)
	}
	if dp.ObjectID != "abc" || len(dp.Adapter.Ident) != 16 || dp.Adapter.Timeout != 1.5 || !cmp.Equal(dp.Adapter.OnewayMethods, []string{"x"}) {
		t.Errorf("proxy state %+v", dp)
	}
	back, err := core.NewProxy(dp)
	if err != nil || back.URI() != p.URI() {
		t.Errorf("back: %v %v", back, err)
	}
}

func TestDisconnectAndShutdown(t *testing.T) {
	d := startDaemon(t, core.DaemonOptions{})
	c := &calc{}
	uri, _ := d.Connect(c, "name")
	if err := d.Disconnect(c); err != nil {
		t.Fatal(err)
	}
	if err := d.Disconnect(c); !errors.Is(err, core.ErrNotRegistered) {
		t.Errorf("second Disconnect: %v", err)
	}
	if err := d.Disconnect(compat.InternalDaemonGUID); err != nil {
		t.Errorf("Disconnect(internal): %v", err)
	}
	_, err := newProxy(t, uri).Call(context.Background(), "add", 1, 1)
	var pe *compat.ProtocolError
	if !errors.As(err, &pe) {
		t.Errorf("call after Disconnect: %v", err)
	}
}

type recorder struct {
	mu    sync.Mutex
	calls []string
	fail  bool
}

func (r *recorder) Register(_ context.Context, name string, uri compat.URI) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, "register "+name)
	return nil
}
func (r *recorder) Unregister(_ context.Context, name string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, "unregister "+name)
	return nil
}
func (r *recorder) Resolve(_ context.Context, name string) (compat.URI, error) {
	return compat.URI{}, compat.NewNamingError("name not found", name)
}

func TestRegistrar(t *testing.T) {
	r := &recorder{}
	d, err := core.NewDaemon(core.DaemonOptions{Host: "127.0.0.1", NoRange: true, Registrar: r, UnregisterOnShutdown: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	d.Connect(&calc{}, "a")
	d.Connect(&calc{}, "")
	d.ConnectPersistent(ctx, &calc{}, "p")
	b := &calc{}
	d.Connect(b, "b")
	d.Disconnect(b)
	d.Shutdown(ctx)
	want := []string{"register a", "register p", "register b", "unregister b", "unregister a"}
	if diff := cmp.Diff(want, r.calls); diff != "" {
		t.Errorf("registrar calls (-want +got):\n%s", diff)
	}
}

func TestPYRONAMEResolver(t *testing.T) {
	d := startDaemon(t, core.DaemonOptions{})
	uri, _ := d.Connect(&calc{}, "")
	var asked []string
	r := core.ResolverFunc(func(_ context.Context, u compat.URI) (compat.URI, error) {
		asked = append(asked, u.String())
		if u.ObjectID != "calc" {
			return compat.URI{}, compat.NewNamingError("name not found", u.ObjectID)
		}
		return uri, nil
	})
	ctx := context.Background()
	p := newProxy(t, "PYRONAME://calc", core.WithResolver(r))
	if n, err := p.Call(ctx, "add", 1, 2); err != nil || n != int64(3) {
		t.Fatalf("PYRONAME call: %v %v", n, err)
	}
	if p.URI() != uri {
		t.Errorf("resolved URI %v, want %v", p.URI(), uri)
	}
	// Resolved once: reconnects go to the PYRO URI.
	p.Release()
	p.Call(ctx, "add", 1, 2)
	if len(asked) != 1 || asked[0] != "PYRONAME://calc" {
		t.Errorf("resolver asked %q", asked)
	}
	_, err := newProxy(t, "PYRONAME://other", core.WithResolver(r)).Call(ctx, "add", 1, 2)
	var ne *compat.NamingError
	if !errors.As(err, &ne) {
		t.Errorf("unknown name: %v", err)
	}
	prev := core.DefaultResolver()
	core.SetDefaultResolver(r)
	defer core.SetDefaultResolver(prev)
	if n, err := newProxy(t, "PYRONAME://calc").Call(ctx, "add", 2, 2); err != nil || n != int64(4) {
		t.Errorf("default resolver: %v %v", n, err)
	}
}

func TestProxyWaitAndClose(t *testing.T) {
	d := startDaemon(t, core.DaemonOptions{})
	c := &calc{started: make(chan struct{}), release: make(chan struct{})}
	defer close(c.release)
	uri, _ := d.Connect(c, "")
	p := newProxy(t, uri)
	first := make(chan error, 1)
	go func() {
		_, err := p.Call(context.Background(), "block")
		first <- err
	}()
	<-c.started
	// A second call waits for the connection, within its context.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := p.Call(ctx, "add", 1, 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("waiting call: %v", err)
	}
	// Close interrupts the call in progress.
	p.Close()
	var ce *core.CommError
	if err := <-first; !errors.As(err, &ce) {
		t.Errorf("interrupted call: %v", err)
	}
	if _, err := p.Call(context.Background(), "add", 1, 1); !errors.Is(err, core.ErrClosed) {
		t.Errorf("call after Close: %v", err)
	}
}

func TestPublishedHost(t *testing.T) {
	tests := []struct {
		opts core.DaemonOptions
		want string
	}{
		{core.DaemonOptions{Host: "localhost"}, "127.0.0.1"},
		{core.DaemonOptions{Host: "localhost", DNSURI: true}, "localhost"},
		{core.DaemonOptions{Host: "127.0.0.1", PublishHost: "localhost"}, "127.0.0.1"},
		{core.DaemonOptions{Host: "127.0.0.1", PublishHost: "example.invalid", DNSURI: true}, "example.invalid"},
	}
	for _, tc := range tests {
		tc.opts.NoRange = true
		d, err := core.NewDaemon(tc.opts)
		if err != nil {
			t.Fatal(err)
		}
		uri, _ := d.Connect(&calc{}, "")
		if d.Host() != tc.want || uri.Address != tc.want {
			t.Errorf("%+v: host %q, URI %v, want %q", tc.opts, d.Host(), uri, tc.want)
		}
		d.Shutdown(context.Background())
	}
}

func TestPortRange(t *testing.T) {
	first := startDaemon(t, core.DaemonOptions{})
	// A busy port is skipped when scanning a range, an error without one.
	d, err := core.NewDaemon(core.DaemonOptions{Host: "127.0.0.1", Port: first.Port(), PortRange: 5})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Shutdown(context.Background())
	if d.Port() == first.Port() || d.Port() > first.Port()+4 {
		t.Errorf("port %d, first daemon on %d", d.Port(), first.Port())
	}
	_, err = core.NewDaemon(core.DaemonOptions{Host: "127.0.0.1", Port: first.Port(), NoRange: true})
	var de *compat.DaemonError
	if !errors.As(err, &de) || !strings.HasPrefix(de.Message(), "Couldn't start Pyro daemon: ") {
		t.Errorf("busy port without range: %v", err)
	}
}

// TestProxyForWithAttrs hands out an attribute proxy (Pyro's getAttrProxy):
// it pickles as DynamicProxyWithAttrs and reads the object's fields.
func TestProxyForWithAttrs(t *testing.T) {
	d := startDaemon(t, core.DaemonOptions{})
	obj := &attrs{Value: 21}
	tests := []struct {
		name      string
		opts      []core.ProxyOption
		withAttrs bool
	}{
		{"plain", nil, false},
		{"WithAttrs", []core.ProxyOption{core.WithAttrs()}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := d.ProxyFor(obj, tt.opts...)
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			data, err := pickle.Marshal(p)
			if err != nil {
				t.Fatal(err)
			}
			v, err := pickle.Decode(data)
			if err != nil {
				t.Fatal(err)
			}
			if dp, ok := v.(*compat.DynamicProxy); !ok || dp.WithAttrs != tt.withAttrs {
				t.Errorf("pickled as %#v, want WithAttrs %v", v, tt.withAttrs)
			}
			if got, err := p.GetAttr(context.Background(), "value"); err != nil || got != int64(21) {
				t.Errorf("GetAttr(value) = %v %v", got, err)
			}
		})
	}
}

// TestOnewayAll: the calls of one OnewayAll arrive in order, and the proxy
// goes on with normal calls on the same connection.
func TestOnewayAll(t *testing.T) {
	d := startDaemon(t, core.DaemonOptions{})
	c := &calc{}
	uri, _ := d.Connect(c, "")
	p := newProxy(t, uri)
	ctx := context.Background()
	var calls [][]any
	want := make([]int, 200)
	for i := range want {
		want[i] = i
		calls = append(calls, []any{i})
	}
	if err := p.OnewayAll(ctx, "record", calls[:100]...); err != nil {
		t.Fatal(err)
	}
	if err := p.OnewayAll(ctx, "record", calls[100:]...); err != nil {
		t.Fatal(err)
	}
	if err := p.OnewayAll(ctx, "record"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		var got []int
		if err := p.CallInto(ctx, &got, "log"); err != nil {
			t.Fatal(err)
		}
		if len(got) == len(want) {
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("order (-want +got):\n%s", diff)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d calls arrived", len(got), len(want))
		}
		time.Sleep(10 * time.Millisecond)
	}
}
