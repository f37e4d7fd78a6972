// Command batchedcalls is the Go port of the server of Pyro 5's
// batchedcalls example (examples/batchedcalls/server.py), served as
// PYRO:example.batched@host:port: the client calls its methods one by one,
// then in batches (Pyro5's BatchProxy, one message for thousands of calls,
// answered with one message, or oneway with none), and last a batch that
// stops at a division by zero.
package main

import (
	"fmt"
	"time"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/examples/pyro5/internal/serve"
	"github.com/gopyro/gopyro/pickle"
)

// Thingy computes.
type Thingy struct{}

// Multiply returns a*b.
func (Thingy) Multiply(a, b int) int { return a * b }

// Add returns a+b.
func (Thingy) Add(a, b int) int { return a + b }

// Divide returns a//b, Python's floor division.
func (Thingy) Divide(a, b int) (int, error) {
	if b == 0 {
		return 0, compat.ZeroDivisionError("integer division or modulo by zero")
	}
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q, nil
}

// Error raises ZeroDivisionError, as Python's 1//0.
func (Thingy) Error() error { return compat.ZeroDivisionError("integer division or modulo by zero") }

// Delay sleeps seconds (an int or a float) and returns them.
func (Thingy) Delay(seconds any) (any, error) {
	var s float64
	if err := pickle.Assign(&s, seconds); err != nil {
		return nil, compat.TypeError(fmt.Sprintf("'%s' object cannot be interpreted as an integer", pickle.PythonType(seconds)))
	}
	time.Sleep(time.Duration(s * float64(time.Second)))
	return seconds, nil
}

// Printmessage prints message.
func (Thingy) Printmessage(message any) int {
	fmt.Println(compat.Str(message))
	return 0
}

func main() {
	ctx, stop := serve.Context()
	defer stop()
	serve.Serve(ctx, serve.Daemon(serve.Options{}), false, serve.Object{Value: Thingy{}, Name: "example.batched"})
}
