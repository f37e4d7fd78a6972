package ns_test

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/gopyro/gopyro/ns"
)

// TestBroadcast5: Pyro 5's discovery answers GET_NSURI with the URI of
// Pyro 5's name server object, and Pyro 3's commands not at all.
func TestBroadcast5(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	port, zero := 0, 0
	in, err := ns.Start(ctx, ns.StartOptions{Config: testConfig(t, nil), Host: "127.0.0.1", Port: &port,
		DontLookupOther: true, BCAddr: "127.0.0.1", BCPort: freeUDPPort(t), BCHost5: "127.0.0.1", BCPort5: &zero})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- in.Serve(ctx) }()
	defer func() {
		in.Shutdown()
		<-done
	}()
	addr := in.Broadcast5Addr()
	if addr == nil {
		t.Fatal("no Pyro 5 discovery listener")
	}
	uri5, _ := in.URI5()
	got, err := ns.SendBroadcast(ctx, ns.CmdGetNSURI, []string{addr.String()}, 2*time.Second, 1)
	if err != nil || got != uri5.String() {
		t.Errorf("GET_NSURI = %q, %v; want %q", got, err, uri5)
	}
	c, err := ns.Locate5(ctx, ns.Locate5Options{BCAddr: "127.0.0.1", Port: addr.(*net.UDPAddr).Port})
	if err != nil {
		t.Fatal(err)
	}
	if c.URI() != uri5 {
		t.Errorf("Locate5 by broadcast found %v, want %v", c.URI(), uri5)
	}
	c.Close()
	for _, cmd := range []string{ns.CmdLocation, ns.CmdShutdown, "GET_NSURI\n"} {
		if got, err := ns.SendBroadcast(ctx, cmd, []string{addr.String()}, 200*time.Millisecond, 0); !errors.Is(err, ns.ErrNoReply) {
			t.Errorf("%q answered %q, %v", cmd, got, err)
		}
	}
	// Pyro 3's listener does not answer Pyro 5's request
	if got, err := ns.SendBroadcast(ctx, ns.CmdGetNSURI, []string{in.BroadcastAddr().String()}, 200*time.Millisecond, 0); !errors.Is(err, ns.ErrNoReply) {
		t.Errorf("Pyro 3's listener answered GET_NSURI: %q, %v", got, err)
	}
}

// TestNoBroadcast5OnLoopback: as Pyro5's, no discovery listener on a
// loopback address unless told where.
func TestNoBroadcast5OnLoopback(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	port := 0
	in, err := ns.Start(ctx, ns.StartOptions{Config: testConfig(t, nil), Host: "127.0.0.1", Port: &port, DontLookupOther: true})
	if err != nil {
		t.Fatal(err)
	}
	in.Shutdown()
	in.Serve(ctx)
	if in.Broadcast5Addr() != nil {
		t.Errorf("Pyro 5 discovery listens on %v", in.Broadcast5Addr())
	}
}
