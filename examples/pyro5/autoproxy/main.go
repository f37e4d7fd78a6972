// Command autoproxy is the Go port of the server of Pyro 5's autoproxy
// example (examples/autoproxy, server.py and thingy.py): a factory, served
// without a name server as example.autoproxy, whose createSomething makes a
// Thingy, connects it to the daemon and returns it, which reaches the
// client as a proxy for it (Pyro 5's autoproxy: an object registered with
// the daemon is sent as a proxy, not a copy).
package main

import (
	"context"
	"fmt"

	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/examples/pyro5/internal/serve"
)

// Thingy is an object the factory makes.
type Thingy struct{ number int }

// Speak prints message on the server.
func (t *Thingy) Speak(message string) {
	fmt.Printf("Thingy %d says: %s\n", t.number, message)
}

// Factory makes Thingies.
type Factory struct{ d *core.Daemon }

// PyroNames keeps the Python example's camelCase method name.
func (*Factory) PyroNames() map[string]string {
	return map[string]string{"CreateSomething": "createSomething"}
}

// CreateSomething connects a new Thingy and returns a proxy for it.
func (f *Factory) CreateSomething(ctx context.Context, number int) serve.Proxy5 {
	return serve.ProxyFor(ctx, f.d, &Thingy{number: number})
}

func main() {
	ctx, stop := serve.Context()
	defer stop()
	d := serve.Daemon(serve.Options{})
	serve.Serve(ctx, d, false, serve.Object{Value: &Factory{d: d}, Name: "example.autoproxy"})
}
