// Command oneway is the Go port of the server of Pyro 5's oneway example
// (examples/oneway/server.py), registered as example.oneway: oneway_start
// and oneway_work are oneway methods (core.OnewayMethods, Pyro 5's
// @oneway), which the client's proxy calls without waiting, while its
// normal calls (ready, result, nothing) are answered meanwhile. The port of
// server2.py is in oneway/server2.
package main

import (
	"fmt"
	"sync/atomic"
	"time"

	"github.com/gopyro/gopyro/examples/pyro5/internal/serve"
)

// Server does work in oneway calls.
type Server struct {
	busy atomic.Bool
}

// PyroOneway declares the oneway methods.
func (s *Server) PyroOneway() []string { return []string{"oneway_start", "oneway_work"} }

// OnewayStart works for duration seconds.
func (s *Server) OnewayStart(duration int) {
	fmt.Println("start request received. Starting work...")
	s.busy.Store(true)
	for i := range duration {
		time.Sleep(time.Second)
		fmt.Println(duration - i)
	}
	fmt.Println("work is done!")
	s.busy.Store(false)
}

// Ready says whether the work is done.
func (s *Server) Ready() bool {
	ready := !s.busy.Load()
	fmt.Printf("ready status requested (%s)\n", pyBool(ready))
	return ready
}

// Result is the work's result.
func (s *Server) Result() string { return "The result :)" }

// Nothing does nothing.
func (s *Server) Nothing() { fmt.Println("nothing got called, doing nothing") }

// OnewayWork works for 10 seconds.
func (s *Server) OnewayWork() {
	for i := range 10 {
		fmt.Println("work work..", i+1)
		time.Sleep(time.Second)
	}
	fmt.Println("work's done!")
}

func pyBool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

func main() {
	ctx, stop := serve.Context()
	defer stop()
	serve.Serve(ctx, serve.Daemon(serve.Options{}), true, serve.Object{Value: &Server{}, Name: "example.oneway"})
}
