package gateway

import (
	"context"

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

// pool holds a forwarder's connections to its target: a call takes one
// that is free, waiting (as long as its context lets it) when all are in
// use. Proxies connect lazily, so a pool costs nothing until used.
type pool struct {
	all  []remote
	idle chan remote
}

func newPool(target compat.URI, opts Options) (*pool, error) {
	var popts []core.ProxyOption
	if opts.Timeout > 0 {
		popts = append(popts, core.WithTimeout(opts.Timeout))
	}
	first, err := core.NewProxy(target, popts...)
	if err != nil {
		return nil, err
	}
	p := &pool{all: make([]remote, opts.Connections), idle: make(chan remote, opts.Connections)}
	p.all[0] = first
	for i := 1; i < len(p.all); i++ {
		p.all[i] = first.Clone()
	}
	for _, r := range p.all {
		p.idle <- r
	}
	return p, nil
}

func (p *pool) get(ctx context.Context) (remote, error) {
	select {
	case r := <-p.idle:
		return r, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (p *pool) put(r remote) { p.idle <- r }

// close closes every connection; calls in progress fail, and later ones
// get core.ErrClosed.
func (p *pool) close() {
	for _, r := range p.all {
		r.Close()
	}
}
