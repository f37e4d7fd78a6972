package ns

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/pickle"
)

// Role is the paired-mode role of a Name Server (Pyro's NSROLE_*).
type Role int

const (
	// RoleSingle is a Name Server without a twin.
	RoleSingle Role = iota
	// RolePrimary is the primary of a pair (pyro-ns -1).
	RolePrimary
	// RoleSecondary is the secondary of a pair (pyro-ns -2).
	RoleSecondary
)

func (r Role) String() string {
	switch r {
	case RolePrimary:
		return "primary"
	case RoleSecondary:
		return "secondary"
	}
	return "single"
}

// Server is the remote Name Server object: it answers every method of
// Pyro's Pyro.naming.NameServer with the same results and errors, on a
// Namespace. Connect it to a core.Daemon under NameServerName.
type Server struct {
	ns *Namespace
	// keep makes _shutdown answer 'Shutdown request denied' (pyro-ns -k).
	keep bool
	// shutdown is called by an accepted _shutdown.
	shutdown func()
	role     Role

	twinMu sync.Mutex
	twin   *twin // the other Name Server of a pair, nil when unknown
	// self returns this Name Server's own URI, for the proxy sent with
	// _resync.
	self func() compat.URI
	// ident is the identification used towards the twin.
	ident string
	// dial connects to a twin; log reports paired-mode events.
	dial DialTwin
	log  *slog.Logger
	// dumpTuples makes _resync answer in the persistent Name Server's form.
	dumpTuples bool
}

// ServerOptions configure a Server.
type ServerOptions struct {
	// KeepRunning makes _shutdown answer 'Shutdown request denied'.
	KeepRunning bool
	// Shutdown is called when a _shutdown request is accepted.
	Shutdown func()
	// Role is the paired-mode role.
	Role Role
	// Identification is the passphrase used when calling the twin.
	Identification string
	// SelfURI returns the Server's own URI (needed in paired mode).
	SelfURI func() compat.URI
	// PersistentDump makes _resync return the dump in the form of Pyro's
	// persistent Name Server (lists of groups and names) instead of the
	// in-memory one's NamedTree: a Python twin expects the form of its own
	// kind, so set it when the twin runs with -d.
	PersistentDump bool
}

// NewServer returns the remote Name Server object for ns.
func NewServer(ns *Namespace, opts ServerOptions) *Server {
	s := &Server{ns: ns, keep: opts.KeepRunning, shutdown: opts.Shutdown, role: opts.Role,
		self: opts.SelfURI, ident: opts.Identification, dumpTuples: opts.PersistentDump}
	if s.role != RoleSingle {
		ns.OnChange(s.replicate)
	}
	return s
}

// Namespace returns the name space the Server serves.
func (s *Server) Namespace() *Namespace { return s.ns }

// pyClass is the Python class of the Name Server object, which error texts
// name.
const pyClass = "NameServer"

// attr returns the value of the Name Server's attribute name, as Python's
// NameServer instance has it: role (0 single, 1 primary, 2 secondary),
// ignoreShutdown (pyro-ns -k) and otherNS (a NameServerProxy of the twin,
// or None). Its other attributes hold Python objects (the name space tree,
// a lock) or secrets (the identification used towards the twin): they are
// not readable.
func (s *Server) attr(name string) (any, bool) {
	switch name {
	case "role":
		return int64(s.role), true
	case "ignoreShutdown":
		return s.keep, true
	case "otherNS":
		if uri, ok := s.Twin(); ok {
			return compat.NewNameServerProxy(uri), true
		}
		return nil, true
	}
	return nil, false
}

// methodNames returns the names of the remote methods.
func methodNames() []string {
	names := make([]string, 0, len(methods)+1)
	for m := range methods {
		names = append(names, m)
	}
	return append(names, "_synccall")
}

// A method is a remote method of the name server: its parameter names
// (without self), for argument binding and Python's argument-count
// messages, and what it does with the bound arguments.
type method struct {
	params []string
	call   func(s *Server, ctx context.Context, ns *Namespace, args []any) (any, error)
}

// named is a method whose first parameter is a name, checked as Pyro
// checks names before anything else happens.
func named(params []string, call func(s *Server, ns *Namespace, name string, args []any) (any, error)) method {
	return method{params, func(s *Server, _ context.Context, ns *Namespace, args []any) (any, error) {
		name, err := nameArg(args[0])
		if err != nil {
			return nil, err
		}
		return call(s, ns, name, args)
	}}
}

// methods are the remote methods but _synccall, which calls them.
var methods = map[string]method{
	"ping": {nil, func(*Server, context.Context, *Namespace, []any) (any, error) { return nil, nil }},
	"register": named([]string{"name", "URI"}, func(_ *Server, ns *Namespace, name string, args []any) (any, error) {
		return nil, ns.Register(name, args[1])
	}),
	"unregister": named([]string{"name"}, func(_ *Server, ns *Namespace, name string, _ []any) (any, error) {
		return nil, ns.Unregister(name)
	}),
	"resolve": named([]string{"name"}, func(_ *Server, ns *Namespace, name string, _ []any) (any, error) {
		u, err := ns.Resolve(name)
		if err != nil {
			return nil, err
		}
		return u, nil
	}),
	"flatlist": {nil, func(_ *Server, _ context.Context, ns *Namespace, _ []any) (any, error) {
		flat := ns.Flatlist()
		items := make([]any, len(flat))
		for i, b := range flat {
			items[i] = pickle.Tuple{pyName(b.Name), b.URI}
		}
		return &pickle.List{Items: items}, nil
	}},
	"createGroup": named([]string{"groupname"}, func(_ *Server, ns *Namespace, name string, _ []any) (any, error) {
		return nil, ns.CreateGroup(name)
	}),
	"deleteGroup": named([]string{"groupname"}, func(_ *Server, ns *Namespace, name string, _ []any) (any, error) {
		return nil, ns.DeleteGroup(name)
	}),
	"list": {[]string{"groupname"}, func(_ *Server, _ context.Context, ns *Namespace, args []any) (any, error) {
		var name string
		if !isFalsy(args[0]) {
			var err error
			if name, err = nameArg(args[0]); err != nil {
				return nil, err
			}
		}
		children, err := ns.List(name)
		if err != nil {
			return nil, err
		}
		items := make([]any, len(children))
		for i, c := range children {
			items[i] = pickle.Tuple{pyName(c.Name), int64(c.Type)}
		}
		return &pickle.List{Items: items}, nil
	}},
	"setMeta": named([]string{"name", "meta"}, func(_ *Server, ns *Namespace, name string, args []any) (any, error) {
		return nil, ns.SetMeta(name, args[1])
	}),
	"getMeta": named([]string{"name"}, func(_ *Server, ns *Namespace, name string, _ []any) (any, error) {
		return ns.GetMeta(name)
	}),
	"_setSystemMeta": named([]string{"name", "meta"}, func(_ *Server, ns *Namespace, name string, args []any) (any, error) {
		return nil, ns.SetSystemMeta(name, args[1])
	}),
	"_getSystemMeta": named([]string{"name"}, func(_ *Server, ns *Namespace, name string, _ []any) (any, error) {
		return ns.GetSystemMeta(name)
	}),
	"validateName": named([]string{"name"}, func(_ *Server, ns *Namespace, name string, _ []any) (any, error) {
		full, err := ValidateName(name, ns.DefaultGroupName())
		if err != nil {
			return nil, err
		}
		return pyName(full), nil
	}),
	"validateURI": {[]string{"URI"}, func(_ *Server, _ context.Context, ns *Namespace, args []any) (any, error) {
		return ns.parseURI(args[0])
	}},
	"_shutdown": {nil, func(s *Server, _ context.Context, _ *Namespace, _ []any) (any, error) {
		if s.keep {
			return pickle.ByteString("Shutdown request denied"), nil
		}
		if s.shutdown != nil {
			s.shutdown()
		}
		return pickle.ByteString("Will shut down shortly"), nil
	}},
	"resync": {nil, func(s *Server, ctx context.Context, _ *Namespace, _ []any) (any, error) {
		return nil, s.resync(ctx)
	}},
	"_resync": {[]string{"twinProxy"}, func(s *Server, _ context.Context, _ *Namespace, args []any) (any, error) {
		return s.handleResync(args[0])
	}},
}

// Call dispatches one remote call: method with positional and keyword
// arguments as decoded from the request.
func (s *Server) Call(ctx context.Context, method string, args []any, kw map[string]any) (any, error) {
	return s.invoke(ctx, s.ns, method, args, kw)
}

func (s *Server) invoke(ctx context.Context, ns *Namespace, name string, pos []any, kw map[string]any) (any, error) {
	if name == "_synccall" {
		if len(kw) != 0 {
			return nil, compat.TypeError("_synccall() got an unexpected keyword argument '" + firstKey(kw) + "'")
		}
		if len(pos) < 1 {
			return nil, compat.TypeError(fmt.Sprintf("_synccall() takes at least 2 arguments (%d given)", len(pos)+1))
		}
		target, ok := pickle.Text(pos[0])
		if !ok || target == "_synccall" {
			return nil, compat.TypeError("getattr(): attribute name must be string")
		}
		_, err := s.invoke(ctx, ns.Quiet(), target, pos[1:], nil)
		return nil, err
	}
	m, ok := methods[name]
	if !ok {
		return nil, compat.AttributeError(fmt.Sprintf("'%s' object has no attribute '%s'", pyClass, name))
	}
	ns.metrics.Operation(name)
	args, err := bind(name, m.params, pos, kw)
	if err != nil {
		return nil, err
	}
	return m.call(s, ctx, ns, args)
}

// bind matches positional and keyword arguments to a method's parameters as
// Python does, with Python 2's TypeError messages.
func bind(method string, names []string, pos []any, kw map[string]any) ([]any, error) {
	if len(kw) == 0 && len(pos) == len(names) {
		return pos, nil // the usual, positional call
	}
	if len(pos) > len(names) {
		return nil, argCountError(method, len(names), len(pos)+len(kw))
	}
	args := make([]any, len(names))
	set := make([]bool, len(names))
	for i, v := range pos {
		args[i], set[i] = v, true
	}
	for k, v := range kw {
		idx := -1
		for i, n := range names {
			if n == k {
				idx = i
			}
		}
		if idx < 0 {
			return nil, compat.TypeError(fmt.Sprintf("%s() got an unexpected keyword argument '%s'", method, k))
		}
		if set[idx] {
			return nil, compat.TypeError(fmt.Sprintf("%s() got multiple values for keyword argument '%s'", method, k))
		}
		args[idx], set[idx] = v, true
	}
	for _, ok := range set {
		if !ok {
			return nil, argCountError(method, len(names), len(pos)+len(kw))
		}
	}
	return args, nil
}

func argCountError(method string, want, given int) error {
	plural := "s"
	if want+1 == 1 {
		plural = ""
	}
	return compat.TypeError(fmt.Sprintf("%s() takes exactly %d argument%s (%d given)", method, want+1, plural, given+1))
}

func firstKey(m map[string]any) string {
	for k := range m {
		return k
	}
	return ""
}

// nameArg accepts a name argument; other types get the TypeError Python
// raises when Pyro indexes them.
func nameArg(v any) (string, error) {
	if s, ok := pickle.Text(v); ok {
		return s, nil
	}
	return "", compat.TypeError(fmt.Sprintf("'%s' object has no attribute '__getitem__'", pickle.PythonType(v)))
}

// pyName returns a name as Pyro sends names: a str.
func pyName(s string) pickle.ByteString { return pickle.ByteString(s) }

// isFalsy reports Python falsiness for the values a group name can be.
func isFalsy(v any) bool {
	switch x := v.(type) {
	case nil, pickle.None:
		return true
	case bool:
		return !x
	case int64:
		return x == 0
	case float64:
		return x == 0
	case string:
		return x == ""
	case pickle.ByteString:
		return x == ""
	case pickle.Tuple:
		return len(x) == 0
	case *pickle.List:
		return x == nil || len(x.Items) == 0
	}
	return false
}
