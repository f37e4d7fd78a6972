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

	startup "github.com/gopyro/gopyro/internal/cli"
	"github.com/gopyro/gopyro/ns/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	_, args, status, ok := startup.Start("pyro-ns", os.Args[1:], os.Stdout, os.Stderr)
	if !ok {
		os.Exit(status)
	}
	os.Exit(cli.NameServerMain(ctx, args, os.Stdout))
}
