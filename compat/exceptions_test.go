package compat

import (
	"errors"
	"fmt"
	"math/big"
	"reflect"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/gopyro/gopyro/pickle"
)

func TestExceptionError(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{ValueError("bad value: 'x'"), "ValueError: bad value: 'x'"},
		{NewNamingError("name not found", ":Default.nonexisting"), "NamingError: ('name not found', ':Default.nonexisting')"},
		{NewNamingError("NS is not running in 'primary' or 'secondary' mode"), "NamingError: NS is not running in 'primary' or 'secondary' mode"},
		{NewException("capobjs", "MyError", "custom", 1), "MyError: ('custom', 1)"},
		{KeyError("k"), "KeyError: 'k'"},
		{IOError(2, "No such file or directory"), "IOError: [Errno 2] No such file or directory"},
		{IOError(2, "No such file", "/x"), "IOError: [Errno 2] No such file: '/x'"},
		{RuntimeError(), "RuntimeError"},
		{ZeroDivisionError("integer division or modulo by zero"), "ZeroDivisionError: integer division or modulo by zero"},
		{TypeError(big.NewInt(5), 1.5, nil), "TypeError: (5L, 1.5, None)"},
		{NewInternalNoModuleError("agentmod", []string{"__doc__"}), "_InternalNoModuleError"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

func TestPyroErrorHierarchy(t *testing.T) {
	var err error = NewTimeoutError("connection timeout receiving")
	var cc *ConnectionClosedError
	var pe *ProtocolError
	var py *PyroError
	var exc *Exception
	var ne *NamingError
	var cd *ConnectionDeniedError
	if !errors.As(err, &cc) || !errors.As(err, &pe) || !errors.As(err, &py) || !errors.As(err, &exc) {
		t.Fatalf("TimeoutError not found as all its ancestors: %v %v %v %v", cc, pe, py, exc)
	}
	if cc.Message() != "connection timeout receiving" || exc.Class.Name != "TimeoutError" {
		t.Errorf("ancestor view lost the exception: %v / %v", cc, exc)
	}
	if errors.As(err, &ne) || errors.As(err, &cd) {
		t.Errorf("TimeoutError found as an unrelated class")
	}
	// A generic Exception of a Pyro class is found as its Go type too.
	err = NewException("Pyro.errors", "ConnectionDeniedError", "unspecified")
	if !errors.As(err, &cd) || !errors.As(err, &pe) {
		t.Errorf("*Exception of class ConnectionDeniedError not found as typed")
	}
	if errors.As(ValueError("x"), &py) {
		t.Errorf("ValueError found as a PyroError")
	}
	typed := NewException("Pyro.errors", "NamingError", "x").Typed()
	if _, ok := typed.(*NamingError); !ok {
		t.Errorf("Typed() = %T, want *NamingError", typed)
	}
}

func TestExceptionPickleObject(t *testing.T) {
	o, err := ValueError("bad value: 'x'").PickleObject()
	if err != nil {
		t.Fatal(err)
	}
	want := &pickle.Object{Class: pickle.Class{Module: "exceptions", Name: "ValueError"}, Build: pickle.BuildReduce,
		Args: pickle.Tuple{pickle.ByteString("bad value: 'x'")}}
	if diff := cmp.Diff(want, o, cmpOpts); diff != "" {
		t.Errorf("PickleObject (-want +got):\n%s", diff)
	}
	e := NewInternalNoModuleError("agentmod", []string{"__doc__"})
	o, _ = e.PickleObject()
	want = &pickle.Object{Class: pickle.Class{Module: "Pyro.errors", Name: "_InternalNoModuleError"}, Build: pickle.BuildReduce,
		Args: pickle.Tuple{}, State: stateDict("fromlist", strList([]string{"__doc__"}), "modulename", pickle.ByteString("agentmod"))}
	if diff := cmp.Diff(want, o, cmpOpts); diff != "" {
		t.Errorf("PickleObject (-want +got):\n%s", diff)
	}
	if e.ModuleName() != "agentmod" || !cmp.Equal(e.FromList(), []string{"__doc__"}) {
		t.Errorf("ModuleName/FromList = %q %q", e.ModuleName(), e.FromList())
	}
}

func TestAsException(t *testing.T) {
	user := &pickle.Object{Class: pickle.Class{Module: "capobjs", Name: "MyError"}, Build: pickle.BuildReduce,
		Args: pickle.Tuple{pickle.ByteString("custom"), int64(1)}}
	e, ok := AsException(user)
	if !ok || e.Error() != "MyError: ('custom', 1)" {
		t.Errorf("AsException(user) = %v, %v", e, ok)
	}
	ne := NewNamingError("x")
	if e, ok := AsException(ne); !ok || e != &ne.Exception {
		t.Errorf("AsException(*NamingError) = %v, %v", e, ok)
	}
	for _, v := range []any{int64(1), &pickle.Object{Build: pickle.BuildNewObj}, nil} {
		if _, ok := AsException(v); ok {
			t.Errorf("AsException(%#v) succeeded", v)
		}
	}
}

// TestPyro45ErrorHierarchy: the errors of Pyro 4 and Pyro 5, generic
// *Exceptions as their proxies decode them or Typed, are found with
// errors.As as the Go types of their class and its bases in their
// hierarchy (Pyro5/errors.py, the same as Pyro4's), and as no other.
func TestPyro45ErrorHierarchy(t *testing.T) {
	isA := map[string]func(error) bool{
		"PyroError":             func(err error) bool { var e *PyroError; return errors.As(err, &e) },
		"CommunicationError":    func(err error) bool { var e *CommunicationError; return errors.As(err, &e) },
		"ConnectionClosedError": func(err error) bool { var e *ConnectionClosedError; return errors.As(err, &e) },
		"TimeoutError":          func(err error) bool { var e *TimeoutError; return errors.As(err, &e) },
		"ProtocolError":         func(err error) bool { var e *ProtocolError; return errors.As(err, &e) },
		"MessageTooLargeError":  func(err error) bool { var e *MessageTooLargeError; return errors.As(err, &e) },
		"NamingError":           func(err error) bool { var e *NamingError; return errors.As(err, &e) },
		"DaemonError":           func(err error) bool { var e *DaemonError; return errors.As(err, &e) },
		"SecurityError":         func(err error) bool { var e *SecurityError; return errors.As(err, &e) },
		"SerializeError":        func(err error) bool { var e *SerializeError; return errors.As(err, &e) },
		"ConnectionDeniedError": func(err error) bool { var e *ConnectionDeniedError; return errors.As(err, &e) },
		"URIError":              func(err error) bool { var e *URIError; return errors.As(err, &e) },
	}
	for _, tt := range []struct {
		class string
		bases []string // the class itself and its bases
	}{
		{"PyroError", []string{"PyroError"}},
		{"CommunicationError", []string{"CommunicationError", "PyroError"}},
		{"ConnectionClosedError", []string{"ConnectionClosedError", "CommunicationError", "PyroError"}},
		{"TimeoutError", []string{"TimeoutError", "CommunicationError", "PyroError"}},
		{"ProtocolError", []string{"ProtocolError", "CommunicationError", "PyroError"}},
		{"MessageTooLargeError", []string{"MessageTooLargeError", "ProtocolError", "CommunicationError", "PyroError"}},
		{"NamingError", []string{"NamingError", "PyroError"}},
		{"DaemonError", []string{"DaemonError", "PyroError"}},
		{"SecurityError", []string{"SecurityError", "PyroError"}},
		{"SerializeError", []string{"SerializeError", "ProtocolError", "CommunicationError", "PyroError"}},
		{"NotAPyroError", nil},
	} {
		for _, module := range []string{"Pyro4.errors", "Pyro5.errors"} {
			ex := NewException(module, tt.class, "text")
			for _, err := range []error{ex, fmt.Errorf("call: %w", ex.Typed())} {
				for name, is := range isA {
					if want := slices.Contains(tt.bases, name); is(err) != want {
						t.Errorf("%s.%s (%T) is a %s: %v, want %v", module, tt.class, err, name, !want, want)
					}
				}
				var exc *Exception
				if !errors.As(err, &exc) || exc.Class.Module != module || exc.Message() != "text" {
					t.Errorf("%s.%s lost as *Exception: %v", module, tt.class, exc)
				}
			}
		}
	}
	if typed := NewException("Pyro5.errors", "NamingError", "x").Typed(); reflect.TypeOf(typed) != reflect.TypeOf(&NamingError{}) {
		t.Errorf("Typed() = %T, want *NamingError", typed)
	}
	// Pyro 3 has no SerializeError: its class of that name is not typed
	if typed := NewException("Pyro.errors", "SerializeError", "x").Typed(); reflect.TypeOf(typed) != reflect.TypeOf(&Exception{}) {
		t.Errorf("Pyro.errors.SerializeError Typed() = %T", typed)
	}
}

// TestNewExceptionArgs: Go values become the pickle value model.
func TestNewExceptionArgs(t *testing.T) {
	for _, tt := range []struct {
		in   any
		want any
	}{
		{int(5), int64(5)}, {int8(-3), int64(-3)}, {int16(-300), int64(-300)}, {int32(-70000), int64(-70000)},
		{uint8(200), int64(200)}, {uint16(60000), int64(60000)}, {uint32(4000000000), int64(4000000000)},
		{int64(1) << 40, int64(1) << 40}, {float32(1.5), float64(1.5)}, {nil, pickle.None{}},
		{"s", pickle.ByteString("s")}, {true, true},
	} {
		if got := NewException("m", "E", tt.in).Args[0]; got != tt.want {
			t.Errorf("NewException(%T %v) arg = %T %v, want %T %v", tt.in, tt.in, got, got, tt.want, tt.want)
		}
	}
}
