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
	"os"
	"os/signal"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/config"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/pickle"
)

// RemoteObject is the shared object.
type RemoteObject struct{}

// Method ignores its argument and returns a fixed text.
func (RemoteObject) Method(arg string) string { return " ~~this is the remote result~~ " }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	cfg := config.Current()
	ns := core.NewNSRegistrar(cfg.NSHostname, cfg.NSPort)
	d, err := core.NewDaemon(core.DaemonOptions{Registrar: ns})
	if err != nil {
		log.Fatal(err)
	}
	var nerr *compat.NamingError
	if _, err := ns.Proxy().CallFlags0(ctx, "createGroup", pickle.ByteString(":test")); err != nil && !errors.As(err, &nerr) {
		log.Fatalf("name server: %v", err)
	}
	if _, err := d.Connect(RemoteObject{}, ":test.proxysharing"); err != nil {
		log.Fatal(err)
	}
	fmt.Println("Server is ready.")
	if err := d.Serve(ctx); err != nil && !errors.Is(err, context.Canceled) {
		log.Fatal(err)
	}
}
