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
	"fmt"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/examples/internal/example"
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
	return nil, compat.TypeError(fmt.Sprintf("unsupported operand type(s) for /: '%s' and '%s'", pickle.PythonType(a), pickle.PythonType(b)))
}

func fdiv(x, y float64) (any, error) {
	if y == 0 {
		return nil, compat.ZeroDivisionError("float division by zero")
	}
	return x / y, nil
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
	nameServer := example.NameServer(ctx, ns.LocateOptions{}, ":test")
	d := example.Daemon(core.DaemonOptions{Registrar: nameServer, UnregisterOnShutdown: true})
	example.ConnectFresh(ctx, nameServer, d, Thrower{}, ":test.exceptions")
	example.Serve(ctx, d, `Server object "exceptions" ready.`)
}
