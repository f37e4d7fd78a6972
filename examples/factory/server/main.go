// Command server is the Go counterpart of Pyro's "factory" example server:
// a car factory registered as ":test.factory" whose create(brand) makes a
// new car object on the server and hands the client a proxy for it, not
// the object. Each car reports the server's process ID, showing where it
// lives.
//
// The Name Server is found with PYRO_NS_HOSTNAME and PYRO_NS_PORT.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/examples/internal/example"
	"github.com/gopyro/gopyro/ns"
)

// Car is a product of the factory.
type Car struct{ model string }

// Name returns the car's model.
func (c *Car) Name() string { return c.model }

// Pid returns the process ID of the server the car lives in.
func (c *Car) Pid() int { return os.Getpid() }

// CarFactory makes cars.
type CarFactory struct{ daemon *core.Daemon }

// Pid returns the server's process ID.
func (f *CarFactory) Pid() int { return os.Getpid() }

// Create makes a car of the given brand and returns a proxy for it: the
// car is connected to the daemon as a transient object (no name).
func (f *CarFactory) Create(brand string) (*core.Proxy, error) {
	models := map[string]string{
		"Ford":  "Ford Mustang",
		"Honda": "Honda S2000",
		"Opel":  "Opel Astra coupe",
	}
	model, ok := models[brand]
	if !ok {
		return nil, compat.ValueError("unknown brand")
	}
	return f.daemon.ProxyFor(&Car{model: model})
}

func main() {
	ctx := context.Background()
	fmt.Println("Server PID=", os.Getpid())
	nameServer := example.NameServer(ctx, ns.LocateOptions{}, ":test")
	d := example.Daemon(core.DaemonOptions{Registrar: nameServer, UnregisterOnShutdown: true})
	example.ConnectFresh(ctx, nameServer, d, &CarFactory{daemon: d}, ":test.factory")
	example.Serve(ctx, d, `Server object "factory" ready.`)
}
