package ns_test

import (
	"context"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gopyro/gopyro/ns"
)

// TestStoreOpenedBeforeListening: the Name Server opens its database
// before it listens, so while it waits for a database another process
// holds (a second, then it gives up) its port accepts no connection.
func TestStoreOpenedBeforeListening(t *testing.T) {
	cfg := testConfig(t, nil)
	db := filepath.Join(cfg.Storage, "ns.db")
	held, err := ns.OpenBoltStore(db)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		in, err := ns.Start(ctx, ns.StartOptions{Config: cfg, Host: "127.0.0.1", Port: &port, DontLookupOther: true,
			NoBroadcast: true, Persistent: true, DBPath: db})
		if err == nil {
			in.Shutdown()
			in.Serve(ctx)
		}
		done <- err
	}()
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	connected := 0
	for {
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), "in use by another process") {
				t.Errorf("Start: %v, want the database in use", err)
			}
			if connected > 0 {
				t.Errorf("the port accepted %d connections before the database was open", connected)
			}
			return
		default:
		}
		if c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond); err == nil {
			connected++
			c.Close()
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestStartStoreOption: StartOptions.Store names the store; a name that
// is none of memory, bolt:PATH and etcd://... stops Start.
func TestStartStoreOption(t *testing.T) {
	tests := []struct {
		store   string
		role    ns.Role
		file    string // the database file it must create, "" for none
		wantErr string
	}{
		{store: "memory"},
		{store: "bolt:ns.db", file: "ns.db"},
		{store: "sql:x", wantErr: "want memory, bolt:PATH or etcd://"},
		{store: "etcd://nohost/x", wantErr: "is not host:port"},
		{store: "etcd://127.0.0.1:1/x", role: ns.RolePrimary, wantErr: "no paired mode"},
	}
	for _, tt := range tests {
		t.Run(tt.store, func(t *testing.T) {
			cfg := testConfig(t, nil)
			port := 0
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			in, err := ns.Start(ctx, ns.StartOptions{Config: cfg, Host: "127.0.0.1", Port: &port, DontLookupOther: true,
				NoBroadcast: true, Store: tt.store, Role: tt.role})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Start: %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			in.Shutdown()
			in.Serve(ctx)
			matches, _ := filepath.Glob(filepath.Join(cfg.Storage, "*.db"))
			if tt.file == "" && len(matches) != 0 || tt.file != "" && (len(matches) != 1 || filepath.Base(matches[0]) != tt.file) {
				t.Errorf("database files %v, want %q", matches, tt.file)
			}
		})
	}
}
