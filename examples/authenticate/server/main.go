// Command server is the Go counterpart of Pyro's "authenticate" example
// server: the daemon accepts only clients that identify with "s3cr3t", and
// it identifies itself with the same passphrase to the Name Server (started
// with "-i s3cr3t") to register ":test.authentication".
//
// The Name Server is found with PYRO_NS_HOSTNAME and PYRO_NS_PORT.
package main

import (
	"context"
	"fmt"
	"log"

	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/examples/internal/example"
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
	nameServer := example.NameServer(ctx, ns.LocateOptions{Identification: passphrase}, ":test")
	d := example.Daemon(core.DaemonOptions{
		Registrar:       nameServer,
		Identifications: []string{passphrase}, // refuse clients without it
	})
	// Persistent: a restarted server keeps the URI registered before.
	if _, err := d.ConnectPersistent(ctx, TestObject{}, ":test.authentication"); err != nil {
		log.Fatal(err)
	}
	example.Serve(ctx, d, "Server started.")
}
