// Command pyro-nsc controls a Pyro Name Server, a drop-in replacement for
// Pyro 3.16's pyro-nsc with the same commands, options and output:
//
//	pyro-nsc [-h host] [-p port] [-c bcaddr] [-i identification] command [args...]
//
// Commands: ping, list, listall, resolve, register, remove, creategroup,
// deletegroup, showmeta, setmeta, resync, shutdown.
package main

import (
	"context"
	"os"
	"os/signal"

	"github.com/gopyro/gopyro/ns/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(cli.NSControlMain(ctx, os.Args[1:], os.Stdout))
}
