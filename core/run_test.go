//go:build unix

package core_test

import (
	"context"
	"errors"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/gopyro/gopyro/core"
)

// TestRun stops a daemon with a signal to the test process or with its
// context; in each case the daemon is shut down and its names unregistered.
func TestRun(t *testing.T) {
	tests := []struct {
		name string
		stop func(cancel context.CancelFunc) error
		want error
	}{
		{"SIGINT", func(context.CancelFunc) error { return syscall.Kill(os.Getpid(), syscall.SIGINT) }, nil},
		{"SIGTERM", func(context.CancelFunc) error { return syscall.Kill(os.Getpid(), syscall.SIGTERM) }, nil},
		{"context", func(cancel context.CancelFunc) error { cancel(); return nil }, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &recorder{}
			d, err := core.NewDaemon(core.DaemonOptions{Host: "127.0.0.1", NoRange: true, Registrar: r, UnregisterOnShutdown: true})
			if err != nil {
				t.Fatal(err)
			}
			uri, err := d.Connect(&calc{}, "a")
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			ran := make(chan error, 1)
			go func() { ran <- d.Run(ctx) }()
			// A call answered means Serve runs, so Run handles the signals.
			p := newProxy(t, uri)
			if _, err := p.Call(ctx, "add", 1, 2); err != nil {
				t.Fatal(err)
			}
			if err := tt.stop(cancel); err != nil {
				t.Fatal(err)
			}
			if err := <-ran; !errors.Is(err, tt.want) {
				t.Errorf("Run = %v, want %v", err, tt.want)
			}
			if diff := cmp.Diff([]string{"register a", "unregister a"}, r.calls); diff != "" {
				t.Errorf("registrar calls (-want +got):\n%s", diff)
			}
		})
	}
}
