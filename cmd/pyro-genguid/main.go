// Command pyro-genguid prints a new Pyro object id (GUID), in the format
// Pyro 3.16 generates, like Pyro's pyro-genguid script.
//
// Usage:
//
//	pyro-genguid
//	pyro-genguid --print-config
//
// It takes no arguments. Given any, it prints a usage text and exits with
// status 0, as Pyro's script does. As in Pyro, a lone "-" (end of options)
// counts as no argument. --print-config prints the active Pyro
// configuration instead (GUIDs do not depend on it); an invalid
// configuration is reported, naming the file, line and item, with status
// 1.
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/internal/cli"
)

func main() {
	_, args, status, ok := cli.Start("pyro-genguid", os.Args[1:], os.Stdout, os.Stderr)
	if !ok {
		os.Exit(status)
	}
	os.Exit(run(args, os.Stdout))
}

// run does the work of main after the configuration checks and returns the
// exit status.
func run(args []string, stdout io.Writer) int {
	if len(args) > 0 && !(len(args) == 1 && args[0] == "-") {
		fmt.Fprintln(stdout, "Usage: pyro-genguid  (no arguments)")
		fmt.Fprintln(stdout, "Prints a new Pyro object id (GUID).")
		return 0
	}
	if _, err := fmt.Fprintln(stdout, compat.NewGUID()); err != nil {
		fmt.Fprintln(os.Stderr, "pyro-genguid:", err)
		return 1
	}
	return 0
}
