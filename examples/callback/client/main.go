// Command client is the Go counterpart of bounce_client.py from Pyro's
// "callback" example: it is a client and a server at once. It serves its
// own bouncer with a daemon running in a goroutine, and asks the bouncer
// ":test.bouncer" (bounce_server.py, or ../server) to start bouncing a
// message with it; every bounce is a callback into this process.
//
// The Name Server is found with PYRO_NS_HOSTNAME and PYRO_NS_PORT.
package main

import (
	"context"
	"fmt"
	"log"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/examples/callback/bouncer"
	"github.com/gopyro/gopyro/ns"
	"github.com/gopyro/gopyro/pickle"
)

func main() {
	ctx := context.Background()

	// The daemon that receives the callbacks (listening as PYRO_HOST /
	// PYRO_PORT say, on the next free port of the range).
	d, err := core.NewDaemon(core.DaemonOptions{})
	if err != nil {
		log.Fatal(err)
	}
	bounceObj := bouncer.New("Client", d)
	self, err := d.ProxyFor(bounceObj) // connects it as a transient object
	if err != nil {
		log.Fatal(err)
	}

	// The Name Server is at PYRO_NS_HOSTNAME:PYRO_NS_PORT when set, else
	// found by broadcast.
	nameServer, err := ns.Locate(ctx, ns.LocateOptions{})
	if err != nil {
		log.Fatal(err)
	}
	uri, err := nameServer.Resolve(ctx, ":test.bouncer")
	if err != nil {
		log.Fatal(err)
	}
	server, err := core.NewProxy(uri)
	if err != nil {
		log.Fatal(err)
	}
	defer server.Close()

	served := make(chan error, 1)
	go func() {
		fmt.Println("Pyro daemon loop thread is running.")
		served <- d.Serve(ctx)
	}()

	fmt.Println("Calling server from main (a single call)...")
	result, err := server.Call(ctx, "process", []any{pickle.ByteString("hello")}, self)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("Result=", compat.Repr(result))

	if err := d.Shutdown(ctx); err != nil {
		log.Fatal(err)
	}
	<-served
	fmt.Println("Pyro daemon loop thread is exiting.")
	fmt.Println("Exiting.")
}
