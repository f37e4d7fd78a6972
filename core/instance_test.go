package core_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/pickle"
	"github.com/gopyro/gopyro/protocol5"
)

// numbered is an instance that knows the order it was made in.
type numbered struct {
	N      int
	reaped chan int
}

func (n *numbered) Which() int { return n.N }

func (n *numbered) Reaped() {
	if n.reaped != nil {
		n.reaped <- n.N
	}
}

// TestInstanceModes: a Factory connected once serves the calls of two
// connections, each calling twice (once in a batch of two), from the
// instances its mode chooses; a session instance is reaped with its
// connection.
func TestInstanceModes(t *testing.T) {
	tests := []struct {
		mode core.InstanceMode
		// the instance numbers the calls see: conn 1, conn 1 (a batch of
		// two), conn 2
		want [4]int
	}{
		{core.Single, [4]int{1, 1, 1, 1}},
		{core.Session, [4]int{1, 1, 1, 2}},
		{core.PerCall, [4]int{1, 2, 2, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.mode.String(), func(t *testing.T) {
			var made atomic.Int64
			reaped := make(chan int, 4)
			f := core.NewFactory(tt.mode, func(ctx context.Context) (*numbered, error) {
				if _, ok := core.CallerFromContext(ctx); !ok {
					return nil, errors.New("no caller in the creator's context")
				}
				return &numbered{N: int(made.Add(1)), reaped: reaped}, nil
			})
			d := startDaemon(t, core.DaemonOptions{})
			if _, err := d.ConnectWithGUID(context.Background(), f, "obj", ""); err != nil {
				t.Fatal(err)
			}
			var got [4]int
			c1 := dial5(t, d)
			c1.connect("obj", nil)
			_, v := c1.call("obj", "which")
			got[0] = asInt(t, v)
			c1.send(protocol5.TypeInvoke, protocol5.FlagBatch, pickle.Tuple{"obj", "<batch>", pickle.Tuple{
				pickle.Tuple{"which", pickle.Tuple{}, map[string]any{}},
				pickle.Tuple{"which", pickle.Tuple{}, map[string]any{}},
			}, map[string]any{}})
			_, v = c1.recv()
			items, _ := pickle.Items(v)
			if len(items) != 2 || items[0] != items[1] {
				t.Fatalf("batch answered %v: two calls of one instance expected", v)
			}
			got[1], got[2] = asInt(t, items[0]), asInt(t, items[1])
			c2 := dial5(t, d)
			c2.connect("obj", nil)
			_, v = c2.call("obj", "which")
			got[3] = asInt(t, v)
			if got != tt.want {
				t.Errorf("instances %v, want %v", got, tt.want)
			}
			c1.c.Close()
			if tt.mode != core.Session {
				return
			}
			select {
			case n := <-reaped:
				if n != 1 {
					t.Errorf("reaped instance %d, want 1 (of the closed connection)", n)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("the closed connection's session instance was not reaped")
			}
		})
	}
}

func asInt(t *testing.T, v any) int {
	t.Helper()
	n, ok := v.(int64)
	if !ok {
		t.Fatalf("answer %#v, want an int", v)
	}
	return int(n)
}

// TestFactoryFromPyro3: the same instances serve Pyro 3 proxies, and a
// creator's error fails the call.
func TestFactoryFromPyro3(t *testing.T) {
	d := startDaemon(t, core.DaemonOptions{})
	var mu sync.Mutex
	fail := false
	f := core.NewFactory(core.PerCall, func(context.Context) (*numbered, error) {
		mu.Lock()
		defer mu.Unlock()
		if fail {
			return nil, errors.New("no instance today")
		}
		return &numbered{N: 7}, nil
	})
	uri, err := d.Connect(f, "")
	if err != nil {
		t.Fatal(err)
	}
	if u, err := d.URIFor(f); err != nil || u != uri {
		t.Errorf("URIFor(factory) = %v, %v; want %v", u, err, uri)
	}
	p := newProxy(t, uri)
	ctx := context.Background()
	if n, err := core.CallAs[int](ctx, p, "which"); err != nil || n != 7 {
		t.Errorf("which() = %v, %v; want 7", n, err)
	}
	mu.Lock()
	fail = true
	mu.Unlock()
	if _, err := p.Call(ctx, "which"); err == nil || !strings.Contains(err.Error(), "no instance today") {
		t.Errorf("call with a failing creator: %v", err)
	}
}

// TestFactoryZeroInstances: a nil creator makes zero instances, and the
// zero instance describes the metadata.
func TestFactoryZeroInstances(t *testing.T) {
	d := startDaemon(t, core.DaemonOptions{})
	if _, err := d.ConnectWithGUID(context.Background(), core.NewFactory[*numbered](core.Session, nil), "obj", ""); err != nil {
		t.Fatal(err)
	}
	c := dial5(t, d)
	m, v := c.connect("obj", nil)
	if m.Type != protocol5.TypeConnectOK {
		t.Fatalf("connect: %v %v", m.Type, v)
	}
	meta, _ := v.(pickle.Dict).Get_("meta")
	methods, _ := meta.(pickle.Dict).Get_("methods")
	if !setHas(methods, "which") {
		t.Errorf("metadata methods %v lack which", methods)
	}
	if _, v := c.call("obj", "which"); asInt(t, v) != 0 {
		t.Errorf("which() of a zero instance = %v", v)
	}
	if _, err := d.Connect(core.NewFactory[core.Invoker](core.Single, nil), ""); err == nil {
		t.Error("a Factory of an interface type connected")
	}
}
