package es

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/pickle"
	"github.com/gopyro/gopyro/protocol"
)

// TestTargetRequest: what a Target writes for an event decodes to what
// Pyro's event service sends (trace 18): (objectID, 'event', 7,
// ((Event,), {})), one request per event, in order, for object IDs short
// and long.
func TestTargetRequest(t *testing.T) {
	ev := &compat.Event{Subject: pickle.ByteString("StockQuotes"), Msg: pickle.Tuple{pickle.ByteString("SUN"), 22.44}, Time: 1795663549.209596}
	for _, id := range []string{"7f000001309629cefd21e87e878bf2d744", strings.Repeat("x", 300)} {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		got := make(chan []any, 1)
		go func() {
			defer close(got)
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			defer nc.Close()
			c := protocol.NewConn(nc, protocol.Options{})
			if err := protocol.ServerHandshake(ctx, c, nil, protocol.ConnInfo{}); err != nil {
				t.Errorf("handshake: %v", err)
				return
			}
			var reqs []any
			for range 2 {
				body, _, err := c.ReadMessage(ctx)
				if err != nil {
					t.Errorf("read: %v", err)
					return
				}
				v, err := pickle.Decode(body)
				if err != nil {
					t.Errorf("decode: %v", err)
					return
				}
				reqs = append(reqs, v)
			}
			got <- reqs
		}()
		uri := compat.URI{Protocol: "PYRO", Address: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port, ObjectID: id}
		target, err := NewTarget(compat.NewDynamicProxy(uri), id, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer target.Close()
		if err := target.Deliver(ctx, []*Delivery{{Event: ev}, {Event: ev}}); err != nil {
			t.Fatal(err)
		}
		call := pickle.Tuple{pickle.ByteString(id), pickle.ByteString("event"), int64(7), pickle.Tuple{pickle.Tuple{ev}, pickle.NewDict()}}
		if diff := cmp.Diff([]any{call, call}, <-got, cmp.Comparer(func(a, b pickle.Dict) bool { return a.Len() == b.Len() })); diff != "" {
			t.Errorf("id %.10s...: requests (-want +got):\n%s", id, diff)
		}
	}
}
