package core

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/gopyro/gopyro/compat"
)

// Registrar registers the names of a Daemon's objects with a name server;
// ns.Client implements it.
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

// DefaultResolver returns the Resolver set with SetDefaultResolver. Without
// one, resolving a PYRONAME URI fails with ErrNoResolver: importing package
// ns installs Pyro's (the name server named in the URI, else the one found
// with PYRO_NS_HOSTNAME or broadcast).
func DefaultResolver() Resolver {
	if r := defaultResolver.Load(); r != nil {
		return *r
	}
	return ResolverFunc(func(_ context.Context, uri compat.URI) (compat.URI, error) {
		return compat.URI{}, fmt.Errorf("%w: %s", ErrNoResolver, uri)
	})
}
