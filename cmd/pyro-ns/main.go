// Command pyro-ns is the Pyro Name Server, a drop-in replacement for Pyro
// 3.16's pyro-ns with the same options (-h for the list), persistent
// embedded storage (-d), UDP discovery and paired mode.
//
//	pyro-ns -d        # start with a persistent name space in ./Pyro_NS_database
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/gopyro/gopyro/ns/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(cli.NameServerMain(ctx, os.Args[1:], os.Stdout))
}
