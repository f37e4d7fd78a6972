package core_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/pickle"
	"github.com/gopyro/gopyro/protocol5"
	"github.com/gopyro/gopyro/pyjson"
	"github.com/gopyro/gopyro/pymarshal"
)

// startCalc5 serves a calc as "calc" and returns its Pyro 5 URI.
func startCalc5(t *testing.T) (string, *calc) {
	t.Helper()
	d := startDaemon(t, core.DaemonOptions{})
	obj := &calc{}
	if _, err := d.ConnectWithGUID(context.Background(), obj, "calc", ""); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("PYRO:calc@127.0.0.1:%d", d.Port()), obj
}

// TestPyro5ProxySerializers: each of Pyro 5's serializers carries the
// call; a tuple comes back as the serializer has it (json and msgpack have
// no tuples).
func TestPyro5ProxySerializers(t *testing.T) {
	uri, _ := startCalc5(t)
	ctx := context.Background()
	for _, tt := range []struct {
		serializer, want string
	}{
		{"", "(1, u'two')"},
		{"serpent", "(1, u'two')"},
		{"marshal", "(1, u'two')"},
		{"json", "[1, u'two']"},
		{"msgpack", "[1, u'two']"},
	} {
		t.Run(tt.serializer, func(t *testing.T) {
			p := newProxy(t, uri, core.WithSerializer(tt.serializer), core.WithTimeout(10*time.Second))
			if n, err := p.Call(ctx, "add", 20, 22); err != nil || n != int64(42) {
				t.Fatalf("add = %v, %v", n, err)
			}
			v, err := p.Call(ctx, "echo", pickle.Tuple{1, "two"})
			if err != nil {
				t.Fatal(err)
			}
			if got := compat.Repr(v); got != tt.want {
				t.Fatalf("echo = %s, want %s", got, tt.want)
			}
		})
	}
	if _, err := core.NewProxy(uri, core.WithSerializer("pickle")); err == nil || err.Error() != "ValueError: unknown serializer configured" {
		t.Fatalf("unknown serializer: %v", err)
	}
}

// gauge has an attribute and a oneway method, Hold, that blocks until
// Release: a proxy that waited for Hold's answer would wait for ever.
type gauge struct {
	Level   int
	release chan struct{}
	held    chan int
}

func (g *gauge) Hold(n int) {
	<-g.release
	g.held <- n
}

func (g *gauge) Release() { close(g.release) }

func (g *gauge) PyroOneway() []string { return []string{"hold"} }

// TestPyro5ProxyMetadata: the proxy learns the object's metadata on
// connect, sends the calls of its oneway methods oneway, refuses names the
// object does not expose before sending, and reads and sets attributes.
func TestPyro5ProxyMetadata(t *testing.T) {
	d := startDaemon(t, core.DaemonOptions{})
	g := &gauge{Level: 3, release: make(chan struct{}), held: make(chan int, 1)}
	if _, err := d.ConnectWithGUID(context.Background(), g, "gauge", ""); err != nil {
		t.Fatal(err)
	}
	uri := fmt.Sprintf("PYRO:gauge@127.0.0.1:%d", d.Port())
	p := newProxy(t, uri, core.WithTimeout(10*time.Second))
	ctx := context.Background()
	meta, err := p.Metadata(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(meta.Methods, "hold") || !slices.Contains(meta.Methods, "release") ||
		fmt.Sprint(meta.Oneway, meta.Attrs) != "[hold] [Level]" {
		t.Fatalf("metadata %v", meta)
	}
	if v, err := p.Call(ctx, "hold", 5); v != nil || err != nil {
		t.Fatalf("hold = %v, %v", v, err)
	}
	if _, err := p.Call(ctx, "release"); err != nil {
		t.Fatal(err)
	}
	select {
	case n := <-g.held:
		if n != 5 {
			t.Fatalf("held %d", n)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("hold was not called")
	}
	if v, err := p.GetAttr(ctx, "Level"); v != int64(3) || err != nil {
		t.Fatalf("Level = %v, %v", v, err)
	}
	if err := p.SetAttr(ctx, "Level", 9); err != nil {
		t.Fatal(err)
	}
	if v, err := p.GetAttr(ctx, "Level"); v != int64(9) || err != nil {
		t.Fatalf("Level after set = %v, %v", v, err)
	}
	for _, tt := range []struct {
		name string
		do   func() error
		want string
	}{
		{"call", func() error { _, err := p.Call(ctx, "nosuch"); return err }, "has no exposed attribute or method 'nosuch'"},
		{"get", func() error { _, err := p.GetAttr(ctx, "nosuch"); return err }, "has no exposed attribute or method 'nosuch'"},
		{"get method", func() error { _, err := p.GetAttr(ctx, "release"); return err }, "has no exposed attribute 'release'"},
		{"set", func() error { return p.SetAttr(ctx, "release", 1) }, "has no exposed attribute 'release'"},
	} {
		err := tt.do()
		var ex *compat.Exception
		if !errors.As(err, &ex) || ex.Class.Name != "AttributeError" || ex.Message() != "remote object '"+uri+"' "+tt.want {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
	for name, want := range map[string]bool{"release": true, "Level": false, "nosuch": false} {
		if is, err := p.IsMethod(ctx, name); is != want || err != nil {
			t.Errorf("IsMethod(%s) = %v, %v", name, is, err)
		}
	}
}

// TestPyro5ProxyBatch: a batch is made in order up to the first call that
// fails; a oneway batch gets no answer; Pyro 3 has no batches.
func TestPyro5ProxyBatch(t *testing.T) {
	d := startDaemon(t, core.DaemonOptions{})
	obj := &calc{}
	uri3, err := d.ConnectWithGUID(context.Background(), obj, "calc", "")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, serializer := range []string{"serpent", "json", "marshal", "msgpack"} {
		t.Run(serializer, func(t *testing.T) {
			p := newProxy(t, fmt.Sprintf("PYRO:calc@127.0.0.1:%d", d.Port()), core.WithSerializer(serializer), core.WithTimeout(10*time.Second))
			b := p.Batch()
			b.Call("add", 1, 2)
			b.CallKw("echo", []any{"x"}, nil)
			b.Call("fail", "boom")
			b.Call("add", 3, 4)
			res, err := b.Run(ctx)
			var ex *compat.Exception
			if fmt.Sprint(res) != "[3 x]" || !errors.As(err, &ex) || ex.Class.Name != "ValueError" || ex.Message() != "boom" {
				t.Fatalf("batch = %v, %v", res, err)
			}
			if b.Len() != 0 {
				t.Fatalf("the batch keeps %d calls after Run", b.Len())
			}
			b.Call("add", 5, 6)
			if res, err := b.Run(ctx); fmt.Sprint(res) != "[11]" || err != nil {
				t.Fatalf("batch reused = %v, %v", res, err)
			}
		})
	}
	p := newProxy(t, fmt.Sprintf("PYRO:calc@127.0.0.1:%d", d.Port()), core.WithTimeout(10*time.Second))
	b := p.Batch()
	b.Call("record", 1)
	b.Call("record", 2)
	if err := b.RunOneway(ctx); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		got, err := p.Call(ctx, "log")
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) == "&{[1 2]}" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("log = %v after the oneway batch", got)
		}
	}
	p3 := newProxy(t, uri3)
	p3.Batch().Call("add", 1, 2)
	if _, err := p3.Batch().Run(ctx); !errors.Is(err, core.ErrNoBatch) {
		t.Fatalf("Pyro 3 batch: %v", err)
	}
}

// TestPyro5ProxyStream: a method that returns an iterator gives a Stream;
// leaving the loop early closes it on the daemon.
func TestPyro5ProxyStream(t *testing.T) {
	d := startDaemon(t, core.DaemonOptions{})
	obj := &counter{ended: make(chan struct{})}
	if _, err := d.ConnectWithGUID(context.Background(), obj, "counter", ""); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	p := newProxy(t, fmt.Sprintf("PYRO:counter@127.0.0.1:%d", d.Port()), core.WithTimeout(10*time.Second))
	v, err := p.Call(ctx, "count", 3)
	if err != nil {
		t.Fatal(err)
	}
	s, ok := v.(*core.Stream)
	if !ok {
		t.Fatalf("count returned %T", v)
	}
	var got []any
	for item, err := range s.All(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, item)
	}
	if fmt.Sprint(got) != "[0 1 2]" {
		t.Fatalf("items %v", got)
	}
	if _, err := s.Next(ctx); err != io.EOF {
		t.Fatalf("after the end: %v", err)
	}
	<-obj.ended
	obj.ended = make(chan struct{})
	v, err = p.Call(ctx, "count", 1000)
	if err != nil {
		t.Fatal(err)
	}
	for item, err := range v.(*core.Stream).All(ctx) {
		if err != nil || item == int64(2) {
			break
		}
	}
	select {
	case <-obj.ended:
	case <-time.After(10 * time.Second):
		t.Fatal("the abandoned stream was not closed")
	}
	// a stream does not survive its connection
	v, _ = p.Call(ctx, "count", 5)
	p.Release()
	if _, err := v.(*core.Stream).Next(ctx); !errors.As(err, new(*compat.ConnectionClosedError)) {
		t.Fatalf("after Release: %v", err)
	}
}

type sleeper struct{}

func (sleeper) Sleep(ms int) string {
	time.Sleep(time.Duration(ms) * time.Millisecond)
	return "slept"
}

func (sleeper) Add(a, b int) int { return a + b }

// TestPyro5ProxyTimeout: the proxy's timeout and a context deadline end a
// call that takes too long with a TimeoutError; the next call connects
// again.
func TestPyro5ProxyTimeout(t *testing.T) {
	d := startDaemon(t, core.DaemonOptions{})
	if _, err := d.ConnectWithGUID(context.Background(), sleeper{}, "sleeper", ""); err != nil {
		t.Fatal(err)
	}
	uri := fmt.Sprintf("PYRO:sleeper@127.0.0.1:%d", d.Port())
	ctx := context.Background()
	short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	for _, tt := range []struct {
		name string
		p    *core.Proxy
		ctx  context.Context
	}{
		{"proxy timeout", newProxy(t, uri, core.WithTimeout(200*time.Millisecond)), ctx},
		{"context deadline", newProxy(t, uri), short},
	} {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			_, err := tt.p.Call(tt.ctx, "sleep", 2000)
			if !errors.As(err, new(*compat.TimeoutError)) || time.Since(start) > 1500*time.Millisecond {
				t.Fatalf("sleep: %v after %v", err, time.Since(start))
			}
			if n, err := tt.p.Call(ctx, "add", 1, 2); n != int64(3) || err != nil {
				t.Fatalf("after the timeout: %v, %v", n, err)
			}
		})
	}
}

// TestPyro5ProxyReconnect: after the daemon restarts on its port, a call
// fails with ConnectionClosedError and Reconnect connects again.
func TestPyro5ProxyReconnect(t *testing.T) {
	d1, err := core.NewDaemon(core.DaemonOptions{Host: "127.0.0.1", NoRange: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d1.ConnectWithGUID(context.Background(), &calc{}, "calc", ""); err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- d1.Serve(context.Background()) }()
	port := d1.Port()
	ctx := context.Background()
	p := newProxy(t, fmt.Sprintf("PYRO:calc@127.0.0.1:%d", port), core.WithTimeout(10*time.Second))
	if n, err := p.Call(ctx, "add", 1, 2); n != int64(3) || err != nil {
		t.Fatalf("add = %v, %v", n, err)
	}
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := d1.Shutdown(sctx); err != nil {
		t.Fatal(err)
	}
	<-served
	if _, err := p.Call(ctx, "add", 1, 2); !errors.As(err, new(*compat.ConnectionClosedError)) {
		t.Fatalf("call to the stopped daemon: %v", err)
	}
	if err := p.Reconnect(ctx, 1); !errors.As(err, new(*compat.ConnectionClosedError)) || !strings.Contains(err.Error(), "failed to reconnect") {
		t.Fatalf("Reconnect to no daemon: %v", err)
	}
	d2 := startDaemon(t, core.DaemonOptions{Port: port})
	if _, err := d2.ConnectWithGUID(context.Background(), &calc{}, "calc", ""); err != nil {
		t.Fatal(err)
	}
	if err := p.Reconnect(ctx, 3); err != nil {
		t.Fatal(err)
	}
	if n, err := p.Call(ctx, "add", 2, 3); n != int64(5) || err != nil {
		t.Fatalf("after Reconnect: %v, %v", n, err)
	}
}

// fakePyro5 answers a Pyro 5 client's CONNECT with the reply reply makes,
// as a Python daemon can: in marshal, whatever the client's serializer.
func fakePyro5(t *testing.T, reply func(c *protocol5.Conn, m *protocol5.Message)) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		nc, err := l.Accept()
		if err != nil {
			return
		}
		defer nc.Close()
		c := protocol5.NewConn(nc, protocol5.Options{IOTimeout: 10 * time.Second})
		for {
			m, err := c.ReadMessage(context.Background())
			if err != nil {
				return
			}
			reply(c, m)
		}
	}()
	return "PYRO:obj@" + l.Addr().String()
}

func marshalled(t *testing.T, v any) []byte {
	t.Helper()
	b, err := (&pymarshal.Encoder{}).Append(nil, v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestPyro5ProxyReplySerializer: CONNECTFAIL and exceptions are read in
// the serializer of the message, as Pyro5's daemon sends some in marshal.
func TestPyro5ProxyReplySerializer(t *testing.T) {
	ctx := context.Background()
	refuse := fakePyro5(t, func(c *protocol5.Conn, m *protocol5.Message) {
		c.WriteMessage(ctx, &protocol5.Message{Type: protocol5.TypeConnectFail, Serializer: protocol5.SerializerMarshal, Seq: m.Seq,
			Data: marshalled(t, "no free workers, increase server threadpool size")})
	})
	_, err := newProxy(t, refuse, core.WithSerializer("json")).Call(ctx, "x")
	if !errors.As(err, new(*compat.ConnectionDeniedError)) || !strings.Contains(err.Error(), "rejected: no free workers, increase server threadpool size") {
		t.Fatalf("CONNECTFAIL in marshal: %v", err)
	}
	raise := fakePyro5(t, func(c *protocol5.Conn, m *protocol5.Message) {
		if m.Type == protocol5.TypeConnect {
			data, _ := (&pyjson.Encoder{}).Append(nil, map[string]any{"handshake": "hello", "meta": map[string]any{"methods": []any{"x"}, "oneway": []any{}, "attrs": []any{}}})
			c.WriteMessage(ctx, &protocol5.Message{Type: protocol5.TypeConnectOK, Serializer: protocol5.SerializerJSON, Seq: m.Seq, Data: data})
			return
		}
		c.WriteMessage(ctx, &protocol5.Message{Type: protocol5.TypeResult, Serializer: protocol5.SerializerMarshal, Flags: protocol5.FlagException, Seq: m.Seq,
			Data: marshalled(t, map[string]any{"__class__": "Pyro5.errors.SerializeError", "args": pickle.Tuple{"unsupported serialized class"}, "attributes": map[string]any{}})})
	})
	_, err = newProxy(t, raise, core.WithSerializer("json")).Call(ctx, "x")
	var ex *compat.Exception
	if !errors.As(err, &ex) || ex.Class.Module != "Pyro5.errors" || ex.Class.Name != "SerializeError" || ex.Message() != "unsupported serialized class" {
		t.Fatalf("exception in marshal: %#v", err)
	}
}

// TestPyro5ProxyName: PYRONAME and PYROMETA URIs are resolved at the
// name server of their location with Pyro 5's lookup and yplookup (here a
// stand-in answering as Pyro5's does; interop_tests/test_pyro5_proxy.py
// uses Pyro5's own), again whenever the proxy connects.
func TestPyro5ProxyName(t *testing.T) {
	d := startDaemon(t, core.DaemonOptions{})
	if _, err := d.ConnectWithGUID(context.Background(), &calc{}, "calc", ""); err != nil {
		t.Fatal(err)
	}
	target := pickle.NewDict()
	target.Set("__class__", "Pyro5.core.URI")
	target.Set("state", pickle.Tuple{"PYRO", "calc", pickle.None{}, "127.0.0.1", int64(d.Port())})
	var lookups []string
	ns := core.InvokerWithAttrs(core.InvokerFunc(func(_ context.Context, c *core.Call) (any, error) {
		lookups = append(lookups, c.Method)
		switch c.Method {
		case "lookup":
			if c.Args[0] != "test.calc" {
				return nil, compat.NewException("Pyro5.errors", "NamingError", "unknown name: "+fmt.Sprint(c.Args[0]))
			}
			return target, nil
		default: // yplookup(meta_all=..., return_metadata=False)
			found := pickle.NewDict()
			if fmt.Sprint(c.Kwargs["meta_all"]) == "&{[kind:calc]}" && c.Kwargs["return_metadata"] == false {
				found.Set("test.calc", fmt.Sprintf("PYRO:calc@127.0.0.1:%d", d.Port()))
			}
			return found, nil
		}
	}), core.Attrs{Class: "NameServer", Methods: []string{"lookup", "yplookup"}})
	if _, err := d.ConnectWithGUID(context.Background(), ns, "Pyro.NameServer", ""); err != nil {
		t.Fatal(err)
	}
	loc := fmt.Sprintf("@127.0.0.1:%d", d.Port())
	ctx := context.Background()
	for _, tt := range []struct {
		uri, wantErr string
	}{
		{"PYRONAME:test.calc" + loc, ""},
		{"PYROMETA:kind:calc" + loc, ""},
		{"PYRONAME:nosuch" + loc, "NamingError: unknown name: nosuch"},
		{"PYROMETA:kind:none,x" + loc, "NamingError: no registrations available with desired metadata properties {'kind:none', 'x'}"},
	} {
		t.Run(tt.uri, func(t *testing.T) {
			p := newProxy(t, tt.uri, core.WithTimeout(10*time.Second))
			n, err := p.Call(ctx, "add", 1, 2)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error %v, want %s", err, tt.wantErr)
				}
				return
			}
			if n != int64(3) || err != nil {
				t.Fatalf("add = %v, %v", n, err)
			}
			if got := p.URI().String(); got != "PYRO:calc"+loc {
				t.Fatalf("bound to %s", got)
			}
		})
	}
	lookups = nil
	p := newProxy(t, "PYRONAME:test.calc"+loc, core.WithTimeout(10*time.Second))
	p.Call(ctx, "add", 1, 2)
	p.Release()
	p.Call(ctx, "add", 1, 2)
	if fmt.Sprint(lookups) != "[lookup lookup]" {
		t.Fatalf("name server calls %v, want a lookup per connection", lookups)
	}
	if _, err := core.ResolvePyro5(ctx, compat.URI{Protocol: "PYRONAME", ObjectID: "x", Address: "127.0.0.1", Port: 1, Style: compat.Pyro5Style}); !strings.Contains(err.Error(), "Failed to locate the nameserver") {
		t.Fatalf("no name server: %v", err)
	}
}
