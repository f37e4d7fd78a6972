// Command server is the Go counterpart of Pyro's "autoreconnect" example
// servers. The object keeps its URI across server restarts, so a client
// whose connection broke can rebind to the restarted server (Pyro's
// adapter.rebindURI) and carry on:
//
//   - by default (server.py) it is registered as ":test.autoreconnect" with
//     ConnectPersistent, which reuses the GUID the Name Server still holds;
//   - with -nons (server_no_ns.py) it uses no Name Server and a fixed GUID,
//     for clients that use PYROLOC://host/:test.autoreconnect.
//
// Either way the daemon must listen on the same port each time: PYRO_PORT
// (7766 by default). The Name Server is found with PYRO_NS_HOSTNAME and
// PYRO_NS_PORT.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"time"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/config"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/ns"
)

const (
	name      = ":test.autoreconnect"
	fixedGUID = "a9fe57de0a3862c9b31b925b97a98d8a" // any GUID, as long as it stays the same
)

// TestObject is the object clients keep calling.
type TestObject struct{}

// Method takes a second.
func (TestObject) Method(arg any) {
	fmt.Println("Method called with", compat.Repr(arg))
	fmt.Println("You can now try to stop this server with ctrl-C")
	time.Sleep(time.Second)
}

func main() {
	noNS := flag.Bool("nons", false, "use no name server: connect the object with a fixed GUID")
	flag.Parse()
	ctx := context.Background()

	cfg := config.Current()
	// NoRange: the port must not change between restarts.
	opts := core.DaemonOptions{Port: cfg.Port, NoRange: true}
	if *noNS {
		d, err := core.NewDaemon(opts)
		if err != nil {
			log.Fatal(err)
		}
		if _, err := d.ConnectWithGUID(ctx, TestObject{}, fixedGUID, name); err != nil {
			log.Fatal(err)
		}
		fmt.Println("Fixed object guid =", fixedGUID)
		serve(ctx, d)
		return
	}

	fmt.Println("Searching Naming Service...")
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
	opts.Registrar = nameServer
	d, err := core.NewDaemon(opts)
	if err != nil {
		log.Fatal(err)
	}
	// Reuses the GUID registered by an earlier run on this host and port.
	if _, err := d.ConnectPersistent(ctx, TestObject{}, name); err != nil {
		log.Fatal(err)
	}
	serve(ctx, d)
}

func serve(ctx context.Context, d *core.Daemon) {
	fmt.Println("Server started.")
	if err := d.Run(ctx); err != nil {
		log.Fatal(err)
	}
}
