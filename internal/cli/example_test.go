package cli_test

import (
	"fmt"
	"os"

	"github.com/gopyro/gopyro/internal/cli"
)

// The start of a gopyro program's main: the configuration is checked (and
// printed for --print-config) before the program's own flags are parsed.
func ExampleStart() {
	cfg, args, status, ok := cli.Start("pyro-example", []string{"-v"}, os.Stdout, os.Stderr)
	if !ok {
		os.Exit(status)
	}
	fmt.Println(args, cfg.NSPort > 0)
	// Output: [-v] true
}
