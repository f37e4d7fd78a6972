package mobile

import (
	"context"
	"errors"
	"fmt"
	"net"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/pickle"
)

// Caller is the part of a proxy (*core.Proxy) a Supplier uses to upload
// code: a plain (flags 0) call, as Pyro sends remote_supply_code.
type Caller interface {
	CallPositional(ctx context.Context, method string, args ...any) (any, error)
}

// DefaultMaxSupplies bounds the uploads of one call (nested imports).
const DefaultMaxSupplies = 32

// Supplier makes Go calls to a Python Pyro server with mobile code enabled
// succeed when the server lacks the module of an object we send: the server
// then answers Pyro.errors._InternalNoModuleError (on the same connection),
// the Supplier uploads the module from Repo with remote_supply_code(name,
// code, (ip, port)) — again for every module the server's import of it
// needs — and repeats the call, as Pyro's PYROAdapter does for Python
// clients.
type Supplier struct {
	Repo *Repository
	// SourceAddr is the (ip, port) sent with the code, Pyro's
	// getsockname() of the client connection: the server passes it to its
	// code validator. nil uses the proxy's LocalAddr() when it has one (a
	// *core.Proxy does), else sends ("0.0.0.0", 0).
	SourceAddr func() net.Addr
	// MaxSupplies bounds the uploads made for one call; 0 means
	// DefaultMaxSupplies.
	MaxSupplies int
}

// ErrLoop reports a server that asked again for a module it was given.
var ErrLoop = errors.New("mobile: the server asked again for a module it was supplied")

// Call runs call and, while it fails with _InternalNoModuleError, supplies
// the missing module through p and runs call again. p must reach the same
// remote object as call (usually call is a method call on p). A module the
// repository lacks gives Pyro's PyroError('Server wanted a non-existing
// module', name); a refused upload the server's PyroError ('attempt to
// supply code denied').
func (s *Supplier) Call(ctx context.Context, p Caller, call func(ctx context.Context) (any, error)) (any, error) {
	supplied := map[string]bool{}
	for {
		res, err := call(ctx)
		var nm *compat.InternalNoModuleError
		if !errors.As(err, &nm) {
			return res, err
		}
		if err := s.supply(ctx, p, nm.ModuleName(), supplied); err != nil {
			return nil, err
		}
	}
}

// CallMethod is Call for a call of method on the proxy p itself.
func (s *Supplier) CallMethod(ctx context.Context, p interface {
	Caller
	Call(ctx context.Context, method string, args ...any) (any, error)
}, method string, args ...any) (any, error) {
	return s.Call(ctx, p, func(ctx context.Context) (any, error) { return p.Call(ctx, method, args...) })
}

// supply uploads module name, and first (on the server's request) every
// module its execution imports.
func (s *Supplier) supply(ctx context.Context, p Caller, name string, supplied map[string]bool) error {
	if supplied[name] {
		return fmt.Errorf("%w: %s", ErrLoop, name)
	}
	max := s.MaxSupplies
	if max <= 0 {
		max = DefaultMaxSupplies
	}
	if len(supplied) >= max {
		return fmt.Errorf("mobile: more than %d modules requested by the server", max)
	}
	supplied[name] = true
	var code []byte
	var err error
	if s.Repo != nil {
		code, err = s.Repo.Code(name)
	} else {
		err = ErrNoModule
	}
	if err != nil {
		return errors.Join(compat.NewPyroError("Server wanted a non-existing module", pickle.ByteString(name)), err)
	}
	host, port := "0.0.0.0", 0
	source := s.SourceAddr
	if la, ok := p.(interface{ LocalAddr() net.Addr }); ok && source == nil {
		source = la.LocalAddr
	}
	if source != nil {
		if a, ok := source().(*net.TCPAddr); ok && a != nil {
			host, port = a.IP.String(), a.Port
		}
	}
	for {
		_, err := p.CallPositional(ctx, "remote_supply_code", pickle.ByteString(name), pickle.ByteString(code),
			pickle.Tuple{pickle.ByteString(host), int64(port)})
		var nm *compat.InternalNoModuleError
		if !errors.As(err, &nm) {
			return err
		}
		// Executing the module needs another one first.
		if err := s.supply(ctx, p, nm.ModuleName(), supplied); err != nil {
			return err
		}
	}
}
