package ns

import (
	"context"
	"errors"
	"net"
	"strconv"
	"testing"
	"time"
)

func startBroadcast(t *testing.T, addr string, opts BroadcastOptions) (*BroadcastServer, int) {
	t.Helper()
	b, err := ListenBroadcast(addr, 0, opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return b, b.Addr().(*net.UDPAddr).Port
}

func TestBroadcast(t *testing.T) {
	const uri = "PYRO://127.0.0.1:9090/7f0000014e0b29cefd4cc3cf2386f2671a"
	shut := make(chan struct{}, 1)
	_, port := startBroadcast(t, "127.0.0.1", BroadcastOptions{URI: uri, Shutdown: func() { shut <- struct{}{} }})
	_, bcPort := startBroadcast(t, "127.255.255.255", BroadcastOptions{URI: uri})
	_, keepPort := startBroadcast(t, "127.0.0.1", BroadcastOptions{URI: uri, KeepRunning: true})
	ctx := context.Background()
	tests := []struct {
		name, cmd, dest string
		want            string
		wantErr         error
	}{
		{"location unicast", CmdLocation, "127.0.0.1:" + strconv.Itoa(port), uri, nil},
		{"location broadcast", CmdLocation, "127.255.255.255:" + strconv.Itoa(bcPort), uri, nil},
		{"unknown command", "bogus", "127.0.0.1:" + strconv.Itoa(port), "", ErrNoReply},
		{"shutdown denied", CmdShutdown, "127.0.0.1:" + strconv.Itoa(keepPort), ShutdownDenied, nil},
		{"shutdown", CmdShutdown, "127.0.0.1:" + strconv.Itoa(port), ShutdownAccepted, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := SendBroadcast(ctx, tt.cmd, []string{tt.dest}, 200*time.Millisecond, 1)
			if got != tt.want || !errors.Is(err, tt.wantErr) {
				t.Errorf("got %q, %v; want %q, %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
	select {
	case <-shut:
	case <-time.After(5 * time.Second):
		t.Error("shutdown function not called")
	}
}
