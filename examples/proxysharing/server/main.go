// Command server is the Go counterpart of Pyro's "proxysharing" example
// server: one object, ":test.proxysharing", that the example's Python
// client hammers from 20 threads through one shared proxy. The daemon
// serves every connection in its own goroutine; calls on one connection
// run in order, as in Pyro.
//
// The Name Server is found with PYRO_NS_HOSTNAME and PYRO_NS_PORT.
package main

import (
	"context"

	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/examples/internal/example"
	"github.com/gopyro/gopyro/ns"
)

// RemoteObject is the shared object.
type RemoteObject struct{}

// Method ignores its argument and returns a fixed text.
func (RemoteObject) Method(arg string) string { return " ~~this is the remote result~~ " }

func main() {
	ctx := context.Background()
	nameServer := example.NameServer(ctx, ns.LocateOptions{}, ":test")
	d := example.Daemon(core.DaemonOptions{Registrar: nameServer})
	example.Connect(d, RemoteObject{}, ":test.proxysharing")
	example.Serve(ctx, d, "Server is ready.")
}
