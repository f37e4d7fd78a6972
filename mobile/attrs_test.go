package mobile

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/pickle"
)

// TestRemoteAttrs: objects serving mobile code answer Pyro 3's attribute
// protocol with the two mobile-code methods among their methods, and what
// Code allows is not readable or settable by clients.
func TestRemoteAttrs(t *testing.T) {
	ctx := context.Background()
	inner := core.InvokerFunc(func(ctx context.Context, c *core.Call) (any, error) { return "called " + c.Method, nil })
	declared := core.InvokerWithAttrs(inner, core.Attrs{Class: "Server1", Methods: []string{"method1"}})
	wrapped := Wrap(declared, &Code{})
	if _, ok := Wrap(inner, &Code{}).(core.AttrInvoker); ok {
		t.Error("Wrap of an Invoker that declares no attributes declares some")
	}
	embedded := &shop{Code: Code{Repo: NewRepository("")}}
	w, e := serve(t, wrapped), serve(t, embedded)
	answer := func(p *core.Proxy, method string, args ...any) any {
		v, err := p.Call(ctx, method, args...)
		if err != nil {
			ex := core.ToException(err)
			return ex.Class.Name + ": " + ex.Message()
		}
		return v
	}
	bs := func(s string) pickle.ByteString { return pickle.ByteString(s) }
	tests := []struct {
		name      string
		got, want any
	}{
		{"wrapped method", answer(w, "_r_ha", bs("method1")), int64(1)},
		{"wrapped download", answer(w, "_r_ha", bs("remote_retrieve_code")), int64(1)},
		{"wrapped upload", answer(w, "_r_ha", bs("remote_supply_code")), int64(1)},
		{"wrapped other", answer(w, "_r_ha", bs("other")), int64(2)},
		{"wrapped missing", answer(w, "_r_ga", bs("other")), "AttributeError: 'Server1' object has no attribute 'other'"},
		{"wrapped call", answer(w, "method1"), "called method1"},
		{"embedded download", answer(e, "_r_ha", bs("remote_retrieve_code")), int64(1)},
		{"embedded method", answer(e, "_r_ha", bs("hello")), int64(1)},
		{"uploads hidden", answer(e, "_r_ga", bs("accept_uploads")), "AttributeError: 'shop' object has no attribute 'accept_uploads'"},
		{"uploads not settable", answer(e, "_r_sa", bs("AcceptUploads"), true), "AttributeError: 'shop' object has no attribute 'AcceptUploads'"},
		{"repository hidden", answer(e, "_r_ga", bs("Repo")), "AttributeError: 'shop' object has no attribute 'Repo'"},
	}
	for _, tc := range tests {
		if diff := cmp.Diff(tc.want, tc.got); diff != "" {
			t.Errorf("%s: (-want +got)\n%s", tc.name, diff)
		}
	}
	if embedded.AcceptUploads {
		t.Error("a client turned uploads on")
	}
}
