package core

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"math/rand/v2"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/config"
	"github.com/gopyro/gopyro/internal/discovery"
	"github.com/gopyro/gopyro/pickle"
	"github.com/gopyro/gopyro/protocol5"
)

// Pyro 5 on the proxy's side (spec.md §17.7): a Go proxy calls a Pyro 5
// daemon, Python's or a Go one, with the serializer of its choice (serpent
// unless WithSerializer says otherwise, as in Pyro 5).

// pyro5SerializerIDs are Pyro 5's serializers by the names Pyro's
// SERIALIZER setting uses.
var pyro5SerializerIDs = map[string]uint8{
	"serpent": protocol5.SerializerSerpent,
	"json":    protocol5.SerializerJSON,
	"marshal": protocol5.SerializerMarshal,
	"msgpack": protocol5.SerializerMsgpack,
}

// knownSerializer reports whether the proxies of the generation gen (0
// for the default) have the serializer name (for WithSerializer).
func knownSerializer(name string, gen Generations) bool {
	ids := client5.ids
	if gen == Pyro4 {
		ids = client4.ids
	}
	_, ok := ids[name]
	return ok
}

// clientConn is the framing under a Go proxy's connection to a Pyro 4 or
// Pyro 5 daemon, in Pyro 5's message types and flags: a *protocol5.Conn,
// or pyro4Frames over Pyro 4's.
type clientConn interface {
	WriteMessage(ctx context.Context, m *protocol5.Message) error
	ReadMessage(ctx context.Context) (*protocol5.Message, error)
	Close() error
}

// clientGeneration is what differs between the proxies of Pyro 4 and 5
// above the framing.
type clientGeneration struct {
	name        string                     // "Pyro 5", for errors
	ids         map[string]uint8           // the serializers by name
	serializers map[uint8]*pyro5Serializer // and by id
	errors      string                     // the module of the generation's errors
	wrapper     string                     // the class of a batch's exception
	// json and marshal are their ids, whose calls differ (a dict; the
	// arguments as a list)
	json, marshal uint8
}

var client5 = &clientGeneration{name: "Pyro 5", ids: pyro5SerializerIDs, serializers: pyro5Serializers,
	errors: "Pyro5.errors", wrapper: "Pyro5.core._ExceptionWrapper",
	json: protocol5.SerializerJSON, marshal: protocol5.SerializerMarshal}

// Dial connects to the daemon of a PYRO:id@host:port URI and shakes
// hands: CONNECT with the object id, CONNECTOK or the daemon's reason for
// CONNECTFAIL (a ConnectionDeniedError).
func (p *pyro5) Dial(ctx context.Context, uri compat.URI, s DialSettings) (ClientCodec, compat.URI, error) {
	return dialClient(ctx, uri, s, client5, func(nc net.Conn) clientConn {
		// buffered: a reply's header and payload in one read
		return protocol5.NewConn(buffered(nc, clientReadBuffer), protocol5.Options{MaxMessageSize: s.Options.MaxMessageSize, IOTimeout: s.Options.IOTimeout})
	})
}

// dialClient connects to the daemon of uri with the framing frame makes
// and shakes hands as gen's proxies do.
func dialClient(ctx context.Context, uri compat.URI, s DialSettings, gen *clientGeneration, frame func(net.Conn) clientConn) (ClientCodec, compat.URI, error) {
	serID := gen.ids["serpent"]
	if s.Serializer != "" {
		id, ok := gen.ids[s.Serializer]
		if !ok {
			return nil, uri, fmt.Errorf("core: unknown %s serializer %q", gen.name, s.Serializer)
		}
		serID = id
	}
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", net.JoinHostPort(uri.Address, strconv.Itoa(uri.Port)))
	if err != nil {
		return nil, uri, commError("dial", uri, err)
	}
	c := &pyro5Client{uri: uri, gen: gen, ser: gen.serializers[serID], serID: serID, c: frame(nc)}
	c.call, c.args, c.argBoxes = make(pickle.Tuple, 4), make([]any, reusedArgs), make([]any, reusedArgs+1)
	c.callBox = c.call
	data, err := c.ser.encode(nil, map[string]any{"handshake": nil, "object": uri.ObjectID})
	if err == nil {
		err = c.send(ctx, protocol5.TypeConnect, 0, data)
	}
	var m *protocol5.Message
	if err == nil {
		m, err = c.c.ReadMessage(ctx)
	}
	if err == nil {
		err = m.Expect(protocol5.TypeConnectOK, protocol5.TypeConnectFail)
	}
	if err != nil {
		nc.Close()
		return nil, uri, commError("handshake", uri, err)
	}
	if m.Type == protocol5.TypeConnectFail {
		nc.Close()
		// in the serializer of the message: Pyro's daemons refuse in
		// marshal before they have read which serializer the client uses
		reason := "?"
		if ser, ok := gen.serializers[m.Serializer]; ok {
			if v, err := ser.decode(m.Data); err == nil {
				reason, _ = pickle.Text(v)
			}
		}
		return nil, uri, &CommError{Op: "handshake", URI: uri, Err: errors.New("connection rejected: " + reason),
			Exc: compat.NewConnectionDeniedError(reason)}
	}
	v, err := c.ser.decode(m.Data)
	if err == nil {
		c.meta, err = connectMetadata(v, uri)
	}
	if err != nil {
		nc.Close()
		return nil, uri, err
	}
	return c, uri, nil
}

// connectMetadata reads the metadata of the object from CONNECTOK's
// {"handshake": ..., "meta": {"methods": ..., "oneway": ..., "attrs": ...}}.
// As Pyro5's proxy does, it refuses an object that exposes nothing.
func connectMetadata(v any, uri compat.URI) (*objectMeta, error) {
	d, ok := v.(pickle.Dict)
	if !ok {
		return nil, fmt.Errorf("core: invalid Pyro 5 handshake response: %s", pickle.PythonType(v))
	}
	mv, _ := d.Get_("meta")
	md, ok := mv.(pickle.Dict)
	if !ok {
		return nil, fmt.Errorf("core: invalid Pyro 5 metadata: %s", pickle.PythonType(mv))
	}
	names := func(key string) map[string]bool {
		set := map[string]bool{}
		l, _ := md.Get_(key)
		items, _ := pickle.Items(l)
		for _, it := range items {
			if s, ok := pickle.Text(it); ok {
				set[s] = true
			}
		}
		return set
	}
	meta := &objectMeta{methods: names("methods"), oneway: names("oneway"), attrs: names("attrs")}
	if len(meta.methods) == 0 && len(meta.attrs) == 0 {
		return nil, compat.NewPyroError("remote object '" + uri.String() + "' doesn't expose any methods or attributes. Did you forget setting @expose on them?")
	}
	return meta, nil
}

// metadata is the metadata of the object that CONNECTOK told.
func (c *pyro5Client) metadata() *objectMeta { return c.meta }

// pyro5Client is the ClientCodec of a connection to a Pyro 5 daemon, or
// to a Pyro 4 one (gen), whose calls are Pyro 5's in Pyro 4's framing.
type pyro5Client struct {
	c     clientConn
	gen   *clientGeneration
	uri   compat.URI
	ser   *pyro5Serializer
	serID uint8
	seq   uint16
	wbuf  []byte
	// The call as the tuple serializers write, reused with the boxed
	// values that stay the same from call to call, so that sending a call
	// allocates nothing: call is callBox's backing array, args the
	// arguments' (argBoxes[n] is args[:n] boxed, argBoxes[len(args)] the
	// box of the whole array). callData fills them, WriteRequest clears
	// them.
	call     pickle.Tuple
	callBox  any
	args     []any
	argBoxes []any
	id, name string // the object id and method boxed in call, if set
	meta     *objectMeta
	batch    bool // the last request was a batch
}

func (c *pyro5Client) send(ctx context.Context, typ protocol5.Type, flags protocol5.Flags, data []byte) error {
	c.seq++
	return c.c.WriteMessage(ctx, &protocol5.Message{Type: typ, Serializer: c.serID, Flags: flags, Seq: c.seq, Data: data})
}

// WriteRequest sends the call as Pyro5's dumpsCall does: (object, method,
// vargs, kwargs); remote attributes are the methods __getattr__ and
// __setattr__.
func (c *pyro5Client) WriteRequest(ctx context.Context, r *Request) error {
	method, args := r.Method, r.Args
	switch r.Style {
	case StyleGetAttr:
		method, args = "__getattr__", []any{r.Method}
	case StyleSetAttr:
		method, args = "__setattr__", append([]any{r.Method}, r.Args...)
	case StyleHasMethod:
		return errors.New("core: Pyro 5 has no remote hasattr; its metadata lists the methods")
	}
	var flags protocol5.Flags
	c.batch = r.Batch != nil
	if c.batch {
		// BatchProxy's calls: (method, args, kwargs) each
		method, args, flags = "<batch>", make([]any, len(r.Batch)), protocol5.FlagBatch
		for i, call := range r.Batch {
			args[i] = pickle.Tuple{call.Method, pickle.Tuple(call.Args), kwargsOrEmpty(call.Kwargs)}
		}
	}
	buf, err := c.ser.encode(c.wbuf[:0], c.callData(r.ObjectID, method, args, kwargsOrEmpty(r.Kwargs)))
	clear(c.args) // keep no argument alive after the call
	c.call[3] = nil
	if err != nil {
		return fmt.Errorf("core: cannot serialize the call: %w", err)
	}
	c.wbuf = buf[:0]
	if r.Oneway {
		flags |= protocol5.FlagOneway
	}
	if err := c.send(ctx, protocol5.TypeInvoke, flags, buf); err != nil {
		return commError("write", c.uri, err)
	}
	return nil
}

// callData is the call as Pyro5's dumpsCall of the proxy's serializer
// writes it: a dict for json, a tuple with the arguments as a list for
// marshal, a tuple for serpent and msgpack.
func (c *pyro5Client) callData(object, method string, args []any, kw map[string]any) any {
	if c.serID == c.gen.json {
		return map[string]any{"object": object, "method": method, "params": args, "kwargs": kw}
	}
	if object != c.id || c.call[0] == nil {
		c.id, c.call[0] = object, object
	}
	if method != c.name || c.call[1] == nil {
		c.name, c.call[1] = method, method
	}
	c.call[2], c.call[3] = c.argsValue(args), kw
	return c.callBox
}

// argsValue is args as the call's tuple (serpent, msgpack) or list
// (marshal), in the reused array while the arguments fit.
func (c *pyro5Client) argsValue(args []any) any {
	n := len(args)
	if n > len(c.args) {
		if c.serID == c.gen.marshal {
			return args
		}
		return pickle.Tuple(args)
	}
	copy(c.args, args)
	if c.argBoxes[n] == nil {
		if c.serID == c.gen.marshal {
			c.argBoxes[n] = c.args[:n]
		} else {
			c.argBoxes[n] = pickle.Tuple(c.args[:n])
		}
	}
	return c.argBoxes[n]
}

// ReadReply reads the RESULT: its value, or the exception it carries.
func (c *pyro5Client) ReadReply(ctx context.Context) (any, error) {
	m, err := c.c.ReadMessage(ctx)
	if err == nil {
		err = m.Expect(protocol5.TypeResult)
	}
	if err != nil {
		return nil, commError("read", c.uri, err)
	}
	if m.Seq != c.seq {
		return nil, commError("read", c.uri, fmt.Errorf("%w: answer to request %d, want %d", protocol5.ErrHeader, m.Seq, c.seq))
	}
	// in the serializer of the message, which is the request's but for
	// some errors that Pyro's daemons send in marshal
	ser, ok := c.gen.serializers[m.Serializer]
	if !ok {
		return nil, commError("read", c.uri, fmt.Errorf("%w: invalid serializer in response: %d", protocol5.ErrHeader, m.Serializer))
	}
	v, err := ser.decode(m.Data)
	if err != nil {
		return nil, fmt.Errorf("core: cannot decode the reply: %w", err)
	}
	if m.Flags&protocol5.FlagItemStreamResult != 0 {
		id, _ := m.Annotation("STRM")
		if len(id) == 0 {
			return nil, compat.NewException(c.gen.errors, "ProtocolError", "result of call is an iterator, but the server is not configured to allow streaming").Typed()
		}
		return streamID(id), nil
	}
	if m.Flags&protocol5.FlagException != 0 {
		if ex, ok := v.(*compat.Exception); ok {
			// pickle (Pyro 4) carries the exception itself
			return nil, withPickledTraceback(ex).Typed()
		}
		return nil, exceptionFromDict(v)
	}
	if c.batch {
		return batchResult(v, c.gen.wrapper)
	}
	return v, nil
}

// reusedArgs is the number of arguments up to which a call is sent with
// the reused array of pyro5Client.
const reusedArgs = 8

// noKwargs is the empty keyword dict of calls without keyword arguments;
// nothing modifies it.
var noKwargs = map[string]any{}

func kwargsOrEmpty(kw map[string]any) map[string]any {
	if kw == nil {
		return noKwargs
	}
	return kw
}

// writesBatches: a Pyro 5 connection sends batch requests.
func (c *pyro5Client) writesBatches() {}

// batchResult reads a batch's answer: the results, the last of them an
// exception wrapper (of the class wrapper: Pyro5.core._ExceptionWrapper,
// Pyro4.futures._ExceptionWrapper) if a call raised.
func batchResult(v any, wrapper string) (*BatchResult, error) {
	items, ok := pickle.Items(v)
	if !ok {
		return nil, fmt.Errorf("core: invalid batch result: %s", pickle.PythonType(v))
	}
	br := &BatchResult{Results: make([]any, 0, len(items))}
	for _, it := range items {
		if err := wrappedException(it, wrapper); err != nil {
			br.Err = err
			break
		}
		br.Results = append(br.Results, it)
	}
	return br, nil
}

// withPickledTraceback moves the _pyroTraceback attribute of a pickled
// exception to its Traceback, as exceptionFromDict does for class dicts.
func withPickledTraceback(ex *compat.Exception) *compat.Exception {
	tb, ok := ex.Attrs.Get_("_pyroTraceback")
	if !ok || ex.Traceback != nil {
		return ex
	}
	if lines, ok := pickle.Items(tb); ok {
		for _, l := range lines {
			s, _ := pickle.Text(l)
			ex.Traceback = append(ex.Traceback, s)
		}
	}
	rest := pickle.NewDict()
	for k, v := range pickle.DictItems(ex.Attrs) {
		if k != "_pyroTraceback" {
			rest.Set(k, v)
		}
	}
	ex.Attrs = pickle.Dict{}
	if rest.Len() > 0 {
		ex.Attrs = rest
	}
	return ex
}

// wrappedException is the exception v wraps if v is an exception wrapper
// of the class wrapper: a class dict, or with pickle (Pyro 4) the object,
// whose exception is decoded already; else nil.
func wrappedException(v any, wrapper string) error {
	var ex any
	switch x := v.(type) {
	case pickle.Dict:
		if cls, _ := x.Get_("__class__"); cls != wrapper {
			return nil
		}
		ex, _ = x.Get_("exception")
	case *pickle.Object:
		state, ok := x.State.(pickle.Dict)
		if x.Class.Module+"."+x.Class.Name != wrapper || !ok {
			return nil
		}
		ex, _ = state.Get_("exception")
	default:
		return nil
	}
	if e, ok := ex.(*compat.Exception); ok {
		return withPickledTraceback(e).Typed()
	}
	return exceptionFromDict(ex)
}

// streamID is the id of an item stream, which ReadReply returns for an
// ITEMSTREAMRESULT and the proxy makes a *Stream of.
type streamID string

// Stream is the result of a call whose method returns an iterator or a
// generator, as a Pyro 5 daemon streams it (Pyro5's
// _StreamResultIterator): Next pulls one item at a time over the proxy's
// connection (Pyro.Daemon's get_next_stream_item). A stream belongs to its
// connection: after the proxy reconnects it fails with
// ConnectionClosedError. Close a stream that is abandoned before its end
// (All does it), so that the daemon drops the iterator at once rather
// than when the connection closes.
type Stream struct {
	p     *Proxy
	codec ClientCodec
	id    string
	done  bool // ended, closed or failed; guarded by p's call token
}

// Next returns the next item, or io.EOF after the last one.
func (s *Stream) Next(ctx context.Context) (any, error) {
	p := s.p
	if err := p.acquire(ctx); err != nil {
		return nil, err
	}
	defer p.release()
	if s.done {
		return nil, io.EOF
	}
	codec, ctx, cancel, err := s.connection(ctx)
	if err != nil {
		return nil, err
	}
	defer cancel()
	v, err := p.exchange(ctx, codec, &Request{ObjectID: pyro5DaemonID, Call: Call{Method: "get_next_stream_item", Args: []any{s.id}}})
	if err != nil {
		s.done = true
		var ex *compat.Exception
		if errors.As(err, &ex) && ex.Class == (pickle.Class{Module: "builtins", Name: "StopIteration"}) {
			return nil, io.EOF
		}
		return nil, err
	}
	return v, nil
}

// Close tells the daemon to drop the stream (close_stream, oneway), unless
// it has ended or its connection is gone.
func (s *Stream) Close() error {
	p := s.p
	ctx := context.Background()
	if err := p.acquire(ctx); err != nil {
		return err
	}
	defer p.release()
	if s.done {
		return nil
	}
	s.done = true
	codec, ctx, cancel, err := s.connection(ctx)
	if err != nil {
		return nil // the daemon dropped the stream with the connection
	}
	defer cancel()
	_, err = p.exchange(ctx, codec, &Request{ObjectID: pyro5DaemonID, Call: Call{Method: "close_stream", Args: []any{s.id}, Oneway: true}})
	return err
}

// connection is the stream's connection if it is still the proxy's, with
// ctx bounded by the proxy's timeout.
func (s *Stream) connection(ctx context.Context) (ClientCodec, context.Context, context.CancelFunc, error) {
	p := s.p
	p.mu.Lock()
	closed, codec, timeout := p.closed, p.codec, p.timeout
	p.mu.Unlock()
	if closed {
		return nil, nil, nil, ErrClosed
	}
	if codec != s.codec {
		s.done = true
		return nil, nil, nil, compat.NewConnectionClosedError("the proxy for this stream result has been closed")
	}
	cancel := context.CancelFunc(func() {})
	if timeout > 0 {
		ctx, cancel = context.WithTimeout(ctx, timeout)
	}
	return codec, ctx, cancel, nil
}

// All iterates over the items that are left, with the error that ends the
// stream if it is not io.EOF; breaking out of the loop closes the stream.
func (s *Stream) All(ctx context.Context) iter.Seq2[any, error] {
	return func(yield func(any, error) bool) {
		for {
			v, err := s.Next(ctx)
			if err == io.EOF {
				return
			}
			if !yield(v, err) || err != nil {
				s.Close()
				return
			}
		}
	}
}

// exceptionFromDict is the exception a Pyro 5 class dict describes, with
// its _pyroTraceback as the remote traceback.
func exceptionFromDict(v any) error {
	d, ok := v.(pickle.Dict)
	if !ok {
		return compat.NewException("Pyro5.errors", "ProtocolError", "invalid exception data: "+pickle.PythonType(v)).Typed()
	}
	name, _ := d.Get_("__class__")
	cls, _ := pickle.Text(name)
	module, short := "builtins", cls
	if i := strings.LastIndexByte(cls, '.'); i >= 0 {
		module, short = cls[:i], cls[i+1:]
	}
	ex := &compat.Exception{Class: pickle.Class{Module: module, Name: short}}
	if args, ok := d.Get_("args"); ok {
		if items, ok := pickle.Items(args); ok {
			ex.Args = pickle.Tuple(items)
		}
	}
	if attrs, ok := d.Get_("attributes"); ok {
		if ad, ok := attrs.(pickle.Dict); ok {
			rest := pickle.NewDict()
			for k, v := range pickle.DictItems(ad) {
				if k == "_pyroTraceback" {
					if lines, ok := pickle.Items(v); ok {
						for _, l := range lines {
							s, _ := pickle.Text(l)
							ex.Traceback = append(ex.Traceback, s)
						}
					}
					continue
				}
				rest.Set(k, v)
			}
			if rest.Len() > 0 {
				ex.Attrs = rest
			}
		}
	}
	return ex.Typed()
}

// ClosesConnection: a Pyro 5 daemon keeps the connection after an
// exception.
func (c *pyro5Client) ClosesConnection(error) bool { return false }

func (c *pyro5Client) Close() error { return c.c.Close() }

// pyro5NameServerID is the object id of Pyro 5's name server
// (Pyro5.core.NAMESERVER_NAME).
const pyro5NameServerID = "Pyro.NameServer"

// isPyro5Name reports whether uri is a Pyro 5 PYRONAME or PYROMETA URI,
// which proxies resolve whenever they connect, as Pyro5's do.
func isPyro5Name(uri compat.URI) bool {
	return uri.Style == compat.Pyro5Style && (uri.Protocol == "PYRONAME" || uri.Protocol == "PYROMETA")
}

// Pyro5NSLocation says where a Pyro 5 name server is, as the arguments of
// Pyro5's locate_ns(host, port) do.
type Pyro5NSLocation struct {
	// Host of the name server; "" searches: first PYRO_NS_HOST (Pyro 5's
	// setting, localhost by default) if it is a loopback name, then by
	// broadcast (GET_NSURI), then PYRO_NS_HOST at PYRO_NS_PORT.
	Host string
	// Port is the name server's port with Host (0: PYRO_NS_PORT), else
	// the port of the first try and of the broadcast (0: PYRO_NS_PORT and
	// PYRO_NS_BCPORT).
	Port int
	// BCAddr is where the broadcast goes; "" means PYRO_NS_BC_ADDR, and
	// when that is unset Pyro5's BROADCAST_ADDRS: <broadcast> and 0.0.0.0.
	BCAddr string
	// Config supplies the ports and the broadcast address; nil means
	// config.Current().
	Config *config.Config
}

// LocatePyro5NS finds a Pyro 5 name server as Pyro5's locate_ns does
// (spec.md §17.7) and returns a connected proxy of it (configured with
// opts). When none answers, the error is Pyro5's NamingError("Failed to
// locate the nameserver") wrapping the last failure.
func LocatePyro5NS(ctx context.Context, loc Pyro5NSLocation, opts ...ProxyOption) (*Proxy, error) {
	cfg := loc.Config
	if cfg == nil {
		cfg = config.Current()
	}
	nsPort := cfg.NSPort
	if loc.Host != "" {
		if loc.Port != 0 {
			nsPort = loc.Port
		}
		return locatedPyro5(bindPyro5NS(ctx, pyro5NSURI(loc.Host, nsPort), opts))
	}
	nsHost := os.Getenv("PYRO_NS_HOST")
	if nsHost == "" {
		nsHost = "localhost"
	}
	firstPort := nsPort
	if loc.Port != 0 {
		firstPort = loc.Port
	}
	tried := false
	if nsHost == "localhost" || nsHost == "::1" || strings.HasPrefix(nsHost, "127.") {
		if p, err := bindPyro5NS(ctx, pyro5NSURI(nsHost, firstPort), opts); err == nil || ctx.Err() != nil {
			return locatedPyro5(p, err)
		}
		tried = firstPort == nsPort
	}
	bcPort := cfg.NS5BCPort
	if loc.Port != 0 {
		bcPort = loc.Port
	}
	addrs := []string{"<broadcast>", "0.0.0.0"}
	if loc.BCAddr != "" {
		addrs = []string{loc.BCAddr}
	} else if cfg.NSBCAddr != "" {
		addrs = []string{cfg.NSBCAddr}
	}
	dests := make([]string, len(addrs))
	for i, a := range addrs {
		dests[i] = net.JoinHostPort(a, strconv.Itoa(bcPort))
	}
	// Pyro5 sends three times, waiting 0.7 s for an answer each time.
	reply, err := discovery.Send(ctx, "GET_NSURI", dests, 700*time.Millisecond, 2)
	if err == nil {
		var uri compat.URI
		if uri, err = compat.ParseURI(reply); err == nil {
			return locatedPyro5(bindPyro5NS(ctx, uri, opts))
		}
	}
	if tried || ctx.Err() != nil {
		return locatedPyro5(nil, err)
	}
	return locatedPyro5(bindPyro5NS(ctx, pyro5NSURI(nsHost, nsPort), opts))
}

// pyro5NSURI is the URI of the Pyro 5 name server at host:port.
func pyro5NSURI(host string, port int) compat.URI {
	return compat.URI{Protocol: "PYRO", ObjectID: pyro5NameServerID, Address: host, Port: port, Style: compat.Pyro5Style}
}

// bindPyro5NS connects a proxy of the name server at uri, as Pyro5's
// _pyroBind, without calling it.
func bindPyro5NS(ctx context.Context, uri compat.URI, opts []ProxyOption) (*Proxy, error) {
	p, err := NewProxy(uri, opts...)
	if err != nil {
		return nil, err
	}
	if _, err := p.Metadata(ctx); err != nil && !errors.Is(err, ErrNoMetadata) {
		p.Close()
		return nil, err
	}
	return p, nil
}

// locatedPyro5 is the result of LocatePyro5NS: a failure is Pyro5's
// NamingError wrapping its cause.
func locatedPyro5(p *Proxy, err error) (*Proxy, error) {
	if err != nil {
		return nil, fmt.Errorf("%w (%w)", compat.NewException("Pyro5.errors", "NamingError", "Failed to locate the nameserver").Typed(), err)
	}
	return p, nil
}

// ResolvePyro5 resolves a Pyro 5 PYRONAME or PYROMETA URI into the PYRO
// URI of the object, as Pyro5.core.resolve does, at the name server that
// LocatePyro5NS finds from the URI's location (none: the search of
// Pyro5's locate_ns). PYRONAME is the name server's lookup; PYROMETA its
// yplookup with all the metadata of the URI, of whose registrations one is
// chosen at random. opts configure the proxy of the name server (the
// serializer, the timeout). A PYRO URI is returned as it is.
func ResolvePyro5(ctx context.Context, uri compat.URI, opts ...ProxyOption) (compat.URI, error) {
	if !isPyro5Name(uri) {
		if uri.Protocol == "PYRO" {
			return uri, nil
		}
		return compat.URI{}, compat.NewPyroError("invalid uri protocol")
	}
	ns, err := LocatePyro5NS(ctx, Pyro5NSLocation{Host: uri.Address, Port: uri.Port}, opts...)
	if err != nil {
		return compat.URI{}, err
	}
	defer ns.Close()
	if uri.Protocol == "PYRONAME" {
		v, err := ns.Call(ctx, "lookup", uri.ObjectID)
		if err != nil {
			return compat.URI{}, err
		}
		return compat.Pyro5URI(v)
	}
	metas := strings.Split(uri.ObjectID, ",")
	v, err := ns.CallKw(ctx, "yplookup", nil, map[string]any{"meta_all": metas, "return_metadata": false})
	if err != nil {
		return compat.URI{}, err
	}
	d, ok := v.(pickle.Dict)
	if !ok || d.Len() == 0 {
		return compat.URI{}, compat.NewException("Pyro5.errors", "NamingError",
			"no registrations available with desired metadata properties "+pySetRepr(metas)).Typed()
	}
	var candidates []any
	for _, u := range pickle.DictItems(d) {
		candidates = append(candidates, u)
	}
	return compat.Pyro5URI(candidates[rand.IntN(len(candidates))])
}

// pySetRepr is Python 3's repr of a set of strings (without quotes or
// backslashes, as metadata strings are), in sorted order.
func pySetRepr(items []string) string {
	sorted := slices.Clone(items)
	slices.Sort(sorted)
	quoted := make([]string, len(sorted))
	for i, s := range sorted {
		quoted[i] = "'" + s + "'"
	}
	return "{" + strings.Join(quoted, ", ") + "}"
}
