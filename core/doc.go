// Package core is gopyro's remote object layer: a Daemon that serves Go
// values to Pyro clients and a Proxy that calls Pyro objects, in the wire
// protocol of a Protocol value; the built-in one is Pyro 3's,
// wire-compatible with Python's Pyro 3.16.
//
// # Serving Go objects
//
//	d, err := core.NewDaemon(core.DaemonOptions{Host: "127.0.0.1"})
//	uri, err := d.Connect(&Bank{}, ":test.bank")   // "" = transient object
//	go d.Serve(ctx)
//
// A server program calls d.Run(ctx) instead: it serves until Ctrl-C or
// SIGTERM and then shuts the daemon down.
//
// NewDaemon follows Pyro's Daemon(): the port defaults to PYRO_PORT (7766)
// and up to PYRO_PORT_RANGE ports are tried unless NoRange is set; Port 0
// with NoRange picks a free port. URIs carry PublishHost (else Host, else the
// host name) as a dotted IP address unless DNSURI is set. Every daemon also
// serves Pyro's internal daemon object (compat.InternalDaemonGUID) with
// getRegistered and ResolvePYROLOC, so PYROLOC:// URIs work.
//
// A connected object is either an Invoker, which receives every Call as is
// (an AttrInvoker all but the remote attribute requests, which the daemon
// answers from its declared methods and attributes), or any Go value whose
// exported methods are called by reflection. Each
// method answers to its Go name and its Python-style name (GetBalance is
// also get_balance); a type implementing Namer chooses other names. The
// method table of a type is computed once. Parameters bind from the decoded
// Python arguments as follows:
//
//   - an optional first context.Context receives the call context, from
//     which CallerFromContext gives the client's address and
//     connection-local storage (Pyro's getLocalStorage().caller);
//   - every other parameter is converted by package pickle's engine (the
//     rules of pickle.Assign, which also fills result destinations): ints,
//     uints and floats accept Python int, long and bool (and float for
//     floats) with range checks; string accepts str and unicode; []byte
//     accepts str, unicode and bytearray; []T accepts list, tuple, set and
//     frozenset; map[K]V accepts dict; structs accept a dict, fields matched
//     by the rule of pickle.Field (`pyro:"name"` tag, else Go name, else
//     ignoring case and underscores), the same rule that names them when a
//     struct is returned; None zeroes the parameter; any receives the
//     decoded value unchanged (see package pickle for the value model);
//   - *Proxy accepts a Pyro proxy (a DynamicProxy pickled by Python or Go)
//     or a URI, so callbacks are plain method parameters;
//   - a final variadic parameter ...T takes the extra positional arguments
//     (Python's *args);
//   - keyword arguments go to a Kwargs parameter or to a struct embedding
//     Keywords, placed last or just before ...T (Python's **kwargs). Go
//     parameters have no names, so a method without one rejects keywords
//     with TypeError.
//
// Results: no result is None, one result is the value, several are a tuple,
// and a non-nil final error is raised as a Python exception. Exported fields
// of a struct (or pointer to struct) object are remote attributes for Pyro's
// DynamicProxyWithAttrs (_r_ha, _r_ga, _r_sa; a `pyro:"-"` tag hides a
// field); connect a pointer so that they can be set and pointer-receiver
// methods are included. Every object also has the attributes of Pyro's
// ObjBase (objectGUID, delegate, lastUsed), read-only. Methods run
// concurrently for different connections: guard shared state as in any
// concurrent Go code. Remote attribute access is serialised per object; to
// serialise it with the methods too, make the object a sync.Locker (embed a
// sync.Mutex, or lock whatever guards its state) and lock it in the methods
// that touch its fields: the daemon holds the object's lock while it reads
// or sets a field. Lock and Unlock of a sync.Locker are not remote methods.
//
// A Factory (NewFactory) connects a Go type instead of a value, as Pyro 5
// registers a class: its InstanceMode (Session, Single, PerCall) says
// which instance serves a call, made by the Factory's creator when needed.
// Pyro 5 clients get each method once in the metadata, by its Python
// name, and are refused private names (_x, and dunders such as __init__)
// with Pyro 5's AttributeError.
//
// # Errors as Python exceptions
//
// ToException decides what a Python caller sees: a *compat.Exception or a
// typed Pyro error (compat.NewNamingError(...), compat.ValueError(...),
// compat.NewException("mymodule", "MyError", args...)) is raised as itself,
// also when wrapped with %w; any other Go error, and a recovered panic,
// raises exceptions.RuntimeError with the error text ("panic: <value>" for
// panics). The daemon survives panics. The remote traceback that Pyro's
// getPyroTraceback prints holds the Go stack in Python's format: the
// panicking frames, or the method that returned the error. Unknown methods
// raise AttributeError("'T' object has no attribute 'm'") and bad arguments
// TypeError, as in Python.
//
// # Connections
//
// Each client connection is served by its own goroutine; its requests are
// handled in order, as in Pyro. Oneway calls run on a per-connection worker
// so the connection goes on with later requests while they run (like
// PYRO_ONEWAY_THREADED), but they run in the order sent, and at most 4096
// may be pending per connection; with PYRO_ONEWAY_THREADED=0 they run
// inline. (PYRO_MULTITHREADED=0, Pyro's single-threaded daemon, is not
// emulated: connections are always served concurrently.) DaemonOptions also set the connection limit
// (counted as Pyro does: MaxConnections 1 refuses everyone), allowed
// identifications or a protocol.ServerValidator, an idle timeout, transient
// object reaping and a Registrar for the name server.
//
// Unlike Pyro, only connections that have completed the handshake (the
// client answered the challenge with CONNECT and was granted) count against
// MaxConnections, so connections that never send a byte cannot lock clients
// out. A client that finds the limit reached is refused with the raw
// "DENIED1" before the challenge, as in Pyro; one challenged while there was
// room but answering once it is gone gets "DENIED1" as the verdict to its
// CONNECT. Both are Pyro's ConnectionDeniedError('server too busy'). A
// Validator of one's own is asked (once, when the connection is accepted)
// with ConnInfo.Connections = granted connections + 1; since only the
// daemon's MaxConnections is checked again at the grant, handshakes that
// run together may take the connections past the limit of such a
// Validator, by at most the pending handshakes. A connection must complete
// its handshake within HandshakeTimeout (PYRO_HANDSHAKE_TIMEOUT, 10 s), and
// at most 2×MaxConnections connections may be in their handshake at once:
// beyond that the oldest one is closed to make room, since an honest client
// answers the challenge at once. MaxConnectionsPerHost
// (PYRO_MAXCONNECTIONS_PER_HOST, off by default) also limits the connections,
// in their handshake or granted, of one client IP address; a connection over
// it is refused with "DENIED1" and never pushes out another. Protocol errors are
// answered exactly as Pyro 3.16 does (spec.md §8): for example a call to
// an unknown object ID gets ProtocolError('unknown object ID') and the
// connection is closed.
//
// # Calling remote objects
//
//	p, err := core.NewProxy("PYRONAME://nshost/:test.bank")
//	defer p.Close()
//	balance, err := core.CallAs[float64](ctx, p, "balance", "alice")
//
// A Proxy accepts PYRO, PYROLOC (resolved on the same connection with
// ResolvePYROLOC) and PYRONAME URIs (resolved by the Resolver that
// SetDefaultResolver installed; importing package ns installs Pyro's). It connects lazily, serialises calls on
// its one connection (a waiting call gives up when its context ends, and
// Close interrupts the call in progress), reconnects on the call after a
// broken connection and has Rebind for Pyro's rebindURI. Clone gives an independent connection for
// parallel calls. Remote exceptions are returned as *compat.Exception or
// typed Pyro errors (of Pyro 3's or Pyro 5's classes) with Traceback set,
// so errors.As works; connection
// failures are *CommError values that also match the corresponding Pyro
// error types (*compat.ConnectionClosedError, *compat.TimeoutError, ...).
// A Proxy pickles as Pyro.core.DynamicProxy with full adapter state, and
// Daemon.ProxyFor hands a Go object out by reference.
//
// # Name servers
//
// A Daemon with a Registrar registers the names of the objects it connects
// (ConnectPersistent reuses a GUID already registered for this daemon, as
// Pyro's connectPersistent) and, with UnregisterOnShutdown, removes them on
// Shutdown. Package core has no name server client of its own: ns.Client
// is the Registrar for any Pyro 3 Name Server (Python's or ours), and
// package ns plugs PYRONAME resolution in through SetDefaultResolver.
//
// # PYROSSL
//
// DaemonOptions.TLS makes a PYROSSL daemon: TLS on every connection,
// PYROSSL:// URIs, and Pyro's BasicSSLValidator (protocol.SSLValidator) as
// the default validator, so clients must present a certificate the CA
// signed. A Proxy speaks TLS for PYROSSL:// and PYROLOCSSL:// URIs (the
// latter resolve to PYROSSL URIs), with the configuration of WithTLS or,
// by default, the PYROSSL_* items (protocol.TLSSettingsFromConfig). TLS
// failures are *CommError values matching *compat.ProtocolError whose text
// names the cause (expired certificate, unknown CA, plain server); a
// client without an acceptable certificate gets
// *compat.ConnectionDeniedError("security reasons"), as from Pyro.
//
// # Configuration
//
// Daemons and proxies take their defaults from config.Current(), the
// process configuration, with Pyro's precedence: an explicit option
// (DaemonOptions field, ProxyOption) wins over the environment variable,
// which wins over the Pyro.conf file, which wins over Pyro's default.
// Daemons read PYRO_HOST, PYRO_PUBLISHHOST, PYRO_PORT, PYRO_PORT_RANGE,
// PYRO_MAXCONNECTIONS, PYRO_DNS_URI, PYRO_COMPRESSION, PYRO_CHECKSUM,
// PYRO_ONEWAY_THREADED, PYRO_PICKLE_FORMAT, PYRO_SOCK_KEEPALIVE and log to
// pyrolog.System() (PYRO_TRACELEVEL, PYRO_LOGFILE) unless given a Logger;
// proxies read PYRO_COMPRESSION, PYRO_CHECKSUM, PYRO_PICKLE_FORMAT,
// PYRO_SOCK_KEEPALIVE and PYROSSL_*; package ns's resolution reads
// PYRO_NS_HOSTNAME, PYRO_NS_PORT and PYRO_NS_DEFAULTGROUP. Items are
// read when a daemon or proxy is created (PYROSSL_*, PYRO_PICKLE_FORMAT
// and PYRO_SOCK_KEEPALIVE when a proxy connects). PYRO_MULTITHREADED=0 and
// PYRO_DETAILED_TRACEBACK have no effect: connections are always served
// concurrently, and remote tracebacks are Go stacks, which have no local
// variables to show.
//
// # Wire protocols
//
// The dispatch (find the object, bind the arguments, call, answer with the
// result or the error) knows no wire protocol. A Protocol value owns one
// generation of Pyro's: framing and handshake with its validator, the
// serializer, the exceptions Go errors become and the rules for closing a
// connection (through the per-connection ServerCodec and ClientCodec, as in
// net/rpc), its internal daemon object and its URI schemes. A Daemon
// serves DaemonOptions.Protocol, Pyro 3 by default; a Proxy dials the
// Protocol registered for its URI's scheme (RegisterProtocol), Pyro 3 for
// PYRO, PYROSSL, PYROLOC and PYROLOCSSL; PYRONAME URIs are resolved by the
// Resolver first. The Pyro 3 protocol (PYRO protocol version 5, pickled
// request tuples with flags 0-7, PyroExceptionCapsule replies, the
// handshake of package protocol, the DaemonServant, remote attributes with
// _r_ha, _r_ga and _r_sa, ToException's Python 2 classes) is in pyro3.go and
// pyro3_attrs.go. It is part of package core because it works on the
// dispatch's connected objects (their attributes, the Go frames of their
// errors) while core needs it as its default; seam_test.go drives the
// dispatch through a fake protocol written with the exported API only.
package core
