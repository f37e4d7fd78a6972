// Package gateway lets Pyro 3 programs (Python 2) and Pyro 5 programs
// (Python 3) call each other's objects, neither changed: a Gateway
// connects forwarders to a core.Daemon serving both generations on one
// port, each a Go object that forwards every call it gets to one remote
// object of the other generation and returns its answer.
//
//	d, _ := core.NewDaemon(core.DaemonOptions{Host: "0.0.0.0", Port: 7770})
//	gw := gateway.New(d, gateway.Options{Pyro3Methods: []string{"deposit", "balance"}})
//	f, _ := gw.Forward(ctx, pyro3URI) // PYRO://host:port/guid of a Pyro 3 object
//	fmt.Println(f.URI())               // PYRO:guid@gwhost:7770, for Pyro 5 clients
//	go d.Serve(ctx)
//
// cmd/pyro-gateway is the program that does this for objects named on its
// command line or in the name servers.
//
// # Calls
//
// A forwarder (an Invoker) receives the method, positional and keyword
// arguments and the oneway flag of each call and makes the same call on
// the client's own connection to the target: as with Pyro, each client
// connection has one, so that a Pyro 5 object in instance mode "session"
// (the default of Pyro5's serve) is the client's own, and its calls
// arrive in order. The connection is made on the client's first call,
// reconnects on the call after it broke, and is closed once the client's
// connection is gone; Options.Timeout bounds each call, as does the
// caller's context. Oneway calls stay oneway; a Pyro 3 client's call of a
// method its Pyro 5 target declares @oneway is sent oneway, and answered
// None at once, as a Pyro 5 proxy would. Pyro 3's remote attribute requests
// (_r_ga, _r_sa, _r_ha of DynamicProxyWithAttrs) become Pyro 5's
// __getattr__ and __setattr__ and a look at the target's metadata.
//
// Pyro 5 proxies call only the methods in an object's metadata, which
// Pyro 3 cannot give: the metadata of a forwarder to a Pyro 3 object lists
// Options.Pyro3Methods (oneway: Options.Pyro3Oneway), for every Pyro 3
// object the gateway forwards to, callbacks included. The metadata of a
// Pyro 5 target is read from its daemon (get_metadata) when the forwarder
// is made, or taken from the proxy it came in.
//
// # Values
//
// Both generations decode into the value model of package pickle, so
// most values pass as they are: numbers, None, bools, tuples, lists,
// dicts and sets (containers translated item by item; shared and
// self-containing lists stay so). Strings follow two rules:
//
//   - A Python 2 str (pickle.ByteString) going to Python 3 follows
//     Options.Str: StrAuto (the default) makes valid UTF-8 a str and
//     anything else bytes, StrBytes makes it bytes, StrLatin1 a str of
//     one character per byte. A unicode is a str.
//   - A Python 3 str going to Python 2 follows Options.Text: TextAuto
//     (the default) makes ASCII text a str and other text unicode,
//     TextUnicode makes it unicode, TextUTF8 a str of its UTF-8 bytes.
//     Python 3 bytes become a str.
//
// Python 2 class references (pickle.Class) become their "module.Name"
// text, since Python 3's serializers cannot carry them; instances of other
// classes travel as the serializers make them (Pyro 5 gets their state as
// a class dict, as a Pyro 5 server would send it).
//
// # Proxies and URIs
//
// A proxy passed as an argument or returned (a Pyro 3 DynamicProxy, a
// Pyro 5 Proxy class dict) and a URI (Pyro.core.PyroURI, Pyro5.core.URI)
// of an object of the other generation than the receiver's becomes a
// proxy or URI of a forwarder to that object, made on first sight; so a
// Pyro 5 client hands a callback object to a Pyro 3 server, which calls
// it back through the gateway. Such forwarders are transient objects of
// the daemon: one with DaemonOptions.TransientsCleanupAge disconnects
// them when they have not been used for that long (as Pyro reaps
// transient objects), the gateway's life otherwise; those made by Forward
// stay. A proxy to
// one of the gateway's own forwarders, handed to the generation of that
// forwarder's target, becomes a proxy to the target itself, so that no
// call takes two hops through one gateway. URIs given as text, and
// PYRONAME URIs, are left alone.
//
// # Exceptions
//
// An exception the target raises is raised to the caller with its remote
// traceback and its args and attributes translated as values; its class
// is renamed for the caller's generation: Python 2's module exceptions is
// Python 3's builtins (StandardError becomes Exception; Python 3 classes
// Python 2 lacks become their nearest Python 2 base, FileNotFoundError
// IOError), and Pyro.errors is Pyro5.errors (with the classes one has and
// the other lacks mapped to the nearest, ConnectionDeniedError to
// CommunicationError, SerializeError to PyroError; never to Pyro 3's
// ProtocolError itself, on which a Pyro 3 daemon hangs up without an
// answer, so Pyro 3 clients get ConnectionClosedError for communication
// failures beyond the gateway). Classes of the
// program's own modules keep their name: the caller raises them if it can
// import them, as from a server of its own generation. A target that
// cannot be reached raises the caller's Pyro communication error.
package gateway
