// Command client is the Go counterpart of Pyro's "simple" example client:
// it calls the object registered as ":test.simple" (by the example's
// Python server.py, or by ../server) and prints the results as the Python
// client does, then the traceback of a remote failure.
//
// The Name Server is found with PYRO_NS_HOSTNAME and PYRO_NS_PORT.
package main

import (
	"context"
	"fmt"
	"log"
	"strings"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/ns"
)

func main() {
	ctx := context.Background()
	// PYRONAME URIs are resolved by the Name Server at PYRO_NS_HOSTNAME:
	// PYRO_NS_PORT when set, else found by broadcast, as in Pyro.
	core.SetDefaultResolver(ns.Resolver(ns.LocateOptions{}))
	test, err := core.NewProxy("PYRONAME://:test.simple")
	if err != nil {
		log.Fatal(err)
	}
	defer test.Close()

	// Each call returns the decoded Python value: int64, float64, str...
	for _, c := range []struct {
		method string
		a, b   any
	}{
		{"mul", 111, 9},
		{"add", 100, 222},
		{"sub", 222, 100},
		{"div", 2.0, 9.0},
		{"mul", ".", 10},
		{"add", "String1", "String2"},
	} {
		res, err := test.Call(ctx, c.method, c.a, c.b)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(compat.Str(res))
	}

	fmt.Println("*** invoking server method that crashes ***")
	if _, err := test.Call(ctx, "error"); err != nil {
		fmt.Println(strings.Join(compat.PyroTraceback(err), "")) // Python's print adds a newline to the text
	}
}
