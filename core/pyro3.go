package core

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"math"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/config"
	"github.com/gopyro/gopyro/pickle"
	"github.com/gopyro/gopyro/protocol"
)

// Pyro 3 request flags (Pyro.constants.RIF_*).
const (
	rifVarargs  = 1
	rifKeywords = 2
	rifOneway   = 4
)

// Pyro 3's call styles (Request.Style): the usual one is DynamicProxy's,
// keywords and varargs (flags 3, or 7 for oneway).
const (
	// styleFlags0 sends the positional arguments as they are (flags 0),
	// as Pyro's NameServerProxy and PYROLOC resolution call.
	styleFlags0 CallStyle = 1 + iota
	// styleVarargs packs the positional arguments into one trailing tuple
	// (flags 1), as Pyro's NameServerProxy sends _synccall.
	styleVarargs
)

// pyro3Config is a daemon's configuration of the Pyro 3 protocol.
type pyro3Config struct {
	opts        protocol.Options         // framing of the daemon's connections
	validator   protocol.ServerValidator // nil means a protocol.DefaultValidator
	tls         bool                     // the daemon is a PYROSSL one
	pickleProto int                      // PYRO_PICKLE_FORMAT of replies
}

// pyro3 is the Pyro 3 Protocol: PYRO protocol version 5 framing and
// handshake (package protocol), pickled request tuples and
// PyroExceptionCapsule replies, the DaemonServant, remote attributes with
// _r_ha, _r_ga and _r_sa, and Python 2's exceptions.
type pyro3 struct{ cfg pyro3Config }

func newPyro3(cfg pyro3Config) *pyro3 {
	if cfg.validator == nil {
		cfg.validator = &protocol.DefaultValidator{}
	}
	return &pyro3{cfg}
}

// pyro3For is the Pyro 3 protocol configured by a daemon's options and the
// process configuration.
func pyro3For(opts DaemonOptions, cfg *config.Config) (*pyro3, error) {
	pickleProto, err := pickleProtocol(cfg.PickleFormat)
	if err != nil {
		return nil, err
	}
	v := opts.Validator
	switch {
	case v != nil:
	case opts.TLS != nil:
		sv := &protocol.SSLValidator{}
		sv.MaxConnections = opts.MaxConnections
		if opts.Identifications != nil {
			sv.SetAllowedIdentifications(opts.Identifications)
		}
		v = sv
	default:
		dv := &protocol.DefaultValidator{MaxConnections: opts.MaxConnections}
		if opts.Identifications != nil {
			dv.SetAllowedIdentifications(opts.Identifications)
		}
		v = dv
	}
	return newPyro3(pyro3Config{
		opts: protocol.Options{
			Compress: opts.Compression, Checksum: opts.Checksum,
			MaxMessageSize: opts.MaxMessageSize, IOTimeout: opts.IdleTimeout,
		},
		validator:   v,
		tls:         opts.TLS != nil,
		pickleProto: pickleProto,
	}), nil
}

func (*pyro3) Schemes() []string { return []string{"PYRO", "PYROSSL", "PYROLOC", "PYROLOCSSL"} }

func (p *pyro3) URI(host string, port int, id string) compat.URI {
	scheme := "PYRO"
	if p.cfg.tls {
		scheme = "PYROSSL"
	}
	return compat.URI{Protocol: scheme, Address: host, Port: port, ObjectID: id}
}

func (p *pyro3) DaemonObject(d *Daemon) (id, name string, obj any) {
	return compat.InternalDaemonGUID, internalDaemonName, daemonServant{d}
}

func (p *pyro3) Accept(ctx context.Context, nc net.Conn, a *Admission) (ServerCodec, error) {
	info := protocol.ConnInfo{RemoteAddr: nc.RemoteAddr(), LocalAddr: nc.LocalAddr(), Connections: a.Connections}
	s, err := newPyro3Server(ctx, nc, p.cfg.opts, p.cfg.opts, &admission{ServerValidator: p.cfg.validator, a: a}, info, p.cfg.pickleProto)
	if err != nil {
		return nil, err
	}
	s.mem = a.d.decodeMem
	return s, nil
}

// ToException converts an error returned by a Go method into the Python
// exception a Pyro 3 caller receives (Pyro 3 is Python 2):
//
//   - a *compat.Exception or a typed Pyro error (*compat.NamingError, ...),
//     also wrapped with %w, passes as itself;
//   - wrong arguments become exceptions.TypeError, unknown methods and
//     attributes exceptions.AttributeError, with Pyro's texts;
//   - every other error, and a recovered panic, becomes
//     exceptions.RuntimeError(err.Error()): RuntimeError is what Python
//     code raises for "an error that fits no other category".
func ToException(err error) *compat.Exception {
	var ex *compat.Exception
	if errors.As(err, &ex) {
		return ex
	}
	var te *typeError
	if errors.As(err, &te) {
		return compat.TypeError(te.msg)
	}
	var ae *attributeError
	if errors.As(err, &ae) {
		return compat.AttributeError(ae.msg)
	}
	return compat.RuntimeError(err.Error())
}

// traceback formats the Python-style traceback list for err, which the
// server puts in the error capsule: a header, one entry per Go frame (for
// panics the panicking stack, else the method that returned the error), and
// the final "Class: message" line.
func traceback(err error, ex *compat.Exception) []string {
	tb := append([]string{"Traceback (most recent call last):\n"}, frames(err)...)
	return append(tb, lastLine(ex))
}

func lastLine(ex *compat.Exception) string {
	msg := ex.Message()
	if msg == "" {
		return ex.Class.Name + "\n"
	}
	return ex.Class.Name + ": " + msg + "\n"
}

// internalDaemonName is the name getRegistered reports for the internal
// daemon object.
const internalDaemonName = "__PYRO_Internal_Daemon"

// admission is the Validator of one connection: the daemon's Validator with
// the daemon's own rules around it. Only granted connections count against
// the connection limit: AcceptHost sees the number of granted connections
// plus this one, and the daemon's own MaxConnections is checked again,
// atomically with counting the connection, just before it is granted.
type admission struct {
	protocol.ServerValidator
	a *Admission
}

// AcceptHost refuses a client over its host's limit, then asks the
// daemon's Validator.
func (v *admission) AcceptHost(info protocol.ConnInfo) (bool, protocol.DenyReason) {
	if v.a.OverHost {
		return false, protocol.DenyServerTooBusy
	}
	return v.ServerValidator.AcceptHost(info)
}

// AcceptIdentification asks the daemon's Validator, then has the daemon
// grant the connection.
func (v *admission) AcceptIdentification(info protocol.ConnInfo, challenge, token []byte) (bool, protocol.DenyReason) {
	if ok, reason := v.ServerValidator.AcceptIdentification(info, challenge, token); !ok {
		return false, reason
	}
	if !v.a.Grant() {
		return false, protocol.DenyServerTooBusy
	}
	return true, protocol.DenyUnspecified
}

// daemonServant is the internal daemon object, which answers PYROLOC
// lookups: Pyro's DaemonServant.
type daemonServant struct{ d *Daemon }

func (daemonServant) PyroAttrs() Attrs {
	return Attrs{Class: "DaemonServant", Methods: []string{"getRegistered", "ResolvePYROLOC"}}
}

func (s daemonServant) Invoke(_ context.Context, c *Call) (any, error) {
	d := s.d
	switch c.Method {
	case "getRegistered":
		if len(c.Args) != 0 {
			return nil, typeErrorf("getRegistered() takes no arguments (%d given)", len(c.Args))
		}
		m := pickle.NewDict()
		m.Set(pickle.ByteString(compat.InternalDaemonGUID), pickle.ByteString(internalDaemonName))
		for g, n := range d.Registered() {
			if n == "" {
				m.Set(pickle.ByteString(g), pickle.None{})
			} else {
				m.Set(pickle.ByteString(g), pickle.ByteString(n))
			}
		}
		return m, nil
	case "ResolvePYROLOC":
		if len(c.Args) != 1 {
			return nil, typeErrorf("ResolvePYROLOC() takes exactly 1 argument (%d given)", len(c.Args))
		}
		name, ok := pickle.Text(c.Args[0])
		if !ok {
			return nil, compat.NewNamingError("no object found by this name", c.Args[0])
		}
		guid, err := d.ResolvePYROLOC(name)
		if err != nil {
			return nil, err
		}
		return pickle.ByteString(guid), nil
	}
	return nil, &attributeError{msg: fmt.Sprintf("'DaemonServant' object has no attribute '%s'", c.Method)}
}

// pyro3Server is the ServerCodec of the PYRO protocol (version 5).
type pyro3Server struct {
	c    *protocol.Conn
	dec  pickle.Decoder
	enc  pickle.Encoder
	wbuf []byte
	req  Request       // the last request read, reused by the next
	mem  *decodeMemory // the daemon's bound on decoding requests; nil for none
	held int64         // what the request being read has reserved of mem
}

// newPyro3Server runs the server side of the handshake on nc (framing
// options hopts) and returns the codec for the granted connection (framing
// options opts).
func newPyro3Server(ctx context.Context, nc net.Conn, hopts, opts protocol.Options, v protocol.ServerValidator, info protocol.ConnInfo, pickleProto int) (*pyro3Server, error) {
	bc := buffered(nc, serverReadBuffer)
	c := protocol.NewConn(bc, hopts)
	if err := protocol.ServerHandshake(ctx, c, v, info); err != nil {
		// A broken CONNECT message is answered like any broken message.
		if ex := framingReply(err); ex != nil {
			s := &pyro3Server{c: c, enc: pickle.Encoder{Protocol: pickleProto, MaxOutput: hopts.MaxMessageSize}}
			_ = s.writeException(ctx, ex, nil)
		}
		return nil, err
	}
	opts.ReuseBody = true // a request is decoded before the next is read
	// Replies are held to the size limit a gopyro peer applies to what it
	// reads, so a reply no peer would take is refused (a PicklingError)
	// before it is built.
	s := &pyro3Server{enc: pickle.Encoder{Protocol: pickleProto, MaxOutput: opts.MaxMessageSize}}
	opts.Admit = s.admit
	s.c = protocol.NewConn(bc, opts)
	return s, nil
}

// admit reserves the memory of reading and decoding a request whose body
// takes at most bound bytes (see decodemem.go); ReadRequest gives it back.
func (s *pyro3Server) admit(ctx context.Context, bound int) error {
	if s.mem == nil || bound <= freeDecodeBody {
		return nil
	}
	held, err := s.mem.acquire(ctx, decodeCost(bound))
	s.held = held
	return err
}

// framingReply is the exception Pyro answers a framing error with before
// closing (wire §7), or nil when it closes without a reply.
func framingReply(err error) *compat.Exception {
	var pe *protocol.FrameError
	if !errors.As(err, &pe) {
		return nil
	}
	switch {
	case errors.Is(err, protocol.ErrVersion), errors.Is(err, protocol.ErrHeader), errors.Is(err, protocol.ErrChecksum):
		return &compat.NewProtocolError(pe.Msg).Exception
	}
	return nil
}

func (s *pyro3Server) ReadRequest(ctx context.Context) (*Request, error) {
	defer func() {
		if s.held > 0 {
			s.mem.release(s.held)
			s.held = 0
		}
	}()
	body, _, err := s.c.ReadMessage(ctx)
	if err != nil {
		if ex := framingReply(err); ex != nil {
			return nil, &RequestError{Err: err, Reply: &bareReply{ex}, Close: true}
		}
		if errors.Is(err, protocol.ErrCompression) {
			return nil, &RequestError{Err: err, Reply: compat.NewException("zlib", "error", err.Error())}
		}
		if errors.Is(err, protocol.ErrXMLPickle) {
			return nil, &RequestError{Err: err, Reply: &bareReply{&compat.NewProtocolError(err.Error()).Exception}}
		}
		if errors.Is(err, protocol.ErrRefused) {
			return nil, &RequestError{Err: err, Reply: &bareReply{&compat.NewPyroError(err.Error()).Exception}}
		}
		return nil, err
	}
	v, err := safeDecode(&s.dec, body)
	if err != nil {
		return nil, &RequestError{Err: err, Reply: unpicklingError(err)}
	}
	t, ok := v.(pickle.Tuple)
	if !ok || len(t) != 4 {
		return nil, &RequestError{Err: fmt.Errorf("invalid request data format"), Close: true}
	}
	args, ok := t[3].(pickle.Tuple)
	if !ok {
		return nil, &RequestError{Err: fmt.Errorf("invalid request data format"), Close: true}
	}
	id, ok1 := pickle.Text(t[0])
	meth, ok2 := pickle.Text(t[1])
	flags, ok3 := t[2].(int64)
	if !ok1 || !ok2 || !ok3 {
		return nil, &RequestError{Err: fmt.Errorf("invalid request data format"), Close: true}
	}
	r := &s.req
	*r = Request{ObjectID: id, Call: Call{Method: meth, Oneway: flags&rifOneway != 0}}
	r.Args, r.Kwargs, r.Err = applyFlags(meth, flags, args)
	return r, nil
}

// applyFlags rebuilds positional and keyword arguments from a request's
// argument tuple as Pyro's ObjBase.Pyro_dyncall does: keywords first (the
// last element is a dict), then varargs (the last remaining element is a
// tuple of extra positionals).
func applyFlags(method string, flags int64, args pickle.Tuple) ([]any, map[string]any, error) {
	a := []any(args)
	var kw map[string]any
	if flags&rifKeywords != 0 {
		if len(a) == 0 {
			return nil, nil, compat.IndexError("tuple index out of range")
		}
		d, ok := a[len(a)-1].(pickle.Dict)
		if !ok {
			return nil, nil, compat.TypeError(fmt.Sprintf("%s() argument after ** must be a mapping, not %s", method, pickle.PythonType(a[len(a)-1])))
		}
		a = a[:len(a)-1]
		if d != (pickle.Dict{}) && d.Len() > 0 {
			n := d.Len()
			kw = make(map[string]any, n)
			var bad any
			d.Iter()(func(k, v any) bool {
				name, ok := pickle.Text(k)
				if !ok {
					bad = k
					return false
				}
				kw[name] = v
				return true
			})
			if bad != nil {
				return nil, nil, compat.TypeError(method + "() keywords must be strings")
			}
		}
	}
	if flags&rifVarargs != 0 {
		if len(a) == 0 {
			return nil, nil, compat.IndexError("tuple index out of range")
		}
		extra, ok := pickle.Items(a[len(a)-1])
		if !ok {
			return nil, nil, compat.TypeError(fmt.Sprintf("can only concatenate tuple (not \"%s\") to tuple", pickle.PythonType(a[len(a)-1])))
		}
		if len(a) == 1 {
			// the usual DynamicProxy call ((args...), {}): no copy needed
			a = extra
		} else {
			b := make([]any, 0, len(a)-1+len(extra))
			a = append(append(b, a[:len(a)-1]...), extra...)
		}
	}
	return a, kw, nil
}

// unpicklingError is the Python exception for an undecodable request.
func unpicklingError(err error) *compat.Exception {
	msg := err.Error()
	var pe *pickle.Error
	if errors.As(err, &pe) {
		msg = pe.Err.Error()
	}
	if strings.Contains(msg, "unsupported pickle protocol") {
		return compat.ValueError(msg)
	}
	return compat.NewException("cPickle", "UnpicklingError", msg)
}

func (s *pyro3Server) WriteResult(ctx context.Context, result any) error {
	buf, err := s.enc.Append(s.wbuf[:0], result)
	if err != nil {
		return s.WriteError(ctx, compat.NewException("pickle", "PicklingError", err.Error()))
	}
	return s.send(ctx, buf)
}

// bareReply is an exception of the protocol layer, which Pyro answers
// without a traceback.
type bareReply struct{ ex *compat.Exception }

func (b *bareReply) Error() string { return b.ex.Error() }

// errHangUp ends a connection on a close rule of Pyro 3.
var errHangUp = errors.New("core: Pyro 3 closes the connection here")

// WriteError answers with the exception err maps to (ToException), with the
// Go frames of err as the remote traceback, and applies Pyro 3's close
// rules: an unknown object is answered, even for a oneway call, then the
// connection closes; a method raising exactly Pyro.errors.ProtocolError
// closes it without an answer.
func (s *pyro3Server) WriteError(ctx context.Context, err error) error {
	var bare *bareReply
	switch {
	case errors.Is(err, ErrUnknownObject):
		if werr := s.writeException(ctx, &compat.NewProtocolError("unknown object ID").Exception, nil); werr != nil {
			return werr
		}
		return errHangUp
	case errors.As(err, &bare):
		return s.writeException(ctx, bare.ex, nil)
	case isProtocolErrorClass(err):
		return errHangUp
	}
	ex := ToException(err)
	tb := ex.Traceback
	if tb == nil {
		// An exception that came from elsewhere (a remote call) keeps its
		// traceback, as on the Pyro 5 side.
		tb = traceback(err, ex)
	}
	return s.writeException(ctx, ex, tb)
}

func isProtocolErrorClass(err error) bool {
	var ex *compat.Exception
	return errors.As(err, &ex) && ex.Class.Module == "Pyro.errors" && ex.Class.Name == "ProtocolError"
}

// writeException sends ex in a PyroExceptionCapsule; tb nil means no
// traceback.
func (s *pyro3Server) writeException(ctx context.Context, ex *compat.Exception, tb []string) error {
	capsule := &compat.Capsule{Exc: ex}
	if tb != nil {
		capsule.Traceback = tb
	}
	buf, err := s.enc.Append(s.wbuf[:0], capsule)
	if err != nil {
		// The exception cannot be pickled: like Pyro, send a PyroError
		// with the pickling error's text instead. That is strings of our
		// own, so it is written whatever the output limit, which may
		// be what refused the exception.
		plain := compat.NewPyroError(err.Error())
		unlimited := pickle.Encoder{Protocol: s.enc.Protocol, MaxOutput: math.MaxInt}
		if buf, err = unlimited.Append(s.wbuf[:0], &compat.Capsule{Exc: plain, Traceback: capsule.Traceback}); err != nil {
			return err
		}
	}
	return s.send(ctx, buf)
}

// maxKeptBuffer is the largest encode buffer a connection keeps between
// replies; bigger ones are dropped so idle connections stay small.
const maxKeptBuffer = 64 << 10

func (s *pyro3Server) send(ctx context.Context, buf []byte) error {
	err := s.c.WriteMessage(ctx, buf)
	if cap(buf) <= maxKeptBuffer {
		s.wbuf = buf[:0]
	} else {
		s.wbuf = nil
	}
	return err
}

func (s *pyro3Server) Close() error { return s.c.Close() }

// pyro3Client is the ClientCodec of the PYRO protocol.
type pyro3Client struct {
	c    *protocol.Conn
	nc   net.Conn // the connection under c, for LocalAddr
	uri  compat.URI
	dec  pickle.Decoder
	enc  pickle.Encoder
	wbuf []byte
	// Scratch space for the request tuple, boxed once (reqBox and
	// callArgsBox are tuples over req and callArgs, argsBox[n] over
	// args[:n]), and the last object id and method name boxed: a call
	// then allocates little.
	req           [4]any
	callArgs      [2]any
	args          [boxedArgs]any
	reqBox        any
	callArgsBox   any
	argsBox       [boxedArgs + 1]any
	lastID        string
	lastIDBox     any
	lastMethod    string
	lastMethodBox any
	hasMethod     bool // the last request was StyleHasMethod
}

// boxedArgs is how many positional arguments a request may have for a
// pyro3Client to send them without allocating.
const boxedArgs = 4

// Dial connects to the daemon of uri, over TLS for PYROSSL and PYROLOCSSL
// (s.TLS, else the PYROSSL_* items), with pickles of protocol
// PYRO_PICKLE_FORMAT, and resolves a PYROLOC name with the daemon's
// ResolvePYROLOC on the new connection.
func (*pyro3) Dial(ctx context.Context, uri compat.URI, s DialSettings) (ClientCodec, compat.URI, error) {
	cfg := config.Current()
	pickleProto, err := pickleProtocol(cfg.PickleFormat)
	if err != nil {
		return nil, uri, commError("dial", uri, err)
	}
	tlsCfg := s.TLS
	if uri.Protocol != "PYROSSL" && uri.Protocol != "PYROLOCSSL" {
		tlsCfg = nil
	} else if tlsCfg == nil {
		if tlsCfg, err = protocol.TLSSettingsFromConfig(cfg).ClientConfig(uri.Address); err != nil {
			return nil, uri, commError("dial", uri, err)
		}
	}
	pc, err := dialPyro3(ctx, uri, s, tlsCfg, cfg.SockKeepalive, pickleProto)
	if err != nil {
		return nil, uri, err
	}
	if uri.Protocol != "PYROLOC" && uri.Protocol != "PYROLOCSSL" {
		return pc, uri, nil
	}
	bound, err := pc.resolvePYROLOC(ctx, uri)
	if err != nil {
		pc.Close()
		return nil, uri, err
	}
	return pc, bound, nil
}

// resolvePYROLOC asks the daemon for the object uri names and returns its
// URI: Pyro's resolvePYROLOC_URI, where PYROLOCSSL gives a PYROSSL URI.
func (c *pyro3Client) resolvePYROLOC(ctx context.Context, uri compat.URI) (compat.URI, error) {
	req := &Request{ObjectID: compat.InternalDaemonGUID, Call: Call{Method: "ResolvePYROLOC", Args: []any{pickle.ByteString(uri.ObjectID)}}, Style: styleFlags0}
	if err := c.WriteRequest(ctx, req); err != nil {
		return uri, err
	}
	res, err := c.ReadReply(ctx)
	if err != nil {
		return uri, err
	}
	guid, ok := pickle.Text(res)
	if !ok {
		return uri, compat.NewProtocolError(fmt.Sprintf("ResolvePYROLOC returned %s", pickle.PythonType(res)))
	}
	proto := "PYRO"
	if uri.Protocol == "PYROLOCSSL" {
		proto = "PYROSSL"
	}
	return compat.URI{Protocol: proto, Address: uri.Address, Port: uri.Port, ObjectID: guid}, nil
}

// dialPyro3 connects to the daemon of uri (over TLS with tlsCfg, whose
// ServerName "" means the URI's host) and runs the client handshake, which
// starts with the TLS handshake.
func dialPyro3(ctx context.Context, uri compat.URI, s DialSettings, tlsCfg *tls.Config, keep bool, pickleProto int) (*pyro3Client, error) {
	d := net.Dialer{KeepAlive: keepAlive(keep)}
	nc, err := d.DialContext(ctx, "tcp", net.JoinHostPort(uri.Address, strconv.Itoa(uri.Port)))
	if err != nil {
		return nil, commError("dial", uri, err)
	}
	if tlsCfg != nil {
		if tlsCfg.ServerName == "" {
			tlsCfg = tlsCfg.Clone()
			tlsCfg.ServerName = uri.Address
		}
		nc = tls.Client(nc, tlsCfg)
	}
	opts := s.Options
	opts.ReuseBody = true // a reply is decoded before the next is read
	c := protocol.NewConn(buffered(nc, clientReadBuffer), opts)
	if err := protocol.ClientHandshake(ctx, c, s.Validator, s.Ident); err != nil {
		c.Close()
		return nil, commError("handshake", uri, err)
	}
	pc := &pyro3Client{c: c, nc: nc, uri: uri, enc: pickle.Encoder{Protocol: pickleProto, MaxOutput: opts.MaxMessageSize}}
	pc.reqBox, pc.callArgsBox = pickle.Tuple(pc.req[:]), pickle.Tuple(pc.callArgs[:])
	for n := range pc.argsBox {
		pc.argsBox[n] = pickle.Tuple(pc.args[:n])
	}
	return pc, nil
}

// keepAlive is the net.Dialer / net.ListenConfig KeepAlive setting for
// PYRO_SOCK_KEEPALIVE: Go's default period when on, disabled when off.
func keepAlive(on bool) time.Duration {
	if on {
		return 0
	}
	return -1
}

// pickleProtocol is the pickle protocol of what a daemon or proxy sends:
// PYRO_PICKLE_FORMAT, with Python's meaning of a negative value (the
// highest protocol, 2 for Python 2).
func pickleProtocol(format int) (int, error) {
	switch {
	case format < 0:
		return 2, nil
	case format > 2:
		return 0, fmt.Errorf("core: PYRO_PICKLE_FORMAT=%d: Pyro 3 peers (Python 2) read pickle protocols 0 to 2", format)
	}
	return format, nil
}

// commError wraps a transport failure with the Pyro error class a Python
// client would raise for it.
func commError(op string, uri compat.URI, err error) *CommError {
	var exc error
	var denied *protocol.DeniedError
	switch {
	case errors.As(err, &denied):
		exc = compat.NewConnectionDeniedError(denied.Error())
	case errors.Is(err, protocol.ErrTimeout), errors.Is(err, context.DeadlineExceeded):
		exc = compat.NewTimeoutError("connection timeout")
	case op == "dial":
		exc = compat.NewProtocolError("connection failed")
	case errors.Is(err, protocol.ErrTLS):
		exc = compat.NewProtocolError(err.Error())
	case errors.Is(err, protocol.ErrVersion), errors.Is(err, protocol.ErrHeader), errors.Is(err, protocol.ErrChecksum), errors.Is(err, protocol.ErrHandshake):
		exc = compat.NewProtocolError(err.Error())
	default:
		exc = compat.NewConnectionClosedError("connection lost")
	}
	return &CommError{Op: op, URI: uri, Err: err, Exc: exc}
}

// attrMethod is Pyro 3's remote attribute request for an attribute style,
// or "" for the other styles.
func attrMethod(s CallStyle) string {
	switch s {
	case StyleGetAttr:
		return "_r_ga"
	case StyleSetAttr:
		return "_r_sa"
	case StyleHasMethod:
		return "_r_ha"
	}
	return ""
}

func (c *pyro3Client) WriteRequest(ctx context.Context, r *Request) error {
	buf, err := c.appendRequest(c.wbuf[:0], r)
	if err != nil {
		return err
	}
	if err := c.c.WriteMessage(ctx, buf); err != nil {
		return commError("write", c.uri, err)
	}
	c.keep(buf)
	return nil
}

// WriteRequests sends the oneway requests rs in one write.
func (c *pyro3Client) WriteRequests(ctx context.Context, rs []*Request) error {
	buf := c.wbuf[:0]
	ends := make([]int, len(rs))
	for i, r := range rs {
		var err error
		if buf, err = c.appendRequest(buf, r); err != nil {
			return err
		}
		ends[i] = len(buf)
	}
	bodies := make([][]byte, len(rs))
	start := 0
	for i, end := range ends {
		bodies[i], start = buf[start:end], end
	}
	if err := c.c.WriteMessages(ctx, bodies); err != nil {
		return commError("write", c.uri, err)
	}
	c.keep(buf)
	return nil
}

// keep keeps buf for the next request unless it grew large.
func (c *pyro3Client) keep(buf []byte) {
	if cap(buf) <= maxKeptBuffer {
		c.wbuf = buf[:0]
	} else {
		c.wbuf = nil
	}
}

// appendRequest appends the pickle of r to dst.
func (c *pyro3Client) appendRequest(dst []byte, r *Request) ([]byte, error) {
	var flags int64
	var args any
	method := r.Method
	c.hasMethod = r.Style == StyleHasMethod
	if am := attrMethod(r.Style); am != "" {
		// _r_ga(name), _r_ha(name), _r_sa(name, value), sent the
		// usual way.
		n := 1
		if r.Style == StyleSetAttr {
			if len(r.Args) != 1 {
				return dst, fmt.Errorf("core: setting attribute %s needs one value, not %d", r.Method, len(r.Args))
			}
			c.args[1], n = r.Args[0], 2
		}
		c.args[0], args, method = pickle.ByteString(r.Method), c.argsBox[n], am
	} else {
		args = c.argTuple(r.Args)
	}
	switch r.Style {
	case styleVarargs:
		flags, c.req[3] = rifVarargs, pickle.Tuple{args}
	case styleFlags0:
		c.req[3] = args
	default:
		flags = rifVarargs | rifKeywords
		kw := emptyDict
		if len(r.Kwargs) > 0 {
			kw = pickle.NewDict()
			for k, v := range r.Kwargs {
				kw.Set(pickle.ByteString(k), v)
			}
		}
		c.callArgs[0], c.callArgs[1] = args, kw
		c.req[3] = c.callArgsBox
	}
	if r.Oneway {
		flags |= rifOneway
	}
	if r.ObjectID != c.lastID {
		c.lastID, c.lastIDBox = r.ObjectID, pickle.ByteString(r.ObjectID)
	}
	if method != c.lastMethod {
		c.lastMethod, c.lastMethodBox = method, pickle.ByteString(method)
	}
	c.req[0], c.req[1], c.req[2] = c.lastIDBox, c.lastMethodBox, flags
	buf, err := c.enc.Append(dst, c.reqBox)
	c.req, c.callArgs, c.args = [4]any{}, [2]any{}, [boxedArgs]any{}
	if err != nil {
		return dst, fmt.Errorf("core: cannot pickle the arguments of %s: %w", r.Method, err)
	}
	return buf, nil
}

// argTuple returns the positional arguments as a tuple in an interface,
// without allocating when there are few: they are copied to c.args.
func (c *pyro3Client) argTuple(args []any) any {
	if len(args) < len(c.argsBox) {
		copy(c.args[:], args)
		return c.argsBox[len(args)]
	}
	return pickle.Tuple(args)
}

// emptyDict is the keyword dict of calls without keywords; it is never
// modified.
var emptyDict = pickle.NewDict()

func (c *pyro3Client) ReadReply(ctx context.Context) (any, error) {
	body, _, err := c.c.ReadMessage(ctx)
	if err != nil {
		return nil, commError("read", c.uri, err)
	}
	v, err := safeDecode(&c.dec, body)
	if err != nil {
		return nil, fmt.Errorf("core: cannot unpickle the reply: %w", err)
	}
	if capsule, ok := v.(*compat.Capsule); ok {
		return nil, capsule.Err()
	}
	if c.hasMethod {
		// _r_ha answers 1 for a method, 2 for anything else.
		n, _ := v.(int64)
		return n == attrIsMethod, nil
	}
	return v, nil
}

// ClosesConnection: a Pyro 3 daemon closes the connection after a
// ProtocolError (exactly that class).
func (c *pyro3Client) ClosesConnection(err error) bool {
	var pe *compat.ProtocolError
	return errors.As(err, &pe) && pe.Class.Name == "ProtocolError"
}

func (c *pyro3Client) Close() error { return c.c.Close() }

// LocalAddr returns the local address of the connection.
func (c *pyro3Client) LocalAddr() net.Addr { return c.nc.LocalAddr() }

// bufConn buffers reads so that a message header and a small body arrive in
// one read system call instead of two.
type bufConn struct {
	net.Conn
	r *bufio.Reader
}

// Read reads from the buffer.
func (c *bufConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// Buffered returns how many bytes can be read without I/O.
func (c *bufConn) Buffered() int { return c.r.Buffered() }

// NetConn returns the wrapped connection, so that package protocol finds a
// PYROSSL connection's *tls.Conn under the buffer (nothing is read through
// the buffer before the TLS handshake).
func (c *bufConn) NetConn() net.Conn { return c.Conn }

// Buffer sizes: a daemon keeps a small buffer per connection (most requests
// fit, and idle connections stay cheap); larger bodies bypass it.
const (
	serverReadBuffer = 512
	clientReadBuffer = 4096
)

func buffered(nc net.Conn, size int) net.Conn {
	return &bufConn{Conn: nc, r: bufio.NewReaderSize(nc, size)}
}

// safeDecode decodes a pickle, turning a panic of the decoder on hostile
// input into an error.
func safeDecode(d *pickle.Decoder, body []byte) (v any, err error) {
	defer func() {
		if r := recover(); r != nil {
			v, err = nil, fmt.Errorf("pickle decoder failed: %v", r)
		}
	}()
	return d.Decode(body)
}
