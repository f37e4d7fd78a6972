package core_test

import (
	"context"
	"io"
	"net"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/config"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/pickle"
	"github.com/gopyro/gopyro/protocol"
)

// These tests change config.Current() and restore it: they must not run in
// parallel with others.

// PYRO_PICKLE_FORMAT sets the pickle protocol of requests and replies;
// protocols Python 2 cannot read are refused.
func TestPickleFormat(t *testing.T) {
	cfg := config.Current()
	saved := cfg.PickleFormat
	t.Cleanup(func() { cfg.PickleFormat = saved })
	tests := []struct {
		format  int
		wantErr bool
	}{{0, false}, {1, false}, {2, false}, {-1, false}, {3, true}}
	for _, tt := range tests {
		cfg.PickleFormat = tt.format
		if tt.wantErr {
			if d, err := core.NewDaemon(core.DaemonOptions{Host: "127.0.0.1", NoRange: true}); err == nil {
				d.Shutdown(context.Background())
				t.Errorf("PYRO_PICKLE_FORMAT=%d: NewDaemon succeeded, want an error", tt.format)
			}
			continue
		}
		d := startDaemon(t, core.DaemonOptions{})
		uri, err := d.Connect(&calc{}, "")
		if err != nil {
			t.Fatal(err)
		}
		p := newProxy(t, uri)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		want := map[string][]any{"a": {int64(1), "x", 2.5}}
		var got map[string][]any
		err = p.CallInto(ctx, &got, "echo", want)
		cancel()
		if err != nil {
			t.Errorf("PYRO_PICKLE_FORMAT=%d: echo: %v", tt.format, err)
		} else if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("PYRO_PICKLE_FORMAT=%d: echo (-want +got):\n%s", tt.format, diff)
		}
	}
}

// A proxy's framing comes from PYRO_CHECKSUM / PYRO_COMPRESSION unless
// WithConnOptions says otherwise.
func TestProxyFramingFromConfig(t *testing.T) {
	cfg := config.Current()
	saved := cfg.Checksum
	t.Cleanup(func() { cfg.Checksum = saved })
	tests := []struct {
		name     string
		checksum bool // PYRO_CHECKSUM
		opts     []core.ProxyOption
		want     bool // request sent with a checksum
	}{
		{name: "config off", checksum: false, want: false},
		{name: "config on", checksum: true, want: true},
		{name: "option over config", checksum: true, opts: []core.ProxyOption{core.WithConnOptions(protocol.Options{})}, want: false},
		{name: "option on", checksum: false, opts: []core.ProxyOption{core.WithConnOptions(protocol.Options{Checksum: true})}, want: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			flags := make(chan uint16, 1)
			go func() {
				nc, err := ln.Accept()
				if err != nil {
					return
				}
				c := protocol.NewConn(nc, protocol.Options{})
				defer c.Close()
				if protocol.ServerHandshake(ctx, c, &protocol.DefaultValidator{}, protocol.ConnInfo{Connections: 1}) != nil {
					return
				}
				_, fl, err := c.ReadMessage(ctx)
				if err != nil {
					return
				}
				flags <- fl
				body, _ := pickle.Marshal(int64(1))
				c.WriteMessage(ctx, body)
			}()
			cfg.Checksum = tt.checksum
			p := newProxy(t, compat.URI{Protocol: "PYRO", Address: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port, ObjectID: "x"}, tt.opts...)
			if _, err := p.Call(ctx, "m"); err != nil {
				t.Fatal(err)
			}
			if got := <-flags&protocol.FlagChecksum != 0; got != tt.want {
				t.Errorf("request checksum flag %v, want %v", got, tt.want)
			}
		})
	}
}

// PYRO_HANDSHAKE_TIMEOUT and PYRO_MAXCONNECTIONS_PER_HOST (gopyro's own
// items) reach daemons created without the corresponding option.
func TestLockoutItemsFromConfig(t *testing.T) {
	cfg := config.Current()
	savedTimeout, savedPerHost := cfg.HandshakeTimeout, cfg.MaxConnectionsPerHost
	t.Cleanup(func() { cfg.HandshakeTimeout, cfg.MaxConnectionsPerHost = savedTimeout, savedPerHost })

	// A silent connection is closed after the handshake timeout.
	cfg.HandshakeTimeout, cfg.MaxConnectionsPerHost = 0.05, 0
	d := startDaemon(t, core.DaemonOptions{})
	silent := dialChallenged(t, d)
	silent.SetReadDeadline(time.Now().Add(10 * time.Second))
	if n, err := io.Copy(io.Discard, silent); err != nil || n != 18+protocol.ChallengeSize {
		t.Errorf("silent connection: read %d bytes, %v; want the challenge, then the close", n, err)
	}

	// A second connection from the same address is refused.
	cfg.HandshakeTimeout, cfg.MaxConnectionsPerHost = 0, 1
	d = startDaemon(t, core.DaemonOptions{})
	dialChallenged(t, d)
	expectDeniedBeforeChallenge(t, d, "second connection of the host")
}
