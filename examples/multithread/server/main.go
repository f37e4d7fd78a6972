// Command server is the Go counterpart of Pyro's "multithread" example
// server: ":test.multithread" has a process(name, period) method that takes
// period seconds, either sleeping (I/O bound) or computing (CPU bound). Like
// the Python server it asks on standard input whether to serve calls
// concurrently and which kind of work to do, and it keeps a per-connection
// call counter (Pyro's thread-local storage, here core.Caller values).
//
// The Go daemon always serves each connection in its own goroutine; the
// single-threaded mode is emulated by a lock that lets one call run at a
// time.
//
// The Name Server is found with PYRO_NS_HOSTNAME and PYRO_NS_PORT.
package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/examples/internal/example"
	"github.com/gopyro/gopyro/ns"
)

// counterKey is the key of the per-connection call counter.
type counterKey struct{}

// Worker is the remote object.
type Worker struct {
	cpuBound bool
	serial   *sync.Mutex // non-nil: one call at a time
}

// Process works for period seconds on behalf of the client thread name.
// The I/O-bound worker answers "READY!", the CPU-bound one None, as in the
// Python example.
func (w *Worker) Process(ctx context.Context, name string, period float64) any {
	if w.serial != nil {
		w.serial.Lock()
		defer w.serial.Unlock()
	}
	fmt.Println("called by", name)
	if caller, ok := core.CallerFromContext(ctx); ok {
		counter := caller.Value(counterKey{}).(*int)
		*counter++ // calls on one connection run one after the other
		fmt.Println("connection counter=", *counter)
	}
	d := time.Duration(period * float64(time.Second))
	if !w.cpuBound {
		time.Sleep(d)
		return "READY!"
	}
	begin := time.Now()
	sum := sha256.Sum256(nil)
	for time.Since(begin) < d {
		sum = sha256.Sum256(sum[:])
	}
	fmt.Println("ready in", time.Since(begin).Seconds(), "sec ", name)
	return nil
}

func main() {
	ctx := context.Background()

	in := bufio.NewReader(os.Stdin)
	ask := func(prompt string) string {
		fmt.Print(prompt)
		answer, _ := in.ReadString('\n')
		return strings.TrimSpace(answer)
	}
	w := &Worker{}
	if ask("multithreaded? y/n: ") == "y" {
		fmt.Println("Using multithreaded server.")
	} else {
		w.serial = new(sync.Mutex)
		fmt.Println("Using singlethreaded server.")
	}
	if ask("IO bound or CPU bound? io/cpu: ") == "io" {
		fmt.Println("Using IO bound server.")
	} else {
		w.cpuBound = true
		fmt.Println("Using CPU bound server.")
	}

	nameServer := example.NameServer(ctx, ns.LocateOptions{}, ":test")
	d := example.Daemon(core.DaemonOptions{
		Registrar:            nameServer,
		UnregisterOnShutdown: true,
		// Every connection starts with its own call counter (Pyro's
		// setInitTLS).
		InitConn: func(c *core.Caller) {
			fmt.Println("New connection: setting its counter to 0.")
			c.SetValue(counterKey{}, new(int))
		},
	})
	example.ConnectFresh(ctx, nameServer, d, w, ":test.multithread")
	example.Serve(ctx, d, "Server started")
}
