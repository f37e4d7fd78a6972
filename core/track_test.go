package core_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gopyro/gopyro/core"
)

// resource records its closing.
type resource struct {
	name   string
	closed chan<- string
	panics bool
}

func (r *resource) Close() error {
	r.closed <- r.name
	if r.panics {
		panic("closing " + r.name)
	}
	return errors.New("already gone")
}

// tracker allocates resources for its callers, one per name, and frees
// them on request.
type tracker struct {
	closed chan string
	mu     sync.Mutex
	res    map[string]*resource
}

func (t *tracker) get(name string, panics bool) *resource {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.res[name] == nil {
		t.res[name] = &resource{name: name, closed: t.closed, panics: panics}
	}
	return t.res[name]
}

func (t *tracker) Allocate(ctx context.Context, name string, panics bool) error {
	c, _ := core.CallerFromContext(ctx)
	return c.TrackResource(t.get(name, panics))
}

func (t *tracker) Free(ctx context.Context, name string) {
	c, _ := core.CallerFromContext(ctx)
	c.UntrackResource(t.get(name, false))
}

type notComparable []int

func (notComparable) Close() error { return nil }

func (t *tracker) Odd(ctx context.Context) error {
	c, _ := core.CallerFromContext(ctx)
	return c.TrackResource(notComparable{1})
}

// TestTrackedResources: the resources tracked for a connection, and not
// untracked, are closed when it ends, after Options.ClientDisconnect has
// seen them, whatever their Close returns or panics; one tracked twice is
// tracked once; every generation's connections track them.
func TestTrackedResources(t *testing.T) {
	for _, gen := range []struct {
		name string
		gens core.Generations
		uri  func(port int) string
	}{
		{"pyro3", core.Pyro3, func(port int) string { return fmt.Sprintf("PYRO://127.0.0.1:%d/tracker", port) }},
		{"pyro5", core.Pyro5, func(port int) string { return fmt.Sprintf("PYRO:tracker@127.0.0.1:%d", port) }},
	} {
		t.Run(gen.name, func(t *testing.T) {
			tr := &tracker{closed: make(chan string, 10), res: map[string]*resource{}}
			seen := make(chan []string, 1)
			d := startDaemon(t, core.DaemonOptions{Generations: gen.gens, ClientDisconnect: func(c *core.Caller) {
				var names []string
				for _, r := range c.TrackedResources() {
					names = append(names, r.(*resource).name)
				}
				seen <- names
			}})
			if _, err := d.ConnectWithGUID(context.Background(), tr, "tracker", ""); err != nil {
				t.Fatal(err)
			}
			p, err := core.NewProxy(gen.uri(d.Port()))
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			for _, c := range []struct {
				method string
				args   []any
			}{
				{"allocate", []any{"a", false}}, {"allocate", []any{"b", true}}, {"allocate", []any{"c", false}},
				{"allocate", []any{"a", false}}, {"free", []any{"c"}},
			} {
				if _, err := p.Call(ctx, c.method, c.args...); err != nil {
					t.Fatalf("%s%v: %v", c.method, c.args, err)
				}
			}
			if _, err := p.Call(ctx, "odd"); err == nil {
				t.Error("tracking an incomparable resource did not fail")
			}
			select {
			case name := <-tr.closed:
				t.Fatalf("%s closed while the connection is open", name)
			default:
			}
			p.Close()
			timeout := time.After(10 * time.Second)
			select {
			case names := <-seen:
				if !slices.Equal(names, []string{"a", "b"}) {
					t.Errorf("ClientDisconnect saw %v, want [a b]", names)
				}
			case <-timeout:
				t.Fatal("ClientDisconnect was not called")
			}
			var closed []string
			for len(closed) < 2 {
				select {
				case name := <-tr.closed:
					closed = append(closed, name)
				case <-timeout:
					t.Fatalf("closed %v, want [a b]", closed)
				}
			}
			if !slices.Equal(closed, []string{"a", "b"}) {
				t.Errorf("closed %v, want [a b]", closed)
			}
		})
	}
}
