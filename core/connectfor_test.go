package core_test

import (
	"context"
	"strings"
	"testing"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/pickle"
	"github.com/gopyro/gopyro/protocol5"
)

// TestConnectFor: an object connected for Pyro 5 clients alone is called
// and listed by them, and Pyro 3 clients neither reach it nor see it.
func TestConnectFor(t *testing.T) {
	d := startDaemon(t, core.DaemonOptions{})
	uri, err := d.ConnectFor(core.Pyro5, &calc{}, "only5")
	if err != nil {
		t.Fatal(err)
	}
	if uri.String() != "PYRO:only5@"+d.Addr().String() {
		t.Errorf("URI %v", uri)
	}
	if _, ok := d.Registered()["only5"]; ok {
		t.Error("Registered lists the Pyro 5 object")
	}
	c := dial5(t, d)
	m, v := c.connect("only5", nil)
	if m.Type != protocol5.TypeConnectOK {
		t.Fatalf("connect: %v %v", m.Type, v)
	}
	meta, _ := v.(pickle.Dict).Get_("meta")
	if methods, _ := meta.(pickle.Dict).Get_("methods"); !setHas(methods, "add") {
		t.Errorf("metadata methods %v", methods)
	}
	if _, v := c.call("only5", "add", 2, 3); v != int64(5) {
		t.Errorf("add = %v", v)
	}
	_, v = c.call("Pyro.Daemon", "registered")
	if items, _ := pickle.Items(v); len(items) != 2 || items[1] != "only5" {
		t.Errorf("registered() = %v", v)
	}

	p3 := compat.URI{Protocol: "PYRO", Address: "127.0.0.1", Port: d.Port(), ObjectID: "only5"}
	if _, err := newProxy(t, p3).Call(context.Background(), "add", 1, 2); err == nil || !strings.Contains(err.Error(), "unknown object") {
		t.Errorf("Pyro 3 call = %v", err)
	}
	p3.ObjectID = compat.InternalDaemonGUID
	reg, err := newProxy(t, p3).Call(context.Background(), "getRegistered")
	if err != nil {
		t.Fatal(err)
	}
	if d, ok := reg.(pickle.Dict); !ok || d.Len() != 1 {
		t.Errorf("Pyro 3 getRegistered = %v", reg)
	}
	if _, err := d.ConnectFor(core.Pyro5, &calc{}, compat.InternalDaemonGUID); err == nil {
		t.Error("ConnectFor took the id of Pyro 3's daemon object")
	}
}

func TestConnectForNoGeneration(t *testing.T) {
	d := startDaemon(t, core.DaemonOptions{Generations: core.Pyro3})
	if _, err := d.ConnectFor(core.Pyro5, &calc{}, "only5"); err == nil {
		t.Fatal("ConnectFor(Pyro5) on a Pyro 3 daemon succeeded")
	}
}
