package ns_test

import (
	"context"
	"errors"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/ns"
)

func TestClient5(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	port := startNS5(t)
	c, err := ns.Locate5(ctx, ns.Locate5Options{Host: "127.0.0.1", Port: port})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if n, err := c.Count(ctx); err != nil || n != 1 {
		t.Errorf("Count = %d, %v", n, err)
	}
	if err := c.Register(ctx, "example.a", "PYRO:obj_a@127.0.0.1:5001", false, []string{"red"}); err != nil {
		t.Fatal(err)
	}
	if err := c.Register(ctx, "example.b", "PYRO:obj_b@127.0.0.1:5002", false, nil); err != nil {
		t.Fatal(err)
	}
	var ex *compat.Exception
	if err := c.Register(ctx, "example.a", "PYRO:x@127.0.0.1:1", true, nil); !errors.As(err, &ex) || ex.Class.Name != "NamingError" {
		t.Errorf("safe Register = %v", err)
	}
	if err := c.SetMetadata(ctx, "example.b", []string{"blue", "red"}); err != nil {
		t.Fatal(err)
	}
	r, err := c.Lookup(ctx, "example.b")
	if want := (ns.Registration5{Name: "example.b", URI: "PYRO:obj_b@127.0.0.1:5002", Tags: []string{"blue", "red"}}); err != nil || !reflect.DeepEqual(r, want) {
		t.Errorf("Lookup = %+v, %v", r, err)
	}
	regs, err := c.List(ctx, "example.", "")
	if err != nil || len(regs) != 2 || regs[0].Name != "example.a" || !reflect.DeepEqual(regs[0].Tags, []string{"red"}) {
		t.Errorf("List(prefix) = %+v, %v", regs, err)
	}
	if regs, err := c.YPLookup(ctx, []string{"blue", "red"}, nil); err != nil || len(regs) != 1 || regs[0].Name != "example.b" {
		t.Errorf("YPLookup(all) = %+v, %v", regs, err)
	}
	if regs, err := c.YPLookup(ctx, nil, []string{"red"}); err != nil || len(regs) != 2 {
		t.Errorf("YPLookup(any) = %+v, %v", regs, err)
	}
	if n, err := c.Remove(ctx, "example.a"); err != nil || n != 1 {
		t.Errorf("Remove = %d, %v", n, err)
	}
	if n, err := c.RemoveMatching(ctx, "ex.*"); err != nil || n != 1 {
		t.Errorf("RemoveMatching = %d, %v", n, err)
	}
	if regs, err := c.List(ctx, "", ""); err != nil || len(regs) != 1 || regs[0].Name != ns.Pyro5ObjectID {
		t.Errorf("List() = %+v, %v", regs, err)
	}
}

func TestLocate5Fails(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// the last try, at PYRO_NS_HOST and PYRO_NS_PORT, finds nothing either
	cfg := testConfig(t, map[string]string{"PYRO_NS_PORT": strconv.Itoa(freeUDPPort(t))})
	for _, opts := range []ns.Locate5Options{
		{Host: "127.0.0.1", Port: freeUDPPort(t), Config: cfg},
		{BCAddr: "127.0.0.1", Port: freeUDPPort(t), Config: cfg},
	} {
		_, err := ns.Locate5(ctx, opts)
		var ex *compat.Exception
		if !errors.As(err, &ex) || ex.Message() != "Failed to locate the nameserver" {
			t.Errorf("Locate5(%+v) = %v", opts, err)
		}
	}
}
