package core_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"iter"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/internal/frametest"
	"github.com/gopyro/gopyro/pickle"
	"github.com/gopyro/gopyro/protocol5"
	"github.com/gopyro/gopyro/serpent"
)

// pyro5Client is a minimal Pyro 5 client for tests of the daemon's side:
// Python's Pyro5 is the arbiter (interop_tests/test_pyro5_core.py); this
// drives what Python cannot be made to send.
type pyro5Client struct {
	t   testing.TB
	c   *protocol5.Conn
	seq uint16
}

func dial5(t testing.TB, d *core.Daemon) *pyro5Client {
	t.Helper()
	nc, err := net.DialTimeout("tcp", d.Addr().String(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	return &pyro5Client{t: t, c: protocol5.NewConn(nc, protocol5.Options{IOTimeout: 10 * time.Second})}
}

// send writes a message whose data is v in serpent.
func (c *pyro5Client) send(typ protocol5.Type, flags protocol5.Flags, v any) {
	c.t.Helper()
	data, err := serpent.Marshal(v)
	if err != nil {
		c.t.Fatal(err)
	}
	c.seq++
	if err := c.c.WriteMessage(context.Background(), &protocol5.Message{Type: typ, Serializer: protocol5.SerializerSerpent, Flags: flags, Seq: c.seq, Data: data}); err != nil {
		c.t.Fatal(err)
	}
}

// recv reads a message and decodes its data.
func (c *pyro5Client) recv() (*protocol5.Message, any) {
	c.t.Helper()
	m, err := c.c.ReadMessage(context.Background())
	if err != nil {
		c.t.Fatal(err)
	}
	if m.Seq != c.seq {
		c.t.Errorf("answer seq %d, want %d", m.Seq, c.seq)
	}
	if m.Type == protocol5.TypePing {
		return m, string(m.Data)
	}
	v, err := (&serpent.Decoder{Restore: true}).Decode(m.Data)
	if err != nil {
		c.t.Fatal(err)
	}
	return m, v
}

func (c *pyro5Client) connect(object string, handshake any) (*protocol5.Message, any) {
	c.send(protocol5.TypeConnect, 0, map[string]any{"handshake": handshake, "object": object})
	return c.recv()
}

func (c *pyro5Client) call(object, method string, args ...any) (*protocol5.Message, any) {
	c.send(protocol5.TypeInvoke, 0, pickle.Tuple{object, method, pickle.Tuple(args), map[string]any{}})
	return c.recv()
}

// TestPyro5Handshake: CONNECTOK with the object's metadata, CONNECTFAIL
// with the reason, the handshake hook's answer and refusal.
func TestPyro5Handshake(t *testing.T) {
	hook := func(_ context.Context, c *core.Caller, data any) (any, error) {
		if data == "let me in" {
			return "welcome " + c.RemoteAddr.(*net.TCPAddr).IP.String(), nil
		}
		return nil, errors.New("wrong handshake")
	}
	tests := []struct {
		name, object string
		handshake    any
		hook         core.HandshakeFunc
		typ          protocol5.Type
		want         string
	}{
		{"ok", "calc", nil, nil, protocol5.TypeConnectOK, "hello"},
		{"unknown object", "nothing", nil, nil, protocol5.TypeConnectFail, "unknown object"},
		{"hook answers", "calc", "let me in", hook, protocol5.TypeConnectOK, "welcome 127.0.0.1"},
		{"hook refuses", "calc", "knock", hook, protocol5.TypeConnectFail, "wrong handshake"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := startDaemon(t, core.DaemonOptions{Pyro5Handshake: tt.hook})
			if _, err := d.ConnectWithGUID(context.Background(), &calc{}, "calc", ""); err != nil {
				t.Fatal(err)
			}
			m, v := dial5(t, d).connect(tt.object, tt.handshake)
			if m.Type != tt.typ {
				t.Fatalf("answer %v %v, want %v", m.Type, v, tt.typ)
			}
			if m.Flags&protocol5.FlagCorrID == 0 {
				t.Errorf("flags %v lack CORR_ID", m.Flags)
			}
			if tt.typ == protocol5.TypeConnectFail {
				if v != tt.want {
					t.Errorf("CONNECTFAIL %q, want %q", v, tt.want)
				}
				return
			}
			resp := v.(pickle.Dict)
			if hs, _ := resp.Get_("handshake"); hs != tt.want {
				t.Errorf("handshake response %v, want %q", hs, tt.want)
			}
			meta, _ := resp.Get_("meta")
			methods, _ := meta.(pickle.Dict).Get_("methods")
			if !setHas(methods, "add") {
				t.Errorf("metadata methods %v lack add", methods)
			}
		})
	}
}

func setHas(s any, name string) bool {
	set, ok := s.(*pickle.Set)
	if !ok {
		return false
	}
	for _, it := range set.Items {
		if it == name {
			return true
		}
	}
	return false
}

// TestPyro5BesidePyro3: on one port, a Pyro 3 proxy and a Pyro 5 client
// call the one object; PING is answered without decoding.
func TestPyro5BesidePyro3(t *testing.T) {
	d := startDaemon(t, core.DaemonOptions{})
	uri, err := d.Connect(&calc{}, "")
	if err != nil {
		t.Fatal(err)
	}
	uris, err := d.URIsFor(uri.ObjectID)
	if err != nil || len(uris) != 2 || !strings.HasPrefix(uris[1].String(), "PYRO:"+uri.ObjectID+"@127.0.0.1:") {
		t.Fatalf("URIsFor = %v, %v", uris, err)
	}
	c := dial5(t, d)
	if m, _ := c.connect(uri.ObjectID, nil); m.Type != protocol5.TypeConnectOK {
		t.Fatalf("connect: %v", m.Type)
	}
	p := newProxy(t, uri)
	if n, err := p.Call(context.Background(), "add", 1, 2); err != nil || n != int64(3) {
		t.Fatalf("Pyro 3 add = %v, %v", n, err)
	}
	if m, v := c.call(uri.ObjectID, "add", 20, 22); m.Flags&protocol5.FlagException != 0 || v != int64(42) {
		t.Fatalf("Pyro 5 add = %v (flags %v)", v, m.Flags)
	}
	c.seq++
	if err := c.c.WriteMessage(context.Background(), &protocol5.Message{Type: protocol5.TypePing, Serializer: 42, Seq: c.seq, Data: []byte("not serpent")}); err != nil {
		t.Fatal(err)
	}
	if m, v := c.recv(); m.Type != protocol5.TypePing || v != "pong" {
		t.Fatalf("ping answered %v %v", m.Type, v)
	}
	if m, v := c.call("nothing", "add", 1, 2); m.Flags&protocol5.FlagException == 0 || !strings.Contains(compatText(v), "unknown object") {
		t.Fatalf("unknown object answered %v (flags %v)", v, m.Flags)
	}
	if _, v := c.call(uri.ObjectID, "add", 1, 1); v != int64(2) {
		t.Fatalf("after the unknown object: %v", v)
	}
}

// compatText is the args of an exception class dict as text.
func compatText(v any) string {
	d, ok := v.(pickle.Dict)
	if !ok {
		return ""
	}
	args, _ := d.Get_("args")
	var b strings.Builder
	if items, ok := pickle.Items(args); ok {
		for _, a := range items {
			s, _ := pickle.Text(a)
			b.WriteString(s)
		}
	}
	return b.String()
}

// counter streams n items and notes when its iterator ends.
type counter struct{ ended chan struct{} }

func (c *counter) Count(n int) iter.Seq[int] {
	return func(yield func(int) bool) {
		defer close(c.ended)
		for i := range n {
			if !yield(i) {
				return
			}
		}
	}
}

// TestPyro5ItemStream: an iterator result is an item stream that the client
// pulls with get_next_stream_item until StopIteration; a stream still open
// when the connection ends is stopped.
func TestPyro5ItemStream(t *testing.T) {
	d := startDaemon(t, core.DaemonOptions{})
	for _, tt := range []struct {
		name  string
		pulls int
	}{{"to the end", 3}, {"connection closed mid-stream", 1}} {
		t.Run(tt.name, func(t *testing.T) {
			obj := &counter{ended: make(chan struct{})}
			uri, err := d.Connect(obj, "")
			if err != nil {
				t.Fatal(err)
			}
			c := dial5(t, d)
			c.connect(uri.ObjectID, nil)
			m, _ := c.call(uri.ObjectID, "count", 2)
			id, ok := m.Annotation("STRM")
			if m.Flags&protocol5.FlagItemStreamResult == 0 || !ok || len(id) != 36 {
				t.Fatalf("answer flags %v, STRM %q", m.Flags, id)
			}
			var got []any
			for range tt.pulls {
				m, v := c.call("Pyro.Daemon", "get_next_stream_item", string(id))
				if m.Flags&protocol5.FlagException != 0 {
					d := v.(pickle.Dict)
					cls, _ := d.Get_("__class__")
					got = append(got, cls)
					continue
				}
				got = append(got, v)
			}
			if tt.pulls == 3 {
				if want := []any{int64(0), int64(1), "builtins.StopIteration"}; fmt.Sprint(got) != fmt.Sprint(want) {
					t.Fatalf("items %v, want %v", got, want)
				}
				if _, v := c.call("Pyro.Daemon", "get_next_stream_item", string(id)); !strings.Contains(compatText(v), "item stream terminated") {
					t.Fatalf("after the end: %v", v)
				}
			} else {
				c.c.Close()
			}
			select {
			case <-obj.ended:
			case <-time.After(10 * time.Second):
				t.Fatal("the iterator was not stopped")
			}
		})
	}
}

// TestPyro5Proxy: a Go proxy calls a daemon over Pyro 5: results, remote
// exceptions with their traceback, attributes, oneway, CONNECTFAIL.
func TestPyro5Proxy(t *testing.T) {
	d := startDaemon(t, core.DaemonOptions{})
	obj := &calc{}
	if _, err := d.ConnectWithGUID(context.Background(), obj, "calc", ""); err != nil {
		t.Fatal(err)
	}
	uri := fmt.Sprintf("PYRO:calc@127.0.0.1:%d", d.Port())
	p := newProxy(t, uri, core.WithTimeout(10*time.Second))
	ctx := context.Background()
	if n, err := p.Call(ctx, "add", 20, 22); err != nil || n != int64(42) {
		t.Fatalf("add = %v, %v", n, err)
	}
	_, err := p.Call(ctx, "fail", "bad")
	var ex *compat.Exception
	if !errors.As(err, &ex) || ex.Class.Module != "builtins" || ex.Class.Name != "ValueError" || ex.Message() != "bad" || len(ex.Traceback) == 0 {
		t.Fatalf("fail: %#v", err)
	}
	if err := p.Oneway(ctx, "record", 7); err != nil {
		t.Fatal(err)
	}
	// The oneway call runs beside the calls after it: wait for it.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		got, err := p.Call(ctx, "log")
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) == "&{[7]}" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("log = %v after the oneway record(7)", got)
		}
	}
	// Connections at once share the daemon's serializers.
	errs := make(chan error, 8)
	for i := range 8 {
		go func() {
			q, err := core.NewProxy(uri, core.WithTimeout(10*time.Second))
			if err != nil {
				errs <- err
				return
			}
			defer q.Close()
			for j := range 50 {
				if n, err := q.Call(ctx, "echo", []any{i, j, "x"}); err != nil || fmt.Sprint(n) != fmt.Sprintf("&{[%d %d x]}", i, j) {
					errs <- fmt.Errorf("echo = %v, %v", n, err)
					return
				}
			}
			errs <- nil
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	bad := newProxy(t, fmt.Sprintf("PYRO:nothing@127.0.0.1:%d", d.Port()), core.WithTimeout(10*time.Second))
	_, err = bad.Call(ctx, "add", 1, 2)
	var denied *compat.ConnectionDeniedError
	if !errors.As(err, &denied) || !strings.Contains(err.Error(), "unknown object") {
		t.Fatalf("unknown object: %v", err)
	}
}

// TestPyro5ConnectFailAsCaptured: the daemon refuses the CONNECTs that
// Pyro5's daemon refused in protocol5/testdata/frames.txt with the bytes it
// answered (but for the random correlation id): framing errors in marshal
// with seq 0, Pyro 5's text and no correlation id, the handshake hook's
// refusal in the client's serializer with one. A CONNECT in an unknown serializer is not answered
// (Pyro5's daemon fails looking it up twice), and a busy daemon answers in
// marshal with the CONNECT's seq.
func TestPyro5ConnectFailAsCaptured(t *testing.T) {
	frames := frametest.Load(t, "../protocol5/testdata/frames.txt")
	goAway := func(_ context.Context, _ *core.Caller, data any) (any, error) {
		return nil, fmt.Errorf("go away: '%v'", data)
	}
	for _, scenario := range []string{"connectfail", "error_bad_magic", "error_invoke_first", "error_too_large", "error_bad_annotation"} {
		t.Run(scenario, func(t *testing.T) {
			d := startDaemon(t, core.DaemonOptions{Pyro5Handshake: goAway})
			if _, err := d.ConnectWithGUID(context.Background(), &calc{}, "thing", ""); err != nil {
				t.Fatal(err)
			}
			got, err := rawExchange(t, d, frametest.Find(t, frames, scenario+"/conn1/1-C2S"))
			if err != nil {
				t.Fatal(err)
			}
			want := bytes.Clone(frametest.Find(t, frames, scenario+"/conn1/2-S2C"))
			if scenario != "connectfail" {
				// The captured daemon refused these in a worker thread
				// that held the correlation id of an earlier connection;
				// in a fresh one Pyro5 sends none, as the daemon does.
				want[9] &^= byte(protocol5.FlagCorrID)
			}
			clear(got[20:36])
			clear(want[20:36])
			if want[7] == protocol5.SerializerMarshal {
				// the same str; Python's marshal may set FLAG_REF on it
				gs, ok1 := frametest.MarshalText(got[protocol5.HeaderSize:])
				ws, ok2 := frametest.MarshalText(want[protocol5.HeaderSize:])
				if ok1 && ok2 && gs == ws {
					got, want = got[:protocol5.HeaderSize], want[:protocol5.HeaderSize]
				}
			}
			if !bytes.Equal(got, want) {
				t.Errorf("answered\n%x\nPyro5 answered\n%x", got, want)
			}
		})
	}
	t.Run("unknown serializer", func(t *testing.T) {
		d := startDaemon(t, core.DaemonOptions{})
		frame := bytes.Clone(frametest.Find(t, frames, "call_serpent/conn1/1-C2S"))
		frame[7] = 99
		if got, err := rawExchange(t, d, frame); !errors.Is(err, io.EOF) {
			t.Errorf("answered %x (%v), want the connection closed", got, err)
		}
	})
	t.Run("busy", func(t *testing.T) {
		d := startDaemon(t, core.DaemonOptions{MaxConnectionsPerHost: 1})
		held := dial5(t, d)
		held.connect("Pyro.Daemon", nil)
		frame := bytes.Clone(frametest.Find(t, frames, "call_serpent/conn1/1-C2S"))
		binary.BigEndian.PutUint16(frame[10:], 9) // seq
		got, err := rawExchange(t, d, frame)
		if err != nil {
			t.Fatal(err)
		}
		msg, _ := frametest.MarshalText(got[protocol5.HeaderSize:])
		if got[6] != byte(protocol5.TypeConnectFail) || got[7] != protocol5.SerializerMarshal || binary.BigEndian.Uint16(got[10:]) != 9 || msg != "server too busy" {
			t.Errorf("answered %x, want CONNECTFAIL, marshal, seq 9, 'server too busy'", got)
		}
	})
}

// rawExchange sends frame on a new connection to d and reads one message
// back, as bytes.
func rawExchange(t *testing.T, d *core.Daemon, frame []byte) ([]byte, error) {
	t.Helper()
	nc, err := net.DialTimeout("tcp", d.Addr().String(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := nc.Write(frame); err != nil {
		t.Fatal(err)
	}
	hdr := make([]byte, protocol5.HeaderSize)
	if _, err := io.ReadFull(nc, hdr); err != nil {
		return nil, err
	}
	rest := make([]byte, binary.BigEndian.Uint32(hdr[12:])+binary.BigEndian.Uint32(hdr[16:]))
	if _, err := io.ReadFull(nc, rest); err != nil {
		return nil, err
	}
	return append(hdr, rest...), nil
}

// labelled has a field that is a remote attribute, a method with a Python
// name of the Namer's choosing and one with its automatic Python name.
type labelled struct {
	Label string `pyro:"label"`
}

func (l *labelled) Which() int                   { return 1 }
func (l *labelled) GetLabel() string             { return l.Label }
func (l *labelled) PyroNames() map[string]string { return map[string]string{"Which": "which_one"} }

// TestPyro5Dispatch: what Pyro5's daemon refuses and answers
// (interop_tests/test_pyro5_daemon.py compares the texts with Pyro5's):
// private names, attributes, the metadata, Pyro.Daemon's arguments.
func TestPyro5Dispatch(t *testing.T) {
	d := startDaemon(t, core.DaemonOptions{})
	if _, err := d.ConnectWithGUID(context.Background(), &labelled{Label: "x"}, "obj", ""); err != nil {
		t.Fatal(err)
	}
	c := dial5(t, d)
	_, v := c.connect("obj", nil)
	meta, _ := v.(pickle.Dict).Get_("meta")
	methods, _ := meta.(pickle.Dict).Get_("methods")
	attrs, _ := meta.(pickle.Dict).Get_("attrs")
	if got := fmt.Sprint(methods.(*pickle.Set).Items); got != "[get_label which_one]" {
		t.Errorf("metadata methods %s, want each method once by its Python name", got)
	}
	if got := fmt.Sprint(attrs.(*pickle.Set).Items); got != "[label]" {
		t.Errorf("metadata attrs %s", got)
	}
	tests := []struct {
		object, method string
		args           []any
		want           string // the answer, or the AttributeError/TypeError text
	}{
		{"obj", "which_one", nil, "1"},
		{"obj", "Which", nil, "1"},
		{"obj", "_secret", nil, "attempt to access private attribute '_secret'"},
		{"obj", "__init__", nil, "attempt to access private attribute '__init__'"},
		{"obj", "__len__", nil, "'labelled' object has no attribute '__len__'"},
		{"obj", "__getattr__", []any{"label"}, "x"},
		{"obj", "__getattr__", []any{"get_label"}, "attempt to access unexposed or unknown remote attribute 'get_label'"},
		{"obj", "__getattr__", []any{"_label"}, "type object 'labelled' has no attribute '_label'"},
		{"obj", "__setattr__", []any{"nosuch", 1}, "type object 'labelled' has no attribute 'nosuch'"},
		{"Pyro.Daemon", "ping", []any{1}, "DaemonObject.ping() takes 1 positional argument but 2 were given"},
		{"Pyro.Daemon", "get_metadata", nil, "DaemonObject.get_metadata() missing 1 required positional argument: 'objectId'"},
		{"Pyro.Daemon", "_x", nil, "attempt to access private attribute '_x'"},
		{"Pyro.Daemon", "registered", nil, "[Pyro.Daemon obj]"},
	}
	for _, tt := range tests {
		m, v := c.call(tt.object, tt.method, tt.args...)
		got := fmt.Sprint(v)
		if items, ok := pickle.Items(v); ok {
			got = fmt.Sprint(items)
		}
		if m.Flags&protocol5.FlagException != 0 {
			got = compatText(v)
		}
		if got != tt.want {
			t.Errorf("%s.%s%v = %s, want %s", tt.object, tt.method, tt.args, got, tt.want)
		}
	}
}

type exceptionReturner struct{}

func (exceptionReturner) Give() any { return compat.ValueError("a value, not raised") }

// TestPyro5ExceptionValue: an exception a method returns (not raises)
// crosses as Pyro 5's class dict of the exception, in a normal answer,
// as Python's Pyro 5 sends it (examples/exceptions error2).
func TestPyro5ExceptionValue(t *testing.T) {
	d := startDaemon(t, core.DaemonOptions{})
	uri, err := d.Connect(exceptionReturner{}, "")
	if err != nil {
		t.Fatal(err)
	}
	c := dial5(t, d)
	c.connect(uri.ObjectID, nil)
	m, v := c.call(uri.ObjectID, "give")
	if m.Flags&protocol5.FlagException != 0 {
		t.Fatalf("answer flags %v: raised", m.Flags)
	}
	dict, ok := v.(pickle.Dict)
	if !ok {
		t.Fatalf("answer %T, want a class dict", v)
	}
	for key, want := range map[string]string{"__class__": "builtins.ValueError", "__exception__": "True", "args": "(u'a value, not raised',)", "attributes": "{}"} {
		if got, _ := dict.Get_(key); compat.Repr(got) != want && fmt.Sprint(got) != want {
			t.Errorf("%s = %s, want %s", key, compat.Repr(got), want)
		}
	}
	if dict.Len() != 4 {
		t.Errorf("answer %s has other keys", compat.Repr(v))
	}
}
