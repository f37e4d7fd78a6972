// Package example holds what the example servers do alike, so that each
// example's main keeps only what its Python original does differently: find
// the Name Server as Pyro's NameServerLocator does and make sure the
// example's group exists, connect the objects (dropping registrations an
// earlier run left behind), print the line the Python server prints when it
// is ready and serve.
//
// Like the Python examples, which die with a traceback, the functions end
// the program (log.Fatal) when a step fails.
package example

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/ns"
)

// NameServer finds the Name Server as Pyro's NameServerLocator does: at
// PYRO_NS_HOSTNAME:PYRO_NS_PORT when set, else by broadcast. Unless group is
// "", it makes sure the group exists; a NamingError means that it does
// already.
func NameServer(ctx context.Context, opts ns.LocateOptions, group string) *ns.Client {
	nameServer, err := ns.Locate(ctx, opts)
	if err != nil {
		log.Fatalf("name server: %v", err)
	}
	if group == "" {
		return nameServer
	}
	if err := nameServer.CreateGroup(ctx, group); err != nil && !errors.As(err, new(*compat.NamingError)) {
		log.Fatalf("name server: %v", err)
	}
	return nameServer
}

// Daemon makes the example's daemon.
func Daemon(opts core.DaemonOptions) *core.Daemon {
	d, err := core.NewDaemon(opts)
	if err != nil {
		log.Fatal(err)
	}
	return d
}

// Connect connects obj to d under name and registers it in d's Name Server.
func Connect(d *core.Daemon, obj any, name string) {
	if _, err := d.Connect(obj, name); err != nil {
		log.Fatal(err)
	}
}

// ConnectFresh is Connect after removing name from the Name Server, where
// an earlier run that did not shut down may have left it (registering a
// name that exists is a NamingError, and so is removing one that does not).
func ConnectFresh(ctx context.Context, nameServer *ns.Client, d *core.Daemon, obj any, name string) {
	_ = nameServer.Unregister(ctx, name)
	Connect(d, obj, name)
}

// Serve prints ready, the lines the Python server prints once its objects
// are connected (the interop tests wait for them), and serves until d shuts
// down.
func Serve(ctx context.Context, d *core.Daemon, ready ...string) {
	for _, line := range ready {
		fmt.Println(line)
	}
	if err := d.Run(ctx); err != nil {
		log.Fatal(err)
	}
}
