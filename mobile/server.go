package mobile

import (
	"context"
	"errors"
	"net"
	"slices"
	"strconv"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/pickle"
)

// CodeValidator decides whether module code may travel, Pyro's
// codeValidator: for a download (remote_retrieve_code) it is called with
// code nil and addr nil, for an upload (remote_supply_code) with the code and
// the address of the client's connection. It returns true to allow.
type CodeValidator func(name string, code []byte, addr net.Addr) bool

// Pyro's texts of mobile-code refusals (Pyro/core.py, ObjBase).
const (
	retrieveDenied   = "attempt to retrieve code denied"
	supplyDenied     = "attempt to supply code denied"
	nonExisting      = "Client wanted a non-existing module"
	cannotReadSource = "cannot read module source code"
)

// Code answers Pyro's two mobile-code methods for a served object, the
// role of Pyro's ObjBase.remote_retrieve_code and remote_supply_code. Embed
// it (by value or pointer) in a Go type connected to a core.Daemon: its
// methods RemoteRetrieveCode and RemoteSupplyCode are then reachable as
// remote_retrieve_code and remote_supply_code. For an object that is a
// core.Invoker, use Wrap instead.
//
// The zero Code refuses everything, like a Pyro server without
// PYRO_MOBILE_CODE.
//
// Its fields are no remote attributes of the object it is embedded in:
// clients must not read or change what the server allows.
type Code struct {
	// Repo serves downloads and stores uploads; nil refuses both.
	Repo *Repository `pyro:"-"`
	// Validator, if set, must allow every download and upload (Pyro's
	// default validator allows everything).
	Validator CodeValidator `pyro:"-"`
	// AcceptUploads stores the code Python clients supply in Repo (memory
	// only), so that other Python clients can download it later; Go never
	// runs it. Without it every upload is refused ('attempt to supply code
	// denied').
	AcceptUploads bool `pyro:"-"`
	// Collect, if set (it needs AcceptUploads and works through Wrap), makes
	// the object ask a Python client for the code of every module of the
	// call's arguments that Collect returns true for and Repo lacks: the
	// call is answered with _InternalNoModuleError, as a Python server
	// that cannot unpickle the request does, so the client uploads the
	// module (remote_supply_code) and sends the call again. A Go server
	// that passes such objects on to other Python servers can then supply
	// their code (with a Supplier on the same Repo), like Pyro's
	// testmobile/passon. Only ask for modules the client can read: never
	// the standard library's.
	Collect func(module string) bool `pyro:"-"`
}

// RemoteRetrieveCode returns the code of module name for a Python client
// that could not unpickle a reply, or a Pyro.errors.PyroError: 'attempt to
// retrieve code denied' when refused, ('Client wanted a non-existing module',
// name) when the repository lacks it.
func (m *Code) RemoteRetrieveCode(name string) ([]byte, error) {
	if m.Repo == nil || (m.Validator != nil && !m.Validator(name, nil, nil)) {
		return nil, compat.NewPyroError(retrieveDenied)
	}
	code, err := m.Repo.Code(name)
	switch {
	case errors.Is(err, ErrNoModule), errors.Is(err, ErrBadName):
		return nil, compat.NewPyroError(nonExisting, pickle.ByteString(name))
	case err != nil:
		return nil, compat.NewPyroError(cannotReadSource)
	}
	return code, nil
}

// RemoteSupplyCode stores code a Python client uploads for module name when
// uploads are accepted and the validator allows it (given the address of
// the caller's connection, or the (ip, port) the client sent when the call
// did not come through a core.Daemon); otherwise it returns
// Pyro.errors.PyroError('attempt to supply code denied').
func (m *Code) RemoteSupplyCode(ctx context.Context, name string, code []byte, sourceAddr any) error {
	var addr net.Addr
	if c, ok := core.CallerFromContext(ctx); ok {
		addr = c.RemoteAddr
	} else {
		addr = tupleAddr(sourceAddr)
	}
	if m.Repo == nil || !m.AcceptUploads || (m.Validator != nil && !m.Validator(name, code, addr)) {
		return compat.NewPyroError(supplyDenied)
	}
	if _, err := m.Repo.Add(name, code); err != nil {
		return compat.NewPyroError(supplyDenied)
	}
	return nil
}

// tupleAddr converts Python's (ip, port) socket address into a net.Addr.
func tupleAddr(v any) net.Addr {
	t, ok := v.(pickle.Tuple)
	if !ok || len(t) != 2 {
		return nil
	}
	var host string
	switch h := t[0].(type) {
	case pickle.ByteString:
		host = string(h)
	case string:
		host = h
	default:
		return nil
	}
	port, ok := t[1].(int64)
	if !ok {
		return nil
	}
	a, err := net.ResolveTCPAddr("tcp", net.JoinHostPort(host, strconv.FormatInt(port, 10)))
	if err != nil {
		return nil
	}
	return a
}

// Wrap returns an Invoker that answers remote_retrieve_code and
// remote_supply_code with m and passes every other call to inv. When inv is
// a core.AttrInvoker, so is the result, with the two methods added to inv's,
// and attribute proxies work on it; otherwise inv receives the attribute
// requests.
func Wrap(inv core.Invoker, m *Code) core.Invoker {
	w := wrap(inv, m)
	if ai, ok := inv.(core.AttrInvoker); ok {
		a := ai.PyroAttrs()
		a.Methods = append(slices.Clip(a.Methods), "remote_retrieve_code", "remote_supply_code")
		return core.InvokerWithAttrs(w, a)
	}
	return w
}

func wrap(inv core.Invoker, m *Code) core.Invoker {
	return core.InvokerFunc(func(ctx context.Context, c *core.Call) (any, error) {
		switch c.Method {
		case "remote_retrieve_code":
			if len(c.Args) != 1 || len(c.Kwargs) != 0 {
				return nil, compat.TypeError("remote_retrieve_code() takes exactly 2 arguments (" + strconv.Itoa(len(c.Args)+1) + " given)")
			}
			name, ok := str(c.Args[0])
			if !ok {
				return nil, compat.NewPyroError(retrieveDenied)
			}
			code, err := m.RemoteRetrieveCode(name)
			if err != nil {
				return nil, err
			}
			return pickle.ByteString(code), nil
		case "remote_supply_code":
			if len(c.Args) != 3 || len(c.Kwargs) != 0 {
				return nil, compat.TypeError("remote_supply_code() takes exactly 4 arguments (" + strconv.Itoa(len(c.Args)+1) + " given)")
			}
			name, ok1 := str(c.Args[0])
			code, ok2 := str(c.Args[1])
			if !ok1 || !ok2 {
				return nil, compat.NewPyroError(supplyDenied)
			}
			return nil, m.RemoteSupplyCode(ctx, name, []byte(code), c.Args[2])
		}
		if m.Collect != nil && m.Repo != nil && m.AcceptUploads {
			if module := m.missing(c); module != "" {
				return nil, compat.NewInternalNoModuleError(module, nil)
			}
		}
		return inv.Invoke(ctx, c)
	})
}

// maxCollectNodes bounds the values Collect looks at in one call (shared
// substructures are visited again each time they occur).
const maxCollectNodes = 100000

// missing returns the first module of an object in c's arguments that
// Collect wants and Repo lacks, or "".
func (m *Code) missing(c *core.Call) string {
	var found string
	seen := map[any]bool{}
	budget := maxCollectNodes
	var walk func(v any, depth int) bool
	check := func(module string) bool {
		if m.Collect(module) && !m.Repo.Has(module) {
			found = module
			return false
		}
		return true
	}
	walk = func(v any, depth int) bool {
		if budget--; depth > 64 || budget < 0 {
			return true
		}
		switch x := v.(type) {
		case pickle.Class:
			return check(x.Module)
		case *pickle.Object:
			if x == nil || seen[x] {
				return true
			}
			seen[x] = true
			if !check(x.Class.Module) {
				return false
			}
			for _, items := range [][]any{x.Args, x.ListItems, x.DictItems} {
				for _, it := range items {
					if !walk(it, depth+1) {
						return false
					}
				}
			}
			return walk(x.State, depth+1)
		case pickle.Tuple:
			for _, it := range x {
				if !walk(it, depth+1) {
					return false
				}
			}
		case *pickle.List:
			if x == nil || seen[x] {
				return true
			}
			seen[x] = true
			for _, it := range x.Items {
				if !walk(it, depth+1) {
					return false
				}
			}
		case pickle.Dict:
			ok := true
			x.Iter()(func(k, v any) bool {
				ok = walk(k, depth+1) && walk(v, depth+1)
				return ok
			})
			return ok
		}
		return true
	}
	for _, a := range c.Args {
		if !walk(a, 0) {
			return found
		}
	}
	for _, a := range c.Kwargs {
		if !walk(a, 0) {
			return found
		}
	}
	return ""
}

func str(v any) (string, bool) {
	switch s := v.(type) {
	case pickle.ByteString:
		return string(s), true
	case string:
		return s, true
	}
	return "", false
}
