package gateway

import (
	"context"
	"runtime"
	"sync"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/core"
)

// remote is what a forwarder needs of a proxy to its target: the calls of
// core.Proxy, which serialises calls on one connection, connects on first
// use and reconnects on the call after a broken connection.
type remote interface {
	CallKw(ctx context.Context, method string, args []any, kwargs map[string]any) (any, error)
	Oneway(ctx context.Context, method string, args ...any) error
	GetAttr(ctx context.Context, name string) (any, error)
	SetAttr(ctx context.Context, name string, value any) error
	Close() error
}

// conns holds a forwarder's connections to its target: one for each
// client connection, as each Pyro client has its own, so that a Pyro 5
// object in instance mode "session" is the client's own and a client's
// calls arrive in order. A client's connection to the target is made on
// its first call and closed once the client's connection is gone (when
// the garbage collector finds its core.Caller unreachable).
type conns struct {
	proto  *core.Proxy // the settings; never connected
	shared remote      // for calls that come with no Caller

	mu     sync.Mutex
	open   map[remote]struct{}
	closed bool
}

// connKey keys a forwarder's connection in a Caller's connection-local
// storage.
type connKey struct{ c *conns }

func newConns(target compat.URI, opts Options) (*conns, error) {
	var popts []core.ProxyOption
	if opts.Timeout > 0 {
		popts = append(popts, core.WithTimeout(opts.Timeout))
	}
	proto, err := core.NewProxy(target, popts...)
	if err != nil {
		return nil, err
	}
	c := &conns{proto: proto, open: map[remote]struct{}{}}
	c.shared = proto.Clone()
	return c, nil
}

// get returns the connection of the client whose call ctx is.
func (c *conns) get(ctx context.Context) (remote, error) {
	caller, ok := core.CallerFromContext(ctx)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, ErrClosed
	}
	if !ok {
		return c.shared, nil
	}
	key := connKey{c}
	if r, ok := caller.Value(key).(remote); ok {
		return r, nil
	}
	r := remote(c.proto.Clone())
	c.open[r] = struct{}{}
	caller.SetValue(key, r)
	runtime.AddCleanup(caller, c.drop, r)
	return r, nil
}

// drop closes the connection of a client that is gone.
func (c *conns) drop(r remote) {
	c.mu.Lock()
	delete(c.open, r)
	c.mu.Unlock()
	r.Close()
}

// close closes every connection; calls in progress fail, and later ones
// get ErrClosed.
func (c *conns) close() {
	c.mu.Lock()
	c.closed = true
	open := c.open
	c.open = map[remote]struct{}{}
	c.mu.Unlock()
	for r := range open {
		r.Close()
	}
	c.shared.Close()
}

// count returns the number of clients' connections open.
func (c *conns) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.open)
}
