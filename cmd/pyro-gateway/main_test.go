package main

import (
	"bytes"
	"context"
	"maps"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/config"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/internal/servetest"
	"github.com/gopyro/gopyro/ns"
)

// syncBuffer is a bytes.Buffer safe for the gateway's writes and the
// test's reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestArgs(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		status int
		stderr string
	}{
		{"help", []string{"-h"}, 0, "usage: pyro-gateway"},
		{"no target", nil, 2, "no TARGET given"},
		{"bad str rule", []string{"-str", "ascii", "x"}, 2, "unknown str rule"},
		{"bad text rule", []string{"-text", "ascii", "x"}, 2, "unknown text rule"},
		{"bad flag", []string{"-q", "x"}, 2, "flag provided but not defined"},
		{"bad URI", []string{"-n", "127.0.0.1", "PYRO://"}, 1, "invalid URI format"},
		{"Pyro 3 name server unreachable", []string{"-n", "127.0.0.1", "-ns3", "127.0.0.1:1", "x"}, 1, "cannot find the Pyro 3 name server"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errs syncBuffer
			if got := run(context.Background(), tt.args, &out, &errs); got != tt.status {
				t.Errorf("status %d, want %d; stderr:\n%s", got, tt.status, errs.String())
			}
			if !strings.Contains(errs.String(), tt.stderr) {
				t.Errorf("stderr %q does not say %q", errs.String(), tt.stderr)
			}
		})
	}
}

// fakeNS5 is a Pyro 5 name server's lookup, register and remove, served
// by a Go Pyro 5 daemon as Pyro.NameServer.
type fakeNS5 struct {
	mu    sync.Mutex
	names map[string]string
}

func (n *fakeNS5) Lookup(name string) (string, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	u, ok := n.names[name]
	if !ok {
		return "", compat.NewException("Pyro5.errors", "NamingError", "unknown name: "+name)
	}
	return u, nil
}

func (n *fakeNS5) Register(name, uri string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.names[name] = uri
}

func (n *fakeNS5) Remove(name string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	delete(n.names, name)
}

func (n *fakeNS5) List() map[string]string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return maps.Clone(n.names)
}

func (n *fakeNS5) get(name string) (string, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	u, ok := n.names[name]
	return u, ok
}

type greeter struct{ who string }

func (g *greeter) Hello() string { return "hello from " + g.who }

func daemon(t *testing.T, gens core.Generations) *core.Daemon {
	t.Helper()
	d, err := core.NewDaemon(core.DaemonOptions{Host: "127.0.0.1", NoRange: true, Generations: gens})
	if err != nil {
		t.Fatal(err)
	}
	servetest.Run(t, d)
	return d
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !ok(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no %s within 10s", what)
		}
	}
}

func hello(t *testing.T, u any) string {
	t.Helper()
	p, err := core.NewProxy(u, core.WithTimeout(10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	res, err := core.CallAs[string](context.Background(), p, "hello")
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// startNS runs our name server (its Pyro 3 API) with its files in a
// temporary directory, and returns a client of it.
func startNS(t *testing.T, ctx context.Context) (*ns.Instance, *ns.Client) {
	t.Helper()
	dir := t.TempDir()
	cfg, err := config.Load(func(k string) string {
		if k == "PYRO_STORAGE" {
			return dir
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	zero := 0
	inst, err := ns.Start(ctx, ns.StartOptions{Config: cfg, Host: "127.0.0.1", Port: &zero, NoBroadcast: true, DontLookupOther: true})
	if err != nil {
		t.Fatal(err)
	}
	go inst.Serve(ctx)
	t.Cleanup(inst.Shutdown)
	c, err := ns.NewClient(inst.URI(), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return inst, c
}

// TestNames runs the gateway with a Pyro 3 name server (ours) and a Pyro
// 5 one: a name in one is registered, forwarded, in the other, followed
// when it goes, and removed when the gateway stops.
func TestNames(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	inst, ns3 := startNS(t, ctx)

	d3 := daemon(t, core.Pyro3)
	u3, err := d3.Connect(&greeter{"three"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := ns3.Register(ctx, ":Default.three", u3); err != nil {
		t.Fatal(err)
	}
	d5 := daemon(t, core.Pyro5)
	fake := &fakeNS5{names: map[string]string{}}
	if _, err := d5.ConnectWithGUID(ctx, fake, "Pyro.NameServer", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := d5.ConnectWithGUID(ctx, &greeter{"five"}, "five.greeter", ""); err != nil {
		t.Fatal(err)
	}
	u5 := compat.URI{Protocol: "PYRO", ObjectID: "five.greeter", Address: "127.0.0.1", Port: d5.Port(), Style: compat.Pyro5Style}
	fake.Register("five.greeter", u5.String())

	var out, errs syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"-n", "127.0.0.1", "-m", "hello", "-poll", "0.1",
			"-ns3", inst.URI().Address + ":" + strconv.Itoa(inst.URI().Port), "-ns5", "127.0.0.1:" + strconv.Itoa(d5.Port()),
			":Default.three", "five.greeter", u5.String()}, &out, &errs)
	}()
	waitFor(t, "registrations", func() bool {
		s := out.String()
		return strings.Contains(s, "registered three in the Pyro 5 name server") &&
			strings.Contains(s, "registered five.greeter in the Pyro 3 name server") &&
			strings.Contains(s, "forwarding "+u5.String()+" as PYRO://")
	})
	// A Pyro 5 client finds the Pyro 3 object under its Pyro 5 name, a
	// Pyro 3 client the Pyro 5 object under its Pyro 3 name.
	fwd5, _ := fake.get("three")
	if got := hello(t, fwd5); got != "hello from three" {
		t.Errorf("through the Pyro 5 name: %q", got)
	}
	fwd3, err := ns3.Resolve(ctx, "five.greeter")
	if err != nil {
		t.Fatal(err)
	}
	if got := hello(t, fwd3); got != "hello from five" {
		t.Errorf("through the Pyro 3 name: %q", got)
	}

	// The Pyro 3 object goes: its forwarder's Pyro 5 name goes too.
	if err := ns3.Unregister(ctx, ":Default.three"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "removal of the Pyro 5 name", func() bool { _, ok := fake.get("three"); return !ok })
	if !strings.Contains(out.String(), ":Default.three is gone") {
		t.Errorf("output does not say the name went:\n%s", out.String())
	}

	cancel()
	select {
	case status := <-done:
		if status != 0 {
			t.Errorf("status %d; stderr:\n%s", status, errs.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the gateway did not stop")
	}
	// On the way out the gateway removed its registration.
	if _, err := ns3.Resolve(context.Background(), "five.greeter"); err == nil {
		t.Error("five.greeter still registered in the Pyro 3 name server")
	}
}

// TestPatterns gives the gateway a pattern: it forwards the names of both
// name servers that match, each once, and not its own registrations.
func TestPatterns(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	inst, ns3 := startNS(t, ctx)
	if err := ns3.CreateGroup(ctx, ":Default.shop"); err != nil {
		t.Fatal(err)
	}
	d3, d5 := daemon(t, core.Pyro3), daemon(t, core.Pyro5)
	for _, name := range []string{"shop.a", "other"} {
		u, err := d3.Connect(&greeter{name}, "")
		if err != nil {
			t.Fatal(err)
		}
		if err := ns3.Register(ctx, name, u); err != nil {
			t.Fatal(err)
		}
	}
	fake := &fakeNS5{names: map[string]string{}}
	if _, err := d5.ConnectWithGUID(ctx, fake, "Pyro.NameServer", ""); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"shop.c", "other.d"} {
		if _, err := d5.ConnectWithGUID(ctx, &greeter{name}, name, ""); err != nil {
			t.Fatal(err)
		}
		fake.Register(name, compat.URI{Protocol: "PYRO", ObjectID: name, Address: "127.0.0.1", Port: d5.Port(), Style: compat.Pyro5Style}.String())
	}

	var out, errs syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"-n", "127.0.0.1", "-m", "hello", "-poll", "0.05",
			"-ns3", inst.URI().Address + ":" + strconv.Itoa(inst.URI().Port), "-ns5", "127.0.0.1:" + strconv.Itoa(d5.Port()),
			"shop.*"}, &out, &errs)
	}()
	waitFor(t, "registrations", func() bool {
		s := out.String()
		return strings.Contains(s, "registered shop.a in the Pyro 5 name server") &&
			strings.Contains(s, "registered :Default.shop.c in the Pyro 3 name server")
	})
	time.Sleep(300 * time.Millisecond) // a few more looks
	if n := strings.Count(out.String(), "forwarding "); n != 2 {
		t.Errorf("%d forwardings, want 2:\n%s", n, out.String())
	}
	fwd, _ := fake.get("shop.a")
	if got := hello(t, fwd); got != "hello from shop.a" {
		t.Errorf("shop.a through the gateway: %q", got)
	}
	u, err := ns3.Resolve(ctx, "shop.c")
	if err != nil {
		t.Fatal(err)
	}
	if got := hello(t, u); got != "hello from shop.c" {
		t.Errorf("shop.c through the gateway: %q", got)
	}
	cancel()
	select {
	case status := <-done:
		if status != 0 {
			t.Errorf("status %d; stderr:\n%s", status, errs.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the gateway did not stop")
	}
}
