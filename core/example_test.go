package core_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/pickle"
)

// Bank is a Go object served to Pyro clients. Python calls
// bank.balance("alice") or bank.deposit("alice", 10).
type Bank struct {
	accounts map[string]float64
}

func (b *Bank) Balance(name string) (float64, error) {
	amount, ok := b.accounts[name]
	if !ok {
		return 0, compat.KeyError(name) // raised as KeyError in Python
	}
	return amount, nil
}

func (b *Bank) Deposit(name string, amount float64) float64 {
	b.accounts[name] += amount
	return b.accounts[name]
}

func Example() {
	d, err := core.NewDaemon(core.DaemonOptions{Host: "127.0.0.1", NoRange: true})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := d.Connect(&Bank{accounts: map[string]float64{}}, ":test.bank"); err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go d.Serve(ctx)

	// Any Pyro 3 client can now call it; here a Go one, through PYROLOC.
	p, err := core.NewProxy(fmt.Sprintf("PYROLOC://127.0.0.1:%d/:test.bank", d.Port()))
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close()
	total, err := core.CallAs[float64](ctx, p, "deposit", "alice", 12.5)
	fmt.Println(total, err)
	_, err = p.Call(ctx, "balance", "bob")
	var ex *compat.Exception
	if errors.As(err, &ex) {
		fmt.Println(ex.Class.Name, ex.Message())
	}
	// Output:
	// 12.5 <nil>
	// KeyError 'bob'
}

// Options collects keyword arguments: search(pattern, limit=5).
type Options struct {
	core.Keywords
	Limit int `pyro:"limit"`
}

type Finder struct{}

func (Finder) Search(pattern string, opt Options) []string {
	out := []string{}
	for i := 0; i < opt.Limit; i++ {
		out = append(out, fmt.Sprintf("%s%d", pattern, i))
	}
	return out
}

func ExampleProxy_CallKw() {
	d, _ := core.NewDaemon(core.DaemonOptions{Host: "127.0.0.1", NoRange: true})
	uri, _ := d.Connect(Finder{}, "")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go d.Serve(ctx)

	p, _ := core.NewProxy(uri)
	defer p.Close()
	res, err := p.CallKw(ctx, "search", []any{"x"}, map[string]any{"limit": 3})
	if err != nil {
		log.Fatal(err)
	}
	var found []string
	err = pickle.Assign(&found, res) // a Python list decodes as *pickle.List
	fmt.Println(found, err)
	// Output:
	// [x0 x1 x2] <nil>
}

type Greeter struct{}

// Greet calls back into the caller's object.
func (Greeter) Greet(ctx context.Context, cb *core.Proxy, name string) (string, error) {
	defer cb.Close()
	return core.CallAs[string](ctx, cb, "hello", name)
}

type Callback struct{}

func (Callback) Hello(name string) string { return "hello " + name }

func ExampleDaemon_ProxyFor() {
	server, _ := core.NewDaemon(core.DaemonOptions{Host: "127.0.0.1", NoRange: true})
	client, _ := core.NewDaemon(core.DaemonOptions{Host: "127.0.0.1", NoRange: true})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go server.Serve(ctx)
	go client.Serve(ctx)
	uri, _ := server.Connect(Greeter{}, "")

	// The client hands its own object to the server by reference.
	cb, _ := client.ProxyFor(Callback{})
	p, _ := core.NewProxy(uri)
	defer p.Close()
	s, err := core.CallAs[string](ctx, p, "greet", cb, "world")
	fmt.Println(s, err)
	// Output:
	// hello world <nil>
}

// A server program: serve until Ctrl-C or SIGTERM, then shut down.
func ExampleDaemon_Run() {
	d, err := core.NewDaemon(core.DaemonOptions{})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := d.Connect(Greeter{}, "greeter"); err != nil {
		log.Fatal(err)
	}
	fmt.Println("Server is ready.")
	if err := d.Run(context.Background()); err != nil {
		log.Fatal(err)
	}
}

// A daemon exposed to untrusted networks: silent connections get two
// seconds to shake hands, and one client address may hold at most ten
// connections. Connections that never answer the challenge do not count
// against MaxConnections.
func ExampleDaemonOptions_hardened() {
	d, err := core.NewDaemon(core.DaemonOptions{
		Host: "127.0.0.1", NoRange: true,
		MaxConnections:        200,
		HandshakeTimeout:      2 * time.Second,
		MaxConnectionsPerHost: 10,
		IdleTimeout:           10 * time.Minute,
	})
	if err != nil {
		log.Fatal(err)
	}
	defer d.Shutdown(context.Background())
	uri, _ := d.Connect(&Bank{accounts: map[string]float64{"alice": 1}}, "")
	go d.Serve(context.Background())

	p, err := core.NewProxy(uri)
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close()
	fmt.Println(core.CallAs[float64](context.Background(), p, "balance", "alice"))
	// Output:
	// 1 <nil>
}

// An Invoker that dispatches its own calls declares its methods and
// attributes with InvokerWithAttrs, so that attribute proxies (Pyro 3's
// getAttrProxyForURI) work on it as on a Python ObjBase.
func ExampleInvokerWithAttrs() {
	greeter := core.InvokerFunc(func(ctx context.Context, c *core.Call) (any, error) {
		if c.Method == "greet" && len(c.Args) == 1 {
			return "hello " + compat.Str(c.Args[0]), nil
		}
		return nil, compat.AttributeError(fmt.Sprintf("'Greeter' object has no attribute '%s'", c.Method))
	})
	obj := core.InvokerWithAttrs(greeter, core.Attrs{
		Class:   "Greeter",
		Methods: []string{"greet"},
		Get: func(name string) (any, bool) {
			if name == "language" {
				return "en", true
			}
			return nil, false
		},
	})
	d, err := core.NewDaemon(core.DaemonOptions{Host: "127.0.0.1", NoRange: true})
	if err != nil {
		log.Fatal(err)
	}
	uri, _ := d.Connect(obj, "")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go d.Serve(ctx)

	p, _ := core.NewProxy(uri)
	defer p.Close()
	isMethod, _ := p.IsMethod(ctx, "greet")
	lang, _ := p.GetAttr(ctx, "language")
	_, err = p.GetAttr(ctx, "colour")
	fmt.Println(isMethod, lang, err)
	// Output:
	// true en AttributeError: 'Greeter' object has no attribute 'colour'
}

// Lease is a resource a client holds until it frees it or goes away.
type Lease struct {
	name     string
	released chan<- string
}

func (l *Lease) Close() error {
	l.released <- l.name
	return nil
}

// Leases hands out leases, tracked for the connection of the client that
// took them.
type Leases struct{ released chan string }

func (ls Leases) Take(ctx context.Context, name string) error {
	c, _ := core.CallerFromContext(ctx)
	return c.TrackResource(&Lease{name: name, released: ls.released})
}

// A client's connection ends while it holds a lease: the daemon closes it.
func ExampleCaller_TrackResource() {
	d, _ := core.NewDaemon(core.DaemonOptions{Host: "127.0.0.1", NoRange: true,
		ClientDisconnect: func(c *core.Caller) {
			fmt.Println("client leaves holding", len(c.TrackedResources()), "lease")
		}})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go d.Serve(ctx)
	leases := Leases{released: make(chan string)}
	uri, _ := d.Connect(leases, "")
	p, _ := core.NewProxy(uri)
	_, err := p.Call(ctx, "take", "printer")
	fmt.Println(err)
	p.Close()
	fmt.Println("released", <-leases.released)
	// Output:
	// <nil>
	// client leaves holding 1 lease
	// released printer
}
