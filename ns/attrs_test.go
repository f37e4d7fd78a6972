package ns_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/ns"
	"github.com/gopyro/gopyro/pickle"
)

// attrAnswer is what a remote attribute request gave: a value or the
// Python exception's "Class: message".
func attrAnswer(v any, err error) any {
	if err != nil {
		return core.ToException(err).Class.Name + ": " + core.ToException(err).Message()
	}
	return v
}

// TestNameServerAttrs: the Name Server answers Pyro 3's attribute protocol
// (_r_ha, _r_ga, _r_sa) as Python's NameServer, an ObjBase, does, except that
// nothing of it can be changed remotely.
func TestNameServerAttrs(t *testing.T) {
	ctx := context.Background()
	in := startNS(t, ns.StartOptions{KeepRunning: true})
	p, err := core.NewProxy(in.URI())
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	get := func(name string) any { return attrAnswer(p.GetAttr(ctx, name)) }
	has := func(name string) any { return attrAnswer(p.Call(ctx, "_r_ha", pickle.ByteString(name))) }
	set := func(name string, v any) any { return attrAnswer(nil, p.SetAttr(ctx, name, v)) }
	tests := []struct {
		name      string
		got, want any
	}{
		{"ping is a method", has("ping"), int64(1)},
		{"resolve is a method", has("resolve"), int64(1)},
		{"_synccall is a method", has("_synccall"), int64(1)},
		{"role is not", has("role"), int64(2)},
		{"missing is not", has("nothing"), int64(2)},
		{"role", get("role"), int64(0)},
		{"ignoreShutdown", get("ignoreShutdown"), true},
		{"otherNS", get("otherNS"), pickle.None{}},
		{"objectGUID", get("objectGUID"), pickle.ByteString(in.URI().ObjectID)},
		{"get method", get("ping"), "PicklingError: Can't pickle <type 'instancemethod'>: attribute lookup __builtin__.instancemethod failed"},
		{"get missing", get("nothing"), "AttributeError: 'NameServer' object has no attribute 'nothing'"},
		{"name space not readable", get("root"), "AttributeError: 'NameServer' object has no attribute 'root'"},
		{"set role", set("role", int64(2)), "AttributeError: can't set attribute"},
		{"set new", set("nothing", int64(2)), "AttributeError: 'NameServer' object has no attribute 'nothing'"},
		{"set method", set("ping", int64(2)), "AttributeError: not an attribute"},
	}
	for _, tc := range tests {
		if diff := cmp.Diff(tc.want, tc.got); diff != "" {
			t.Errorf("%s: (-want +got)\n%s", tc.name, diff)
		}
	}
	if _, err := p.Call(ctx, "ping"); err != nil {
		t.Errorf("ping after the attribute requests: %v", err)
	}
}

// TestNameServerAttrsPaired: a paired Name Server's otherNS is a proxy of its
// twin, and its role is the pair's.
func TestNameServerAttrsPaired(t *testing.T) {
	ctx := context.Background()
	primary := startNS(t, ns.StartOptions{Role: ns.RolePrimary, Twin: "127.0.0.1:1"})
	secondary := startNS(t, ns.StartOptions{Role: ns.RoleSecondary,
		Twin: fmt.Sprintf("127.0.0.1:%d", primary.URI().Port)})
	p, err := core.NewProxy(secondary.URI())
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if role, err := p.GetAttr(ctx, "role"); err != nil || role != int64(ns.RoleSecondary) {
		t.Errorf("role = %v, %v", role, err)
	}
	other, err := p.GetAttr(ctx, "otherNS")
	if nsp, ok := other.(*compat.NameServerProxy); err != nil || !ok || nsp.URI != primary.URI() {
		t.Errorf("otherNS = %#v, %v; want a NameServerProxy for %v", other, err, primary.URI())
	}
}
