// Command server is the Go counterpart of Pyro's "maxclients" example
// server: the daemon serves at most 10 connections at once and denies more
// (the Python client then drops an old proxy and tries again). All proxies
// talk to the one object ":test.maxclients".
//
// The Name Server is found with PYRO_NS_HOSTNAME and PYRO_NS_PORT.
package main

import (
	"context"
	"fmt"
	"sync"

	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/examples/internal/example"
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
	nameServer := example.NameServer(ctx, ns.LocateOptions{}, ":test")
	d := example.Daemon(core.DaemonOptions{
		Registrar:            nameServer,
		UnregisterOnShutdown: true,
		MaxConnections:       10,
	})
	example.ConnectFresh(ctx, nameServer, d, &Named{}, ":test.maxclients")
	example.Serve(ctx, d, `Server object "maxclients" ready.`)
}
