// Command exceptions is the Go port of the server of Pyro 5's exceptions
// example (examples/exceptions/server.py and excep.py), registered as
// example.exceptions: methods that raise Python's built-in exceptions
// (compat.ValueError, compat.ZeroDivisionError, ...), one that returns an
// exception as its value, a oneway one that fails unseen by the client,
// one whose result cannot be serialized and one that fails deep down, for
// the remote traceback. Like the Python server's methodcall_error_handler,
// it prints each error of a method.
package main

import (
	"fmt"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/examples/pyro5/internal/serve"
)

// TestClass fails in many ways.
type TestClass struct{}

// PyroOneway declares onewayerr oneway.
func (TestClass) PyroOneway() []string { return []string{"onewayerr"} }

// Div is Python's arg1 / arg2.
func (TestClass) Div(arg1, arg2 float64) (float64, error) {
	if arg2 == 0 {
		return 0, failed("div", compat.ZeroDivisionError("division by zero"))
	}
	return arg1 / arg2, nil
}

// Error raises a ValueError.
func (TestClass) Error() error { return failed("error", compat.ValueError("a valueerror! Great!")) }

// Error2 returns a ValueError, not raising it.
func (TestClass) Error2() any { return compat.ValueError("a valueerror! Great!") }

// Othererr raises a RuntimeError.
func (TestClass) Othererr() error { return failed("othererr", compat.RuntimeError("a runtime error!")) }

// Onewayerr raises a ValueError, called oneway.
func (TestClass) Onewayerr() error {
	return failed("onewayerr", compat.ValueError("error in oneway call!"))
}

// Complexerror fails two calls down.
func (TestClass) Complexerror() error { return failed("complexerror", foo{}.crash()) }

// Unserializable returns a method, which no serializer can write.
func (TestClass) Unserializable() any { return TestClass.Unserializable }

type foo struct{}

func (f foo) crash() *compat.Exception { return f.crash2("going down...") }

// crash2 fails as Python's arg // 2 does on a str.
func (foo) crash2(string) *compat.Exception {
	return compat.TypeError("unsupported operand type(s) for //: 'str' and 'int'")
}

// failed prints the error of a method call, as the Python server's
// methodcall_error_handler does, and returns it.
func failed(method string, err *compat.Exception) error {
	fmt.Printf("\nERROR IN METHOD CALL USER CODE:\n method=TestClass.%s exception=%s\n", method, compat.Repr(err))
	return err
}

func main() {
	ctx, stop := serve.Context()
	defer stop()
	serve.Serve(ctx, serve.Daemon(serve.Options{}), true, serve.Object{Value: TestClass{}, Name: "example.exceptions"})
}
