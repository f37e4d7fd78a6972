package core

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/pickle"
)

// counter is an Invoker that declares its attributes: a method "incr" and
// a readable attribute "count".
type counter struct{ calls []string }

func (c *counter) Invoke(_ context.Context, call *Call) (any, error) {
	c.calls = append(c.calls, call.Method)
	if call.Method == "incr" {
		return int64(1), nil
	}
	return nil, compat.AttributeError("'Counter' object has no attribute '" + call.Method + "'")
}

func (c *counter) PyroAttrs() Attrs {
	return Attrs{Class: "Counter", Methods: []string{"incr"}, Get: func(name string) (any, bool) {
		if name == "count" {
			return int64(7), true
		}
		return nil, false
	}}
}

// plainInvoker declares nothing: it receives the attribute requests.
type plainInvoker struct{ got *Call }

func (p *plainInvoker) Invoke(_ context.Context, c *Call) (any, error) {
	p.got = c
	return pickle.ByteString("mine"), nil
}

// TestRemoteAttrs checks the answers to _r_ha, _r_ga and _r_sa against
// those of Pyro 3.16's ObjBase (Python's texts, self counted in argument
// counts), for an AttrInvoker, an object bound by reflection and the
// daemon's internal object.
func TestRemoteAttrs(t *testing.T) {
	bs := func(s string) pickle.ByteString { return pickle.ByteString(s) }
	const unpicklable = "Can't pickle <type 'instancemethod'>: attribute lookup __builtin__.instancemethod failed"
	d, err := NewDaemon(DaemonOptions{Host: "127.0.0.1", NoRange: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Shutdown(context.Background()) })
	tests := []struct {
		name   string
		obj    string // "counter", "svc" or "servant"
		method string
		args   []any
		kw     map[string]any
		want   any
		class  string // exception class; "" for a result
		msg    string
	}{
		{"method", "counter", "_r_ha", []any{bs("incr")}, nil, int64(1), "", ""},
		{"protocol method", "counter", "_r_ha", []any{bs("_r_sa")}, nil, int64(1), "", ""},
		{"attribute", "counter", "_r_ha", []any{bs("count")}, nil, int64(2), "", ""},
		{"missing is 2", "counter", "_r_ha", []any{"nothing"}, nil, int64(2), "", ""},
		{"not a string is 2", "counter", "_r_ha", []any{int64(0)}, nil, int64(2), "", ""},
		{"get attribute", "counter", "_r_ga", []any{bs("count")}, nil, int64(7), "", ""},
		{"get unicode name", "counter", "_r_ga", []any{"count"}, nil, int64(7), "", ""},
		{"get GUID", "counter", "_r_ga", []any{bs("objectGUID")}, nil, bs("g1"), "", ""},
		{"get delegate", "counter", "_r_ga", []any{bs("delegate")}, nil, nil, "", ""},
		{"get daemon", "counter", "_r_ga", []any{bs("daemon")}, nil, nil, "PicklingError", "no access to the daemon"},
		{"get method", "counter", "_r_ga", []any{bs("incr")}, nil, nil, "PicklingError", unpicklable},
		{"get missing", "counter", "_r_ga", []any{bs("nothing")}, nil, nil, "AttributeError", "'Counter' object has no attribute 'nothing'"},
		{"get not a string", "counter", "_r_ga", []any{int64(0)}, nil, nil, "TypeError", "getattr(): attribute name must be string"},
		{"set attribute", "counter", "_r_sa", []any{bs("count"), int64(1)}, nil, nil, "AttributeError", "can't set attribute"},
		{"set GUID", "counter", "_r_sa", []any{bs("objectGUID"), bs("x")}, nil, nil, "AttributeError", "can't set attribute"},
		{"set method", "counter", "_r_sa", []any{bs("incr"), int64(1)}, nil, nil, "AttributeError", "not an attribute"},
		{"set missing", "counter", "_r_sa", []any{bs("nothing"), int64(1)}, nil, nil, "AttributeError", "'Counter' object has no attribute 'nothing'"},
		{"set not a string", "counter", "_r_sa", []any{int64(0), int64(1)}, nil, nil, "TypeError", "attribute name must be string, not 'int'"},
		{"no name", "counter", "_r_ha", nil, nil, nil, "TypeError", "_r_ha() takes exactly 2 arguments (1 given)"},
		{"get two names", "counter", "_r_ga", []any{bs("a"), bs("b")}, nil, nil, "TypeError", "_r_ga() takes exactly 2 arguments (3 given)"},
		{"set no value", "counter", "_r_sa", []any{bs("count")}, nil, nil, "TypeError", "_r_sa() takes exactly 3 arguments (2 given)"},
		{"keyword", "counter", "_r_ha", []any{bs("incr")}, map[string]any{"x": int64(1)}, nil, "TypeError", "_r_ha() got an unexpected keyword argument 'x'"},
		{"reflected method", "svc", "_r_ha", []any{bs("add")}, nil, int64(1), "", ""},
		{"reflected field", "svc", "_r_ga", []any{bs("value")}, nil, 10, "", ""},
		{"reflected GUID", "svc", "_r_ga", []any{bs("objectGUID")}, nil, bs("g2"), "", ""},
		{"reflected get method", "svc", "_r_ga", []any{bs("add")}, nil, nil, "PicklingError", unpicklable},
		{"reflected set GUID", "svc", "_r_sa", []any{bs("objectGUID"), bs("x")}, nil, nil, "AttributeError", "can't set attribute"},
		{"reflected no name", "svc", "_r_ga", nil, nil, nil, "TypeError", "_r_ga() takes exactly 2 arguments (1 given)"},
		{"servant method", "servant", "_r_ha", []any{bs("ResolvePYROLOC")}, nil, int64(1), "", ""},
		{"servant GUID", "servant", "_r_ga", []any{bs("objectGUID")}, nil, bs(compat.InternalDaemonGUID), "", ""},
		{"servant missing", "servant", "_r_ga", []any{bs("nothing")}, nil, nil, "AttributeError", "'DaemonServant' object has no attribute 'nothing'"},
		{"servant call missing", "servant", "ping", nil, nil, nil, "AttributeError", "'DaemonServant' object has no attribute 'ping'"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var o *object
			switch tc.obj {
			case "counter":
				o, err = newObject(&counter{}, "g1", "")
			case "svc":
				o, err = newObject(&svc{Value: 10}, "g2", "")
			case "servant":
				o = d.internal[compat.InternalDaemonGUID]
			}
			if err != nil {
				t.Fatal(err)
			}
			got, err := o.invoke(context.Background(), &Call{Method: tc.method, Args: tc.args, Kwargs: tc.kw}, viaPyro3)
			if tc.class == "" {
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("result mismatch (-want +got):\n%s", diff)
				}
				return
			}
			if err == nil {
				t.Fatalf("got %v, want %s", got, tc.class)
			}
			ex := ToException(err)
			if ex.Class.Name != tc.class || ex.Message() != tc.msg {
				t.Errorf("got %s.%s(%q), want %s(%q)", ex.Class.Module, ex.Class.Name, ex.Message(), tc.class, tc.msg)
			}
		})
	}
}

// TestAttrInvokerCalls checks that an AttrInvoker still receives its other
// calls, and that an Invoker declaring nothing receives the attribute
// requests itself.
func TestAttrInvokerCalls(t *testing.T) {
	c := &counter{}
	got, err := invoke(t, c, "incr", nil, nil)
	if err != nil || got != int64(1) {
		t.Errorf("incr: %v, %v", got, err)
	}
	if _, err := invoke(t, c, "_r_ga", []any{"count"}, nil); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"incr"}, c.calls); diff != "" {
		t.Errorf("calls Invoke received (-want +got):\n%s", diff)
	}
	p := &plainInvoker{}
	got, err = invoke(t, p, "_r_ha", []any{"x"}, nil)
	if err != nil || got != pickle.ByteString("mine") || p.got == nil || p.got.Method != "_r_ha" {
		t.Errorf("plain Invoker: %v, %v, received %+v", got, err, p.got)
	}
}

// TestLastUsed checks lastUsed: a time, as Python sets it at each call.
func TestLastUsed(t *testing.T) {
	for _, obj := range []any{&counter{}, &svc{}} {
		got, err := invoke(t, obj, "_r_ga", []any{"lastUsed"}, nil)
		if f, ok := got.(float64); err != nil || !ok || f < 1.7e9 {
			t.Errorf("%T lastUsed = %v (%T), %v", obj, got, got, err)
		}
	}
}

// TestInvokerWithAttrs checks the wrapper: calls go to the Invoker, the
// attributes come from the Attrs.
func TestInvokerWithAttrs(t *testing.T) {
	inner := &plainInvoker{}
	ai := InvokerWithAttrs(inner, Attrs{Class: "Thing", Methods: []string{"do"}})
	if got, err := invoke(t, ai, "do", nil, nil); err != nil || got != pickle.ByteString("mine") {
		t.Errorf("do: %v, %v", got, err)
	}
	if got, err := invoke(t, ai, "_r_ha", []any{"do"}, nil); err != nil || got != int64(1) {
		t.Errorf("_r_ha(do): %v, %v", got, err)
	}
	_, err := invoke(t, ai, "_r_ga", []any{"x"}, nil)
	var ae *attributeError
	if !errors.As(err, &ae) || ae.msg != "'Thing' object has no attribute 'x'" {
		t.Errorf("_r_ga(x): %v", err)
	}
	if inner.got.Method != "do" {
		t.Errorf("the Invoker received %q", inner.got.Method)
	}
}
