// Command server is the Go counterpart of Pyro's "maxclients" example
// server: the daemon serves at most 10 connections at once and denies more
// (the Python client then drops an old proxy and tries again). All proxies
// talk to the one object ":test.maxclients".
//
// The Name Server is found with PYRO_NS_HOSTNAME and PYRO_NS_PORT.
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"sync"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/ns"
)

// Named remembers the last name it was given.
type Named struct {
	mu   sync.Mutex
	name any
}

// Setname stores name (any Python value).
func (n *Named) Setname(name any) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.name = name
}

// Getname returns the stored name.
func (n *Named) Getname() any {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.name
}

func main() {
	ctx := context.Background()
	fmt.Println("Reduced max number of simultaneous connections to 10")

	// Find the Name Server as Pyro's NameServerLocator does: at
	// PYRO_NS_HOSTNAME:PYRO_NS_PORT when set, else by broadcast.
	nameServer, err := ns.Locate(ctx, ns.LocateOptions{})
	if err != nil {
		log.Fatalf("name server: %v", err)
	}
	// A NamingError means that the group exists already.
	if err := nameServer.CreateGroup(ctx, ":test"); err != nil && !errors.As(err, new(*compat.NamingError)) {
		log.Fatalf("name server: %v", err)
	}
	_ = nameServer.Unregister(ctx, ":test.maxclients") // left over from an earlier run

	d, err := core.NewDaemon(core.DaemonOptions{
		Registrar:            nameServer,
		UnregisterOnShutdown: true,
		MaxConnections:       10,
	})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := d.Connect(&Named{}, ":test.maxclients"); err != nil {
		log.Fatal(err)
	}
	fmt.Println(`Server object "maxclients" ready.`)
	if err := d.Run(ctx); err != nil {
		log.Fatal(err)
	}
}
