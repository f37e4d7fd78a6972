// Command server is the Go counterpart of Pyro's "authenticate" example
// server: the daemon accepts only clients that identify with "s3cr3t", and
// it identifies itself with the same passphrase to the Name Server (started
// with "-i s3cr3t") to register ":test.authentication".
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

const passphrase = "s3cr3t"

// TestObject is the protected object.
type TestObject struct{}

// Method returns a fixed result.
func (TestObject) Method(arg string) string {
	fmt.Println("Method called with", arg)
	return "An interesting result"
}

func main() {
	ctx := context.Background()

	fmt.Println("Searching Naming Service...")
	// Find the Name Server as Pyro's NameServerLocator does: at
	// PYRO_NS_HOSTNAME:PYRO_NS_PORT when set, else by broadcast.
	nameServer, err := ns.Locate(ctx, ns.LocateOptions{Identification: passphrase})
	if err != nil {
		log.Fatalf("name server: %v", err)
	}
	// A NamingError means that the group exists already.
	if err := nameServer.CreateGroup(ctx, ":test"); err != nil && !errors.As(err, new(*compat.NamingError)) {
		log.Fatalf("name server: %v", err)
	}

	d, err := core.NewDaemon(core.DaemonOptions{
		Registrar:       nameServer,
		Identifications: []string{passphrase}, // refuse clients without it
	})
	if err != nil {
		log.Fatal(err)
	}
	// Persistent: a restarted server keeps the URI registered before.
	if _, err := d.ConnectPersistent(ctx, TestObject{}, ":test.authentication"); err != nil {
		log.Fatal(err)
	}
	fmt.Println("Server started.")
	if err := d.Run(ctx); err != nil {
		log.Fatal(err)
	}
}
