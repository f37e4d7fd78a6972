package ns_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/config"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/ns"
	"github.com/gopyro/gopyro/pickle"
)

// testConfig is a configuration with PYRO_STORAGE in a temporary directory
// and the given PYRO_* overrides.
func testConfig(t testing.TB, env map[string]string) *config.Config {
	t.Helper()
	dir := t.TempDir()
	cfg, err := config.Load(func(k string) string {
		if v, ok := env[k]; ok {
			return v
		}
		switch k {
		case "PYRO_STORAGE":
			return dir
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func freeUDPPort(t testing.TB) int {
	t.Helper()
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

// startNS runs a Name Server on an ephemeral loopback port until the test
// ends.
func startNS(t testing.TB, opts ns.StartOptions) *ns.Instance {
	t.Helper()
	if opts.Config == nil {
		opts.Config = testConfig(t, nil)
	}
	zero := 0
	if opts.Port == nil {
		opts.Port = &zero
	}
	opts.Host = "127.0.0.1"
	opts.DontLookupOther = true
	if opts.BCAddr == "" {
		opts.NoBroadcast = true
	}
	ctx, cancel := context.WithCancel(context.Background())
	in, err := ns.Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- in.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return in
}

func namingArgs(err error) []any {
	var ne *compat.NamingError
	if !errors.As(err, &ne) {
		return []any{fmt.Sprintf("not a NamingError: %v", err)}
	}
	out := make([]any, len(ne.Args))
	for i, a := range ne.Args {
		out[i] = compat.Str(a)
	}
	return out
}

func TestClient(t *testing.T) {
	in := startNS(t, ns.StartOptions{})
	c := defaultClient(t, in)
	ctx := context.Background()
	obj := compat.URI{Protocol: "PYRO", Address: "127.0.0.1", Port: 7766, ObjectID: "abc"}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(c.Ping(ctx))
	must(c.CreateGroup(ctx, "grp"))
	must(c.Register(ctx, "grp.obj", obj))
	must(c.Register(ctx, ":top", obj))
	if got, err := c.Resolve(ctx, ":Default.grp.obj"); err != nil || got != obj {
		t.Errorf("Resolve = %v, %v", got, err)
	}
	tests := []struct {
		name string
		err  error
		want []any
	}{
		{"duplicate", c.Register(ctx, "grp.obj", obj), []any{"name already exists", "obj"}},
		{"missing", func() error { _, err := c.Resolve(ctx, "nothing"); return err }(), []any{"name not found", ":Default.nothing"}},
		{"group", func() error { _, err := c.Resolve(ctx, "grp"); return err }(), []any{"attempt to resolve groupname", ":Default.grp"}},
		{"bad chars", c.Register(ctx, "a b", obj), []any{"invalid character(s) in name", ":Default.a b"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, namingArgs(tt.err)); diff != "" {
			t.Errorf("%s: (-want +got)\n%s", tt.name, diff)
		}
	}
	kids, err := c.List(ctx, "")
	must(err)
	if diff := cmp.Diff([]ns.Child{{Name: "grp", Type: 0}}, kids); diff != "" {
		t.Errorf("List(default group): %s", diff)
	}
	flat, err := c.Flatlist(ctx)
	must(err)
	want := []ns.Binding{{Name: ":Default.grp.obj", URI: obj}, {Name: ":Pyro.NameServer", URI: in.URI()}, {Name: ":top", URI: obj}}
	if diff := cmp.Diff(want, flat); diff != "" {
		t.Errorf("Flatlist: %s", diff)
	}
	must(c.SetMeta(ctx, "grp.obj", pickle.ByteString("m")))
	if m, err := c.GetMeta(ctx, "grp.obj"); err != nil || m != pickle.ByteString("m") {
		t.Errorf("GetMeta = %v, %v", m, err)
	}
	sm, err := c.SystemMeta(ctx, "grp")
	if m, ok := ns.ParseSystemMeta(sm); err != nil || !ok || m.Type != 0 {
		t.Errorf("SystemMeta = %v, %v", sm, err)
	}
	must(c.Unregister(ctx, "grp.obj"))
	must(c.DeleteGroup(ctx, "grp"))
	if err := c.Resync(ctx); err == nil {
		t.Error("Resync of a single NS succeeded")
	}
	if full, _ := c.FullName("x"); full != ":Default.x" {
		t.Errorf("FullName = %s", full)
	}
}

func TestLocate(t *testing.T) {
	bcport := freeUDPPort(t)
	in := startNS(t, ns.StartOptions{BCAddr: "127.255.255.255", BCPort: bcport})
	cfg := testConfig(t, map[string]string{"PYRO_BC_TIMEOUT": "0.2"})
	ctx := context.Background()
	tests := []struct {
		name string
		opts ns.LocateOptions
	}{
		{"host and port", ns.LocateOptions{Host: "127.0.0.1", Port: in.URI().Port, Config: cfg}},
		{"PYRO_NS_HOSTNAME", ns.LocateOptions{Config: testConfig(t, map[string]string{
			"PYRO_NS_HOSTNAME": "127.0.0.1", "PYRO_NS_PORT": strconv.Itoa(in.URI().Port)})}},
		{"broadcast", ns.LocateOptions{BCAddr: "127.255.255.255", Port: bcport, Config: cfg}},
		{"broadcast config", ns.LocateOptions{Config: testConfig(t, map[string]string{
			"PYRO_NS_BC_ADDR": "127.255.255.255", "PYRO_NS_BC_PORT": strconv.Itoa(bcport),
			"PYRO_NS2_BC_ADDR": "127.255.255.255", "PYRO_NS2_BC_PORT": strconv.Itoa(bcport)})}},
		{"secondary settings", ns.LocateOptions{NoFallback: true, Config: testConfig(t, map[string]string{
			"PYRO_NS_BC_ADDR": "127.255.255.255", "PYRO_NS_BC_PORT": strconv.Itoa(freeUDPPort(t)),
			"PYRO_NS2_HOSTNAME": "127.0.0.1", "PYRO_NS2_PORT": strconv.Itoa(in.URI().Port),
			"PYRO_BC_TIMEOUT": "0.1", "PYRO_BC_RETRIES": "0"})}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ns.Locate(ctx, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if c.URI() != in.URI() {
				t.Errorf("URI %v, want %v", c.URI(), in.URI())
			}
			if err := c.Ping(ctx); err != nil {
				t.Error(err)
			}
		})
	}
	_, err := ns.Locate(ctx, ns.LocateOptions{Host: "127.0.0.1", Port: freeUDPPort(t), Config: cfg})
	if diff := cmp.Diff([]any{"could not find NameServer on host 127.0.0.1"}, namingArgs(err)); diff == "" {
		t.Errorf("explicit port: want the original error, got %v", err)
	}
	_, err = ns.Locate(ctx, ns.LocateOptions{Host: "127.0.0.1", Config: testConfig(t, map[string]string{
		"PYRO_NS_PORT": strconv.Itoa(freeUDPPort(t)), "PYRO_NS2_PORT": strconv.Itoa(freeUDPPort(t))})})
	if diff := cmp.Diff([]any{"could not find NameServer on host 127.0.0.1"}, namingArgs(err)); diff != "" {
		t.Errorf("no NS on host: %s", diff)
	}
}

// TestPYRONAME: a daemon registers through the Go client (core.Registrar)
// and a core.Proxy for PYRONAME://host:port/name reaches the object.
func TestPYRONAME(t *testing.T) {
	in := startNS(t, ns.StartOptions{})
	reg, err := ns.NewClient(in.URI(), ":Default")
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	d, err := core.NewDaemon(core.DaemonOptions{Host: "127.0.0.1", NoRange: true, Registrar: reg, UnregisterOnShutdown: true})
	if err != nil {
		t.Fatal(err)
	}
	go d.Serve(context.Background())
	echo := core.InvokerFunc(func(ctx context.Context, c *core.Call) (any, error) { return c.Args[0], nil })
	if _, err := d.Connect(echo, "echo"); err != nil {
		t.Fatal(err)
	}
	p, err := core.NewProxy(fmt.Sprintf("PYRONAME://127.0.0.1:%d/echo", in.URI().Port))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if res, err := p.Call(ctx, "echo", "hi"); err != nil || res != "hi" {
		t.Errorf("echo = %v, %v", res, err)
	}
	if err := d.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := in.Namespace().Resolve(":Default.echo"); err == nil {
		t.Error("name still registered after daemon shutdown")
	}
}

// TestPaired: a Go primary and a Go secondary keep each other in sync.
func TestPaired(t *testing.T) {
	ctx := context.Background()
	primary := startNS(t, ns.StartOptions{Role: ns.RolePrimary, Twin: "127.0.0.1:1"})
	if err := primary.Namespace().CreateGroup(":before"); err != nil {
		t.Fatal(err)
	}
	secondary := startNS(t, ns.StartOptions{Role: ns.RoleSecondary,
		Twin: fmt.Sprintf("127.0.0.1:%d", primary.URI().Port)})
	if _, err := secondary.Namespace().List(":before"); err != nil {
		t.Fatalf("initial resync: %v", err)
	}
	obj := compat.URI{Protocol: "PYRO", Address: "127.0.0.1", Port: 1, ObjectID: "x"}
	c1, _ := ns.NewClient(primary.URI(), ":Default")
	defer c1.Close()
	c2, _ := ns.NewClient(secondary.URI(), ":Default")
	defer c2.Close()
	if err := c1.Register(ctx, "from1", obj); err != nil {
		t.Fatal(err)
	}
	if err := c2.Register(ctx, "from2", obj); err != nil {
		t.Fatal(err)
	}
	if err := c2.SetMeta(ctx, "from2", int64(5)); err != nil {
		t.Fatal(err)
	}
	names := func(n *ns.Namespace) []string {
		var out []string
		for _, b := range n.Flatlist() {
			if b.Name != ns.NameServerName {
				out = append(out, b.Name)
			}
		}
		return out
	}
	want := []string{":Default.from1", ":Default.from2"}
	deadline := time.Now().Add(10 * time.Second)
	for !cmp.Equal(names(primary.Namespace()), want) || !cmp.Equal(names(secondary.Namespace()), want) {
		if time.Now().After(deadline) {
			t.Fatalf("not in sync: primary %v secondary %v", names(primary.Namespace()), names(secondary.Namespace()))
		}
		time.Sleep(10 * time.Millisecond)
	}
	for {
		m, err := primary.Namespace().GetMeta(":Default.from2")
		if err == nil && m == int64(5) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("meta on primary = %v, %v", m, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := c1.Resync(ctx); err != nil {
		t.Errorf("resync: %v", err)
	}
	if u, err := primary.Namespace().Resolve(ns.NameServerName); err != nil || u != primary.URI() {
		t.Errorf("primary's own registration after resync: %v %v", u, err)
	}
}

func TestAllowDenyHosts(t *testing.T) {
	tests := []struct {
		name         string
		allow, deny  []string
		wantDenied   bool
		wantBCAnswer bool
	}{
		{"allowed", []string{"127.0.0.1", "10.0.0.0/8"}, nil, false, true},
		{"not in allow list", []string{"10.0.0.0/8"}, nil, true, false},
		{"denied", nil, []string{"127.0.0.0/8"}, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bcport := freeUDPPort(t)
			in := startNS(t, ns.StartOptions{AllowHosts: tt.allow, DenyHosts: tt.deny, BCAddr: "127.255.255.255", BCPort: bcport})
			c, err := ns.NewClient(in.URI(), ":Default")
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			err = c.Ping(context.Background())
			var denied *compat.ConnectionDeniedError
			if errors.As(err, &denied) != tt.wantDenied {
				t.Errorf("Ping: %v", err)
			}
			reply, err := ns.SendBroadcast(context.Background(), ns.CmdLocation,
				[]string{"127.255.255.255:" + strconv.Itoa(bcport)}, 200*time.Millisecond, 0)
			if (err == nil) != tt.wantBCAnswer || (err == nil && reply != in.URI().String()) {
				t.Errorf("broadcast: %q, %v", reply, err)
			}
		})
	}
}

// TestClientNameRepeated checks calls that repeat a name, and change it,
// with and without further arguments (the client reuses the last name's
// argument).
func TestClientNameRepeated(t *testing.T) {
	c := defaultClient(t, startNS(t, ns.StartOptions{}))
	ctx := context.Background()
	a := compat.URI{Protocol: "PYRO", Address: "127.0.0.1", Port: 1, ObjectID: "a"}
	b := compat.URI{Protocol: "PYRO", Address: "127.0.0.1", Port: 2, ObjectID: "b"}
	steps := []struct {
		name string
		reg  *compat.URI // register this URI first, then resolve
		want compat.URI
	}{
		{"x", &a, a}, {"x", nil, a}, {"y", &b, b}, {"x", nil, a}, {":Default.y", nil, b}, {"y", nil, b},
	}
	for i, s := range steps {
		if s.reg != nil {
			if err := c.Register(ctx, s.name, *s.reg); err != nil {
				t.Fatalf("step %d: register %s: %v", i, s.name, err)
			}
		}
		got, err := c.Resolve(ctx, s.name)
		if err != nil || got != s.want {
			t.Errorf("step %d: resolve %s = %v, %v; want %v", i, s.name, got, err, s.want)
		}
	}
}

// defaultClient returns a client of in with default group :Default, closed
// when the test ends.
func defaultClient(t *testing.T, in *ns.Instance) *ns.Client {
	t.Helper()
	c, err := ns.NewClient(in.URI(), ":Default")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// fakeNS answers register, unregister and resolve as a Name Server does.
type fakeNS struct {
	mu    sync.Mutex
	names map[string]compat.URI
}

func (n *fakeNS) Invoke(_ context.Context, c *core.Call) (any, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	name := fmt.Sprint(c.Args[0])
	switch c.Method {
	case "register":
		n.names[name] = c.Args[1].(compat.URI)
		return nil, nil
	case "unregister":
		delete(n.names, name)
		return nil, nil
	case "resolve":
		if u, ok := n.names[name]; ok {
			return u, nil
		}
		return nil, compat.NewNamingError("name not found", name)
	}
	return nil, compat.AttributeError(c.Method)
}

// TestClientRetriesAfterIdleDrop: as a Daemon's Registrar, a Client
// expands relative names with the default group, and after the name server
// dropped its idle connection the next call reconnects and succeeds, as
// Pyro's NameServerProxy retries once.
func TestClientRetriesAfterIdleDrop(t *testing.T) {
	nsd, err := core.NewDaemon(core.DaemonOptions{Host: "127.0.0.1", NoRange: true, IdleTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	fake := &fakeNS{names: map[string]compat.URI{}}
	if _, err := nsd.Connect(fake, ns.NameServerName); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go nsd.Serve(ctx)
	defer nsd.Shutdown(context.Background())
	c, err := ns.NewClient(ns.LocationURI("127.0.0.1", nsd.Port()), ":Default")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	d, err := core.NewDaemon(core.DaemonOptions{Host: "127.0.0.1", NoRange: true, Registrar: c})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Shutdown(context.Background())
	uri, err := d.Connect(struct{}{}, "calc")
	if err != nil {
		t.Fatal(err)
	}
	fake.mu.Lock()
	_, ok := fake.names[":Default.calc"]
	fake.mu.Unlock()
	if !ok {
		t.Fatalf("not registered with the default group: %v", fake.names)
	}
	time.Sleep(300 * time.Millisecond) // the name server drops the idle connection
	if got, err := c.Resolve(ctx, "calc"); err != nil || got != uri {
		t.Errorf("Resolve after idle drop: %v %v", got, err)
	}
}
