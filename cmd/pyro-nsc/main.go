// Command pyro-nsc controls a Pyro Name Server, a drop-in replacement for
// Pyro 3.16's pyro-nsc with the same commands, options and output:
//
//	pyro-nsc [-h host] [-p port] [-c bcaddr] [-i identification] command [args...]
//
// Commands: ping, list, listall, resolve, register, remove, creategroup,
// deletegroup, showmeta, setmeta, resync, shutdown.
//
// With --pyro5 it talks Pyro 5 to a Pyro 5 name server (pyro-ns, or Pyro5's
// python -m Pyro5.nameserver), with the commands and output of Pyro5's
// python -m Pyro5.nsc:
//
//	pyro-nsc --pyro5 [-h host] [-p port] [-c bcaddr] command [args...]
//
// Commands: ping, list, listmatching, lookup, register, remove,
// removematching, setmeta, yplookup_all, yplookup_any.
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
