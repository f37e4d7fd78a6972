// Package servetest runs a server (a core.Daemon, an es.Server, anything
// with Serve and Shutdown) for the length of one test, so that the tests of
// every package start and stop their servers the same way.
package servetest

import (
	"context"
	"testing"
	"time"
)

// Server is what Run runs.
type Server interface {
	Serve(ctx context.Context) error
	Shutdown(ctx context.Context) error
}

// ShutdownTimeout bounds the Shutdown at the end of a test.
const ShutdownTimeout = 10 * time.Second

// Run calls s.Serve in a goroutine; when the test ends it shuts s down
// (within ShutdownTimeout) and waits for Serve to return. An error from
// either fails the test.
func Run(tb testing.TB, s Server) {
	tb.Helper()
	served := make(chan error, 1)
	go func() { served <- s.Serve(context.Background()) }()
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil {
			tb.Errorf("Shutdown: %v", err)
		}
		if err := <-served; err != nil {
			tb.Errorf("Serve: %v", err)
		}
	})
}
