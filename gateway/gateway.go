package gateway

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/pickle"
)

// Options configure a Gateway.
type Options struct {
	// Str is the rule for Python 2 str values going to Python 3 peers.
	Str StrRule
	// Text is the rule for Python 3 str values going to Python 2 peers.
	Text TextRule
	// Pyro3Methods are the method names Pyro 5 clients see on the Pyro 3
	// objects the gateway forwards (targets and proxies passed through
	// it): a Pyro 5 proxy only calls the methods an object's metadata
	// lists, and Pyro 3 has no way to list them. A name the object lacks
	// raises its AttributeError when called.
	Pyro3Methods []string
	// Pyro3Oneway are the methods of Pyro 3 objects that Pyro 5 clients
	// call oneway (Pyro 5's @oneway, which Pyro 3 objects cannot declare).
	Pyro3Oneway []string
	// Timeout bounds each forwarded call, as Pyro's proxy timeout does; 0
	// leaves only the caller's own.
	Timeout time.Duration
}

// Gateway lets the clients of one Pyro generation call the objects of
// another: for each remote object it forwards to, it connects a forwarder
// to its daemon, which serves Pyro 3 and Pyro 5 on one port.
type Gateway struct {
	d    *core.Daemon
	opts Options

	mu       sync.Mutex
	byTarget map[string]*Forwarder // target URI (PYRO form) → its forwarder
	byGUID   map[string]*Forwarder
	closed   bool
}

// New returns a gateway whose forwarders d serves; d must serve both
// Pyro 3 and Pyro 5 (core.DaemonOptions.Generations 0 or Pyro3|Pyro5).
func New(d *core.Daemon, opts Options) *Gateway {
	return &Gateway{d: d, opts: opts, byTarget: map[string]*Forwarder{}, byGUID: map[string]*Forwarder{}}
}

// ErrClosed is returned for forwarding through a closed gateway.
var ErrClosed = errors.New("gateway: closed")

// Generation is the Pyro generation whose objects u addresses:
// core.Pyro5 for PYRO:id@host:port, core.Pyro3 for Pyro 3's URIs.
func Generation(u compat.URI) core.Generations {
	if u.Style == compat.Pyro5Style {
		return core.Pyro5
	}
	return core.Pyro3
}

// Forward returns the forwarder to the object at target (a PYRO URI of
// either generation, or a Pyro 3 PYROLOC URI), connecting one the first
// time. For a Pyro 5 target it reads the object's metadata now, so that
// an object that cannot be reached is an error here.
func (g *Gateway) Forward(ctx context.Context, target compat.URI) (*Forwarder, error) {
	f, err := g.forwarder(target, nil, true)
	if err != nil {
		return nil, err
	}
	if f.gen == core.Pyro5 {
		if _, err := f.metadata(ctx); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// forwarder returns the forwarder to target, connecting it if needed;
// md, if known, is a Pyro 5 target's metadata. A kept forwarder is
// connected with a name, so the daemon never reaps it; the others, made
// for proxies and URIs passed through the gateway, are transient, which
// a daemon with TransientsCleanupAge disconnects when they are not used.
func (g *Gateway) forwarder(target compat.URI, md *metadata, keep bool) (*Forwarder, error) {
	key := target.String()
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return nil, ErrClosed
	}
	if f, ok := g.byTarget[key]; ok {
		if keep && !f.kept {
			if _, err := g.d.ConnectWithGUID(context.Background(), f.object(), f.guid, keptName(target)); err != nil {
				return nil, err
			}
			f.kept = true
		}
		return f, nil
	}
	f := &Forwarder{g: g, target: target, gen: Generation(target), kept: keep}
	f.md.Store(md)
	var err error
	if f.conns, err = newConns(target, g.opts); err != nil {
		return nil, err
	}
	obj, name := f.object(), ""
	if keep {
		name = keptName(target)
	}
	if _, err := g.d.Connect(obj, name); err != nil {
		f.conns.close()
		return nil, fmt.Errorf("gateway: connect the forwarder to %s: %w", target, err)
	}
	uris, err := g.d.URIsFor(obj)
	if err != nil {
		f.conns.close()
		return nil, err
	}
	for _, u := range uris {
		if Generation(u) == core.Pyro3 {
			f.uri3 = u
		} else {
			f.uri5 = u
		}
	}
	if f.uri3.Protocol == "" || f.uri5.Protocol == "" {
		g.d.Disconnect(obj)
		f.conns.close()
		return nil, errors.New("gateway: the daemon must serve Pyro 3 and Pyro 5")
	}
	f.guid = f.uri3.ObjectID
	g.byTarget[key], g.byGUID[f.guid] = f, f
	return f, nil
}

// keptName is the name a kept forwarder is connected under (Pyro 3
// clients may use it in a PYROLOC URI).
func keptName(target compat.URI) string { return "gateway:" + target.String() }

// Local returns the forwarder u addresses, if it is one of this
// gateway's, else nil.
func (g *Gateway) Local(u compat.URI) *Forwarder {
	if u.Port != g.d.Port() {
		return nil
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.byGUID[u.ObjectID]
}

// reachable returns the URI a peer of generation to uses for the object
// at u: u itself for an object of that generation (also when u addresses
// a forwarder to one, which the peer then calls directly), else the URI
// of a forwarder to it. PYRONAME URIs are left as they are.
func (g *Gateway) reachable(ctx context.Context, to core.Generations, u compat.URI, md *metadata) (compat.URI, error) {
	if u.Protocol == "PYRONAME" {
		return u, nil
	}
	if f := g.Local(u); f != nil {
		if f.gen == to {
			return f.target, nil
		}
		return f.uriFor(to), nil
	}
	if Generation(u) == to {
		return u, nil
	}
	f, err := g.forwarder(u, md, false)
	if err != nil {
		return compat.URI{}, err
	}
	return f.uriFor(to), nil
}

// proxyValue is what a proxy to the object at u is for a peer of
// generation to: a Pyro 3 DynamicProxy, or Pyro 5's class dict of a
// Proxy (with the metadata of a forwarder to a Pyro 3 object, which
// the gateway knows and the peer could not ask Pyro 3 for).
func (g *Gateway) proxyValue(to core.Generations, u compat.URI) any {
	if to == core.Pyro3 {
		if u.Protocol == "PYRONAME" || Generation(u) == core.Pyro3 {
			return compat.NewDynamicProxy(u)
		}
		return u.String()
	}
	methods, oneway := pickle.Tuple{}, pickle.Tuple{}
	if f := g.Local(u); f != nil && f.gen == core.Pyro3 {
		methods, oneway = names(g.opts.Pyro3Methods), names(g.opts.Pyro3Oneway)
	}
	return map[string]any{
		"__class__": "Pyro5.client.Proxy",
		"state":     pickle.Tuple{u.String(), oneway, methods, pickle.Tuple{}, pickle.None{}, pickle.None{}},
	}
}

func names(s []string) pickle.Tuple {
	t := make(pickle.Tuple, len(s))
	for i, n := range slices.Sorted(slices.Values(s)) {
		t[i] = n
	}
	return t
}

// Forwarders returns the gateway's forwarders.
func (g *Gateway) Forwarders() []*Forwarder {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make([]*Forwarder, 0, len(g.byGUID))
	for _, f := range g.byGUID {
		out = append(out, f)
	}
	return out
}

// Remove disconnects the forwarder f and closes its connections.
func (g *Gateway) Remove(f *Forwarder) error {
	if !g.forget(f) {
		return nil
	}
	return g.d.Disconnect(f.guid)
}

// forget drops f from the gateway and closes its connections; it reports
// whether f was the gateway's.
func (g *Gateway) forget(f *Forwarder) bool {
	g.mu.Lock()
	if g.byGUID[f.guid] != f {
		g.mu.Unlock()
		return false
	}
	delete(g.byGUID, f.guid)
	delete(g.byTarget, f.target.String())
	g.mu.Unlock()
	f.conns.close()
	return true
}

// Close disconnects every forwarder; the daemon is left running.
func (g *Gateway) Close() error {
	g.mu.Lock()
	g.closed = true
	fs := make([]*Forwarder, 0, len(g.byGUID))
	for _, f := range g.byGUID {
		fs = append(fs, f)
	}
	g.mu.Unlock()
	var errs []error
	for _, f := range fs {
		if err := g.Remove(f); err != nil && !errors.Is(err, core.ErrNotRegistered) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Forwarder is a Go object connected to the gateway's daemon that
// forwards every call it receives to one remote object, its target, of
// the other generation.
type Forwarder struct {
	g      *Gateway
	target compat.URI
	gen    core.Generations // the target's
	conns  *conns
	guid   string
	uri3   compat.URI // PYRO://host:port/guid
	uri5   compat.URI // PYRO:guid@host:port
	kept   bool       // made by Forward (guarded by the gateway's mu)

	mdMu sync.Mutex               // held while the metadata is asked for
	md   atomic.Pointer[metadata] // a Pyro 5 target's, once known
}

// Connections returns the number of connections f has open to its
// target.
func (f *Forwarder) Connections() int { return f.conns.count() }

// Target returns the URI of the object f forwards to.
func (f *Forwarder) Target() compat.URI { return f.target }

// URI returns the URI by which the clients of the other generation than
// the target's reach the target through f.
func (f *Forwarder) URI() compat.URI {
	if f.gen == core.Pyro3 {
		return f.uri5
	}
	return f.uri3
}

func (f *Forwarder) uriFor(gen core.Generations) compat.URI {
	if gen == core.Pyro3 {
		return f.uri3
	}
	return f.uri5
}

// caller is the generation of the clients f serves: the other one.
func (f *Forwarder) caller() core.Generations {
	if f.gen == core.Pyro3 {
		return core.Pyro5
	}
	return core.Pyro3
}

// metadata is what a Pyro 5 daemon says about an object.
type metadata struct {
	methods, oneway map[string]bool
}

// metadata returns the target's Pyro 5 metadata, asking its daemon the
// first time (a failure is asked again on the next call).
func (f *Forwarder) metadata(ctx context.Context) (*metadata, error) {
	if md := f.md.Load(); md != nil {
		return md, nil
	}
	f.mdMu.Lock()
	defer f.mdMu.Unlock()
	if md := f.md.Load(); md != nil {
		return md, nil
	}
	d, err := core.NewProxy(compat.URI{Protocol: "PYRO", ObjectID: "Pyro.Daemon", Address: f.target.Address, Port: f.target.Port, Style: compat.Pyro5Style},
		core.WithTimeout(f.g.opts.Timeout))
	if err != nil {
		return nil, err
	}
	defer d.Close()
	v, err := d.Call(ctx, "get_metadata", f.target.ObjectID)
	if err != nil {
		return nil, fmt.Errorf("gateway: metadata of %s: %w", f.target, err)
	}
	dict, ok := v.(pickle.Dict)
	if !ok {
		return nil, fmt.Errorf("gateway: metadata of %s: got %s, want dict", f.target, pickle.PythonType(v))
	}
	methods, _ := dict.Get_("methods")
	oneway, _ := dict.Get_("oneway")
	mi, _ := pickle.Items(methods)
	oi, _ := pickle.Items(oneway)
	md := &metadata{methods: textSet(mi), oneway: textSet(oi)}
	f.md.Store(md)
	return md, nil
}

// Invoke forwards the call c to the target: the arguments translated for
// the target's generation, the result or exception translated back for
// the caller's.
func (f *Forwarder) Invoke(ctx context.Context, c *core.Call) (any, error) {
	args, err := f.g.translate(ctx, f.gen, pickle.Tuple(c.Args))
	if err != nil {
		return nil, f.g.translateError(ctx, f.caller(), err)
	}
	var kwargs map[string]any
	if len(c.Kwargs) > 0 {
		kwargs = make(map[string]any, len(c.Kwargs))
		for k, v := range c.Kwargs {
			if kwargs[k], err = f.g.translate(ctx, f.gen, v); err != nil {
				return nil, f.g.translateError(ctx, f.caller(), err)
			}
		}
	}
	res, err := f.call(ctx, c.Method, args.(pickle.Tuple), kwargs, c.Oneway)
	if err != nil {
		return nil, f.g.translateError(ctx, f.caller(), err)
	}
	if res, err = f.g.translate(ctx, f.caller(), res); err != nil {
		return nil, f.g.translateError(ctx, f.caller(), err)
	}
	return res, nil
}

// call makes the call on the client's connection to the target: Pyro 3's remote
// attribute requests become Pyro 5's and the reverse, and a method the
// Pyro 5 target declares oneway is called oneway.
func (f *Forwarder) call(ctx context.Context, method string, args []any, kwargs map[string]any, oneway bool) (any, error) {
	if f.gen == core.Pyro5 {
		md, err := f.metadata(ctx)
		if err != nil {
			return nil, err
		}
		switch {
		case method == "_r_ha" && len(args) == 1 && kwargs == nil:
			// Pyro 3 asks whether a name is a method (1) or not (2).
			if name, _ := pickle.Text(args[0]); md.methods[name] {
				return int64(1), nil
			}
			return int64(2), nil
		case md.oneway[method]:
			oneway = true
		}
	}
	r, err := f.conns.get(ctx)
	if err != nil {
		return nil, err
	}
	if f.gen == core.Pyro5 && kwargs == nil {
		switch {
		case method == "_r_ga" && len(args) == 1:
			if name, ok := pickle.Text(args[0]); ok {
				return r.GetAttr(ctx, name)
			}
		case method == "_r_sa" && len(args) == 2:
			if name, ok := pickle.Text(args[0]); ok {
				return nil, r.SetAttr(ctx, name, args[1])
			}
		}
	}
	if !oneway {
		return r.CallKw(ctx, method, args, kwargs)
	}
	if kwargs == nil {
		return nil, r.Oneway(ctx, method, args...)
	}
	// A oneway call with keywords, which the proxy sends only for methods
	// it marks oneway: made on its own, the caller not waiting.
	go r.CallKw(context.WithoutCancel(ctx), method, args, kwargs)
	return nil, nil
}

// object is what f is connected to the daemon as.
func (f *Forwarder) object() core.Invoker {
	if f.gen == core.Pyro3 {
		return to5{f}
	}
	return to3{f}
}

// Reaped forgets a forwarder the daemon disconnected for not being used.
func (f to5) Reaped() { f.g.forget(f.Forwarder) }

// Reaped forgets a forwarder the daemon disconnected for not being used.
func (f to3) Reaped() { f.g.forget(f.Forwarder) }

// to5 is a forwarder to a Pyro 3 object, for Pyro 5 clients: its
// metadata lists the methods of Options.Pyro3Methods.
type to5 struct{ *Forwarder }

func (f to5) PyroAttrs() core.Attrs {
	return core.Attrs{Class: "Forwarder", Methods: f.g.opts.Pyro3Methods}
}

func (f to5) PyroOneway() []string { return f.g.opts.Pyro3Oneway }

// to3 is a forwarder to a Pyro 5 object, for Pyro 3 clients: it gets
// their remote attribute requests too.
type to3 struct{ *Forwarder }
