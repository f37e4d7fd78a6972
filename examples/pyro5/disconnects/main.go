// Command disconnects is the Go port of the server of Pyro 5's disconnects
// example (examples/disconnects/server.py): an echo object, served without
// a name server as example.disconnect, on a daemon that closes a
// connection idle for 5 seconds (Python's COMMTIMEOUT = 5.0), so that the
// example's client has to notice the loss and reconnect.
package main

import (
	"fmt"
	"time"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/examples/pyro5/internal/serve"
)

// TestDisconnect echoes.
type TestDisconnect struct{}

// Echo returns its argument.
func (TestDisconnect) Echo(arg any) any {
	fmt.Println("echo: ", compat.Str(arg))
	return arg
}

func main() {
	ctx, stop := serve.Context()
	defer stop()
	d := serve.Daemon(serve.Options{Daemon: func(o *core.DaemonOptions) { o.IdleTimeout = 5 * time.Second }})
	serve.Serve(ctx, d, false, serve.Object{Value: TestDisconnect{}, Name: "example.disconnect"})
}
