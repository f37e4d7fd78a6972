// Command server2 is the Go port of Pyro 5's examples/oneway/server2.py,
// registered as example.oneway2: one counter object for all clients
// (instance_mode "single"), incremented by a normal method and by a oneway
// one (increment_oneway), which goes on in the server after the client's
// proxy has returned.
package main

import (
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/gopyro/gopyro/examples/pyro5/internal/serve"
)

// Server counts.
type Server struct {
	mu      sync.Mutex
	counter int
}

// PyroOneway declares increment_oneway oneway.
func (s *Server) PyroOneway() []string { return []string{"increment_oneway"} }

// IncrementOneway increments the counter after half a second, called
// oneway.
func (s *Server) IncrementOneway() {
	// Python prints its thread's id; a Go method has no thread of its own.
	fmt.Println("oneway call executing in process", os.Getpid())
	s.Increment()
}

// Increment increments the counter after half a second.
func (s *Server) Increment() {
	time.Sleep(500 * time.Millisecond)
	s.mu.Lock()
	s.counter++
	s.mu.Unlock()
}

// Getcount returns the counter.
func (s *Server) Getcount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counter
}

func main() {
	ctx, stop := serve.Context()
	defer stop()
	fmt.Println("main process:", os.Getpid())
	serve.Serve(ctx, serve.Daemon(serve.Options{}), true, serve.Object{Value: &Server{}, Name: "example.oneway2"})
}
