package core

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/pickle"
	"github.com/gopyro/gopyro/protocol4"
	"github.com/gopyro/gopyro/pyjson"
	"github.com/gopyro/gopyro/pymarshal"
	"github.com/gopyro/gopyro/pymsgpack"
	"github.com/gopyro/gopyro/serpent"
)

// Pyro 4, protocol 48 (spec.md §18), on the daemon's side: the Protocol
// that serves Go objects to Python programs using Pyro4 4.82. Its calls,
// batches, item streams and remote attributes are Pyro 5's (pyro5.go)
// with Pyro 4's framing (package protocol4, HMAC included), serializer ids,
// pickle, metadata lists and class names.

// pyro4DaemonID is the object id of Pyro 4's internal daemon object
// (Pyro4.constants.DAEMON_NAME), the same as Pyro 5's: each protocol
// serves its own object under it (served.internal).
const pyro4DaemonID = "Pyro.Daemon"

// Pyro4DefaultSerializers are the serializers a daemon accepts from Pyro 4
// clients when neither DaemonOptions.Pyro4Serializers nor the
// PYRO_SERIALIZERS_ACCEPTED variable says otherwise: Pyro4's
// SERIALIZERS_ACCEPTED default, the safe ones.
var Pyro4DefaultSerializers = []string{"serpent", "marshal", "json"}

type pyro4 struct {
	opts      protocol4.Options
	accepted  map[uint16]bool
	handshake HandshakeFunc
}

// pyro4Names are the serializer names of Pyro4's SERIALIZERS_ACCEPTED, by
// id; dill and cloudpickle are named so that they are refused by name.
var pyro4Names = map[string]uint16{
	"serpent": protocol4.SerializerSerpent, "json": protocol4.SerializerJSON, "marshal": protocol4.SerializerMarshal,
	"pickle": protocol4.SerializerPickle, "dill": protocol4.SerializerDill, "msgpack": protocol4.SerializerMsgpack,
	"cloudpickle": protocol4.SerializerCloudpickle,
}

func pyro4For(opts DaemonOptions) (*pyro4, error) {
	names := opts.Pyro4Serializers
	if env := os.Getenv("PYRO_SERIALIZERS_ACCEPTED"); names == nil && env != "" {
		// Pyro4's configuration splits the item on commas.
		names = strings.Split(env, ",")
	}
	if names == nil {
		names = Pyro4DefaultSerializers
	}
	accepted := map[uint16]bool{}
	for _, n := range names {
		id, ok := pyro4Names[n]
		if !ok {
			return nil, fmt.Errorf("core: unknown Pyro 4 serializer %q", n)
		}
		if pyro4Serializers[id] == nil {
			return nil, fmt.Errorf("core: the Pyro 4 serializer %s is not supported", n)
		}
		accepted[id] = true
	}
	return &pyro4{
		opts: protocol4.Options{Compress: opts.Compression, MaxMessageSize: opts.MaxMessageSize, IOTimeout: opts.IdleTimeout,
			HMACKey: opts.Pyro4HMACKey},
		accepted:  accepted,
		handshake: opts.Pyro4Handshake,
	}, nil
}

// Schemes is PYRO, in Pyro 4's syntax (URIStyle), which is Pyro 5's. Pyro
// 4 is not registered for proxies: Go proxies dial PYRO: URIs with Pyro 5
// unless WithGeneration(Pyro4) says otherwise (pyro4Dialer).
func (*pyro4) Schemes() []string { return []string{"PYRO"} }

// URIStyle is Pyro 4's: PYRO:id@host:port.
func (*pyro4) URIStyle() compat.URIStyle { return compat.Pyro5Style }

// URI is PYRO:id@host:port.
func (*pyro4) URI(host string, port int, id string) compat.URI {
	return compat.URI{Protocol: "PYRO", Address: host, Port: port, ObjectID: id, Style: compat.Pyro5Style}
}

func (*pyro4) DaemonObject(d *Daemon) (id, name string, obj any) {
	return pyro4DaemonID, "", pyro4Daemon{d}
}

// Claims takes the connections that start with Pyro 4's "PYRO" and
// version 48.
func (*pyro4) Claims(prefix []byte) bool {
	return len(prefix) == protocol4.PrefixSize && protocol4.CheckPrefix(prefix) == nil
}

// pyro4Serializers are the serializers a daemon can speak with Pyro 4
// clients, by id. Pickle is Python 3's at the highest protocol, as Pyro4's
// PICKLE_PROTOCOL_VERSION default; it is only used when accepted.
var pyro4Serializers = map[uint16]*pyro5Serializer{
	protocol4.SerializerSerpent: {
		decode: (&serpent.Decoder{Restore: true}).Decode,
		encode: (&serpent.Encoder{}).Append,
	},
	protocol4.SerializerJSON:    {decode: (&pyjson.Decoder{}).Decode, encode: (&pyjson.Encoder{}).Append},
	protocol4.SerializerMarshal: {decode: (&pymarshal.Decoder{}).Decode, encode: (&pymarshal.Encoder{}).Append},
	protocol4.SerializerPickle:  {decode: (&pickle.Decoder{}).Decode, encode: (&pickle.Encoder{Protocol: pickle.HighestProtocol}).Append},
	protocol4.SerializerMsgpack: {decode: (&pymsgpack.Decoder{}).Decode, encode: (&pymsgpack.Encoder{}).Append},
}

// refusedSerializer is Pyro4's SerializeError for a serializer the daemon
// does not accept, with why for those gopyro never accepts.
func refusedSerializer(id uint16) error {
	msg := fmt.Sprintf("message used serializer that is not accepted: %d", id)
	switch id {
	case protocol4.SerializerDill:
		msg += " (dill is not supported)"
	case protocol4.SerializerCloudpickle:
		msg += " (cloudpickle is not supported)"
	case protocol4.SerializerPickle:
		msg += " (pickle is not enabled on this daemon)"
	}
	return compat.NewException("Pyro4.errors", "SerializeError", msg)
}

// Accept reads the client's CONNECT and answers CONNECTOK with the
// handshake response (and the object's metadata when the client asks for
// it), or CONNECTFAIL with the reason the connection is refused, as
// Pyro4's Daemon._handshake: in marshal when the reason is the message
// itself, else in the client's serializer.
func (p *pyro4) Accept(ctx context.Context, nc net.Conn, a *Admission) (ServerCodec, error) {
	bc := buffered(nc, serverReadBuffer)
	s := &pyro4Server{c: protocol4.NewConn(bc, p.opts), d: a.d, p: p, serID: protocol4.SerializerMarshal}
	m, err := s.c.ReadMessage(ctx)
	if err == nil {
		err = m.Expect(protocol4.TypeConnect)
	}
	var seq uint16
	if m != nil {
		seq = m.Seq
	}
	s.corr = uuid4()
	if err != nil {
		var fe *protocol4.FrameError
		if errors.As(err, &fe) && refusable(fe) {
			return nil, s.refuse(ctx, seq, err)
		}
		return nil, err
	}
	if !p.accepted[m.Serializer] {
		return nil, s.refuse(ctx, seq, refusedSerializer(m.Serializer))
	}
	s.ser, s.serID = pyro4Serializers[m.Serializer], m.Serializer
	s.setCorr(m)
	resp, refusal := p.connect(ctx, s, a, nc, m)
	if refusal != nil {
		return nil, s.refuse(ctx, seq, refusal)
	}
	flags := m.Flags & protocol4.FlagMetaOnConnect
	data, err := s.ser.encode(nil, resp)
	if err != nil {
		return nil, fmt.Errorf("core: Pyro 4 handshake response: %w", err)
	}
	if err := s.send(ctx, protocol4.TypeConnectOK, flags, seq, data, nil); err != nil {
		return nil, err
	}
	return s, nil
}

// refusable tells the framing errors a Pyro4 daemon answers with
// CONNECTFAIL: those of a message read whole (or a header read whole);
// after a size beyond the limit or a broken connection it closes.
func refusable(fe *protocol4.FrameError) bool {
	for _, k := range []error{protocol4.ErrVersion, protocol4.ErrHeader, protocol4.ErrChecksum, protocol4.ErrMsgType, protocol4.ErrSecurity, protocol4.ErrCompression} {
		if errors.Is(fe, k) {
			return true
		}
	}
	return false
}

// refuse answers CONNECTFAIL with the text of why (str(exception), as
// Pyro4 sends it) and returns why.
func (s *pyro4Server) refuse(ctx context.Context, seq uint16, why error) error {
	text := why.Error()
	var ex *compat.Exception
	if errors.As(why, &ex) {
		text = ex.Message()
	}
	data, err := s.encoder().encode(nil, text)
	if err != nil {
		return err
	}
	if err := s.send(ctx, protocol4.TypeConnectFail, 0, seq, data, nil); err != nil {
		return err
	}
	return why
}

// connect is the handshake's decision: the response data, or why the
// connection is refused.
func (p *pyro4) connect(ctx context.Context, s *pyro4Server, a *Admission, nc net.Conn, m *protocol4.Message) (any, error) {
	if a.OverHost {
		return nil, errServerBusy
	}
	v, err := s.ser.decode(m.Data)
	if err != nil {
		return nil, err
	}
	d, ok := v.(pickle.Dict)
	if !ok {
		return nil, fmt.Errorf("invalid handshake data: %s", pickle.PythonType(v))
	}
	hs, _ := d.Get_("handshake")
	var answer any = "hello"
	if p.handshake != nil {
		c := &Caller{RemoteAddr: nc.RemoteAddr(), LocalAddr: nc.LocalAddr(), Daemon: s.d}
		if answer, err = p.handshake(ctx, c, hs); err != nil {
			return nil, err
		}
	}
	var resp any = answer
	if m.Flags&protocol4.FlagMetaOnConnect != 0 {
		id, _ := d.Get_("object")
		obj, _ := pickle.Text(id)
		meta, err := s.d.pyro4Metadata(obj, true)
		if err != nil {
			return nil, err
		}
		resp = map[string]any{"handshake": answer, "meta": meta}
	}
	if !a.Grant() {
		return nil, errServerBusy
	}
	return resp, nil
}

// pyro4Server is the ServerCodec of one Pyro 4 connection.
type pyro4Server struct {
	c     *protocol4.Conn
	d     *Daemon
	p     *pyro4
	ser   *pyro5Serializer
	serID uint16
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

// encoder is the serializer of the answer: the request's, or marshal
// before one is known, as Pyro4.
func (s *pyro4Server) encoder() *pyro5Serializer {
	if s.ser == nil {
		return pyro4Serializers[protocol4.SerializerMarshal]
	}
	return s.ser
}

// setCorr takes the request's correlation id (the CORR annotation) for
// the answer, or makes one as Pyro4 does when the client sent none.
func (s *pyro4Server) setCorr(m *protocol4.Message) {
	if c, ok := m.Annotation("CORR"); ok && len(c) == len(s.corr) {
		copy(s.corr[:], c)
		return
	}
	s.corr = uuid4()
}

// send writes a message with the CORR annotation every Pyro4 daemon
// answer carries (the Conn signs it with the HMAC key).
func (s *pyro4Server) send(ctx context.Context, typ protocol4.Type, flags protocol4.Flags, seq uint16, data []byte, anns []protocol4.Annotation) error {
	anns = append(anns, protocol4.Annotation{ID: "CORR", Value: s.corr[:]})
	return s.c.WriteMessage(ctx, &protocol4.Message{
		Type: typ, Serializer: s.serID, Flags: flags, Seq: seq, Data: data, Annotations: anns,
	})
}

// ReadRequest reads the next INVOKE, answering PINGs and the item stream
// calls on the way. A framing error (a wrong HMAC included) or a message
// of another type ends the connection, as Pyro4 does, and with it the
// connection's item streams.
func (s *pyro4Server) ReadRequest(ctx context.Context) (*Request, error) {
	r, err := s.readRequest(ctx)
	if err != nil {
		s.streams.stopAll()
	}
	return r, err
}

func (s *pyro4Server) readRequest(ctx context.Context) (*Request, error) {
	for {
		m, err := s.c.ReadMessage(ctx)
		if err == nil {
			err = m.Expect(protocol4.TypeInvoke, protocol4.TypePing)
		}
		if err != nil {
			return nil, err
		}
		s.seq, s.oneway, s.batched = m.Seq, m.Flags&protocol4.FlagOneway != 0, false
		s.setCorr(m)
		if m.Type == protocol4.TypePing {
			// Answered with the same seq and serializer, data unread.
			if err := s.c.WriteMessage(ctx, &protocol4.Message{
				Type: protocol4.TypePing, Serializer: m.Serializer, Seq: m.Seq, Data: []byte("pong"),
				Annotations: []protocol4.Annotation{{ID: "CORR", Value: s.corr[:]}},
			}); err != nil {
				return nil, err
			}
			continue
		}
		r := &s.req
		*r = Request{}
		r.Oneway = s.oneway
		if !s.p.accepted[m.Serializer] {
			ser := pyro4Serializers[m.Serializer]
			if ser == nil {
				return nil, refusedSerializer(m.Serializer)
			}
			// Answered in the serializer it came in, as Pyro4 does.
			s.ser, s.serID = ser, m.Serializer
			r.Err = refusedSerializer(m.Serializer)
			return r, nil
		}
		s.ser, s.serID = pyro4Serializers[m.Serializer], m.Serializer
		if m.Flags&protocol4.FlagKeepSerialized != 0 {
			r.Err = compat.NewException("Pyro4.errors", "ProtocolError", "KEEPSERIALIZED calls (SerializedBlob) are not supported")
			return r, nil
		}
		v, err := s.ser.decode(m.Data)
		if err != nil {
			r.Err = compat.NewException("Pyro4.errors", "SerializeError", err.Error())
			return r, nil
		}
		if r.ObjectID, r.Method, r.Args, r.Kwargs, err = pyro5Call(v); err != nil {
			r.Err = err
			return r, nil
		}
		if r.ObjectID == pyro4DaemonID && len(r.Args) == 1 && (r.Method == "get_next_stream_item" || r.Method == "close_stream") {
			if err := s.streams.answer(ctx, s, r.Method, r.Args[0], "Pyro4.errors"); err != nil {
				return nil, err
			}
			continue
		}
		if m.Flags&protocol4.FlagBatch != 0 {
			s.batched = true
			r.Batch, r.Err = pyro5Batch(r.Args)
		}
		return r, nil
	}
}

func (s *pyro4Server) WriteResult(ctx context.Context, result any) error {
	if s.oneway {
		return nil
	}
	var flags protocol4.Flags
	if st, ok := newItemStream(result); ok && !s.batched {
		return s.startStream(ctx, st)
	}
	if s.batched {
		flags = protocol4.FlagBatch
		if br, ok := result.(*BatchResult); ok {
			result = s.batchResults(br)
		}
	}
	buf, err := s.ser.encode(s.wbuf[:0], pyro4Value(result))
	if err != nil {
		return s.WriteError(ctx, compat.NewException("Pyro4.errors", "SerializeError", err.Error()))
	}
	s.wbuf = buf[:0]
	return s.send(ctx, protocol4.TypeResult, flags, s.seq, buf, nil)
}

// batchResults is a batch's answer as Pyro4 sends it: the results, then
// for a failed call its exception wrapped as Pyro4.futures._ExceptionWrapper.
func (s *pyro4Server) batchResults(br *BatchResult) []any {
	out := append([]any(nil), br.Results...)
	for i, r := range out {
		out[i] = pyro4Value(r)
	}
	if br.Err != nil {
		ex := s.exception(br.Err)
		if s.serID == protocol4.SerializerPickle {
			out = append(out, &pickle.Object{
				Class: pickle.Class{Module: "Pyro4.futures", Name: "_ExceptionWrapper"}, Build: pickle.BuildNewObj,
				State: dictOf(map[string]any{"exception": ex}),
			})
		} else {
			out = append(out, map[string]any{"__class__": "Pyro4.futures._ExceptionWrapper", "exception": ex})
		}
	}
	return out
}

// WriteError answers with err as the Python exception Pyro4 sends (the
// EXCEPTION flag; an exception object in pickle, else a class dict, with
// _pyroTraceback); a oneway call gets no answer, and an unknown object is
// Pyro4.errors.DaemonError("unknown object").
func (s *pyro4Server) WriteError(ctx context.Context, err error) error {
	if s.oneway {
		return nil
	}
	if errors.Is(err, ErrUnknownObject) {
		err = compat.NewException("Pyro4.errors", "DaemonError", "unknown object")
	}
	buf, eerr := s.ser.encode(s.wbuf[:0], s.exception(err))
	if eerr != nil {
		// As Pyro4: a PyroError saying why the exception could not be
		// serialized.
		ex := ToException(err)
		msg := fmt.Sprintf("Error serializing exception: %s. Original exception: %s: %s", eerr, pyro4Class(ex.Class), ex.Message())
		if buf, eerr = s.ser.encode(s.wbuf[:0], s.exception(compat.NewException("Pyro4.errors", "PyroError", msg))); eerr != nil {
			return eerr
		}
	}
	s.wbuf = buf[:0]
	return s.send(ctx, protocol4.TypeResult, protocol4.FlagException, s.seq, buf, nil)
}

// Close closes the connection; the streams are left to ReadRequest, as
// for Pyro 5.
func (s *pyro4Server) Close() error { return s.c.Close() }

// startStream answers a call whose result is st as Pyro4 does: a
// ProtocolError "result of call is an iterator" with the ITEMSTREAMRESULT
// flag and the stream id in the STRM annotation.
func (s *pyro4Server) startStream(ctx context.Context, st *itemStream) error {
	id := s.streams.add(st)
	buf, err := s.ser.encode(s.wbuf[:0], s.exception(compat.NewException("Pyro4.errors", "ProtocolError", "result of call is an iterator")))
	if err != nil {
		return err
	}
	s.wbuf = buf[:0]
	return s.send(ctx, protocol4.TypeResult, protocol4.FlagException|protocol4.FlagItemStreamResult, s.seq, buf,
		[]protocol4.Annotation{{ID: "STRM", Value: []byte(id)}})
}

// exception is err as the connection's serializer sends it: in pickle an
// exception object of its Python 3 class with _pyroTraceback in its
// __dict__, else the class dict Pyro4's class_to_dict makes.
func (s *pyro4Server) exception(err error) any {
	if s.serID == protocol4.SerializerPickle {
		return pyro4PickledException(err)
	}
	d := pyro5Exception(err)
	ex := ToException(err)
	d["__class__"] = pyro4Class(ex.Class)
	return d
}

// pyro4PickledException is err as the exception object Pyro4's pickle
// serializer sends: the exception of the class's Python 3 name, its args,
// and the remote traceback as the attribute _pyroTraceback.
func pyro4PickledException(err error) *compat.Exception {
	ex := ToException(err)
	class := pyro4Class(ex.Class)
	i := strings.LastIndex(class, ".")
	out := &compat.Exception{Class: pickle.Class{Module: class[:i], Name: class[i+1:]}, Args: make(pickle.Tuple, len(ex.Args))}
	for i, a := range ex.Args {
		out.Args[i] = python3Value(a)
	}
	attrs := pickle.NewDict()
	if ex.Attrs != (pickle.Dict{}) {
		for k, v := range pickle.DictItems(ex.Attrs) {
			if name, ok := pickle.Text(k); ok {
				attrs.Set(name, python3Value(v))
			}
		}
	}
	tb := ex.Traceback
	if tb == nil {
		tb = traceback(err, ex)
	}
	lines := make([]any, len(tb))
	for i, l := range tb {
		lines[i] = l
	}
	attrs.Set("_pyroTraceback", lines)
	out.Attrs = attrs
	return out
}

// pyro4Class names an exception class as Python 3 and Pyro4 do: Python
// 2's built-in exceptions live in builtins, Pyro 3's and Pyro 5's errors
// in Pyro4.errors.
func pyro4Class(c pickle.Class) string {
	switch c.Module {
	case "exceptions", "__builtin__":
		return "builtins." + c.Name
	case "Pyro.errors", "Pyro5.errors":
		return "Pyro4.errors." + c.Name
	}
	return c.Module + "." + c.Name
}

// pyro4Value is v for a Python 3 caller of Pyro 4: python3Value, and a
// URI as Pyro4's serializers carry Pyro4.core.URI.
func pyro4Value(v any) any {
	switch u := v.(type) {
	case compat.URI:
		return pyro4URI(u)
	case *compat.URI:
		if u != nil {
			return pyro4URI(*u)
		}
	}
	return python3Value(v)
}

// pyro4URI is the class dict of a Pyro4.core.URI: its state is (protocol,
// object, sockname, host, port).
func pyro4URI(u compat.URI) map[string]any {
	return map[string]any{
		"__class__": "Pyro4.core.URI",
		"state":     pickle.Tuple{u.Protocol, u.ObjectID, nil, u.Address, int64(u.Port)},
	}
}

func dictOf(m map[string]any) pickle.Dict {
	d := pickle.NewDict()
	for k, v := range m {
		d.Set(k, v)
	}
	return d
}

// pyro4Daemon is Pyro 4's internal daemon object, Pyro.Daemon.
type pyro4Daemon struct{ d *Daemon }

func (pyro4Daemon) PyroAttrs() Attrs {
	return Attrs{Class: "DaemonObject", Methods: pyro5DaemonMethods}
}

func (o pyro4Daemon) Invoke(_ context.Context, c *Call) (any, error) {
	d := o.d
	// positional arguments taken, at least and at most
	nargs := map[string][2]int{"registered": {0, 0}, "ping": {0, 0}, "info": {0, 0}, "get_metadata": {1, 2},
		"get_next_stream_item": {1, 1}, "close_stream": {1, 1}}
	if n, ok := nargs[c.Method]; ok && (len(c.Args) < n[0] || len(c.Args) > n[1] || len(c.Kwargs) != 0) {
		return nil, typeErrorf("%s() takes %d positional argument%s but %d were given", c.Method, n[1]+1, plural(n[1]+1), len(c.Args)+1)
	}
	switch c.Method {
	case "registered":
		ids := []any{pyro4DaemonID}
		for id := range d.Registered() {
			ids = append(ids, id)
		}
		for id := range d.ownObjects(Pyro4) {
			ids = append(ids, id)
		}
		return ids, nil
	case "ping":
		return nil, nil
	case "info":
		n := len(d.Registered()) + len(d.ownObjects(Pyro4)) + 1
		return fmt.Sprintf("%s bound on %s, NAT %s, %d objects registered. Servertype: %s", pyro4DaemonID,
			net.JoinHostPort(d.host, fmt.Sprint(d.port)), "None", n, "gopyro"), nil
	case "get_metadata":
		id, _ := pickle.Text(c.Args[0])
		asLists := len(c.Args) == 2 && truthy(c.Args[1])
		return d.pyro4Metadata(id, asLists)
	}
	// get_next_stream_item and close_stream are the codec's: streams
	// belong to a connection.
	return nil, &attributeError{msg: fmt.Sprintf("'DaemonObject' object has no attribute '%s'", c.Method)}
}

func truthy(v any) bool {
	switch b := v.(type) {
	case bool:
		return b
	case int64:
		return b != 0
	}
	return false
}

// pyro4Metadata is what Pyro4's get_metadata returns for the object id:
// Pyro 5's metadata (the internal objects of both have the same methods),
// as lists (asLists, as in the CONNECTOK answer) or sets.
func (d *Daemon) pyro4Metadata(id string, asLists bool) (map[string]any, error) {
	meta, err := d.pyro5Metadata(Pyro4, id)
	if err != nil {
		return nil, compat.NewException("Pyro4.errors", "DaemonError", "unknown object")
	}
	if asLists {
		for k, v := range meta {
			meta[k] = v.(*pickle.Set).Items
		}
	}
	return meta, nil
}

// Pyro 4's remote attributes are Pyro 5's: __getattr__(name) and
// __setattr__(name, value).
func (*pyro4) attrCall(o *object, c *Call) (any, bool, error) {
	return (*pyro5)(nil).attrCall(o, c)
}
