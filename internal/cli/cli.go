// Package cli is the start-up shared by gopyro's command-line programs:
// checking the Pyro configuration (config.Current: PYRO_CONFIG_FILE or
// ./Pyro.conf, then the PYRO_* environment), printing it on request with
// --print-config, warning about items that have no effect in Go, and
// setting up Pyro's system and user logs (package pyrolog).
//
// A program's main starts with
//
//	cfg, args, status, ok := cli.Start("pyro-echo", os.Args[1:], os.Stdout, os.Stderr)
//	if !ok {
//		os.Exit(status)
//	}
//
// and parses args, from which --print-config has been removed, with its own
// flags. The flag is long so that it collides with none of the short flags
// the Pyro tools have.
package cli

import (
	"fmt"
	"io"
	"os"

	"github.com/gopyro/gopyro/config"
	"github.com/gopyro/gopyro/pyrolog"
)

// PrintConfigFlag is the argument that makes a program print its active
// configuration and exit with status 0. (Go's flag package would also take
// -print-config; Start accepts both.)
const PrintConfigFlag = "--print-config"

// Setup checks the process configuration of the program name and sets up
// logging from it: it returns config.CurrentErr() when loading failed (a
// *config.Error naming the file, line and item, or the environment
// variable), writes the configuration's warnings (items set that have no
// effect in gopyro) to standard error, and calls pyrolog.Setup.
func Setup(name string) (*config.Config, error) {
	return setup(name, os.Stderr, config.Current(), config.CurrentErr())
}

func setup(name string, stderr io.Writer, cfg *config.Config, cfgErr error) (*config.Config, error) {
	if cfgErr != nil {
		return nil, cfgErr
	}
	for _, w := range cfg.Warnings() {
		fmt.Fprintf(stderr, "%s: warning: %s\n", name, w)
	}
	if err := pyrolog.Setup(cfg); err != nil {
		// The program still works without its log.
		fmt.Fprintf(stderr, "%s: warning: logging disabled: %v\n", name, err)
	}
	return cfg, nil
}

// Start does what every gopyro program does first. It returns the
// configuration and args without PrintConfigFlag arguments (those after a
// "--" are left alone), with ok true. ok is false when the program should
// exit at once with status:
//
//   - 1 after writing "name: <error>" to stderr when the configuration
//     cannot be loaded (the error names the file, line and item);
//   - 0 after writing the active configuration to stdout (config.Print:
//     Pyro's NAME=VALUE list, what was set where, what has no effect) when
//     args hold PrintConfigFlag.
//
// Otherwise it has written the warnings and set up logging as Setup does.
func Start(name string, args []string, stdout, stderr io.Writer) (cfg *config.Config, rest []string, status int, ok bool) {
	return start(name, args, stdout, stderr, config.Current(), config.CurrentErr())
}

func start(name string, args []string, stdout, stderr io.Writer, cfg *config.Config, cfgErr error) (*config.Config, []string, int, bool) {
	rest, want := stripPrintConfig(args)
	if cfgErr != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, cfgErr)
		return nil, rest, 1, false
	}
	if want {
		if err := cfg.Print(stdout); err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", name, err)
			return cfg, rest, 1, false
		}
		return cfg, rest, 0, false
	}
	cfg, _ = setup(name, stderr, cfg, nil)
	return cfg, rest, 0, true
}

// stripPrintConfig removes --print-config and -print-config before a "--"
// from args and reports whether there was one.
func stripPrintConfig(args []string) ([]string, bool) {
	rest := make([]string, 0, len(args))
	found := false
	for i, a := range args {
		if a == "--" {
			rest = append(rest, args[i:]...)
			break
		}
		if a == PrintConfigFlag || a == PrintConfigFlag[1:] {
			found = true
			continue
		}
		rest = append(rest, a)
	}
	return rest, found
}
