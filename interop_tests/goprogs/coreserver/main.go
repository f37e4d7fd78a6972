// Command coreserver is a Go Pyro daemon with test objects for the interop
// suite (interop_tests/test_core_*.py), which calls it from real Pyro 3.16
// clients under Python 2.7.
//
// It prints one line "URI <name> <uri>" per object, and "URI5 <name> <uri>"
// with its Pyro 5 URI (the daemon serves Pyro 3 and 5), then "READY", and exits
// by itself after -lifetime. With -ssl the daemon is a PYROSSL one
// configured by the PYROSSL_* items and also serves the object of Pyro's ssl
// example as "ssl". With -call URI it is instead the ssl example's client:
// a core.Proxy sends the secret message to URI and exits. With -pyro5 it
// also serves what interop_tests/py5/daemon_server.py serves to compare
// with Pyro5's daemon: Factories under the ids test.single, test.session and
// test.percall, and with -handshake TOKEN a Pyro 5 handshake hook that only
// lets TOKEN in.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/ns"
)

// Test is the main test object.
type Test struct {
	d *core.Daemon
}

// Add returns a+b.
func (t *Test) Add(a, b int) int { return a + b }

// Concat joins two strings (str or unicode).
func (t *Test) Concat(a, b string) string { return a + b }

// Kw returns (a, args, kwargs) like Python's def kw(a, *args, **kw).
func (t *Test) Kw(a any, kw core.Kwargs, args ...any) []any {
	if args == nil {
		args = []any{}
	}
	return []any{a, args, map[string]any(kw)}
}

// Sum adds any number of floats.
func (t *Test) Sum(nums ...float64) float64 {
	var s float64
	for _, n := range nums {
		s += n
	}
	return s
}

// Echo returns its argument unchanged.
func (t *Test) Echo(x any) any { return x }

// Len returns the length of a byte string.
func (t *Test) Len(b []byte) int { return len(b) }

// Strings returns a Go string (unicode in Python) and a byte slice (str).
func (t *Test) Strings() (string, []byte) {
	b := make([]byte, 256)
	for i := range b {
		b[i] = byte(i)
	}
	return "grüß € 😀", b
}

// Pair returns two results, which become a tuple.
func (t *Test) Pair(a int) (int, string) { return a * 2, fmt.Sprint(a) }

// RaiseValue raises ValueError(msg).
func (t *Test) RaiseValue(msg string) error { return compat.ValueError("bad value: " + msg) }

// RaiseCustom raises core_objs.MyError('custom', 1).
func (t *Test) RaiseCustom() error { return compat.NewException("core_objs", "MyError", "custom", 1) }

// GoError returns a plain Go error.
func (t *Test) GoError() (int, error) { return 0, errors.New("plain go error") }

// Panic panics.
func (t *Test) Panic() int { return deepPanic(3) }

func deepPanic(n int) int {
	if n == 0 {
		panic("boom from Go")
	}
	return deepPanic(n-1) + 1
}

// Naming raises Pyro.errors.NamingError.
func (t *Test) Naming() error { return compat.NewNamingError("name not found", ":Default.x") }

// Sleep sleeps for secs seconds.
func (t *Test) Sleep(secs float64) float64 {
	time.Sleep(time.Duration(secs * float64(time.Second)))
	return secs
}

// Whoami returns the caller's address as seen by the daemon.
func (t *Test) Whoami(ctx context.Context) string {
	c, _ := core.CallerFromContext(ctx)
	return c.RemoteAddr.String()
}

// Counter counts calls on the caller's connection (connection-local storage).
func (t *Test) Counter(ctx context.Context) int {
	c, _ := core.CallerFromContext(ctx)
	n, _ := c.Value("n").(int)
	n++
	c.SetValue("n", n)
	return n
}

// CallMeBack calls method on the callback proxy with arg and returns the
// callback's result.
func (t *Test) CallMeBack(ctx context.Context, cb *core.Proxy, method string, arg any) (any, error) {
	defer cb.Close()
	return cb.Call(ctx, method, arg)
}

// Item is an object handed out by reference by the factory.
type Item struct {
	Name string
}

// GetName returns the item's name.
func (i *Item) GetName() string { return i.Name }

// Make returns a proxy for a new transient Item.
func (t *Test) Make(name string) (*core.Proxy, error) {
	return t.d.ProxyFor(&Item{Name: name})
}

// Unwrap returns the URI string of a proxy passed in.
func (t *Test) ProxyURI(p *core.Proxy) string { return p.URI().String() }

// Attrs has remote attributes for DynamicProxyWithAttrs.
type Attrs struct {
	Value int
	Label string
	List  []any
}

// Double returns 2*Value.
func (a *Attrs) Double() int { return 2 * a.Value }

// Recorder records oneway calls in order.
type Recorder struct {
	mu         sync.Mutex
	got        []int
	ticks      int
	gate       chan struct{}
	gateResult string
}

// Record appends n (called oneway).
func (r *Recorder) Record(n int) {
	r.mu.Lock()
	r.got = append(r.got, n)
	r.mu.Unlock()
}

// Gate (called oneway) blocks until Open is called or 20 s pass; GateResult
// then says which. A client sees "opened" only if its oneway Gate call did
// not hold up the normal Open call sent after it on the same connection.
func (r *Recorder) Gate() {
	r.mu.Lock()
	r.gate = make(chan struct{})
	r.gateResult = ""
	g := r.gate
	r.mu.Unlock()
	res := "timeout"
	select {
	case <-g:
		res = "opened"
	case <-time.After(20 * time.Second):
	}
	r.mu.Lock()
	r.gateResult = res
	r.mu.Unlock()
}

// Open opens the gate of a pending Gate call.
func (r *Recorder) Open() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.gate == nil {
		return false
	}
	close(r.gate)
	r.gate = nil
	return true
}

// GateResult is "opened", "timeout", or "" while Gate still waits.
func (r *Recorder) GateResult() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.gateResult
}

// Tick counts a call (benchmarks call it oneway).
func (r *Recorder) Tick() {
	r.mu.Lock()
	r.ticks++
	r.mu.Unlock()
}

// Count returns the number of Tick calls so far.
func (r *Recorder) Count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.ticks
}

// Recorded returns the numbers recorded so far.
func (r *Recorder) Recorded() []int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]int{}, r.got...)
}

// Numbered is an instance of the Factories of -pyro5.
type Numbered struct {
	n     int
	Label string `pyro:"label"`
}

// Which returns the number of the instance, counted per Factory from 1.
func (n *Numbered) Which() int { return n.n }

// numbered is a Factory of Numbered instances in the instance mode.
func numbered(mode core.InstanceMode) *core.Factory {
	var made atomic.Int64
	return core.NewFactory(mode, func(context.Context) (*Numbered, error) {
		return &Numbered{n: int(made.Add(1))}, nil
	})
}

// handshake lets in the Pyro 5 clients whose handshake data is token, as
// daemon_server.py's validateHandshake does.
func handshake(token string) core.HandshakeFunc {
	return func(_ context.Context, _ *core.Caller, data any) (any, error) {
		if data != token {
			return nil, compat.ValueError(fmt.Sprintf("bad handshake: %v", data))
		}
		return map[string]any{"welcome": data}, nil
	}
}

func main() {
	host := flag.String("host", "127.0.0.1", "listen host")
	port := flag.Int("port", 0, "port (0 = ephemeral)")
	ident := flag.String("ident", "", "comma-separated allowed identifications")
	maxconn := flag.Int("maxconn", 0, "PYRO_MAXCONNECTIONS")
	fixed := flag.Bool("fixed", false, "use fixed GUIDs (for restart tests)")
	idle := flag.Duration("idle", 0, "idle connection timeout")
	nsAddr := flag.String("ns", "", "register names with the Name Server at host:port")
	lifetime := flag.Duration("lifetime", 60*time.Second, "exit after this long")
	ssl := flag.Bool("ssl", false, "PYROSSL daemon (PYROSSL_* items) with the ssl example's object")
	call := flag.String("call", "", "call passSecretMessage on this URI and exit")
	pyro3only := flag.Bool("pyro3only", false, "serve Pyro 3 alone (no wait to detect a Pyro 5 client)")
	py5 := flag.Bool("pyro5", false, "also serve the Factories test.single, test.session and test.percall")
	token := flag.String("handshake", "", "Pyro 5 clients must send this handshake data")
	flag.Parse()
	if *call != "" {
		os.Exit(callSSL(*call, *lifetime))
	}

	opts := core.DaemonOptions{Host: *host, Port: *port, NoRange: true, MaxConnections: *maxconn, IdleTimeout: *idle}
	if *ident != "" {
		opts.Identifications = strings.Split(*ident, ",")
	}
	if *pyro3only {
		opts.Generations = core.Pyro3
	}
	if *nsAddr != "" {
		h, p, ok := strings.Cut(*nsAddr, ":")
		if !ok {
			log.Fatalf("-ns wants host:port")
		}
		var pn int
		fmt.Sscan(p, &pn)
		reg, err := ns.NewClient(ns.LocationURI(h, pn), "")
		if err != nil {
			log.Fatal(err)
		}
		// the group of relative names (PYRO_NS_DEFAULTGROUP) must exist
		cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err = reg.CreateGroup(cctx, "")
		cancel()
		var ne *compat.NamingError
		if err != nil && !errors.As(err, &ne) {
			log.Fatal(err)
		}
		opts.Registrar = reg
		opts.UnregisterOnShutdown = true
	}
	if *token != "" {
		opts.Pyro5Handshake = handshake(*token)
	}
	if *ssl {
		if err := sslOptions(&opts); err != nil {
			log.Fatal(err)
		}
	}
	d, err := core.NewDaemon(opts)
	if err != nil {
		log.Fatal(err)
	}
	objs := []struct {
		name string
		obj  any
	}{
		{":test.core", &Test{d: d}},
		{":test.attrs", &Attrs{Value: 42, Label: "hello", List: []any{1, 2}}},
		{":test.recorder", &Recorder{}},
	}
	if *ssl {
		objs = append(objs, struct {
			name string
			obj  any
		}{"ssl", SSLObj{}})
	}
	ctx := context.Background()
	for i, o := range objs {
		guid := compat.NewGUID()
		if *fixed {
			guid = fmt.Sprintf("f1xed0000000000000000000000000%02d", i)
		}
		uri, err := d.ConnectWithGUID(ctx, o.obj, guid, o.name)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("URI %s %s\n", o.name, uri)
		if uris, _ := d.URIsFor(guid); len(uris) > 1 {
			fmt.Printf("URI5 %s %s\n", o.name, uris[1])
		}
	}
	if *py5 {
		for _, mode := range []core.InstanceMode{core.Single, core.Session, core.PerCall} {
			id := "test." + mode.String()
			if _, err := d.ConnectWithGUID(ctx, numbered(mode), id, ""); err != nil {
				log.Fatal(err)
			}
			uris, _ := d.URIsFor(id)
			fmt.Printf("URI5 %s %s\n", id, uris[len(uris)-1])
		}
	}
	fmt.Println("READY")
	os.Stdout.Sync()

	ctx, cancel := context.WithTimeout(ctx, *lifetime)
	defer cancel()
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	if err := d.Serve(ctx); err != nil && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
		log.Fatal(err)
	}
}
