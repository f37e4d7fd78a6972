// Command warehouse is the Go port of the server of Pyro 5's warehouse
// example (examples/warehouse, phase2 and phase3 warehouse.py): one
// warehouse object, shared by every client, whose contents visitors list,
// store things in and take things from. Without -ns it serves the object
// as PYRO:example.warehouse@host:port (phase2, whose visit.py asks for
// that URI); with -ns it registers it as example.warehouse with the name
// server (phase3).
package main

import (
	"flag"
	"fmt"
	"slices"
	"sync"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/examples/pyro5/internal/serve"
)

// Warehouse holds things. Python's example serves it with instance_mode
// "single": one object for all clients, as a connected Go value is.
type Warehouse struct {
	mu       sync.Mutex
	contents []string
}

// ListContents returns what the warehouse holds.
func (w *Warehouse) ListContents() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.contents)
}

// Take removes item; like Python's list.remove, a ValueError if there is
// no such item.
func (w *Warehouse) Take(name, item string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	i := slices.Index(w.contents, item)
	if i < 0 {
		return compat.ValueError("list.remove(x): x not in list")
	}
	w.contents = slices.Delete(w.contents, i, i+1)
	fmt.Printf("%s took the %s.\n", name, item)
	return nil
}

// Store adds item.
func (w *Warehouse) Store(name, item string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.contents = append(w.contents, item)
	fmt.Printf("%s stored the %s.\n", name, item)
}

func main() {
	useNS := flag.Bool("ns", false, "register with the name server (phase3)")
	flag.Parse()
	ctx, stop := serve.Context()
	defer stop()
	w := &Warehouse{contents: []string{"chair", "bike", "flashlight", "laptop", "couch"}}
	serve.Serve(ctx, serve.Daemon(serve.Options{}), *useNS, serve.Object{Value: w, Name: "example.warehouse"})
}
