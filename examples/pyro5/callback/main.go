// Command callback is the Go port of the server of Pyro 5's callback
// example (examples/callback/server.py), registered as example.callback:
// addworker takes the client's callback object (a Pyro 5 proxy passed as
// an argument) and returns a new worker object by reference (a proxy); the
// client calls the worker's oneway work method, and the worker, when done,
// disconnects itself and calls the client back. The port of server2.py is
// in callback/server2.
package main

import (
	"context"
	"fmt"
	"log"
	"sync"
	"time"

	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/examples/pyro5/internal/serve"
)

// Worker does one job and reports it to its callback.
type Worker struct {
	number   int
	callback *core.Proxy
	daemon   *core.Daemon
}

// PyroOneway declares work oneway.
func (w *Worker) PyroOneway() []string { return []string{"work"} }

// Work works amount seconds, then calls the callback's done method.
func (w *Worker) Work(ctx context.Context, amount int) error {
	fmt.Printf("Worker %d busy...\n", w.number)
	time.Sleep(time.Duration(amount) * time.Second)
	fmt.Printf("Worker %d done. Informing callback client.\n", w.number)
	if err := w.daemon.DisconnectContext(ctx, w); err != nil {
		log.Print(err)
	}
	defer w.callback.Close()
	_, err := w.callback.Call(ctx, "done", w.number)
	return err
}

// CallbackServer makes workers.
type CallbackServer struct {
	daemon *core.Daemon
	mu     sync.Mutex
	number int
}

// Addworker makes a worker that reports to callback, returned as a proxy.
func (s *CallbackServer) Addworker(ctx context.Context, callback any) (serve.Proxy5, error) {
	cb, err := serve.FromProxy(callback)
	if err != nil {
		return serve.Proxy5{}, err
	}
	s.mu.Lock()
	s.number++
	n := s.number
	s.mu.Unlock()
	fmt.Printf("server: adding worker %d\n", n)
	w := &Worker{number: n, callback: cb, daemon: s.daemon}
	fmt.Printf("Worker %d created\n", n)
	return serve.ProxyFor(ctx, s.daemon, w), nil
}

func main() {
	ctx, stop := serve.Context()
	defer stop()
	d := serve.Daemon(serve.Options{})
	serve.Serve(ctx, d, true, serve.Object{Value: &CallbackServer{daemon: d}, Name: "example.callback"})
}
