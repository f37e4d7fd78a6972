package core

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/config"
	"github.com/gopyro/gopyro/pickle"
)

// Registrar registers the names of a Daemon's objects with a name server.
// NSRegistrar implements it for a Pyro 3 Name Server; package ns provides
// more.
type Registrar interface {
	Register(ctx context.Context, name string, uri compat.URI) error
	Unregister(ctx context.Context, name string) error
	Resolve(ctx context.Context, name string) (compat.URI, error)
}

// Resolver turns a PYRONAME URI into the PYRO URI of the object.
type Resolver interface {
	Resolve(ctx context.Context, uri compat.URI) (compat.URI, error)
}

// ResolverFunc adapts a function to the Resolver interface.
type ResolverFunc func(ctx context.Context, uri compat.URI) (compat.URI, error)

// Resolve calls f(ctx, uri).
func (f ResolverFunc) Resolve(ctx context.Context, uri compat.URI) (compat.URI, error) {
	return f(ctx, uri)
}

var defaultResolver atomic.Pointer[Resolver]

// SetDefaultResolver sets the Resolver proxies use for PYRONAME URIs
// (package ns installs one that can find the Name Server by broadcast).
// nil restores the built-in one.
func SetDefaultResolver(r Resolver) {
	if r == nil {
		defaultResolver.Store(nil)
		return
	}
	defaultResolver.Store(&r)
}

// DefaultResolver returns the Resolver set with SetDefaultResolver, or the
// built-in one: PYRONAME://host[:port]/name asks the Name Server at
// host:port (port PYRO_NS_PORT when absent); without a host it uses
// PYRO_NS_HOSTNAME, and fails with ErrNoResolver if that is not set.
func DefaultResolver() Resolver {
	if r := defaultResolver.Load(); r != nil {
		return *r
	}
	return ResolverFunc(directResolve)
}

var nsCache sync.Map // "host:port" → *NSRegistrar

func directResolve(ctx context.Context, uri compat.URI) (compat.URI, error) {
	host, port := uri.Address, uri.Port
	if host == "" {
		host = config.Current().NSHostname
		if host == "" {
			return compat.URI{}, fmt.Errorf("%w: %s", ErrNoResolver, uri)
		}
	}
	if port == 0 {
		port = config.Current().NSPort
	}
	key := fmt.Sprintf("%s:%d", host, port)
	ns, ok := nsCache.Load(key)
	if !ok {
		ns, _ = nsCache.LoadOrStore(key, NewNSRegistrar(host, port))
	}
	return ns.(*NSRegistrar).Resolve(ctx, uri.ObjectID)
}

// NSRegistrar talks to a Pyro 3 Name Server the way Pyro's NameServerProxy
// does: plain calls (request flags 0) of register(name, uri),
// unregister(name) and resolve(name), with names not starting with ':'
// expanded with the default group (PYRO_NS_DEFAULTGROUP). It implements
// Registrar and is safe for concurrent use.
type NSRegistrar struct {
	p     *Proxy
	group string
}

// NSObjectName is the name under which a Name Server's daemon knows it.
const NSObjectName = ":Pyro.NameServer"

// NewNSRegistrar returns a registrar for the Name Server at host:port
// (port 0 = PYRO_NS_PORT), reached as PYROLOC://host:port/:Pyro.NameServer.
func NewNSRegistrar(host string, port int, opts ...ProxyOption) *NSRegistrar {
	if port == 0 {
		port = config.Current().NSPort
	}
	p, _ := NewProxy(compat.URI{Protocol: "PYROLOC", Address: host, Port: port, ObjectID: NSObjectName}, opts...)
	return &NSRegistrar{p: p, group: config.Current().NSDefaultGroup}
}

// NewNSRegistrarProxy returns a registrar that uses p to reach the Name
// Server.
func NewNSRegistrarProxy(p *Proxy) *NSRegistrar {
	return &NSRegistrar{p: p, group: config.Current().NSDefaultGroup}
}

// Proxy returns the proxy the registrar calls the Name Server with.
func (r *NSRegistrar) Proxy() *Proxy { return r.p }

// ExpandName applies Pyro's default-group rule: absolute names (":a.b")
// stay, others get the default group prepended (":Default.name"); "" is the
// default group itself.
func (r *NSRegistrar) ExpandName(name string) string {
	switch {
	case name == "":
		return r.group
	case strings.HasPrefix(name, ":"):
		return name
	}
	return r.group + "." + name
}

// call makes a plain call and, like Pyro's NameServerProxy, retries it once
// on a new connection when the connection failed (the Name Server drops
// connections idle for 20 s).
func (r *NSRegistrar) call(ctx context.Context, method string, args ...any) (any, error) {
	res, err := r.p.CallFlags0(ctx, method, args...)
	var ce *CommError
	if errors.As(err, &ce) && ctx.Err() == nil {
		res, err = r.p.CallFlags0(ctx, method, args...)
	}
	return res, err
}

// Register registers uri under name.
func (r *NSRegistrar) Register(ctx context.Context, name string, uri compat.URI) error {
	_, err := r.call(ctx, "register", pickle.ByteString(r.ExpandName(name)), uri)
	return err
}

// Unregister removes name.
func (r *NSRegistrar) Unregister(ctx context.Context, name string) error {
	_, err := r.call(ctx, "unregister", pickle.ByteString(r.ExpandName(name)))
	return err
}

// Resolve returns the URI registered under name.
func (r *NSRegistrar) Resolve(ctx context.Context, name string) (compat.URI, error) {
	res, err := r.call(ctx, "resolve", pickle.ByteString(r.ExpandName(name)))
	if err != nil {
		return compat.URI{}, err
	}
	u, ok := res.(compat.URI)
	if !ok {
		return compat.URI{}, compat.NewNamingError(fmt.Sprintf("resolve returned %s, not a PyroURI", pickle.PythonType(res)))
	}
	return u, nil
}
