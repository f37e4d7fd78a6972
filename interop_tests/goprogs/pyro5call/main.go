// Command pyro5call is a Go client of a Pyro 5 daemon for the interop suite
// (interop_tests/test_pyro5_core.py): a core.Proxy calls the object at the
// PYRO:id@host:port URI given (interop_tests/py5/values_server.py's
// methods) and prints one line per call, "name -> value" or
// "name !! module.Class: message".
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/core"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: pyro5call PYRO:id@host:port")
		os.Exit(2)
	}
	p, err := core.NewProxy(os.Args[1], core.WithTimeout(10*time.Second))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer p.Close()
	ctx := context.Background()
	step := func(name string, method string, args ...any) {
		v, err := p.Call(ctx, method, args...)
		var ex *compat.Exception
		switch {
		case errors.As(err, &ex):
			fmt.Printf("%s !! %s.%s: %s (remote traceback: %t)\n", name, ex.Class.Module, ex.Class.Name, ex.Message(), len(ex.Traceback) > 0)
		case err != nil:
			fmt.Printf("%s !! %v\n", name, err)
		default:
			fmt.Printf("%s -> %s\n", name, compat.Repr(v))
		}
	}
	step("add", "add", 20, 22)
	step("concat", "concat", "grüß ", "€")
	step("echo_list", "echo", []any{1, "two", 3.5, nil, true})
	step("echo_map", "echo", map[string]any{"a": int64(1)})
	step("pair", "pair", 21)
	step("fail", "fail", "bad value")
	step("missing", "nosuch")
	step("after", "add", 1, 2)
}
