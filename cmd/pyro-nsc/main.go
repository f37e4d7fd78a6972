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
//
// A gopyro addition for scripts: -json (or --json) among the options makes
// the listing commands print one JSON document instead of Pyro's text, and
// nothing else (no "NS is at" line):
//
//	list [group...]   [{"group": ":Default", "entries": [{"name": "x", "type": "name"|"group"}],
//	                    "error": "..." (when the group cannot be listed)}, ...]
//	listall           [{"name": ":Default.x", "uri": "PYRO://..."}, ...] sorted by name
//	--pyro5 list, listmatching, yplookup_all, yplookup_any
//	                  [{"name": "x", "uri": "PYRO:...", "metadata": ["tag", ...]}, ...]
//
// Other commands and errors print as without -json; the exit status is 1
// after an error. The usage text stays Pyro's.
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
