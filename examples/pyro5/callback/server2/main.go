// Command server2 is the Go port of Pyro 5's examples/callback/server2.py,
// registered as example.callback2: its oneway doCallback calls the
// client's callback object twice; both callbacks fail in the client, and
// the server prints their remote tracebacks.
package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/examples/pyro5/internal/serve"
)

// CallbackServer calls back.
type CallbackServer struct{}

// PyroNames keeps Python's camelCase name.
func (CallbackServer) PyroNames() map[string]string {
	return map[string]string{"DoCallback": "doCallback"}
}

// PyroOneway declares doCallback oneway.
func (CallbackServer) PyroOneway() []string { return []string{"doCallback"} }

// DoCallback calls the callback's call1 and call2.
func (CallbackServer) DoCallback(ctx context.Context, callback any) error {
	cb, err := serve.FromProxy(callback)
	if err != nil {
		return err
	}
	defer cb.Close()
	for i, method := range []string{"call1", "call2"} {
		fmt.Printf("\n\nserver: doing callback %d to client\n", i+1)
		if _, err := cb.Call(ctx, method); err != nil {
			fmt.Println("got an exception from the callback:")
			fmt.Println(strings.Join(compat.PyroTraceback(err), ""))
		}
	}
	fmt.Println("server: callbacks done.")
	return nil
}

func main() {
	ctx, stop := serve.Context()
	defer stop()
	serve.Serve(ctx, serve.Daemon(serve.Options{}), true, serve.Object{Value: CallbackServer{}, Name: "example.callback2"})
}
