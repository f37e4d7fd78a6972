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
	"github.com/gopyro/gopyro/pickle"
	"github.com/gopyro/gopyro/protocol"
)

// Pyro 3 request flags (Pyro.constants.RIF_*).
const (
	rifVarargs  = 1
	rifKeywords = 2
	rifOneway   = 4
)

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
func newPyro3Server(ctx context.Context, nc net.Conn, hopts, opts protocol.Options, v protocol.Validator, info protocol.ConnInfo, pickleProto int) (*pyro3Server, error) {
	bc := buffered(nc, serverReadBuffer)
	c := protocol.NewConn(bc, hopts)
	if err := protocol.ServerHandshake(ctx, c, v, info); err != nil {
		// A broken CONNECT message is answered like any broken message.
		if ex := framingReply(err); ex != nil {
			s := &pyro3Server{c: c, enc: pickle.Encoder{Protocol: pickleProto, MaxOutput: hopts.MaxMessageSize}}
			_ = s.WriteError(ctx, ex, nil)
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
	var pe *protocol.ProtocolError
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
			return nil, &RequestError{Err: err, Reply: ex, Close: true}
		}
		if errors.Is(err, protocol.ErrCompression) {
			ex := compat.NewException("zlib", "error", err.Error())
			return nil, &RequestError{Err: err, Reply: ex, Traceback: traceback(err, ex)}
		}
		if errors.Is(err, protocol.ErrXMLPickle) {
			ex := &compat.NewProtocolError(err.Error()).Exception
			return nil, &RequestError{Err: err, Reply: ex}
		}
		if errors.Is(err, protocol.ErrRefused) {
			return nil, &RequestError{Err: err, Reply: &compat.NewPyroError(err.Error()).Exception}
		}
		return nil, err
	}
	v, err := safeDecode(&s.dec, body)
	if err != nil {
		ex := unpicklingError(err)
		return nil, &RequestError{Err: err, Reply: ex, Traceback: traceback(err, ex)}
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
		ex := compat.NewException("pickle", "PicklingError", err.Error())
		return s.WriteError(ctx, ex, traceback(err, ex))
	}
	return s.send(ctx, buf)
}

func (s *pyro3Server) WriteError(ctx context.Context, ex *compat.Exception, tb []string) error {
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
}

// boxedArgs is how many positional arguments a request may have for a
// pyro3Client to send them without allocating.
const boxedArgs = 4

// dialSettings are what dialPyro3 needs besides the URI.
type dialSettings struct {
	opts      protocol.Options
	validator protocol.Validator
	ident     []byte
	// tls, if set, makes the connection a PYROSSL one; ServerName "" means
	// the URI's host.
	tls         *tls.Config
	keepAlive   bool // PYRO_SOCK_KEEPALIVE
	pickleProto int  // PYRO_PICKLE_FORMAT
}

// dialPyro3 connects to the daemon of uri (over TLS with s.tls) and runs the
// client handshake, which starts with the TLS handshake.
func dialPyro3(ctx context.Context, uri compat.URI, s dialSettings) (*pyro3Client, error) {
	d := net.Dialer{KeepAlive: keepAlive(s.keepAlive)}
	nc, err := d.DialContext(ctx, "tcp", net.JoinHostPort(uri.Address, strconv.Itoa(uri.Port)))
	if err != nil {
		return nil, commError("dial", uri, err)
	}
	if s.tls != nil {
		cfg := s.tls
		if cfg.ServerName == "" {
			cfg = cfg.Clone()
			cfg.ServerName = uri.Address
		}
		nc = tls.Client(nc, cfg)
	}
	opts := s.opts
	opts.ReuseBody = true // a reply is decoded before the next is read
	c := protocol.NewConn(buffered(nc, clientReadBuffer), opts)
	if err := protocol.ClientHandshake(ctx, c, s.validator, s.ident); err != nil {
		c.Close()
		return nil, commError("handshake", uri, err)
	}
	pc := &pyro3Client{c: c, nc: nc, uri: uri, enc: pickle.Encoder{Protocol: s.pickleProto, MaxOutput: opts.MaxMessageSize}}
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

func (c *pyro3Client) WriteRequest(ctx context.Context, r *Request) error {
	var flags int64
	args := c.argTuple(r.Args)
	switch {
	case r.Plain && r.Varargs:
		flags, c.req[3] = rifVarargs, pickle.Tuple{args}
	case r.Plain:
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
	if r.Method != c.lastMethod {
		c.lastMethod, c.lastMethodBox = r.Method, pickle.ByteString(r.Method)
	}
	c.req[0], c.req[1], c.req[2] = c.lastIDBox, c.lastMethodBox, flags
	buf, err := c.enc.Append(c.wbuf[:0], c.reqBox)
	c.req, c.callArgs, c.args = [4]any{}, [2]any{}, [boxedArgs]any{}
	if err != nil {
		return fmt.Errorf("core: cannot pickle the arguments of %s: %w", r.Method, err)
	}
	if err := c.c.WriteMessage(ctx, buf); err != nil {
		return commError("write", c.uri, err)
	}
	if cap(buf) <= maxKeptBuffer {
		c.wbuf = buf[:0]
	} else {
		c.wbuf = nil
	}
	return nil
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
	return v, nil
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
