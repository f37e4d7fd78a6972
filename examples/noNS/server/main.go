// Command server is the Go counterpart of Pyro's "noNS" example server: it
// uses no Name Server. The object is connected under the name
// "QuoteGenerator", which clients reach with a PYROLOC:// URI naming the
// daemon's host and port (PYRO_HOST / PYRO_PORT).
package main

import (
	"context"
	"fmt"
	"log"
	"os/exec"

	"github.com/gopyro/gopyro/core"
)

// QuoteGen hands out quotes from the fortune program.
type QuoteGen struct{}

// Quote returns a fortune, or an apology when fortune is not installed.
func (QuoteGen) Quote() string {
	out, err := exec.Command("fortune").Output()
	if err != nil || len(out) == 0 {
		return "This system cannot provide you a good fortune, install it"
	}
	return string(out)
}

func main() {
	ctx := context.Background()

	d, err := core.NewDaemon(core.DaemonOptions{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println()
	fmt.Printf("The Pyro Deamon is running on  %s:%d\n", d.Host(), d.Port())
	fmt.Println("(you may need this info for the client to connect to)")
	fmt.Println()

	const objectName = "QuoteGenerator"
	uri, err := d.Connect(QuoteGen{}, objectName)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("QuoteGen is ready for customers. I am not using the Name Server.")
	fmt.Println("Object name is:", objectName)
	fmt.Println("The URI is: ", uri)
	if err := d.Run(ctx); err != nil {
		log.Fatal(err)
	}
}
