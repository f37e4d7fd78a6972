package core_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/pickle"
	"github.com/gopyro/gopyro/protocol"
)

// TestDecodeAmplification sends the decoder amplification report's call: 15.6
// KB of zlib that inflate to 16M DUPs of one int in a list (it used to cost
// 1.5 GB and seconds of CPU per message). The daemon refuses it with an
// UnpicklingError naming the budget, keeps the connection, and serves
// another client meanwhile.
func TestDecodeAmplification(t *testing.T) {
	d := startDaemon(t, core.DaemonOptions{})
	uri, _ := d.Connect(&calc{}, "")
	nc := dialGranted(t, d)
	defer nc.Close()
	c := protocol.NewConn(nc, protocol.Options{Compress: true})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	sent := make(chan error, 1)
	go func() { sent <- c.WriteMessage(ctx, []byte("(K\x01"+strings.Repeat("2", 16_000_000)+"l.")) }()
	healthy(t, uri)
	if err := <-sent; err != nil {
		t.Fatal(err)
	}
	// The refusal comes once the budget is spent: 8M DUPs, a second or
	// so of CPU on a loaded machine.
	_, v := readDecoded(ctx, t, c)
	capsule, ok := v.(*compat.Capsule)
	if !ok {
		t.Fatalf("reply %T %v, want a capsule", v, v)
	}
	ex, ok := compat.AsException(capsule.Exc)
	if !ok || ex.Class.Name != "UnpicklingError" || !strings.Contains(ex.Message(), "budget") {
		t.Fatalf("reply %v, want an UnpicklingError naming the budget", capsule.Exc)
	}
	if err := c.WriteMessage(ctx, pickleCall(t, uri.ObjectID, "add", int64(1), int64(2))); err != nil {
		t.Fatal(err)
	}
	if v, err := readReply(t, nc); err != nil || v != int64(3) {
		t.Errorf("call after the refused one: %v %v", v, err)
	}
	healthy(t, uri)
}

// doubledCall is the encoder amplification report's request: echo(x) where x
// is a tuple holding the same tuple twice, doubled levels times, 2^levels
// leaves for about 4 bytes a level.
func doubledCall(objectID string, levels int) []byte {
	b := []byte("\x80\x02(U")
	b = append(b, byte(len(objectID)))
	b = append(b, objectID...)
	b = append(b, "U\x04echoK\x00K\x01"...)
	b = append(b, strings.Repeat("2\x86", levels)...)
	return append(b, "\x85t."...)
}

// TestEncodeAmplification echoes the 2^40-leaf value: the reply shares the
// repeated tuple as the request did and is as short (205 bytes, as cPickle
// writes it). With a message limit below that, the call fails with an
// error naming the limit (a PicklingError, or the PyroError Pyro sends when
// even that does not fit), and the connection serves the next call.
func TestEncodeAmplification(t *testing.T) {
	tests := []struct {
		name     string
		maxSize  int
		levels   int
		wantFail bool
	}{
		{"shared-2^40", 0, 40, false},
		{"over-the-limit", 150, 40, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := startDaemon(t, core.DaemonOptions{MaxMessageSize: tt.maxSize})
			uri, _ := d.Connect(&calc{}, "")
			nc := dialGranted(t, d)
			defer nc.Close()
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			c := protocol.NewConn(nc, protocol.Options{})
			req := doubledCall(uri.ObjectID, tt.levels)
			if err := c.WriteMessage(ctx, req); err != nil {
				t.Fatal(err)
			}
			reply, v := readDecoded(ctx, t, c)
			if tt.wantFail {
				capsule, ok := v.(*compat.Capsule)
				if !ok {
					t.Fatalf("reply %T, want a capsule", v)
				}
				ex, ok := compat.AsException(capsule.Exc)
				if !ok || !strings.Contains(ex.Message(), "output limit of 150 bytes") {
					t.Fatalf("reply %v, want an error naming the limit", capsule.Exc)
				}
			} else {
				if len(reply) > 2*len(req) {
					t.Errorf("reply of %d bytes for a request of %d", len(reply), len(req))
				}
				depth := 0
				for x := v; ; depth++ {
					tu, ok := x.(pickle.Tuple)
					if !ok {
						break
					}
					if len(tu) != 2 {
						t.Fatalf("level %d has %d items", depth, len(tu))
					}
					x = tu[0]
				}
				if depth != tt.levels {
					t.Errorf("reply nests %d levels, want %d", depth, tt.levels)
				}
			}
			if err := c.WriteMessage(ctx, pickleCall(t, uri.ObjectID, "add", int64(1), int64(2))); err != nil {
				t.Fatal(err)
			}
			if v, err := readReply(t, nc); err != nil || v != int64(3) {
				t.Errorf("call after: %v %v", v, err)
			}
			healthy(t, uri)
		})
	}
}

// pickleCall is the body of a Pyro 3 call of method with args.
func pickleCall(t testing.TB, objectID, method string, args ...any) []byte {
	t.Helper()
	body, err := pickle.Marshal(pickle.Tuple{pickle.ByteString(objectID), pickle.ByteString(method), int64(0), pickle.Tuple(args)})
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// readDecoded reads a message from c and decodes it.
func readDecoded(ctx context.Context, t testing.TB, c *protocol.Conn) ([]byte, any) {
	t.Helper()
	body, _, err := c.ReadMessage(ctx)
	if err != nil {
		t.Fatalf("no reply: %v", err)
	}
	v, err := pickle.Decode(body)
	if err != nil {
		t.Fatal(err)
	}
	return body, v
}
