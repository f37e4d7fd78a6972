// Command pyro-gateway lets Pyro 3 programs (Python 2) and Pyro 5
// programs (Python 3) call each other's objects, neither changed: it
// serves, on one port, a forwarder for each target object, reachable by
// the clients of the other generation (see package gateway for how calls,
// values, exceptions and proxies are translated).
//
// Usage:
//
//	pyro-gateway [-n host] [-p port] [-m methods] [-o methods] [options] TARGET...
//	pyro-gateway --print-config
//
//	-n host       host to bind the gateway on (default localhost)
//	-p port       port to bind the gateway on (default 0: any free port)
//	-m methods    comma-separated methods Pyro 5 clients may call on Pyro 3
//	              objects (targets and callbacks): Pyro 3 cannot list them
//	-o methods    comma-separated methods of Pyro 3 objects that Pyro 5
//	              clients call oneway
//	-ns3 host[:port]  Pyro 3 name server (default: located as Pyro 3 does,
//	              PYRO_NS_HOSTNAME, PYRO_NS_PORT, broadcast)
//	-ns5 host[:port]  Pyro 5 name server (default: none; port 9090)
//	-str rule     Python 2 str to Python 3: auto (UTF-8 text is str, other
//	              bytes), bytes, latin1 (default auto)
//	-text rule    Python 3 str to Python 2: auto (ASCII is str, other
//	              unicode), unicode, utf8 (default auto)
//	-timeout sec  bound on each forwarded call (default 0: none)
//	-poll sec     how often named targets are looked up again (default 10;
//	              0: never)
//	-reap sec     drop the forwarders made for proxies passed through the
//	              gateway (callbacks) when unused this long (default 0:
//	              never), as Pyro's daemon reaps transient objects
//
// A TARGET is a URI (PYRO://host:port/guid or PYROLOC:// of a Pyro 3
// object, PYRO:id@host:port of a Pyro 5 one), which the gateway forwards
// to and prints the forwarding URI of, a name, or a pattern of names
// (path.Match's wildcards * ? [...]: "shop.*"; matched against the Pyro 5
// form of the names both name servers list, or with a leading colon
// against the Pyro 3 form, ":Default.shop.*"), which stands for the
// names that match it, then and at each later look. A name is looked up in
// the Pyro 3 name server and, with -ns5, in the Pyro 5 name server; an
// object found under it in one generation's name server only is forwarded
// to, and the forwarding URI is registered under the same name in the
// other's (a Pyro 3 name ":Default.x" is "x" for Pyro 5, a Pyro 5 name is
// relative to Pyro 3's default group). A name that both name servers know
// is left alone: each client reaches its own object directly. Named
// targets are looked up again every -poll seconds, so that objects that
// come back on another address, or go, are followed; on exit the
// gateway removes its registrations.
//
// The Pyro configuration applies as to every gopyro program (the PYRO_*
// environment, PYRO_CONFIG_FILE or ./Pyro.conf): PYRO_NS_HOSTNAME and
// PYRO_NS_PORT locate the Pyro 3 name server, PYRO_PUBLISHHOST sets the
// host in the forwarding URIs.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/gateway"
	"github.com/gopyro/gopyro/internal/cli"
	"github.com/gopyro/gopyro/ns"
)

const name = "pyro-gateway"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	status := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(status)
}

const usage = `usage: pyro-gateway [-n host] [-p port] [-m methods] [-o methods] [options] TARGET...

Lets Pyro 3 (Python 2) and Pyro 5 (Python 3) clients call each other's
objects. Each TARGET is a URI (PYRO://host:port/guid, PYROLOC://host/name,
PYRO:id@host:port), forwarded to and printed, or a name or pattern of names
("shop.*"), looked up in the Pyro 3 name server and (with -ns5) the Pyro 5
one and registered, forwarded, in the name server of the generation that
lacks it.

options:
`

// run runs the gateway until ctx ends.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	_, args, status, ok := cli.Start(name, args, stdout, stderr)
	if !ok {
		return status
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	host := fs.String("n", "localhost", "hostname to bind the gateway on")
	port := fs.Int("p", 0, "port to bind the gateway on (0: any free port)")
	methods := fs.String("m", "", "comma-separated methods Pyro 5 clients may call on Pyro 3 objects")
	oneway := fs.String("o", "", "comma-separated methods of Pyro 3 objects that Pyro 5 clients call oneway")
	ns3 := fs.String("ns3", "", "Pyro 3 name server host[:port] (default: located as Pyro 3 does)")
	ns5 := fs.String("ns5", "", "Pyro 5 name server host[:port] (default: none)")
	strRule := fs.String("str", "auto", "Python 2 str to Python 3: auto, bytes or latin1")
	textRule := fs.String("text", "auto", "Python 3 str to Python 2: auto, unicode or utf8")
	timeout := fs.Float64("timeout", 0, "bound in seconds on each forwarded call (0: none)")
	poll := fs.Float64("poll", 10, "seconds between lookups of named targets (0: look up once)")
	reap := fs.Float64("reap", 0, "seconds after which an unused forwarder of a proxy passed through the gateway is dropped (0: never)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "pyro-gateway: no TARGET given")
		fs.Usage()
		return 2
	}
	opts := gateway.Options{
		Pyro3Methods: split(*methods), Pyro3Oneway: split(*oneway),
		Timeout: time.Duration(*timeout * float64(time.Second)),
	}
	var err error
	if opts.Str, err = gateway.ParseStrRule(*strRule); err != nil {
		fmt.Fprintf(stderr, "pyro-gateway: -str: %v\n", err)
		return 2
	}
	if opts.Text, err = gateway.ParseTextRule(*textRule); err != nil {
		fmt.Fprintf(stderr, "pyro-gateway: -text: %v\n", err)
		return 2
	}
	for _, m := range opts.Pyro3Oneway {
		if !contains(opts.Pyro3Methods, m) {
			opts.Pyro3Methods = append(opts.Pyro3Methods, m)
		}
	}

	d, err := core.NewDaemon(core.DaemonOptions{Host: *host, Port: *port, NoRange: true, Generations: core.Pyro3 | core.Pyro5,
		TransientsCleanupAge: time.Duration(*reap * float64(time.Second))})
	if err != nil {
		fmt.Fprintf(stderr, "pyro-gateway: %v\n", err)
		return 1
	}
	gw := gateway.New(d, opts)
	served := make(chan error, 1)
	go func() { served <- d.Serve(ctx) }()
	s := &state{gw: gw, out: stdout, errs: stderr, names: map[string]*named{}}
	defer func() {
		s.unregisterAll()
		gw.Close()
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		d.Shutdown(sctx)
	}()

	var names []string
	for _, t := range fs.Args() {
		if !isURI(t) {
			names = append(names, t)
			continue
		}
		u, err := compat.ParseURI(t)
		if err == nil {
			var f *gateway.Forwarder
			if f, err = gw.Forward(ctx, u); err == nil {
				fmt.Fprintf(stdout, "forwarding %s as %s\n", u, f.URI())
				continue
			}
		}
		fmt.Fprintf(stderr, "pyro-gateway: %s: %v\n", t, err)
		return 1
	}
	if len(names) > 0 {
		if s.ns3, err = locate3(ctx, *ns3); err != nil {
			fmt.Fprintf(stderr, "pyro-gateway: cannot find the Pyro 3 name server: %v\n", err)
			return 1
		}
		defer s.ns3.Close()
		if *ns5 != "" {
			if s.ns5, err = newNS5(*ns5); err != nil {
				fmt.Fprintf(stderr, "pyro-gateway: -ns5: %v\n", err)
				return 1
			}
			defer s.ns5.Close()
		}
		for _, n := range names {
			if isPattern(n) {
				s.patterns = append(s.patterns, n)
			} else {
				s.names[n] = &named{}
			}
		}
		s.follow(ctx)
	}
	fmt.Fprintf(stdout, "gateway running on %s\n", net.JoinHostPort(d.Host(), strconv.Itoa(d.Port())))
	if len(names) == 0 || *poll <= 0 {
		select {
		case <-ctx.Done():
		case <-served:
		}
		return 0
	}
	tick := time.NewTicker(time.Duration(*poll * float64(time.Second)))
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return 0
		case <-served:
			return 0
		case <-tick.C:
			s.follow(ctx)
		}
	}
}

func split(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// isURI tells a URI target from a name.
func isURI(s string) bool {
	return strings.HasPrefix(s, "PYRO:") || strings.HasPrefix(s, "PYRO://") || strings.HasPrefix(s, "PYROLOC://") ||
		strings.HasPrefix(s, "PYROSSL://") || strings.HasPrefix(s, "PYROLOCSSL://")
}

// hostPort splits host[:port], port defaulting to def.
func hostPort(s string, def int) (string, int, error) {
	host, p, err := net.SplitHostPort(s)
	if err != nil {
		return s, def, nil
	}
	port, err := strconv.Atoi(p)
	if err != nil || port <= 0 || port > 65535 {
		return "", 0, fmt.Errorf("bad port in %q", s)
	}
	return host, port, nil
}

func locate3(ctx context.Context, addr string) (*ns.Client, error) {
	var opts ns.LocateOptions
	if addr != "" {
		host, port, err := hostPort(addr, 0)
		if err != nil {
			return nil, err
		}
		opts.Host, opts.Port = host, port
	}
	lctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return ns.Locate(lctx, opts)
}
