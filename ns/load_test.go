package ns_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/ns"
	"github.com/gopyro/gopyro/pickle"
)

// TestBadNames: invalid, huge and odd names get Pyro's errors (or are
// accepted as Pyro accepts them) and never break the store.
func TestBadNames(t *testing.T) {
	st, err := ns.OpenBoltStore(filepath.Join(t.TempDir(), "ns.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	n, err := ns.NewNamespace(ns.Options{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	srv := ns.NewServer(n, ns.ServerOptions{})
	uri := pickle.ByteString("PYRO://127.0.0.1:1/x")
	huge := ":" + strings.Repeat("a", 1<<20)
	tests := []struct {
		method string
		args   []any
		want   string // Python exception class and args, "" for success
	}{
		{"register", []any{pickle.ByteString(huge), uri}, "NamingError('name too long', 1048577)"},
		{"createGroup", []any{pickle.ByteString(huge)}, "NamingError('name too long', 1048577)"},
		{"resolve", []any{pickle.ByteString(huge)}, "NamingError('name not found', " + "'" + huge + "')"},
		{"register", []any{pickle.ByteString(":a\x00b"), uri}, `NamingError('invalid character(s) in name', ':a\x00b')`},
		{"register", []any{pickle.ByteString(":\xff"), uri}, `NamingError('invalid character(s) in name', ':\xff')`},
		{"register", []any{"héllo", uri}, ""},
		{"register", []any{pickle.ByteString("..."), uri}, "NamingError('(parent)group not found', ':Default...')"},
		{"register", []any{pickle.ByteString(":x"), pickle.ByteString(strings.Repeat("z", 100000))}, "NamingError('invalid URI', '" + strings.Repeat("z", 100000) + "')"},
		{"register", []any{int64(5), uri}, `TypeError("'int' object has no attribute '__getitem__'",)`},
		{"register", []any{pickle.None{}, uri}, `TypeError("'NoneType' object has no attribute '__getitem__'",)`},
		{"register", []any{pickle.ByteString(":y")}, "TypeError('register() takes exactly 3 arguments (2 given)',)"},
		{"list", []any{pickle.ByteString(":"), int64(1)}, "TypeError('list() takes exactly 2 arguments (3 given)',)"},
		{"nosuch", nil, `AttributeError("'NameServer' object has no attribute 'nosuch'",)`},
		{"_synccall", []any{pickle.ByteString("_synccall")}, "TypeError('getattr(): attribute name must be string',)"},
		{"setMeta", []any{pickle.ByteString(":Default"), pickle.NewList(pickle.ByteString(strings.Repeat("m", 1<<16)))}, ""},
		{"register", []any{pickle.ByteString(":ok"), uri}, ""},
	}
	for _, tt := range tests {
		_, err := srv.Call(context.Background(), tt.method, tt.args, nil)
		got := ""
		if err != nil {
			var exc *compat.Exception
			if !errors.As(err, &exc) {
				t.Fatalf("%s: %v is not a Python exception", tt.method, err)
			}
			got = exc.Class.Name + compat.Repr(exc.Args)
		}
		if len(got) > 200 || len(tt.want) > 200 {
			if got != tt.want {
				t.Errorf("%s(%.40v...): got %.200s", tt.method, tt.args, got)
			}
			continue
		}
		if got != tt.want {
			t.Errorf("%s(%v): got %s, want %s", tt.method, tt.args, got, tt.want)
		}
	}
}

// Test100kNames registers 100000 names and lists them back.
func Test100kNames(t *testing.T) {
	n, err := ns.NewNamespace(ns.Options{})
	if err != nil {
		t.Fatal(err)
	}
	uri := compat.URI{Protocol: "PYRO", Address: "127.0.0.1", Port: 7766, ObjectID: "x"}
	for g := 0; g < 100; g++ {
		if err := n.CreateGroup(fmt.Sprintf(":g%d", g)); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 1000; i++ {
			if err := n.Register(fmt.Sprintf(":g%d.n%d", g, i), uri); err != nil {
				t.Fatal(err)
			}
		}
	}
	if names, groups := n.Len(); names != 100000 || groups != 102 {
		t.Errorf("Len = %d names, %d groups", names, groups)
	}
	if got := len(n.Flatlist()); got != 100000 {
		t.Errorf("flatlist has %d names", got)
	}
	if kids, err := n.List(":g42"); err != nil || len(kids) != 1000 {
		t.Errorf("List(:g42): %d, %v", len(kids), err)
	}
}

// TestRacingClients: 50 clients over TCP race to register, unregister,
// create and delete the same few names against a persistent Name Server.
// Every failure is one of Pyro's NamingErrors, and afterwards the name
// space in memory is exactly the one on disk.
func TestRacingClients(t *testing.T) {
	dir := t.TempDir()
	cfg := testConfig(t, nil)
	zero := 0
	ctx, cancel := context.WithCancel(context.Background())
	in, err := ns.Start(ctx, ns.StartOptions{Host: "127.0.0.1", Port: &zero, DontLookupOther: true, NoBroadcast: true,
		Persistent: true, DBPath: filepath.Join(dir, "ns.db"), Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- in.Serve(ctx) }()
	const clients, ops = 50, 60
	names := []string{":race.a", ":race.b", ":race.grp.x", ":race.c"}
	uri := compat.URI{Protocol: "PYRO", Address: "127.0.0.1", Port: 1, ObjectID: "o"}
	allowed := map[string]bool{
		"name already exists": true, "name not found": true, "(parent)group not found": true,
		"group already exists": true, "group not found": true,
	}
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func(seed uint64) {
			defer wg.Done()
			cl, err := ns.NewClient(in.URI(), ":Default")
			if err != nil {
				errs <- err
				return
			}
			defer cl.Close()
			r := rand.New(rand.NewPCG(seed, 1))
			for i := 0; i < ops; i++ {
				name := names[r.IntN(len(names))]
				var err error
				switch r.IntN(6) {
				case 0, 1:
					err = cl.Register(ctx, name, uri)
				case 2, 3:
					err = cl.Unregister(ctx, name)
				case 4:
					err = cl.CreateGroup(ctx, []string{":race", ":race.grp"}[r.IntN(2)])
				case 5:
					err = cl.DeleteGroup(ctx, []string{":race", ":race.grp"}[r.IntN(2)])
				}
				var ne *compat.NamingError
				if err != nil && (!errors.As(err, &ne) || !allowed[compat.Str(ne.Args[0])]) {
					errs <- err
					return
				}
			}
		}(uint64(c))
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	mem := in.Namespace().Flatlist()
	cancel()
	if err := <-served; err != nil {
		t.Fatal(err)
	}
	st, err := ns.OpenBoltStore(filepath.Join(dir, "ns.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	reloaded, err := ns.NewNamespace(ns.Options{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(mem, reloaded.Flatlist()); diff != "" {
		t.Errorf("memory and disk differ (-memory +disk):\n%s", diff)
	}
}
