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
	reply, _, err := c.ReadMessage(ctx)
	if err != nil {
		t.Fatalf("no reply: %v", err)
	}
	v, err := pickle.Decode(reply)
	if err != nil {
		t.Fatal(err)
	}
	capsule, ok := v.(*compat.Capsule)
	if !ok {
		t.Fatalf("reply %T %v, want a capsule", v, v)
	}
	ex, ok := compat.AsException(capsule.Exc)
	if !ok || ex.Class.Name != "UnpicklingError" || !strings.Contains(ex.Message(), "budget") {
		t.Fatalf("reply %v, want an UnpicklingError naming the budget", capsule.Exc)
	}
	body, err := pickle.Marshal(pickle.Tuple{pickle.ByteString(uri.ObjectID), pickle.ByteString("add"), int64(0), pickle.Tuple{int64(1), int64(2)}})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.WriteMessage(ctx, body); err != nil {
		t.Fatal(err)
	}
	if v, err := readReply(t, nc); err != nil || v != int64(3) {
		t.Errorf("call after the refused one: %v %v", v, err)
	}
	healthy(t, uri)
}
