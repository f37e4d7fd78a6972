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
	"errors"
	"fmt"
	"log"
	"os"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/core"
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

	// Find the Name Server as Pyro's NameServerLocator does: at
	// PYRO_NS_HOSTNAME:PYRO_NS_PORT when set, else by broadcast.
	nameServer, err := ns.Locate(ctx, ns.LocateOptions{})
	if err != nil {
		log.Fatalf("name server: %v", err)
	}
	// A NamingError means that the group exists already.
	if err := nameServer.CreateGroup(ctx, ":test"); err != nil && !errors.As(err, new(*compat.NamingError)) {
		log.Fatalf("name server: %v", err)
	}
	_ = nameServer.Unregister(ctx, ":test.factory") // left over from an earlier run

	d, err := core.NewDaemon(core.DaemonOptions{Registrar: nameServer, UnregisterOnShutdown: true})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := d.Connect(&CarFactory{daemon: d}, ":test.factory"); err != nil {
		log.Fatal(err)
	}
	fmt.Println(`Server object "factory" ready.`)
	if err := d.Run(ctx); err != nil {
		log.Fatal(err)
	}
}
