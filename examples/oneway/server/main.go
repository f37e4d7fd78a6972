// Command server is the Go counterpart of Pyro's "oneway" example server:
// an object registered as "oneway" (in the default Name Server group) whose
// start() works for ten seconds. The Python client calls start() oneway and
// then polls ready(): oneway calls run concurrently with the calls that
// follow them on the same connection, as with PYRO_ONEWAY_THREADED.
//
// The Name Server is found with PYRO_NS_HOSTNAME and PYRO_NS_PORT.
package main

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/examples/internal/example"
	"github.com/gopyro/gopyro/ns"
)

// Worker does a long job in the background.
type Worker struct{ busy atomic.Bool }

// Start does ten seconds of work.
func (w *Worker) Start() {
	fmt.Println("start request received. Starting work...")
	w.busy.Store(true)
	for i := 10; i > 0; i-- {
		time.Sleep(time.Second)
		fmt.Println(i)
	}
	fmt.Println("work is done!")
	w.busy.Store(false)
}

// Ready reports whether the work is done.
func (w *Worker) Ready() bool {
	ready := !w.busy.Load()
	fmt.Printf("ready status requested (%v)\n", pyBool(ready))
	return ready
}

// Result returns the result of the work.
func (w *Worker) Result() string { return "The result :)" }

func pyBool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

func main() {
	ctx := context.Background()
	nameServer := example.NameServer(ctx, ns.LocateOptions{}, "")
	d := example.Daemon(core.DaemonOptions{Registrar: nameServer})
	// A name without a group goes into PYRO_NS_DEFAULTGROUP (":Default").
	example.Connect(d, &Worker{}, "oneway")
	example.Serve(ctx, d, "Server is ready.")
}
