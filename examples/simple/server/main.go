// Command server is the Go counterpart of Pyro's "simple" example server:
// it registers an object as ":test.simple" in the Pyro Name Server, and the
// example's unmodified Python client (client.py) calls it.
//
// The Name Server is found with PYRO_NS_HOSTNAME and PYRO_NS_PORT; the
// daemon listens as PYRO_HOST / PYRO_PORT say.
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

// Calc is the remote object. Python's operators accept ints, floats and strs
// alike, so its methods take any and return what Python would: mul(".", 10)
// is the str "..........", div(2.0, 9.0) a float.
type Calc struct{}

// Mul answers mul(a, b).
func (Calc) Mul(a, b any) (any, error) { return binop("*", a, b) }

// Add answers add(a, b).
func (Calc) Add(a, b any) (any, error) { return binop("+", a, b) }

// Sub answers sub(a, b).
func (Calc) Sub(a, b any) (any, error) { return binop("-", a, b) }

// Div answers div(a, b).
func (Calc) Div(a, b any) (any, error) { return binop("/", a, b) }

// Error fails on purpose a few calls deep; the client prints the remote
// traceback.
func (Calc) Error() error { return crash() }

func crash() error { return crash2(pickle.ByteString("going down...")) }

func crash2(arg any) error {
	_, err := binop("/", arg, 2) // a str divided by an int: TypeError
	return err
}

// binop applies a Python 2 arithmetic operator to int, float and str
// operands, failing with Python's TypeError for other combinations.
func binop(op string, a, b any) (any, error) {
	switch x := a.(type) {
	case int64:
		switch y := b.(type) {
		case int64:
			return intOp(op, x, y)
		case float64:
			return floatOp(op, float64(x), y)
		case pickle.ByteString:
			if op == "*" {
				return repeat(y, x), nil
			}
		}
	case float64:
		switch y := b.(type) {
		case int64:
			return floatOp(op, x, float64(y))
		case float64:
			return floatOp(op, x, y)
		}
	case pickle.ByteString:
		switch y := b.(type) {
		case pickle.ByteString:
			if op == "+" {
				return x + y, nil
			}
		case int64:
			if op == "*" {
				return repeat(x, y), nil
			}
		}
	}
	return nil, compat.TypeError(fmt.Sprintf("unsupported operand type(s) for %s: '%s' and '%s'",
		op, pickle.PythonType(a), pickle.PythonType(b)))
}

func intOp(op string, x, y int64) (any, error) {
	switch op {
	case "+":
		return x + y, nil
	case "-":
		return x - y, nil
	case "*":
		return x * y, nil
	}
	if y == 0 {
		return nil, compat.ZeroDivisionError("integer division or modulo by zero")
	}
	q := x / y
	if (x%y != 0) && ((x < 0) != (y < 0)) {
		q-- // Python 2 int division floors
	}
	return q, nil
}

func floatOp(op string, x, y float64) (any, error) {
	switch op {
	case "+":
		return x + y, nil
	case "-":
		return x - y, nil
	case "*":
		return x * y, nil
	}
	if y == 0 {
		return nil, compat.ZeroDivisionError("float division by zero")
	}
	return x / y, nil
}

func repeat(s pickle.ByteString, n int64) pickle.ByteString {
	var out pickle.ByteString
	for ; n > 0; n-- {
		out += s
	}
	return out
}

func main() {
	ctx := context.Background()
	nameServer := example.NameServer(ctx, ns.LocateOptions{}, ":test")
	d := example.Daemon(core.DaemonOptions{Registrar: nameServer})
	example.Connect(d, Calc{}, ":test.simple")
	example.Serve(ctx, d, "Server is ready.")
}
