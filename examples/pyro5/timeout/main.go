// Command timeout is the Go port of the server of Pyro 5's timeout example
// (examples/timeout/server.py): two daemons, each with an object whose
// delay method sleeps, registered as example.timeout and
// example.timeout.frozendaemon; only the first daemon serves, the second
// listens without ever answering, so the client's proxy timeouts (Pyro 5's
// _pyroTimeout and COMMTIMEOUT) expire on a call and on a connect.
package main

import (
	"fmt"
	"time"

	"github.com/gopyro/gopyro/examples/pyro5/internal/serve"
)

// TimeoutServer sleeps.
type TimeoutServer struct{}

// Delay sleeps amount seconds.
func (TimeoutServer) Delay(amount int) string {
	fmt.Printf("sleeping %d\n", amount)
	time.Sleep(time.Duration(amount) * time.Second)
	fmt.Println("done.")
	return fmt.Sprintf("slept %d seconds", amount)
}

func main() {
	ctx, stop := serve.Context()
	defer stop()
	ns := serve.NameServer()
	defer ns.Close()
	daemon := serve.Daemon(serve.Options{})
	// The frozen daemon listens on any free port, as Python's second
	// Daemon() does.
	daemon2 := serve.Daemon(serve.Options{Port: -1})
	defer daemon2.Shutdown(ctx)
	uri := serve.Connect(ctx, daemon, TimeoutServer{}, serve.NewID())
	uri2 := serve.Connect(ctx, daemon2, TimeoutServer{}, serve.NewID())
	serve.Register(ctx, ns, "example.timeout", uri.String())
	serve.Register(ctx, ns, "example.timeout.frozendaemon", uri2.String())
	// Only the first daemon is served.
	serve.Run(ctx, daemon, "Server ready.")
}
