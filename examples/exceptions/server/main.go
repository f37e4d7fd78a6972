// Command server is the Go counterpart of Pyro's "exceptions" example
// server: an object registered as ":test.exceptions" whose methods raise
// (or return) Python exceptions, so that the example's unmodified Python
// client can catch them as the classes it knows: ZeroDivisionError,
// ValueError, excep.MyError and TypeError, with the remote traceback.
//
// The Name Server is found with PYRO_NS_HOSTNAME and PYRO_NS_PORT.
package main

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/ns"
	"github.com/gopyro/gopyro/pickle"
)

// myError builds an instance of the client's own exception class
// excep.MyError; the Python client unpickles it from its excep module.
func myError(msg string) *compat.Exception { return compat.NewException("excep", "MyError", msg) }

// Thrower is the remote object.
type Thrower struct{}

// Div divides like Python 2: ints floor, floats divide, a zero divisor is
// a ZeroDivisionError and other operands a TypeError.
func (Thrower) Div(a, b any) (any, error) {
	switch x := a.(type) {
	case int64:
		switch y := b.(type) {
		case int64:
			if y == 0 {
				return nil, compat.ZeroDivisionError("integer division or modulo by zero")
			}
			q := x / y
			if x%y != 0 && (x < 0) != (y < 0) {
				q--
			}
			return q, nil
		case float64:
			return fdiv(float64(x), y)
		}
	case float64:
		switch y := b.(type) {
		case int64:
			return fdiv(x, float64(y))
		case float64:
			return fdiv(x, y)
		}
	}
	return nil, compat.TypeError(fmt.Sprintf("unsupported operand type(s) for /: '%s' and '%s'", pyType(a), pyType(b)))
}

func fdiv(x, y float64) (any, error) {
	if y == 0 {
		return nil, compat.ZeroDivisionError("float division by zero")
	}
	return x / y, nil
}

func pyType(v any) string {
	switch v.(type) {
	case int64:
		return "int"
	case float64:
		return "float"
	case pickle.ByteString:
		return "str"
	case string:
		return "unicode"
	}
	return fmt.Sprintf("%T", v)
}

// Error raises a ValueError in the caller.
func (Thrower) Error() error { return compat.ValueError("a valueerror! Great!") }

// Error2 returns a ValueError instance as an ordinary value.
func (Thrower) Error2() any { return compat.ValueError("a valueerror! Great!") }

// Othererr raises the client's own exception class.
func (Thrower) Othererr() error { return myError("my error!") }

// Othererr2 returns an instance of the client's exception class.
func (Thrower) Othererr2() any { return myError("my error!") }

// Complexerror fails a few calls deep, dividing a str by an int.
func (t Thrower) Complexerror() error { return t.crash() }

func (t Thrower) crash() error { return t.crash2(pickle.ByteString("going down...")) }

func (t Thrower) crash2(arg any) error {
	_, err := t.Div(arg, int64(2))
	return err
}

func main() {
	ctx := context.Background()

	// Find the Name Server as Pyro's NameServerLocator does: at
	// PYRO_NS_HOSTNAME:PYRO_NS_PORT when set, else by broadcast.
	nameServer, err := ns.Locate(ctx, ns.LocateOptions{})
	if err != nil {
		log.Fatalf("name server: %v", err)
	}
	// The group may exist already and the name may be left over from an
	// earlier run: NamingErrors from both are fine.
	if err := nameServer.CreateGroup(ctx, ":test"); err != nil && !errors.As(err, new(*compat.NamingError)) {
		log.Fatalf("name server: %v", err)
	}
	_ = nameServer.Unregister(ctx, ":test.exceptions")

	d, err := core.NewDaemon(core.DaemonOptions{Registrar: nameServer, UnregisterOnShutdown: true})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := d.Connect(Thrower{}, ":test.exceptions"); err != nil {
		log.Fatal(err)
	}
	fmt.Println(`Server object "exceptions" ready.`)
	if err := d.Run(ctx); err != nil {
		log.Fatal(err)
	}
}
