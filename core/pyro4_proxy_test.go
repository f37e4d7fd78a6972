package core_test

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/pickle"
	"github.com/gopyro/gopyro/protocol4"
	"github.com/gopyro/gopyro/pyjson"
	"github.com/gopyro/gopyro/pymarshal"
	"github.com/gopyro/gopyro/serpent"
)

// steps streams n items.
type steps struct{}

func (steps) Count(n int) iter.Seq[int] {
	return func(yield func(int) bool) {
		for i := range n {
			if !yield(i) {
				return
			}
		}
	}
}

// TestPyro4Proxy: a proxy made WithGeneration(Pyro4) calls a daemon over
// Pyro 4 with each of its serializers (pickle when the daemon accepts it),
// with the daemon's HMAC key, learning the metadata on connect: calls,
// attributes, exceptions, batches and item streams.
func TestPyro4Proxy(t *testing.T) {
	key := []byte("secret")
	d := startDaemon(t, core.DaemonOptions{Pyro4HMACKey: key, Pyro4Serializers: []string{"serpent", "json", "marshal", "msgpack", "pickle"}})
	ctx := context.Background()
	if _, err := d.ConnectWithGUID(ctx, &calc{}, "calc", ""); err != nil {
		t.Fatal(err)
	}
	g := &gauge{Level: 3}
	if _, err := d.ConnectWithGUID(ctx, g, "gauge", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := d.ConnectWithGUID(ctx, steps{}, "counter", ""); err != nil {
		t.Fatal(err)
	}
	uri := func(id string) string { return fmt.Sprintf("PYRO:%s@127.0.0.1:%d", id, d.Port()) }
	for _, tt := range []struct{ serializer, tuple string }{
		{"serpent", "(1, u'two')"},
		{"json", "[1, u'two']"},
		{"marshal", "(1, u'two')"},
		{"msgpack", "[1, u'two']"},
		{"pickle", "(1, u'two')"},
	} {
		t.Run(tt.serializer, func(t *testing.T) {
			opts := []core.ProxyOption{core.WithGeneration(core.Pyro4), core.WithHMACKey(key),
				core.WithSerializer(tt.serializer), core.WithTimeout(10 * time.Second)}
			p := newProxy(t, uri("calc"), opts...)
			if n, err := p.Call(ctx, "add", 20, 22); err != nil || n != int64(42) {
				t.Fatalf("add = %v, %v", n, err)
			}
			if v, err := p.Call(ctx, "echo", pickle.Tuple{1, "two"}); err != nil || compat.Repr(v) != tt.tuple {
				t.Fatalf("echo = %s, %v", compat.Repr(v), err)
			}
			var ex *compat.Exception
			if _, err := p.Call(ctx, "fail", "boom"); !errors.As(err, &ex) || ex.Class.Name != "ValueError" || ex.Message() != "boom" {
				t.Fatalf("fail: %v", err)
			}
			b := p.Batch()
			b.Call("add", 1, 2)
			b.Call("fail", "bad")
			b.Call("add", 3, 4)
			if res, err := b.Run(ctx); fmt.Sprint(res) != "[3]" || !errors.As(err, &ex) || ex.Message() != "bad" {
				t.Fatalf("batch = %v, %v", res, err)
			}
			pg := newProxy(t, uri("gauge"), opts...)
			if err := pg.SetAttr(ctx, "Level", 7); err != nil {
				t.Fatal(err)
			}
			if v, err := pg.GetAttr(ctx, "Level"); v != int64(7) || err != nil {
				t.Fatalf("Level = %v, %v", v, err)
			}
			pc := newProxy(t, uri("counter"), opts...)
			v, err := pc.Call(ctx, "count", 3)
			if err != nil {
				t.Fatal(err)
			}
			var items []any
			for item, err := range v.(*core.Stream).All(ctx) {
				if err != nil {
					t.Fatal(err)
				}
				items = append(items, item)
			}
			if fmt.Sprint(items) != "[0 1 2]" {
				t.Fatalf("stream items %v", items)
			}
		})
	}
}

// TestPyro4ProxyRefused: without the daemon's HMAC key, or with a
// serializer it does not accept, the proxy gets Pyro4's errors.
func TestPyro4ProxyRefused(t *testing.T) {
	d := startDaemon(t, core.DaemonOptions{Pyro4HMACKey: []byte("secret")})
	ctx := context.Background()
	if _, err := d.ConnectWithGUID(ctx, &calc{}, "calc", ""); err != nil {
		t.Fatal(err)
	}
	uri := fmt.Sprintf("PYRO:calc@127.0.0.1:%d", d.Port())
	for _, tt := range []struct {
		name string
		opts []core.ProxyOption
		want string
	}{
		{"no key", nil, "hmac key config not symmetric"},
		{"wrong key", []core.ProxyOption{core.WithHMACKey([]byte("guess"))}, "message hmac mismatch"},
		{"pickle not accepted", []core.ProxyOption{core.WithHMACKey([]byte("secret")), core.WithSerializer("pickle")}, "pickle is not enabled on this daemon"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			opts := append([]core.ProxyOption{core.WithGeneration(core.Pyro4), core.WithTimeout(5 * time.Second)}, tt.opts...)
			p := newProxy(t, uri, opts...)
			_, err := p.Call(ctx, "add", 1, 2)
			if err == nil || !strings.Contains(strings.ToLower(err.Error()), tt.want) {
				t.Fatalf("err = %v, want one with %q", err, tt.want)
			}
		})
	}
}

// TestPyro4ProxyWire: the handshake and the call as Pyro4's proxy writes
// them, per serializer: CONNECT with META_ON_CONNECT, then a call that is a
// dict for json (id 2 in Pyro 4), a tuple with the arguments as a list for
// marshal (id 3), a tuple of tuples for serpent.
func TestPyro4ProxyWire(t *testing.T) {
	for _, tt := range []struct {
		serializer string
		id         uint16
		want       string
	}{
		{"serpent", protocol4.SerializerSerpent, "(u'obj', u'add', (1, 2), {})"},
		{"json", protocol4.SerializerJSON, "{u'kwargs': {}, u'method': u'add', u'object': u'obj', u'params': [1, 2]}"},
		{"marshal", protocol4.SerializerMarshal, "(u'obj', u'add', [1, 2], {})"},
	} {
		t.Run(tt.serializer, func(t *testing.T) {
			ser := map[uint16]struct {
				enc func([]byte, any) ([]byte, error)
				dec func([]byte) (any, error)
			}{
				protocol4.SerializerSerpent: {(&serpent.Encoder{}).Append, (&serpent.Decoder{}).Decode},
				protocol4.SerializerJSON:    {(&pyjson.Encoder{}).Append, (&pyjson.Decoder{}).Decode},
				protocol4.SerializerMarshal: {(&pymarshal.Encoder{}).Append, (&pymarshal.Decoder{}).Decode},
			}[tt.id]
			calls := make(chan string, 1)
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
				c := protocol4.NewConn(nc, protocol4.Options{IOTimeout: 10 * time.Second})
				ctx := context.Background()
				m, err := c.ReadMessage(ctx)
				if err != nil || m.Type != protocol4.TypeConnect || m.Flags != protocol4.FlagMetaOnConnect || m.Serializer != tt.id {
					calls <- fmt.Sprintf("CONNECT %v %v", m, err)
					return
				}
				meta := map[string]any{"methods": []any{"add"}, "oneway": []any{}, "attrs": []any{}}
				data, _ := ser.enc(nil, map[string]any{"handshake": "hello", "meta": meta})
				c.WriteMessage(ctx, &protocol4.Message{Type: protocol4.TypeConnectOK, Flags: protocol4.FlagMetaOnConnect, Seq: m.Seq, Serializer: tt.id, Data: data})
				if m, err = c.ReadMessage(ctx); err != nil {
					calls <- err.Error()
					return
				}
				v, err := ser.dec(m.Data)
				calls <- fmt.Sprintf("%s %v", compat.Repr(v), err)
				data, _ = ser.enc(nil, 3)
				c.WriteMessage(ctx, &protocol4.Message{Type: protocol4.TypeResult, Seq: m.Seq, Serializer: tt.id, Data: data})
			}()
			p := newProxy(t, "PYRO:obj@"+l.Addr().String(), core.WithGeneration(core.Pyro4), core.WithSerializer(tt.serializer), core.WithTimeout(10*time.Second))
			if v, err := p.Call(context.Background(), "add", 1, 2); v != int64(3) || err != nil {
				t.Fatalf("add = %v, %v", v, err)
			}
			if got := <-calls; got != tt.want+" <nil>" {
				t.Fatalf("call %s, want %s", got, tt.want)
			}
		})
	}
}
