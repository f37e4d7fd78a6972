package core

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"iter"
	"maps"
	"net"
	"reflect"
	"slices"
	"strings"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/pickle"
	"github.com/gopyro/gopyro/protocol5"
	"github.com/gopyro/gopyro/pyjson"
	"github.com/gopyro/gopyro/pymarshal"
	"github.com/gopyro/gopyro/pymsgpack"
	"github.com/gopyro/gopyro/serpent"
)

// Pyro 5, protocol 502 (spec.md §17), on the daemon's side: the Protocol
// that serves Go objects to Python 3 programs using Pyro5 5.17.

// pyro5DaemonID is the object id of Pyro 5's internal daemon object
// (Pyro5.core.DAEMON_NAME).
const pyro5DaemonID = "Pyro.Daemon"

// HandshakeFunc validates the handshake data a Pyro 4 or Pyro 5 client
// sends on connect (its proxy's _pyroHandshake) and returns the data
// answered in CONNECTOK, as an override of Pyro4's or Pyro5's
// Daemon.validateHandshake does; an error refuses the connection with the
// error's text (CONNECTFAIL).
type HandshakeFunc func(ctx context.Context, c *Caller, data any) (any, error)

type pyro5 struct {
	opts      protocol5.Options
	tls       bool
	handshake HandshakeFunc
}

func pyro5For(opts DaemonOptions) *pyro5 {
	return &pyro5{
		opts:      protocol5.Options{Compress: opts.Compression, MaxMessageSize: opts.MaxMessageSize, IOTimeout: opts.IdleTimeout},
		tls:       opts.TLS != nil,
		handshake: opts.Pyro5Handshake,
	}
}

// Schemes is PYRO, in Pyro 5's syntax (URIStyle).
func (*pyro5) Schemes() []string { return []string{"PYRO"} }

// URIStyle is Pyro 5's: PYRO:id@host:port.
func (*pyro5) URIStyle() compat.URIStyle { return compat.Pyro5Style }

// URI is PYRO:id@host:port; Pyro 5 keeps the word PYRO over TLS too.
func (*pyro5) URI(host string, port int, id string) compat.URI {
	return compat.URI{Protocol: "PYRO", Address: host, Port: port, ObjectID: id, Style: compat.Pyro5Style}
}

func (*pyro5) DaemonObject(d *Daemon) (id, name string, obj any) {
	return pyro5DaemonID, "", pyro5Daemon{d}
}

// Claims takes the connections that start with Pyro 5's "PYRO" and
// version 502.
func (*pyro5) Claims(prefix []byte) bool {
	return len(prefix) == protocol5.PrefixSize && protocol5.CheckPrefix(prefix) == nil
}

// pyro5Serializer is one of Pyro 5's serializers.
type pyro5Serializer struct {
	decode func([]byte) (any, error)
	encode func(dst []byte, v any) ([]byte, error)
}

// pyro5Serializers are the serializers a daemon understands, by id.
var pyro5Serializers = map[uint8]*pyro5Serializer{
	protocol5.SerializerSerpent: {
		decode: (&serpent.Decoder{Restore: true}).Decode,
		encode: (&serpent.Encoder{}).Append,
	},
	protocol5.SerializerMarshal: {decode: (&pymarshal.Decoder{}).Decode, encode: (&pymarshal.Encoder{}).Append},
	protocol5.SerializerJSON:    {decode: (&pyjson.Decoder{}).Decode, encode: (&pyjson.Encoder{}).Append},
	protocol5.SerializerMsgpack: {decode: (&pymsgpack.Decoder{}).Decode, encode: (&pymsgpack.Encoder{}).Append},
}

// Accept reads the client's CONNECT and answers CONNECTOK with the
// handshake response and the metadata of the object the client named, or
// CONNECTFAIL with the reason the connection is refused, as Pyro 5's
// daemon does: str(exception) in the client's serializer with the seq and
// correlation id of its CONNECT, but in marshal with seq 0 when the CONNECT
// could not be read (Pyro 5's text of the framing error), and in marshal
// with the CONNECT's seq when the daemon is too busy, both without a
// correlation id. A client that closes the connection, or
// names a serializer the daemon does not know, gets no answer.
func (p *pyro5) Accept(ctx context.Context, nc net.Conn, a *Admission) (ServerCodec, error) {
	opts := p.opts
	bc := buffered(nc, serverReadBuffer)
	s := &pyro5Server{c: protocol5.NewConn(bc, opts), d: a.d, ser: pyro5Serializers[protocol5.SerializerMarshal], serID: protocol5.SerializerMarshal}
	m, err := s.c.ReadMessage(ctx)
	if err == nil {
		err = m.Expect(protocol5.TypeConnect)
	}
	if err != nil {
		var fe *protocol5.FrameError
		if errors.As(err, &fe) && connectFailReplies(fe) {
			_ = s.refuse(ctx, 0, fe, false)
		}
		return nil, err
	}
	if a.OverHost {
		return nil, s.refuse(ctx, m.Seq, errServerBusy, false)
	}
	s.setCorr(m)
	ser, ok := pyro5Serializers[m.Serializer]
	if !ok {
		return nil, fmt.Errorf("core: Pyro 5 serializer %d is not supported", m.Serializer)
	}
	s.ser, s.serID = ser, m.Serializer
	resp, refusal := p.connect(ctx, s, a, nc, m)
	if refusal != nil {
		busy := errors.Is(refusal, errServerBusy)
		if busy {
			s.ser, s.serID = pyro5Serializers[protocol5.SerializerMarshal], protocol5.SerializerMarshal
		}
		return nil, s.refuse(ctx, m.Seq, refusal, !busy)
	}
	data, err := ser.encode(nil, resp)
	if err != nil {
		return nil, fmt.Errorf("core: Pyro 5 handshake response: %w", err)
	}
	if err := s.send(ctx, protocol5.TypeConnectOK, 0, m.Seq, data); err != nil {
		return nil, err
	}
	return s, nil
}

// connectFailReplies says whether Pyro 5's daemon answers a CONNECT that
// fails to read with fe: it does for a defective message, not for a
// connection that closed or timed out.
func connectFailReplies(fe *protocol5.FrameError) bool {
	for _, kind := range []error{protocol5.ErrHeader, protocol5.ErrVersion, protocol5.ErrTooLarge, protocol5.ErrMsgType, protocol5.ErrCompression} {
		if errors.Is(fe, kind) {
			return true
		}
	}
	return false
}

// refuse answers CONNECTFAIL with str(reason), as Pyro 5 sends it, in the
// serializer of s, and returns reason (or the error of sending it). The
// correlation id is the CONNECT's (or a new one) when corr is set; Pyro 5
// refuses a CONNECT it could not read, or one of a busy daemon, before it
// takes one, and then sends none.
func (s *pyro5Server) refuse(ctx context.Context, seq uint16, reason error, corr bool) error {
	text := reason.Error()
	var ex *compat.Exception
	if errors.As(reason, &ex) {
		text = ex.Message()
	}
	data, err := s.ser.encode(nil, text)
	if err == nil {
		m := &protocol5.Message{Type: protocol5.TypeConnectFail, Serializer: s.serID, Seq: seq, Data: data}
		if corr {
			m.Flags, m.CorrID = protocol5.FlagCorrID, s.corr
		}
		err = s.c.WriteMessage(ctx, m)
	}
	if err != nil {
		return err
	}
	return reason
}

// connect is the handshake's decision: the response data, or why the
// connection is refused.
func (p *pyro5) connect(ctx context.Context, s *pyro5Server, a *Admission, nc net.Conn, m *protocol5.Message) (any, error) {
	v, err := s.ser.decode(m.Data)
	if err != nil {
		return nil, err
	}
	d, ok := v.(pickle.Dict)
	if !ok {
		return nil, fmt.Errorf("invalid handshake data: %s", pickle.PythonType(v))
	}
	// data["handshake"], data["object"]: a missing key is a KeyError
	hs, ok := d.Get_("handshake")
	if !ok {
		return nil, errors.New("'handshake'")
	}
	id, ok := d.Get_("object")
	if !ok {
		return nil, errors.New("'object'")
	}
	obj, _ := pickle.Text(id)
	meta, err := s.d.pyro5Metadata(Pyro5, obj)
	if err != nil {
		return nil, err
	}
	var answer any = "hello"
	if p.handshake != nil {
		c := &Caller{RemoteAddr: nc.RemoteAddr(), LocalAddr: nc.LocalAddr(), Daemon: s.d}
		if answer, err = p.handshake(ctx, c, hs); err != nil {
			return nil, err
		}
	}
	if !a.Grant() {
		return nil, errServerBusy
	}
	return map[string]any{"handshake": answer, "meta": meta}, nil
}

var errServerBusy = errors.New("server too busy")

// pyro5Server is the ServerCodec of one Pyro 5 connection.
type pyro5Server struct {
	c     *protocol5.Conn
	d     *Daemon
	ser   *pyro5Serializer
	serID uint8
	req   Request
	// the request being answered
	seq     uint16
	corr    [16]byte
	oneway  bool
	batched bool
	wbuf    []byte
	// the item streams of the connection's calls
	streams itemStreams
}

// setCorr takes the request's correlation id for the answer, or makes one
// as Pyro 5 does when the client sent none.
func (s *pyro5Server) setCorr(m *protocol5.Message) {
	if m.Flags&protocol5.FlagCorrID != 0 {
		s.corr = m.CorrID
		return
	}
	s.corr = uuid4()
}

func (s *pyro5Server) send(ctx context.Context, typ protocol5.Type, flags protocol5.Flags, seq uint16, data []byte) error {
	return s.c.WriteMessage(ctx, &protocol5.Message{
		Type: typ, Serializer: s.serID, Flags: flags | protocol5.FlagCorrID, Seq: seq, CorrID: s.corr, Data: data,
	})
}

// ReadRequest reads the next INVOKE, answering PINGs and the item stream
// calls on the way. A framing error or a message of another type ends the
// connection, as Pyro 5 does, and with it the connection's item streams.
func (s *pyro5Server) ReadRequest(ctx context.Context) (*Request, error) {
	r, err := s.readRequest(ctx)
	if err != nil {
		s.streams.stopAll()
	}
	return r, err
}

func (s *pyro5Server) readRequest(ctx context.Context) (*Request, error) {
	for {
		m, err := s.c.ReadMessage(ctx)
		if err == nil {
			err = m.Expect(protocol5.TypeInvoke, protocol5.TypePing)
		}
		if err != nil {
			return nil, err
		}
		s.seq, s.oneway, s.batched = m.Seq, m.Flags&protocol5.FlagOneway != 0, false
		s.setCorr(m)
		if m.Type == protocol5.TypePing {
			// Answered with the same seq and serializer, data unread.
			if err := s.c.WriteMessage(ctx, &protocol5.Message{
				Type: protocol5.TypePing, Serializer: m.Serializer, Flags: protocol5.FlagCorrID, Seq: m.Seq, CorrID: s.corr, Data: []byte("pong"),
			}); err != nil {
				return nil, err
			}
			continue
		}
		ser, ok := pyro5Serializers[m.Serializer]
		if !ok {
			return nil, fmt.Errorf("core: Pyro 5 serializer %d is not supported", m.Serializer)
		}
		s.ser, s.serID = ser, m.Serializer
		r := &s.req
		*r = Request{}
		r.Oneway = s.oneway
		v, err := ser.decode(m.Data)
		if err != nil {
			r.Err = compat.NewException("Pyro5.errors", "SerializeError", err.Error())
			return r, nil
		}
		if r.ObjectID, r.Method, r.Args, r.Kwargs, err = pyro5Call(v); err != nil {
			r.Err = err
			return r, nil
		}
		if r.ObjectID == pyro5DaemonID && len(r.Args) == 1 && (r.Method == "get_next_stream_item" || r.Method == "close_stream") {
			if err := s.streams.answer(ctx, s, r.Method, r.Args[0], "Pyro5.errors"); err != nil {
				return nil, err
			}
			continue
		}
		if m.Flags&protocol5.FlagBatch != 0 {
			s.batched = true
			r.Batch, r.Err = pyro5Batch(r.Args)
			for _, c := range r.Batch {
				if r.Err == nil {
					r.Err = pyro5Accessible(c.Method)
				}
			}
		} else if r.Method != "__getattr__" && r.Method != "__setattr__" {
			r.Err = pyro5Accessible(r.Method)
		}
		return r, nil
	}
}

// pyro5PrivateDunders are the dunder names Pyro 5 treats as private
// (Pyro5.server._private_dunder_methods).
var pyro5PrivateDunders = map[string]bool{}

func init() {
	for _, n := range strings.Fields(`__init__ __init_subclass__ __class__ __module__ __weakref__
		__call__ __new__ __del__ __repr__ __str__ __format__ __nonzero__ __bool__ __coerce__
		__cmp__ __eq__ __ne__ __hash__ __ge__ __gt__ __le__ __lt__ __dir__ __enter__ __exit__
		__copy__ __deepcopy__ __sizeof__ __getattr__ __setattr__ __hasattr__ __getattribute__
		__delattr__ __instancecheck__ __subclasscheck__ __getinitargs__ __getnewargs__
		__getstate__ __setstate__ __reduce__ __reduce_ex__ __subclasshook__`) {
		pyro5PrivateDunders[n] = true
	}
}

// pyro5Private is Pyro5.server.is_private_attribute: names starting with
// an underscore, but for the dunder names not in pyro5PrivateDunders.
func pyro5Private(name string) bool {
	if pyro5PrivateDunders[name] {
		return true
	}
	if !strings.HasPrefix(name, "_") {
		return false
	}
	return len(name) <= 4 || !strings.HasPrefix(name, "__") || !strings.HasSuffix(name, "__")
}

// pyro5Accessible refuses the call of a private name as Pyro 5's daemon
// does, before looking for the method.
func pyro5Accessible(method string) error {
	if pyro5Private(method) {
		return &attributeError{msg: fmt.Sprintf("attempt to access private attribute '%s'", method)}
	}
	return nil
}

// pyro5Call unpacks a call as Pyro 5's serializers write it: the tuple
// (object, method, vargs, kwargs), or for json the dict with the keys
// object, method, params and kwargs.
func pyro5Call(v any) (obj, method string, args []any, kwargs map[string]any, err error) {
	var parts [4]any
	if d, ok := v.(pickle.Dict); ok {
		for i, k := range [4]string{"object", "method", "params", "kwargs"} {
			parts[i], _ = d.Get_(k)
		}
	} else if items, ok := pickle.Items(v); ok && len(items) == 4 {
		copy(parts[:], items)
	} else {
		return "", "", nil, nil, compat.NewException("Pyro5.errors", "ProtocolError", "invalid call data: "+pickle.PythonType(v))
	}
	obj, ok1 := pickle.Text(parts[0])
	method, ok2 := pickle.Text(parts[1])
	args, ok3 := pickle.Items(parts[2])
	if !ok1 || !ok2 || !ok3 {
		return "", "", nil, nil, compat.NewException("Pyro5.errors", "ProtocolError", "invalid call data")
	}
	kwargs, err = keywords(method, parts[3])
	return obj, method, args, kwargs, err
}

// keywords converts a call's keyword argument dict.
func keywords(method string, v any) (map[string]any, error) {
	switch d := v.(type) {
	case nil, pickle.None:
		return nil, nil
	case pickle.Dict:
		if d.Len() == 0 {
			return nil, nil
		}
		kw := make(map[string]any, d.Len())
		for k, v := range pickle.DictItems(d) {
			name, ok := pickle.Text(k)
			if !ok {
				return nil, compat.TypeError(method + "() keywords must be strings")
			}
			kw[name] = v
		}
		return kw, nil
	}
	return nil, compat.TypeError(fmt.Sprintf("%s() argument after ** must be a mapping, not %s", method, pickle.PythonType(v)))
}

// pyro5Batch unpacks the calls of a batch: vargs is a sequence of
// (method, vargs, kwargs).
func pyro5Batch(calls []any) ([]Call, error) {
	out := make([]Call, len(calls))
	for i, c := range calls {
		items, ok := pickle.Items(c)
		var args []any
		var method string
		if ok && len(items) == 3 {
			method, ok = pickle.Text(items[0])
			if ok {
				args, ok = pickle.Items(items[1])
			}
		}
		if !ok {
			return nil, compat.NewException("Pyro5.errors", "ProtocolError", "invalid batch call data")
		}
		kw, err := keywords(method, items[2])
		if err != nil {
			return nil, err
		}
		out[i] = Call{Method: method, Args: args, Kwargs: kw}
	}
	return out, nil
}

func (s *pyro5Server) WriteResult(ctx context.Context, result any) error {
	if s.oneway {
		return nil
	}
	var flags protocol5.Flags
	if st, ok := newItemStream(result); ok && !s.batched {
		return s.startStream(ctx, st)
	}
	if s.batched {
		flags = protocol5.FlagBatch
		if br, ok := result.(*BatchResult); ok {
			result = s.batchResults(br)
		}
	}
	buf, err := s.ser.encode(s.wbuf[:0], python3Value(result))
	if err != nil {
		return s.WriteError(ctx, compat.NewException("Pyro5.errors", "SerializeError", err.Error()))
	}
	s.wbuf = buf[:0]
	return s.send(ctx, protocol5.TypeResult, flags, s.seq, buf)
}

// batchResults is a batch's answer as Pyro 5 sends it: the results, then
// for a failed call its exception wrapped as Pyro5.core._ExceptionWrapper.
func (s *pyro5Server) batchResults(br *BatchResult) []any {
	out := append([]any(nil), br.Results...)
	for i, r := range out {
		out[i] = python3Value(r)
	}
	if br.Err != nil {
		out = append(out, map[string]any{
			"__class__": "Pyro5.core._ExceptionWrapper",
			"exception": pyro5Exception(br.Err),
		})
	}
	return out
}

// WriteError answers with err as the Python exception Pyro 5 sends (the
// EXCEPTION flag, a class dict with _pyroTraceback); a oneway call gets no
// answer, and an unknown object is Pyro5.errors.DaemonError("unknown
// object").
func (s *pyro5Server) WriteError(ctx context.Context, err error) error {
	if s.oneway {
		return nil
	}
	if errors.Is(err, ErrUnknownObject) {
		err = compat.NewException("Pyro5.errors", "DaemonError", "unknown object")
	}
	buf, eerr := s.ser.encode(s.wbuf[:0], pyro5Exception(err))
	if eerr != nil {
		// As Pyro 5: a PyroError saying why the exception could not be
		// serialized.
		ex := ToException(err)
		msg := fmt.Sprintf("Error serializing exception: %s. Original exception: %s: %s", eerr, pyro5Class(ex.Class), ex.Message())
		if buf, eerr = s.ser.encode(s.wbuf[:0], pyro5Exception(compat.NewException("Pyro5.errors", "PyroError", msg))); eerr != nil {
			return eerr
		}
	}
	s.wbuf = buf[:0]
	return s.send(ctx, protocol5.TypeResult, protocol5.FlagException, s.seq, buf)
}

// Close closes the connection. It may come from another goroutine than
// the reads (Shutdown), so the streams are left to ReadRequest, which stops
// them when the connection ends.
func (s *pyro5Server) Close() error { return s.c.Close() }

// Item streams: a Go method that returns an iterator (a func(yield
// func(T) bool)) or a receive channel answers with an item stream, which
// the client reads item by item with Pyro.Daemon's get_next_stream_item
// on the same connection (spec.md §17.6).

// itemStream is one open item stream.
type itemStream struct {
	next func() (any, bool)
	stop func()
}

// newItemStream returns the stream of a result that is an iterator or a
// receive channel.
func newItemStream(v any) (*itemStream, bool) {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Func:
	case reflect.Chan:
		if rv.Type().ChanDir()&reflect.RecvDir == 0 {
			return nil, false
		}
	default:
		return nil, false
	}
	if rv.IsNil() || !rv.Type().CanSeq() {
		return nil, false
	}
	seq := rv.Seq()
	next, stop := iter.Pull(func(yield func(any) bool) {
		for x := range seq {
			if !yield(x.Interface()) {
				return
			}
		}
	})
	return &itemStream{next: next, stop: stop}, true
}

// startStream answers a call whose result is st as Pyro 5 does: the
// ITEMSTREAMRESULT flag with the stream id in the STRM annotation, and a
// ProtocolError for clients that know no streams.
func (s *pyro5Server) startStream(ctx context.Context, st *itemStream) error {
	id := s.streams.add(st)
	buf, err := s.ser.encode(s.wbuf[:0], pyro5Exception(compat.NewException("Pyro5.errors", "ProtocolError", "result of call is an iterator")))
	if err != nil {
		return err
	}
	s.wbuf = buf[:0]
	return s.c.WriteMessage(ctx, &protocol5.Message{
		Type: protocol5.TypeResult, Serializer: s.serID, Flags: protocol5.FlagException | protocol5.FlagItemStreamResult | protocol5.FlagCorrID,
		Seq: s.seq, CorrID: s.corr, Data: buf, Annotations: []protocol5.Annotation{{ID: "STRM", Value: []byte(id)}},
	})
}

// answer answers Pyro.Daemon's get_next_stream_item and close_stream,
// which work on the streams of the connection codec they come in on, with
// the result of call.
func (m itemStreams) answer(ctx context.Context, codec ServerCodec, method string, arg any, errorsModule string) error {
	v, err := m.call(method, arg, errorsModule)
	if err != nil {
		return codec.WriteError(ctx, err)
	}
	return codec.WriteResult(ctx, v)
}

// itemStreams are the open item streams of a connection, by stream id,
// which Pyro 4 and Pyro 5 serve alike.
type itemStreams map[string]*itemStream

// add keeps st under a new stream id, a random UUID in its text form, as
// Pyro's str(uuid.uuid4()).
func (m *itemStreams) add(st *itemStream) string {
	u := uuid4()
	id := fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:])
	if *m == nil {
		*m = itemStreams{}
	}
	(*m)[id] = st
	return id
}

// stopAll ends the streams (Pyro's ITER_STREAM_LINGER 0, when the
// connection ends).
func (m itemStreams) stopAll() {
	for id, st := range m {
		st.stop()
		delete(m, id)
	}
}

// call runs get_next_stream_item (the next item; StopIteration at the end,
// which ends the stream, as does the iterator's panic) or close_stream
// (nil) on the stream with the id arg. A stream not open is the
// PyroError("item stream terminated") of errorsModule, the generation's
// Pyro errors module.
func (m itemStreams) call(method string, arg any, errorsModule string) (any, error) {
	id, _ := pickle.Text(arg)
	st := m[id]
	if method == "close_stream" {
		if st != nil {
			st.stop()
			delete(m, id)
		}
		return nil, nil
	}
	if st == nil {
		return nil, compat.NewException(errorsModule, "PyroError", "item stream terminated")
	}
	v, ok, err := pullItem(st)
	if !ok || err != nil {
		st.stop()
		delete(m, id)
		if err == nil {
			err = compat.NewException("builtins", "StopIteration")
		}
		return nil, err
	}
	return v, nil
}

// uuid4 is a random version 4 UUID, as Python's uuid.uuid4().
func uuid4() (u [16]byte) {
	_, _ = rand.Read(u[:])
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return u
}

// pullItem takes the next item of st; a panic of the iterator is the
// item's error.
func pullItem(st *itemStream) (v any, ok bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			v, ok, err = nil, false, &PanicError{Value: r, Stack: panicStack(3)}
		}
	}()
	v, ok = st.next()
	return v, ok, nil
}

// pyro5Exception is err as the class dict Pyro 5's serializers make of an
// exception: module.Class, the args, and the attributes with the remote
// traceback as _pyroTraceback.
func pyro5Exception(err error) map[string]any {
	ex := ToException(err)
	tb := ex.Traceback
	if tb == nil {
		tb = traceback(err, ex)
	}
	lines := make([]any, len(tb))
	for i, l := range tb {
		lines[i] = l
	}
	return exceptionDict(ex, lines)
}

// exceptionDict is ex as the class dict of Pyro 5's serializers; a
// traceback, if not nil, is its _pyroTraceback attribute.
func exceptionDict(ex *compat.Exception, traceback []any) map[string]any {
	attrs := map[string]any{}
	if ex.Attrs != (pickle.Dict{}) {
		for k, v := range pickle.DictItems(ex.Attrs) {
			if name, ok := pickle.Text(k); ok {
				attrs[name] = python3Value(v)
			}
		}
	}
	if traceback != nil {
		attrs["_pyroTraceback"] = traceback
	}
	args := make(pickle.Tuple, len(ex.Args))
	for i, a := range ex.Args {
		args[i] = python3Value(a)
	}
	return map[string]any{
		"__class__":     pyro5Class(ex.Class),
		"__exception__": true,
		"args":          args,
		"attributes":    attrs,
	}
}

// pyro5Class names an exception class as Python 3 and Pyro 5 do: Python
// 2's built-in exceptions live in builtins, Pyro 3's errors in
// Pyro5.errors.
func pyro5Class(c pickle.Class) string {
	switch c.Module {
	case "exceptions", "__builtin__":
		return "builtins." + c.Name
	case "Pyro.errors":
		return "Pyro5.errors." + c.Name
	}
	return c.Module + "." + c.Name
}

// python3Value converts what Go code builds for Pyro 3 callers into what
// a Python 3 caller expects: a Python 2 str (pickle.ByteString) is text,
// and an exception returned as a value (not raised) crosses as the class
// dict Pyro 5 writes for one, which the client turns back into the
// exception.
func python3Value(v any) any {
	switch x := v.(type) {
	case pickle.ByteString:
		return string(x)
	case *compat.Exception:
		return exceptionDict(x, nil)
	}
	return v
}

// pyro5Daemon is Pyro 5's internal daemon object, Pyro.Daemon.
type pyro5Daemon struct{ d *Daemon }

var pyro5DaemonMethods = []string{"close_stream", "get_metadata", "get_next_stream_item", "info", "ping", "registered"}

func (pyro5Daemon) PyroAttrs() Attrs {
	return Attrs{Class: "DaemonObject", Methods: pyro5DaemonMethods}
}

func (o pyro5Daemon) Invoke(_ context.Context, c *Call) (any, error) {
	d := o.d
	if slices.Contains(pyro5DaemonMethods, c.Method) {
		var err error
		if c.Args, err = pyro5DaemonArgs(c); err != nil {
			return nil, err
		}
	}
	switch c.Method {
	case "registered":
		ids := slices.Collect(maps.Keys(d.Registered()))
		for id := range d.ownObjects(Pyro5) {
			if id != pyro5DaemonID {
				ids = append(ids, id)
			}
		}
		slices.Sort(ids)
		return append([]any{pyro5DaemonID}, anys(ids)...), nil
	case "ping":
		return nil, nil
	case "info":
		n := len(d.Registered()) + len(d.ownObjects(Pyro5)) + 1
		return fmt.Sprintf("%s bound on %s, NAT %s, %d objects registered. Servertype: %s", pyro5DaemonID,
			net.JoinHostPort(d.host, fmt.Sprint(d.port)), "None", n, "gopyro"), nil
	case "get_metadata":
		id, _ := pickle.Text(c.Args[0])
		return d.pyro5Metadata(Pyro5, id)
	}
	// get_next_stream_item and close_stream are the codec's: streams
	// belong to a connection.
	return nil, &attributeError{msg: fmt.Sprintf("'DaemonObject' object has no attribute '%s'", c.Method)}
}

// pyro5DaemonArgs binds the arguments of a call of a DaemonObject method
// as Python binds them to its parameters (streamId, objectId), with
// Python's TypeError texts.
func pyro5DaemonArgs(c *Call) ([]any, error) {
	param := map[string]string{"get_metadata": "objectId", "get_next_stream_item": "streamId", "close_stream": "streamId"}[c.Method]
	fn := "DaemonObject." + c.Method + "()"
	args := c.Args
	for k, v := range c.Kwargs {
		if k != param {
			return nil, typeErrorf("%s got an unexpected keyword argument '%s'", fn, k)
		}
		if len(args) > 0 {
			return nil, typeErrorf("%s got multiple values for argument '%s'", fn, k)
		}
		args = []any{v}
	}
	want := 0
	if param != "" {
		want = 1
	}
	switch {
	case len(args) > want:
		return nil, typeErrorf("%s takes %d positional argument%s but %d were given", fn, want+1, plural(want+1), len(args)+1)
	case len(args) < want:
		return nil, typeErrorf("%s missing 1 required positional argument: '%s'", fn, param)
	}
	return args, nil
}

func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// pyro5Metadata is what Pyro 5's get_metadata returns for the object id,
// connected for all or for the clients of gen: its methods, oneway
// methods and attributes, as sets of names.
func (d *Daemon) pyro5Metadata(gen Generations, id string) (map[string]any, error) {
	var o *object
	if id == pyro5DaemonID {
		o = d.internal[pyro5DaemonID]
	} else {
		d.mu.RLock()
		o = d.objects[id]
		d.mu.RUnlock()
		if o == nil {
			o = d.ownObjects(gen)[id]
		}
	}
	if o == nil {
		return nil, compat.NewException("Pyro5.errors", "DaemonError", "unknown object")
	}
	var methods, attrs []string
	switch {
	case o.tbl != nil:
		methods = o.tbl.remoteNames()
		if o.tbl.structType != nil {
			for _, f := range pickle.Fields(o.tbl.structType) {
				attrs = append(attrs, f.Name)
			}
		}
	case o.attrs != nil:
		for name := range o.attrs.methods {
			methods = append(methods, name)
		}
	}
	var oneway []string
	if ow, ok := o.described().(OnewayMethods); ok {
		oneway = ow.PyroOneway()
	}
	return map[string]any{"methods": nameSet(methods), "oneway": nameSet(oneway), "attrs": nameSet(attrs)}, nil
}

// remoteNames lists each method of t once, by the name a Python caller
// knows it by: its Python name (PythonName or the Namer's), or its Go name
// when it has no other.
func (t *methodTable) remoteNames() []string {
	named := map[*method]bool{}
	for name, m := range t.methods {
		if name != m.name {
			named[m] = true
		}
	}
	var names []string
	for name, m := range t.methods {
		if name != m.name || !named[m] {
			names = append(names, name)
		}
	}
	return names
}

// OnewayMethods is implemented by objects that declare methods oneway, as
// Pyro 5's @oneway does: the names are in the oneway set of the object's
// Pyro 5 metadata, so that Pyro 5 proxies call them without waiting for an
// answer. Pyro 3 clients choose oneway calls themselves.
type OnewayMethods interface {
	PyroOneway() []string
}

func nameSet(names []string) *pickle.Set {
	slices.Sort(names)
	s := &pickle.Set{Items: make([]any, 0, len(names))}
	for _, n := range names {
		if !strings.HasPrefix(n, "_") {
			s.Items = append(s.Items, n)
		}
	}
	return s
}

// Pyro 5's remote attributes: the methods __getattr__(name) and
// __setattr__(name, value), for the fields of an object bound by
// reflection and an AttrInvoker's attributes.
func (*pyro5) attrCall(o *object, c *Call) (any, bool, error) {
	switch c.Method {
	case "__getattr__", "__setattr__":
	default:
		return nil, false, nil
	}
	want := 1
	if c.Method == "__setattr__" {
		want = 2
	}
	if len(c.Args) != want {
		return nil, true, typeErrorf("%s expected %d arguments, got %d", c.Method, want, len(c.Args))
	}
	name, ok := pickle.Text(c.Args[0])
	if !ok {
		return nil, true, typeErrorf("attribute name must be string, not '%s'", pickle.PythonType(c.Args[0]))
	}
	var field reflect.Value
	isField := false
	if o.tbl != nil && !pyro5Private(name) {
		field, isField = o.field(name)
	}
	if c.Method == "__getattr__" {
		if isField {
			o.attrMu.Lock()
			defer o.attrMu.Unlock()
			return field.Interface(), true, nil
		}
		if o.attrs != nil && o.attrs.get != nil && !pyro5Private(name) {
			if v, ok := o.attrs.get(name); ok {
				return v, true, nil
			}
		}
		return nil, true, o.pyro5NoAttr(name)
	}
	if isField {
		o.attrMu.Lock()
		defer o.attrMu.Unlock()
		if !field.CanSet() {
			return nil, true, &attributeError{msg: fmt.Sprintf("can't set attribute '%s' of '%s' (connect a pointer to make fields settable)", name, o.typeName)}
		}
		v, err := bindArg(c.Args[1], field.Type())
		if err != nil {
			return nil, true, typeErrorf("__setattr__(): %v", argumentError(err, 1, ""))
		}
		field.Set(v)
		return nil, true, nil
	}
	return nil, true, o.pyro5NoAttr(name)
}

// pyro5NoAttr is Pyro 5's AttributeError for a remote attribute o does
// not have: a method is "unexposed", a name the class lacks fails the
// class's getattr.
func (o *object) pyro5NoAttr(name string) error {
	if !pyro5Private(name) && o.hasMethod(name) {
		return &attributeError{msg: "attempt to access unexposed or unknown remote attribute '" + name + "'"}
	}
	return &attributeError{msg: fmt.Sprintf("type object '%s' has no attribute '%s'", o.typeName, name)}
}
