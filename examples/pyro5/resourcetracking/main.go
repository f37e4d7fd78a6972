// Command resourcetracking is the Go port of the server of Pyro 5's
// resourcetracking example (examples/resourcetracking/server.py): a
// service, served without a name server as "service", that allocates named
// resources for its clients and tracks each for the client's connection
// (core.Caller.TrackResource, Pyro 5's current_context.track_resource), so
// that a client that goes away without freeing them has them closed; the
// daemon's ClientDisconnect hook prints what the connection still held.
package main

import (
	"context"
	"fmt"
	"net"
	"slices"
	"sync"

	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/examples/pyro5/internal/serve"
)

// Resource is a fictional resource that must be freed.
type Resource struct {
	name    string
	service *Service
}

// Close frees the resource; the daemon calls it for the resources still
// tracked when their client's connection ends.
func (r *Resource) Close() error {
	fmt.Println("Resource: closing", r.name)
	r.service.discard(r)
	return nil
}

// Service allocates resources; one instance serves every client.
type Service struct {
	mu        sync.Mutex
	resources []*Resource
}

func (s *Service) discard(r *Resource) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i := slices.Index(s.resources, r); i >= 0 {
		s.resources = slices.Delete(s.resources, i, i+1)
	}
}

// Allocate makes a resource for the calling client and tracks it for the
// client's connection.
func (s *Service) Allocate(ctx context.Context, name string) error {
	caller, _ := core.CallerFromContext(ctx)
	r := &Resource{name: name, service: s}
	s.mu.Lock()
	s.resources = append(s.resources, r)
	s.mu.Unlock()
	if err := caller.TrackResource(r); err != nil {
		return err
	}
	fmt.Println("service: allocated resource", name, " for client", sockAddr(caller.RemoteAddr))
	return nil
}

// Free closes the resources called name and stops tracking them.
func (s *Service) Free(ctx context.Context, name string) {
	caller, _ := core.CallerFromContext(ctx)
	s.mu.Lock()
	var freed []*Resource
	for _, r := range s.resources {
		if r.name == name {
			freed = append(freed, r)
		}
	}
	s.mu.Unlock()
	for _, r := range freed {
		r.Close()
		caller.UntrackResource(r)
	}
}

// List returns the names of the allocated resources.
func (s *Service) List() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	names := []string{}
	for _, r := range s.resources {
		names = append(names, r.name)
	}
	return names
}

// sockAddr is an address as Python prints a socket's: ('host', port).
func sockAddr(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	return fmt.Sprintf("('%s', %s)", host, port) // an IP address: nothing to escape
}

// clientDisconnect prints what the connection still holds, as the
// example's CustomDaemon.clientDisconnect.
func clientDisconnect(c *core.Caller) {
	names := []string{}
	for _, r := range c.TrackedResources() {
		if r, ok := r.(*Resource); ok {
			names = append(names, r.name)
		}
	}
	fmt.Println("client disconnects:", sockAddr(c.RemoteAddr))
	fmt.Println("    resources: ", serve.StrList(names))
}

func main() {
	ctx, stop := serve.Context()
	defer stop()
	d := serve.Daemon(serve.Options{Daemon: func(o *core.DaemonOptions) { o.ClientDisconnect = clientDisconnect }})
	serve.Serve(ctx, d, false, serve.Object{Value: &Service{}, Name: "service"})
}
