package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"time"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/gateway"
	"github.com/gopyro/gopyro/ns"
	"github.com/gopyro/gopyro/pickle"
)

// registry3 is what the gateway needs of the Pyro 3 name server.
type registry3 interface {
	Resolve(ctx context.Context, name string) (compat.URI, error)
	Register(ctx context.Context, name string, uri compat.URI) error
	Unregister(ctx context.Context, name string) error
	CreateGroup(ctx context.Context, name string) error
}

var _ registry3 = (*ns.Client)(nil)

// ns5 is a client of a Pyro 5 name server (Pyro5.nameserver's API:
// lookup, register, remove), Python's or any that speaks it.
type ns5 struct{ p *core.Proxy }

func newNS5(addr string) (*ns5, error) {
	host, port, err := hostPort(addr, 9090)
	if err != nil {
		return nil, err
	}
	p, err := core.NewProxy(compat.URI{Protocol: "PYRO", ObjectID: "Pyro.NameServer", Address: host, Port: port, Style: compat.Pyro5Style},
		core.WithTimeout(10*time.Second))
	if err != nil {
		return nil, err
	}
	return &ns5{p: p}, nil
}

func (n *ns5) Close() error { return n.p.Close() }

// errUnknownName is a lookup of a name the name server does not have.
var errUnknownName = errors.New("unknown name")

// lookup returns the URI registered under name.
func (n *ns5) lookup(ctx context.Context, name string) (compat.URI, error) {
	v, err := n.p.Call(ctx, "lookup", name)
	if err != nil {
		var ex *compat.Exception
		if errors.As(err, &ex) && ex.Class.Name == "NamingError" {
			return compat.URI{}, errUnknownName
		}
		return compat.URI{}, err
	}
	if s, ok := pickle.Text(v); ok {
		return compat.ParseURI(s)
	}
	if d, ok := v.(pickle.Dict); ok {
		st, _ := d.Get_("state")
		if items, _ := pickle.Items(st); len(items) == 5 {
			obj, _ := pickle.Text(items[1])
			host, _ := pickle.Text(items[3])
			port, _ := items[4].(int64)
			return compat.URI{Protocol: "PYRO", ObjectID: obj, Address: host, Port: int(port), Style: compat.Pyro5Style}, nil
		}
	}
	return compat.URI{}, fmt.Errorf("lookup of %q gave a %s", name, pickle.PythonType(v))
}

func (n *ns5) register(ctx context.Context, name string, u compat.URI) error {
	_, err := n.p.Call(ctx, "register", name, u.String())
	return err
}

// list returns the names the name server has.
func (n *ns5) list(ctx context.Context) ([]string, error) {
	v, err := n.p.Call(ctx, "list")
	if err != nil {
		return nil, err
	}
	d, ok := v.(pickle.Dict)
	if !ok {
		return nil, fmt.Errorf("list gave a %s", pickle.PythonType(v))
	}
	var names []string
	for k := range pickle.DictItems(d) {
		if name, ok := pickle.Text(k); ok {
			names = append(names, name)
		}
	}
	return names, nil
}

func (n *ns5) remove(ctx context.Context, name string) error {
	_, err := n.p.Call(ctx, "remove", name)
	return err
}

// name5 is the Pyro 5 name of a Pyro 3 name: without the leading colon
// and the default group.
func name5(name string) string {
	if s, ok := strings.CutPrefix(name, ":"); ok {
		name = strings.TrimPrefix(s, "Default.")
	}
	return name
}

// named is the state of one named target.
type named struct {
	target compat.URI         // the object the name leads to
	fwd    *gateway.Forwarder // the forwarder to it
	reg3   bool               // the forwarder is registered in the Pyro 3 name server
	reg5   bool               // ... in the Pyro 5 one
}

type state struct {
	gw        *gateway.Gateway
	ns3       *ns.Client
	ns5       *ns5
	out, errs io.Writer
	names     map[string]*named // by the name in Pyro 3's form, as given or found
	patterns  []string
}

// nameServerName is the name server's own name, which is not forwarded.
const nameServerName = "Pyro.NameServer"

// isPattern tells a pattern from a name: it has a wildcard of path.Match.
func isPattern(s string) bool { return strings.ContainsAny(s, "*?[") }

// matches reports whether the Pyro 3 name full (as the name server
// lists it) matches one of the patterns: a pattern with a leading colon
// is matched against the Pyro 3 name, others against the Pyro 5 name.
func (s *state) matches(full string) bool {
	for _, p := range s.patterns {
		subject := name5(full)
		if strings.HasPrefix(p, ":") {
			subject = full
		}
		if ok, _ := path.Match(p, subject); ok {
			return true
		}
	}
	return false
}

// expand adds the names of both name servers that match a pattern.
func (s *state) expand(ctx context.Context) {
	known := map[string]bool{}
	for name := range s.names {
		if full, err := s.ns3.FullName(name); err == nil {
			known[full] = true
		}
	}
	add := func(name string) {
		full, err := s.ns3.FullName(name)
		if err != nil || known[full] || name5(full) == nameServerName || !s.matches(full) {
			return
		}
		known[full] = true
		s.names[full] = &named{}
	}
	bindings, err := s.ns3.Flatlist(ctx)
	if err != nil {
		fmt.Fprintf(s.errs, "pyro-gateway: Pyro 3 name server: %v\n", err)
	}
	for _, b := range bindings {
		add(b.Name)
	}
	if s.ns5 == nil {
		return
	}
	names, err := s.ns5.list(ctx)
	if err != nil {
		fmt.Fprintf(s.errs, "pyro-gateway: Pyro 5 name server: %v\n", err)
	}
	for _, n := range names {
		add(n)
	}
}

// follow looks every name up again and forwards, registers or removes
// as its objects came, moved or went.
func (s *state) follow(ctx context.Context) {
	if len(s.patterns) > 0 {
		s.expand(ctx)
	}
	for name, nm := range s.names {
		s.followName(ctx, name, nm)
	}
}

func (s *state) followName(ctx context.Context, name string, nm *named) {
	u3, ok3, err := s.lookup3(ctx, name)
	if err != nil {
		fmt.Fprintf(s.errs, "pyro-gateway: %s: Pyro 3 name server: %v\n", name, err)
		return
	}
	var u5 compat.URI
	ok5 := false
	if s.ns5 != nil {
		if u5, ok5, err = s.lookup5(ctx, name); err != nil {
			fmt.Fprintf(s.errs, "pyro-gateway: %s: Pyro 5 name server: %v\n", name, err)
			return
		}
	}
	switch {
	case ok3 && ok5:
		// Each generation has its own object: nothing to forward.
		s.drop(ctx, name, nm)
	case ok3:
		s.expose(ctx, name, nm, u3)
	case ok5:
		s.expose(ctx, name, nm, u5)
	case nm.fwd != nil:
		fmt.Fprintf(s.out, "%s is gone\n", name)
		s.drop(ctx, name, nm)
	}
}

// lookup3 resolves name in the Pyro 3 name server, not counting the
// registrations of the gateway's forwarders.
func (s *state) lookup3(ctx context.Context, name string) (compat.URI, bool, error) {
	u, err := s.ns3.Resolve(ctx, name)
	var ne *compat.NamingError
	switch {
	case errors.As(err, &ne):
		return compat.URI{}, false, nil
	case err != nil:
		return compat.URI{}, false, err
	case s.gw.Local(u) != nil:
		// a forwarder, registered by this gateway
		return compat.URI{}, false, nil
	}
	return u, true, nil
}

func (s *state) lookup5(ctx context.Context, name string) (compat.URI, bool, error) {
	u, err := s.ns5.lookup(ctx, name5(name))
	switch {
	case errors.Is(err, errUnknownName):
		return compat.URI{}, false, nil
	case err != nil:
		return compat.URI{}, false, err
	case s.gw.Local(u) != nil:
		return compat.URI{}, false, nil
	}
	return u, true, nil
}

// expose forwards to the object at u found under name and registers the
// forwarder in the other generation's name server.
func (s *state) expose(ctx context.Context, name string, nm *named, u compat.URI) {
	if nm.fwd != nil && nm.target == u {
		return
	}
	s.drop(ctx, name, nm)
	f, err := s.gw.Forward(ctx, u)
	if err != nil {
		fmt.Fprintf(s.errs, "pyro-gateway: %s: %v\n", name, err)
		return
	}
	nm.target, nm.fwd = u, f
	fmt.Fprintf(s.out, "forwarding %s (%s) as %s\n", name, u, f.URI())
	if gateway.Generation(u) == core.Pyro3 {
		if s.ns5 == nil {
			return
		}
		if err := s.ns5.register(ctx, name5(name), f.URI()); err != nil {
			fmt.Fprintf(s.errs, "pyro-gateway: %s: cannot register in the Pyro 5 name server: %v\n", name, err)
			return
		}
		nm.reg5 = true
		fmt.Fprintf(s.out, "registered %s in the Pyro 5 name server\n", name5(name))
		return
	}
	if err := s.register3(ctx, name, f.URI()); err != nil {
		fmt.Fprintf(s.errs, "pyro-gateway: %s: cannot register in the Pyro 3 name server: %v\n", name, err)
		return
	}
	nm.reg3 = true
	fmt.Fprintf(s.out, "registered %s in the Pyro 3 name server\n", name)
}

// register3 registers name, creating the groups it is in as Pyro 3's
// name server needs them.
func (s *state) register3(ctx context.Context, name string, u compat.URI) error {
	full, err := s.ns3.FullName(name)
	if err != nil {
		return err
	}
	parts := strings.Split(strings.TrimPrefix(full, ":"), ".")
	for i := 1; i < len(parts); i++ {
		// An existing group is a NamingError, which is fine.
		s.ns3.CreateGroup(ctx, ":"+strings.Join(parts[:i], "."))
	}
	return s.ns3.Register(ctx, name, u)
}

// drop removes the gateway's registrations of name and its forwarder.
func (s *state) drop(ctx context.Context, name string, nm *named) {
	if nm.reg3 {
		if err := s.ns3.Unregister(ctx, name); err != nil {
			fmt.Fprintf(s.errs, "pyro-gateway: %s: cannot unregister from the Pyro 3 name server: %v\n", name, err)
		}
	}
	if nm.reg5 {
		if err := s.ns5.remove(ctx, name5(name)); err != nil {
			fmt.Fprintf(s.errs, "pyro-gateway: %s: cannot remove from the Pyro 5 name server: %v\n", name, err)
		}
	}
	if nm.fwd != nil {
		s.gw.Remove(nm.fwd)
	}
	*nm = named{}
}

// unregisterAll removes every registration the gateway made.
func (s *state) unregisterAll() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for name, nm := range s.names {
		s.drop(ctx, name, nm)
	}
}
