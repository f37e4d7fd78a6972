package core_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/pickle"
	"github.com/gopyro/gopyro/protocol4"
	"github.com/gopyro/gopyro/protocol5"
	"github.com/gopyro/gopyro/serpent"
)

// pyro4Client is a minimal Pyro 4 client for tests of the daemon's side:
// Python's Pyro4 is the arbiter (interop_tests/test_pyro4_core.py); this
// drives what Python cannot be made to send.
type pyro4Client struct {
	t   testing.TB
	c   *protocol4.Conn
	ser uint16
	seq uint16
}

func dial4(t testing.TB, d *core.Daemon, key []byte) *pyro4Client {
	t.Helper()
	nc, err := net.DialTimeout("tcp", d.Addr().String(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	return &pyro4Client{t: t, ser: protocol4.SerializerSerpent,
		c: protocol4.NewConn(nc, protocol4.Options{IOTimeout: 10 * time.Second, HMACKey: key})}
}

func (c *pyro4Client) encode(v any) []byte {
	c.t.Helper()
	var data []byte
	var err error
	if c.ser == protocol4.SerializerPickle {
		data, err = (&pickle.Encoder{Protocol: 4}).Append(nil, v)
	} else {
		data, err = serpent.Marshal(v)
	}
	if err != nil {
		c.t.Fatal(err)
	}
	return data
}

func (c *pyro4Client) send(typ protocol4.Type, flags protocol4.Flags, v any) {
	c.t.Helper()
	c.seq++
	if err := c.c.WriteMessage(context.Background(), &protocol4.Message{Type: typ, Serializer: c.ser, Flags: flags, Seq: c.seq, Data: c.encode(v)}); err != nil {
		c.t.Fatal(err)
	}
}

// recv reads a message and decodes its data (CONNECTFAIL's in marshal
// when the client's serializer was refused).
func (c *pyro4Client) recv() (*protocol4.Message, any) {
	c.t.Helper()
	m, err := c.c.ReadMessage(context.Background())
	if err != nil {
		c.t.Fatal(err)
	}
	if m.Seq != c.seq {
		c.t.Errorf("answer seq %d, want %d", m.Seq, c.seq)
	}
	if corr, ok := m.Annotation("CORR"); !ok || len(corr) != 16 {
		c.t.Errorf("answer without CORR: %v", m.Annotations)
	}
	var v any
	switch m.Serializer {
	case 42:
		return m, string(m.Data)
	case protocol4.SerializerPickle:
		v, err = pickle.Decode(m.Data)
	case protocol4.SerializerSerpent:
		v, err = (&serpent.Decoder{Restore: true}).Decode(m.Data)
	default:
		// marshal's short string, the CONNECTFAIL of a refused serializer
		if len(m.Data) < 2 || m.Data[0]&0x7f != 0x7a {
			c.t.Fatalf("serializer %d: %q", m.Serializer, m.Data)
		}
		return m, string(m.Data[2:])
	}
	if err != nil {
		c.t.Fatal(err)
	}
	return m, v
}

func (c *pyro4Client) connect(object string, handshake any) (*protocol4.Message, any) {
	c.send(protocol4.TypeConnect, protocol4.FlagMetaOnConnect, map[string]any{"handshake": handshake, "object": object})
	return c.recv()
}

func (c *pyro4Client) call(flags protocol4.Flags, object, method string, args ...any) (*protocol4.Message, any) {
	c.send(protocol4.TypeInvoke, flags, pickle.Tuple{object, method, pickle.Tuple(args), map[string]any{}})
	if flags&protocol4.FlagOneway != 0 {
		return nil, nil
	}
	return c.recv()
}

// exClass is the class of an exception answer: a class dict's
// __class__, or a pickled exception's class.
func exClass(v any) string {
	switch e := v.(type) {
	case pickle.Dict:
		cls, _ := e.Get_("__class__")
		s, _ := pickle.Text(cls)
		return s
	case *pickle.Object:
		return e.Class.Module + "." + e.Class.Name
	case *compat.Exception:
		return e.Class.Module + "." + e.Class.Name
	}
	return fmt.Sprintf("%T", v)
}

var key4 = []byte("s3cr3t key")

// list prints a decoded sequence.
func list(v any) string {
	items, _ := pickle.Items(v)
	return fmt.Sprint(items)
}

// TestPyro4Handshake: CONNECTOK with the object's metadata as lists,
// CONNECTFAIL with Pyro4's reasons: unknown object, the handshake hook's
// refusal, serializers not accepted, HMAC keys that do not match.
func TestPyro4Handshake(t *testing.T) {
	hook := func(_ context.Context, c *core.Caller, data any) (any, error) {
		if data == "let me in" {
			return "welcome " + c.RemoteAddr.(*net.TCPAddr).IP.String(), nil
		}
		return nil, errors.New("wrong handshake")
	}
	tests := []struct {
		name, object string
		handshake    any
		opts         core.DaemonOptions
		ser          uint16
		clientKey    []byte
		typ          protocol4.Type
		want         string
	}{
		{"ok", "calc", nil, core.DaemonOptions{}, protocol4.SerializerSerpent, nil, protocol4.TypeConnectOK, "hello"},
		{"unknown object", "nothing", nil, core.DaemonOptions{}, protocol4.SerializerSerpent, nil, protocol4.TypeConnectFail, "unknown object"},
		{"hook answers", "calc", "let me in", core.DaemonOptions{Pyro4Handshake: hook}, protocol4.SerializerSerpent, nil, protocol4.TypeConnectOK, "welcome 127.0.0.1"},
		{"hook refuses", "calc", "knock", core.DaemonOptions{Pyro4Handshake: hook}, protocol4.SerializerSerpent, nil, protocol4.TypeConnectFail, "wrong handshake"},
		{"pickle not enabled", "calc", nil, core.DaemonOptions{}, protocol4.SerializerPickle, nil, protocol4.TypeConnectFail,
			"message used serializer that is not accepted: 4 (pickle is not enabled on this daemon)"},
		{"pickle enabled", "calc", nil, core.DaemonOptions{Pyro4Serializers: []string{"pickle"}}, protocol4.SerializerPickle, nil, protocol4.TypeConnectOK, "hello"},
		{"dill", "calc", nil, core.DaemonOptions{}, protocol4.SerializerDill, nil, protocol4.TypeConnectFail,
			"message used serializer that is not accepted: 5 (dill is not supported)"},
		{"right key", "calc", nil, core.DaemonOptions{Pyro4HMACKey: key4}, protocol4.SerializerSerpent, key4, protocol4.TypeConnectOK, "hello"},
		{"no client key", "calc", nil, core.DaemonOptions{Pyro4HMACKey: key4}, protocol4.SerializerSerpent, nil, protocol4.TypeConnectFail, "hmac key config not symmetric"},
		{"no daemon key", "calc", nil, core.DaemonOptions{}, protocol4.SerializerSerpent, key4, protocol4.TypeConnectFail, "hmac key config not symmetric"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := startDaemon(t, tt.opts)
			if _, err := d.ConnectWithGUID(context.Background(), &calc{}, "calc", ""); err != nil {
				t.Fatal(err)
			}
			c := dial4(t, d, tt.clientKey)
			c.ser = tt.ser
			if tt.ser == protocol4.SerializerDill {
				c.seq++
				_ = c.c.WriteMessage(context.Background(), &protocol4.Message{Type: protocol4.TypeConnect, Serializer: tt.ser, Seq: c.seq, Data: []byte("dill")})
			} else {
				c.send(protocol4.TypeConnect, protocol4.FlagMetaOnConnect, map[string]any{"handshake": tt.handshake, "object": tt.object})
			}
			if tt.want == "hmac key config not symmetric" {
				// Answered signed as the daemon's key says, which this
				// client refuses as Pyro4's does.
				m, err := c.c.ReadMessage(context.Background())
				if !errors.Is(err, protocol4.ErrSecurity) || m == nil || m.Type != protocol4.TypeConnectFail || !strings.Contains(string(m.Data), tt.want) {
					t.Fatalf("got %v, %v", m, err)
				}
				return
			}
			m, v := c.recv()
			if m.Type != tt.typ {
				t.Fatalf("answer %v %v, want %v", m.Type, v, tt.typ)
			}
			if tt.typ == protocol4.TypeConnectFail {
				if v != tt.want {
					t.Errorf("CONNECTFAIL %q, want %q", v, tt.want)
				}
				return
			}
			if m.Flags&protocol4.FlagMetaOnConnect == 0 {
				t.Errorf("flags %v lack META_ON_CONNECT", m.Flags)
			}
			resp := v.(pickle.Dict)
			hs, _ := resp.Get_("handshake")
			if s, _ := pickle.Text(hs); s != tt.want {
				t.Errorf("handshake answer %v, want %q", hs, tt.want)
			}
			meta, _ := resp.Get_("meta")
			methods, _ := meta.(pickle.Dict).Get_("methods")
			if items, ok := pickle.Items(methods); !ok || !strings.Contains(fmt.Sprint(items), "add") {
				t.Errorf("metadata methods %#v, want a list with add", methods)
			}
		})
	}
}

// TestPyro4Calls: results, oneway, batch, PING, attributes and exceptions
// as Pyro4 carries them, in serpent and in pickle.
func TestPyro4Calls(t *testing.T) {
	for _, ser := range []uint16{protocol4.SerializerSerpent, protocol4.SerializerPickle} {
		t.Run(fmt.Sprint(ser), func(t *testing.T) {
			d := startDaemon(t, core.DaemonOptions{Pyro4Serializers: []string{"serpent", "pickle"}, Pyro4HMACKey: key4})
			obj := &calc{}
			if _, err := d.ConnectWithGUID(context.Background(), obj, "calc", ""); err != nil {
				t.Fatal(err)
			}
			c := dial4(t, d, key4)
			c.ser = ser
			if m, v := c.connect("calc", nil); m.Type != protocol4.TypeConnectOK {
				t.Fatalf("connect: %v %v", m.Type, v)
			}
			if m, v := c.call(0, "calc", "add", 20, 22); m.Flags != 0 || v != int64(42) {
				t.Fatalf("add = %v (flags %v)", v, m.Flags)
			}
			c.call(protocol4.FlagOneway, "calc", "record", 7)
			c.seq++
			if err := c.c.WriteMessage(context.Background(), &protocol4.Message{Type: protocol4.TypePing, Serializer: 42, Seq: c.seq, Data: []byte("ping")}); err != nil {
				t.Fatal(err)
			}
			if m, v := c.recv(); m.Type != protocol4.TypePing || v != "pong" {
				t.Fatalf("ping answered %v %v", m.Type, v)
			}
			m, v := c.call(protocol4.FlagBatch, "calc", "x", pickle.Tuple{"add", pickle.Tuple{1, 2}, map[string]any{}},
				pickle.Tuple{"fail", pickle.Tuple{"in batch"}, map[string]any{}}, pickle.Tuple{"add", pickle.Tuple{3, 4}, map[string]any{}})
			items, _ := pickle.Items(v)
			if m.Flags != protocol4.FlagBatch || len(items) != 2 || items[0] != int64(3) || exClass(items[1]) != "Pyro4.futures._ExceptionWrapper" {
				t.Fatalf("batch = %#v (flags %v)", v, m.Flags)
			}
			for _, tt := range []struct {
				method, class string
				args          []any
			}{{"fail", "builtins.ValueError", []any{"bad"}}, {"naming", "Pyro4.errors.NamingError", nil}, {"plain", "builtins.RuntimeError", nil}} {
				if m, v := c.call(0, "calc", tt.method, tt.args...); m.Flags != protocol4.FlagException || exClass(v) != tt.class {
					t.Errorf("%s raised %v (flags %v), want %s", tt.method, v, m.Flags, tt.class)
				}
			}
			if m, v := c.call(0, "nothing", "add", 1, 2); m.Flags != protocol4.FlagException || exClass(v) != "Pyro4.errors.DaemonError" {
				t.Fatalf("unknown object answered %v (flags %v)", v, m.Flags)
			}
			// The oneway call runs beside the calls after it: wait for it.
			for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
				_, v := c.call(0, "calc", "log")
				if list(v) == "[7]" {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("log = %v after the oneway record(7)", v)
				}
			}
		})
	}
}

// TestPyro4Attributes: __getattr__ and __setattr__ on a struct's fields.
func TestPyro4Attributes(t *testing.T) {
	d := startDaemon(t, core.DaemonOptions{})
	obj := &attrObj{Value: 5}
	if _, err := d.ConnectWithGUID(context.Background(), obj, "obj", ""); err != nil {
		t.Fatal(err)
	}
	c := dial4(t, d, nil)
	_, v := c.connect("obj", nil)
	meta, _ := v.(pickle.Dict).Get_("meta")
	if attrs, _ := meta.(pickle.Dict).Get_("attrs"); list(attrs) != "[Value]" {
		t.Errorf("attrs %v", attrs)
	}
	if m, _ := c.call(0, "obj", "__setattr__", "Value", 9); m.Flags != 0 {
		t.Fatalf("__setattr__ flags %v", m.Flags)
	}
	if _, v := c.call(0, "obj", "__getattr__", "Value"); v != int64(9) {
		t.Fatalf("__getattr__ = %v", v)
	}
	if m, v := c.call(0, "obj", "__getattr__", "nothing"); m.Flags != protocol4.FlagException || exClass(v) != "builtins.AttributeError" {
		t.Fatalf("unknown attribute: %v", v)
	}
}

type attrObj struct{ Value int }

func (*attrObj) Nop() {}

// TestPyro4ItemStream: an iterator result is an item stream that the client
// pulls with Pyro 4's Pyro.Daemon until StopIteration.
func TestPyro4ItemStream(t *testing.T) {
	d := startDaemon(t, core.DaemonOptions{})
	obj := &counter{ended: make(chan struct{})}
	uri, err := d.Connect(obj, "")
	if err != nil {
		t.Fatal(err)
	}
	c := dial4(t, d, nil)
	c.connect(uri.ObjectID, nil)
	m, v := c.call(0, uri.ObjectID, "count", 2)
	id, ok := m.Annotation("STRM")
	if m.Flags != protocol4.FlagException|protocol4.FlagItemStreamResult || !ok || len(id) != 36 || exClass(v) != "Pyro4.errors.ProtocolError" {
		t.Fatalf("answer flags %v, STRM %q, %v", m.Flags, id, v)
	}
	var got []any
	for range 3 {
		m, v := c.call(0, "Pyro.Daemon", "get_next_stream_item", string(id))
		if m.Flags&protocol4.FlagException != 0 {
			v = exClass(v)
		}
		got = append(got, v)
	}
	if want := []any{int64(0), int64(1), "builtins.StopIteration"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("items %v, want %v", got, want)
	}
	if _, v := c.call(0, "Pyro.Daemon", "get_next_stream_item", string(id)); exClass(v) != "Pyro4.errors.PyroError" {
		t.Fatalf("after the end: %v", v)
	}
}

// TestPyro4BesidePyro3And5: one port, one object, three generations; the
// internal Pyro.Daemon objects of Pyro 4 and Pyro 5 are each their own.
func TestPyro4BesidePyro3And5(t *testing.T) {
	d := startDaemon(t, core.DaemonOptions{})
	uri, err := d.Connect(&calc{}, "")
	if err != nil {
		t.Fatal(err)
	}
	uris, err := d.URIsFor(uri.ObjectID)
	if err != nil || len(uris) != 2 || uris[1].String() != fmt.Sprintf("PYRO:%s@127.0.0.1:%d", uri.ObjectID, d.Port()) {
		t.Fatalf("URIsFor = %v, %v", uris, err)
	}
	if n, err := newProxy(t, uri).Call(context.Background(), "add", 1, 2); err != nil || n != int64(3) {
		t.Fatalf("Pyro 3 add = %v, %v", n, err)
	}
	c4 := dial4(t, d, nil)
	c4.connect(uri.ObjectID, nil)
	c5 := dial5(t, d)
	c5.connect(uri.ObjectID, nil)
	if _, v := c4.call(0, uri.ObjectID, "add", 20, 22); v != int64(42) {
		t.Fatalf("Pyro 4 add = %v", v)
	}
	if _, v := c5.call(uri.ObjectID, "add", 20, 22); v != int64(42) {
		t.Fatalf("Pyro 5 add = %v", v)
	}
	if _, v := c4.call(0, "Pyro.Daemon", "get_metadata", "nothing"); exClass(v) != "Pyro4.errors.DaemonError" {
		t.Errorf("Pyro 4's Pyro.Daemon raised %v", v)
	}
	if _, v := c5.call("Pyro.Daemon", "get_metadata", "nothing"); exClass(v) != "Pyro5.errors.DaemonError" {
		t.Errorf("Pyro 5's Pyro.Daemon raised %v", v)
	}
	if _, v := c4.call(0, "Pyro.Daemon", "get_metadata", uri.ObjectID, true); !strings.Contains(fmt.Sprint(v), "add") {
		t.Errorf("Pyro 4 get_metadata = %v", v)
	}
	if _, v := c4.call(0, "Pyro.Daemon", "registered"); list(v) != fmt.Sprintf("[Pyro.Daemon %s]", uri.ObjectID) {
		t.Errorf("registered = %v", v)
	}
}

// TestPyro4Generations: Pyro 4 alone, and the refusals of options.
func TestPyro4Generations(t *testing.T) {
	d := startDaemon(t, core.DaemonOptions{Generations: core.Pyro4})
	if _, err := d.ConnectWithGUID(context.Background(), &calc{}, "calc", ""); err != nil {
		t.Fatal(err)
	}
	if uri, _ := d.URIFor("calc"); uri.String() != fmt.Sprintf("PYRO:calc@127.0.0.1:%d", d.Port()) {
		t.Errorf("URI %v", uri)
	}
	c := dial4(t, d, nil)
	if m, _ := c.connect("calc", nil); m.Type != protocol4.TypeConnectOK {
		t.Fatalf("connect: %v", m.Type)
	}
	// Pyro 5 bytes to a Pyro 4 only daemon: Pyro4's CONNECTFAIL text.
	nc, err := net.DialTimeout("tcp", d.Addr().String(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	b, _ := (&protocol5.Message{Type: protocol5.TypeConnect, Serializer: protocol5.SerializerSerpent, Data: make([]byte, 16)}).MarshalBinary()
	if _, err := nc.Write(b); err != nil {
		t.Fatal(err)
	}
	m, err := protocol4.NewConn(nc, protocol4.Options{IOTimeout: 10 * time.Second}).ReadMessage(context.Background())
	if err != nil || m.Type != protocol4.TypeConnectFail || !strings.HasSuffix(string(m.Data), "invalid data or unsupported protocol version") {
		t.Fatalf("answer %v, %v", m, err)
	}
	for _, opts := range []core.DaemonOptions{
		{Pyro4Serializers: []string{"yaml"}},
		{Pyro4Serializers: []string{"dill"}},
	} {
		if _, err := core.NewDaemon(opts); err == nil {
			t.Errorf("%v accepted", opts.Pyro4Serializers)
		}
	}
}
