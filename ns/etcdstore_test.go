package ns

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/ns/internal/etcdtest"
)

// etcdFrontEnd returns a Namespace on an EtcdStore on prefix, closed when
// the test ends.
func etcdFrontEnd(t testing.TB, c *etcdtest.Cluster, prefix string) *Namespace {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := OpenEtcdStore(ctx, EtcdOptions{Endpoints: c.Endpoints(), Prefix: prefix, Timeout: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	n, err := NewNamespace(Options{Store: st})
	if err != nil {
		st.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close(); st.Close() })
	return n
}

// eventually retries check until it returns nil, failing after 5 s.
func eventually(t *testing.T, what string, check func() error) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %v", what, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestParseEtcdURL(t *testing.T) {
	tests := []struct {
		in        string
		endpoints string
		prefix    string
		err       bool
	}{
		{"etcd://127.0.0.1:2379/site", "127.0.0.1:2379", "/site", false},
		{"etcd://a:1,b:2,c:3/x/y/", "a:1,b:2,c:3", "/x/y", false},
		{"etcd://a:1", "a:1", "/pyro-ns", false},
		{"etcd://a/x", "", "", true},
		{"bolt:/tmp/x", "", "", true},
	}
	for _, tt := range tests {
		eps, prefix, err := ParseEtcdURL(tt.in)
		if (err != nil) != tt.err || strings.Join(eps, ",") != tt.endpoints || prefix != tt.prefix {
			t.Errorf("ParseEtcdURL(%q) = %v, %q, %v", tt.in, eps, prefix, err)
		}
	}
}

// TestEtcdFrontEndsShareNameSpace: two front ends on one prefix see each
// other's changes; a third on another prefix sees none.
func TestEtcdFrontEndsShareNameSpace(t *testing.T) {
	c := etcdtest.Start(t, 3)
	a, b := etcdFrontEnd(t, c, "/site"), etcdFrontEnd(t, c, "/site")
	other := etcdFrontEnd(t, c, "/other")
	if err := a.CreateGroup(":G"); err != nil {
		t.Fatal(err)
	}
	if err := a.Register(":G.x", seamURI); err != nil {
		t.Fatal(err)
	}
	eventually(t, "b resolves :G.x", func() error { _, err := b.Resolve(":G.x"); return err })
	if err := b.CreateGroup(":G"); !isNamingError(err) {
		t.Errorf("createGroup of a group made through the other front end: %v", err)
	}
	if err := b.SetMeta(":G.x", "tagged"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a sees the meta data", func() error {
		m, err := a.GetMeta(":G.x")
		if err == nil && fmt.Sprint(m) != "tagged" {
			err = fmt.Errorf("meta %v", m)
		}
		return err
	})
	if err := b.DeleteGroup(":G"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a lost :G", func() error {
		if _, err := a.List(":G"); err == nil {
			return errors.New(":G still there")
		}
		return nil
	})
	if err := a.Register(":G.y", seamURI); !isNamingError(err) {
		t.Errorf("register in the deleted group: %v", err)
	}
	if _, err := other.Resolve(":G.x"); err == nil {
		t.Error("a front end on another prefix resolves :G.x")
	}
}

// TestEtcdConcurrentRegister: front ends racing to register one name:
// exactly one wins, the others get 'name already exists'.
func TestEtcdConcurrentRegister(t *testing.T) {
	c := etcdtest.Start(t, 3)
	fronts := []*Namespace{etcdFrontEnd(t, c, "/race"), etcdFrontEnd(t, c, "/race")}
	for round := range 20 {
		name := fmt.Sprintf(":Default.n%d", round)
		errs := make([]error, 2*len(fronts))
		var wg sync.WaitGroup
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = fronts[i%len(fronts)].Register(name, seamURI)
			}()
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case !isNamingError(err) || !strings.Contains(err.Error(), "name already exists"):
				t.Fatalf("register %s: %v", name, err)
			}
		}
		if won != 1 {
			t.Fatalf("register %s: %d winners", name, won)
		}
	}
}

// TestEtcdLeaderKilled: registrations go on while the etcd leader is
// killed and restarted; every acknowledged one is in the name space
// afterwards, each once, and a refused one is refused with a NamingError.
func TestEtcdLeaderKilled(t *testing.T) {
	c := etcdtest.Start(t, 3)
	n := etcdFrontEnd(t, c, "/leader")
	var mu sync.Mutex
	var want []string // the acknowledged names
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				name := fmt.Sprintf(":Default.w%d_%d", w, i)
				err := n.Register(name, seamURI)
				var ne *compat.NamingError
				switch {
				case err == nil:
					mu.Lock()
					want = append(want, name)
					mu.Unlock()
				case !errors.As(err, &ne):
					t.Errorf("register %s: %v", name, err)
					return
				}
			}
		}()
	}
	time.Sleep(300 * time.Millisecond)
	leader := c.Leader()
	c.Kill(leader)
	time.Sleep(time.Second)
	c.Restart(leader)
	time.Sleep(300 * time.Millisecond)
	close(stop)
	wg.Wait()
	if len(want) == 0 {
		t.Fatal("no registration acknowledged")
	}
	// a fresh front end reads what etcd holds
	fresh := etcdFrontEnd(t, c, "/leader")
	seen := make(map[string]int)
	for _, b := range fresh.Flatlist() {
		seen[b.Name]++
	}
	for _, name := range want {
		if seen[name] != 1 {
			t.Errorf("%s acknowledged, in the name space %d times", name, seen[name])
		}
	}
}

// TestEtcdUnavailable: without quorum a front end answers reads from its
// copy and refuses writes with a NamingError saying why; with quorum back
// it takes writes again by itself.
func TestEtcdUnavailable(t *testing.T) {
	c := etcdtest.Start(t, 3)
	n := etcdFrontEnd(t, c, "/down")
	if err := n.Register("kept", seamURI); err != nil {
		t.Fatal(err)
	}
	c.Kill(1)
	c.Kill(2)
	err := n.Register("refused", seamURI)
	var ne *compat.NamingError
	if !errors.As(err, &ne) || compat.Str(ne.Args[0]) != "store unavailable, change refused (try again later)" {
		t.Fatalf("register without quorum: %v", err)
	}
	if _, err := n.Resolve("kept"); err != nil {
		t.Errorf("resolve without quorum: %v", err)
	}
	if n.Healthy() == nil {
		t.Error("Healthy = nil without quorum")
	}
	c.Restart(1)
	eventually(t, "register after quorum is back", func() error { return n.Register("later", seamURI) })
	if _, err := n.Resolve("later"); err != nil {
		t.Error(err)
	}
}
