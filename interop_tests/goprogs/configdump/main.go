// Command configdump prints gopyro's configuration as config.Load sees it
// for the current directory and environment, for the interop suite to compare
// with `python -m Pyro.configuration`. Errors go to stderr with exit status 1.
package main

import (
	"fmt"
	"os"

	"github.com/gopyro/gopyro/config"
)

func main() {
	c, err := config.Load(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := c.Print(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
