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
	"errors"
	"fmt"
	"log"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/ns"
)

// RemoteObject is the shared object.
type RemoteObject struct{}

// Method ignores its argument and returns a fixed text.
func (RemoteObject) Method(arg string) string { return " ~~this is the remote result~~ " }

func main() {
	ctx := context.Background()

	// Find the Name Server as Pyro's NameServerLocator does: at
	// PYRO_NS_HOSTNAME:PYRO_NS_PORT when set, else by broadcast.
	nameServer, err := ns.Locate(ctx, ns.LocateOptions{})
	if err != nil {
		log.Fatalf("name server: %v", err)
	}
	d, err := core.NewDaemon(core.DaemonOptions{Registrar: nameServer})
	if err != nil {
		log.Fatal(err)
	}
	// A NamingError means that the group exists already.
	if err := nameServer.CreateGroup(ctx, ":test"); err != nil && !errors.As(err, new(*compat.NamingError)) {
		log.Fatalf("name server: %v", err)
	}
	if _, err := d.Connect(RemoteObject{}, ":test.proxysharing"); err != nil {
		log.Fatal(err)
	}
	fmt.Println("Server is ready.")
	if err := d.Run(ctx); err != nil {
		log.Fatal(err)
	}
}
