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

	startup "github.com/gopyro/gopyro/internal/cli"
	"github.com/gopyro/gopyro/ns/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	_, args, status, ok := startup.Start("pyro-nsc", os.Args[1:], os.Stdout, os.Stderr)
	if !ok {
		os.Exit(status)
	}
	os.Exit(cli.NSControlMain(ctx, args, os.Stdout))
}
