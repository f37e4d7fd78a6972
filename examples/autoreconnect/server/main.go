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
	"flag"
	"fmt"
	"log"
	"time"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/config"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/examples/internal/example"
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

	// NoRange: the port must not change between restarts.
	opts := core.DaemonOptions{Port: config.Current().Port, NoRange: true}
	if *noNS {
		d := example.Daemon(opts)
		if _, err := d.ConnectWithGUID(ctx, TestObject{}, fixedGUID, name); err != nil {
			log.Fatal(err)
		}
		fmt.Println("Fixed object guid =", fixedGUID)
		example.Serve(ctx, d, "Server started.")
		return
	}

	fmt.Println("Searching Naming Service...")
	opts.Registrar = example.NameServer(ctx, ns.LocateOptions{}, ":test")
	d := example.Daemon(opts)
	// Reuses the GUID registered by an earlier run on this host and port.
	if _, err := d.ConnectPersistent(ctx, TestObject{}, name); err != nil {
		log.Fatal(err)
	}
	example.Serve(ctx, d, "Server started.")
}
