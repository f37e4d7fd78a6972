// Package serve is what the Go ports of Pyro 5's examples do alike, in the
// manner of Pyro5's serve(): make a daemon that speaks Pyro 5, connect the
// example's objects, register their names with Pyro 5's name server when
// asked, print what serve() prints and serve until Ctrl-C.
//
// The daemon listens on PYRO_HOST (default localhost) and PYRO_PORT
// (default 0, a free port), as Pyro 5's Daemon() does; the name server is
// found at PYRO_NS_HOST:PYRO_NS_PORT (default localhost:9090), as
// Pyro5.core.locate_ns() finds it first. Like the Python examples, which
// die with a traceback, the functions end the program (log.Fatal) when a
// step fails.
package serve

import (
	"context"
	"crypto/rand"
	"fmt"
	"log"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/pickle"
)

// Object is one object to serve and its name: with the name server the
// name it is registered under (its object id is then "obj_" and random
// hex, as Pyro 5 makes them), else its object id; "" is a random id and no
// registration.
type Object struct {
	Value any
	Name  string
}

// Options change the daemon that Daemon makes.
type Options struct {
	// Host and Port override PYRO_HOST and PYRO_PORT; a negative Port
	// is any free port, whatever PYRO_PORT says.
	Host string
	Port int
	// Daemon changes the options of the daemon before it is made.
	Daemon func(*core.DaemonOptions)
}

// Context is the context of the program: done on Ctrl-C or SIGTERM.
func Context() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

// Daemon makes a daemon for Pyro 5 clients, as Pyro 5's Daemon(host, port).
func Daemon(opts Options) *core.Daemon {
	host, port := opts.Host, opts.Port
	if host == "" {
		host = env("PYRO_HOST", "localhost")
	}
	switch {
	case port < 0:
		port = 0
	case port == 0:
		var err error
		if port, err = strconv.Atoi(env("PYRO_PORT", "0")); err != nil {
			log.Fatalf("PYRO_PORT: %v", err)
		}
	}
	do := core.DaemonOptions{Host: host, Port: port, NoRange: true, Generations: core.Pyro5}
	if opts.Daemon != nil {
		opts.Daemon(&do)
	}
	d, err := core.NewDaemon(do)
	if err != nil {
		log.Fatal(err)
	}
	return d
}

// Serve is Pyro5's serve(objects, daemon=d, use_ns=useNS): it connects
// the objects to d, prints their URIs (and names), registers the names
// with the name server if useNS, prints "Pyro daemon running." and serves
// until ctx is done.
func Serve(ctx context.Context, d *core.Daemon, useNS bool, objects ...Object) {
	var ns *core.Proxy
	if useNS {
		ns = NameServer()
		defer ns.Close()
	}
	for _, o := range objects {
		id := o.Name
		if ns != nil || id == "" {
			id = NewID()
		}
		uri := Connect(ctx, d, o.Value, id)
		fmt.Printf("Object %T:\n    uri = %s\n", o.Value, uri)
		if o.Name != "" && ns != nil {
			Register(ctx, ns, o.Name, uri.String())
			fmt.Printf("    name = %s\n", o.Name)
		}
	}
	Run(ctx, d, "Pyro daemon running.")
}

// Connect connects obj to d with the object id id (NewID for Pyro 5's
// daemon.register(obj)) and returns its URI.
func Connect(ctx context.Context, d *core.Daemon, obj any, id string) compat.URI {
	uri, err := d.ConnectWithGUID(ctx, obj, id, "")
	if err != nil {
		log.Fatal(err)
	}
	return uri
}

// Run prints ready, the lines the Python server prints once it is ready
// (the tests wait for them), and serves until ctx is done.
func Run(ctx context.Context, d *core.Daemon, ready ...string) {
	for _, line := range ready {
		fmt.Println(line)
	}
	if err := d.Run(ctx); err != nil {
		log.Fatal(err)
	}
}

// NewID is an object id as Pyro 5's daemon makes one: "obj_" and 32 hex
// digits.
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("obj_%x", b)
}

// NameServer is a proxy for Pyro 5's name server at PYRO_NS_HOST and
// PYRO_NS_PORT, as locate_ns() finds it first.
func NameServer() *core.Proxy {
	addr := net.JoinHostPort(env("PYRO_NS_HOST", "localhost"), env("PYRO_NS_PORT", "9090"))
	p, err := core.NewProxy("PYRO:Pyro.NameServer@" + addr)
	if err != nil {
		log.Fatalf("name server: %v", err)
	}
	return p
}

// Register registers uri under name with the name server, as
// ns.register(name, uri).
func Register(ctx context.Context, ns *core.Proxy, name, uri string) {
	if _, err := ns.Call(ctx, "register", name, uri); err != nil {
		log.Fatalf("name server: register %s: %v", name, err)
	}
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// Proxy5 is a Pyro 5 proxy as a value: a Go method that returns one hands
// the client a proxy for the object at URI (Pyro 5's daemon.proxyFor, or
// its auto proxies), which Pyro 5's serializers write as the class dict
// of Pyro5.client.Proxy. The client's proxy fetches the object's metadata
// when it connects.
type Proxy5 struct{ URI compat.URI }

// MarshalSerpent is the class dict of Pyro5.client.Proxy: its state is
// (uri, oneway, methods, attrs, handshake, serializer).
func (p Proxy5) MarshalSerpent() (any, error) {
	return map[string]any{
		"__class__": "Pyro5.client.Proxy",
		"state":     pickle.Tuple{p.URI.String(), pickle.Tuple{}, pickle.Tuple{}, pickle.Tuple{}, nil, "serpent"},
	}, nil
}

// ProxyFor connects obj to d under a new object id and returns a Proxy5
// for it, as Pyro 5's daemon.register(obj) and daemon.proxyFor(obj).
func ProxyFor(ctx context.Context, d *core.Daemon, obj any) Proxy5 {
	return Proxy5{URI: Connect(ctx, d, obj, NewID())}
}

// FromProxy returns a Go proxy for the object of a Pyro 5 proxy a client
// passed as an argument: the class dict of Pyro5.client.Proxy, whose state
// starts with the URI.
func FromProxy(v any) (*core.Proxy, error) {
	if d, ok := v.(pickle.Dict); ok {
		cls, _ := d.Get_("__class__")
		state, _ := d.Get_("state")
		items, _ := pickle.Items(state)
		if name, _ := pickle.Text(cls); name == "Pyro5.client.Proxy" && len(items) > 0 {
			if uri, ok := pickle.Text(items[0]); ok {
				return core.NewProxy(uri)
			}
		}
	}
	return nil, compat.TypeError(fmt.Sprintf("expected a Pyro5 proxy, not %s", pickle.PythonType(v)))
}

// StrList is how Python 3 prints a list of str, for the lists of plain
// names the examples print: ['a', 'b'] (compat.Repr is Python 2's, with
// u” strings).
func StrList(items []string) string {
	quoted := make([]string, len(items))
	for i, s := range items {
		quoted[i] = "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`).Replace(s) + "'"
	}
	return "[" + strings.Join(quoted, ", ") + "]"
}
