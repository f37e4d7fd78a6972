package core

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/internal/servetest"
)

type sizer struct{}

func (sizer) Len(s string) int { return len(s) }

// TestDecodeMemoryBound checks that requests that find the daemon's decode
// memory full are refused one by one with a PyroError, while small calls
// are served, and that the refused connection is served once there is room.
func TestDecodeMemoryBound(t *testing.T) {
	d, err := NewDaemon(DaemonOptions{Host: "127.0.0.1", NoRange: true, MaxDecodeMemory: 64 << 20})
	if err != nil {
		t.Fatal(err)
	}
	servetest.Run(t, d)
	d.decodeMem.wait = 10 * time.Millisecond
	uri, err := d.Connect(sizer{}, "")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	proxy := func() *Proxy {
		p, err := NewProxy(uri, WithTimeout(10*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { p.Close() })
		return p
	}
	big, small := proxy(), proxy()
	arg := strings.Repeat("x", 100<<10)

	// Hostile decodes hold the whole bound.
	held, err := d.decodeMem.acquire(ctx, 64<<20)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		_, err := big.Call(ctx, "len", arg)
		var pe *compat.PyroError
		if !errors.As(err, &pe) || !strings.Contains(err.Error(), "server too busy") || !strings.Contains(err.Error(), "MaxDecodeMemory") {
			t.Fatalf("large call while the bound is full: %v, want a PyroError naming MaxDecodeMemory", err)
		}
		if n, err := small.Call(ctx, "len", "abc"); err != nil || n != int64(3) {
			t.Fatalf("small call while the bound is full: %v %v", n, err)
		}
	}
	d.decodeMem.release(held)
	if n, err := big.Call(ctx, "len", arg); err != nil || n != int64(len(arg)) {
		t.Fatalf("large call after release: %v %v", n, err)
	}
}

// TestDecodeMemoryAcquire checks the semaphore's edge cases.
func TestDecodeMemoryAcquire(t *testing.T) {
	m := newDecodeMemory(100)
	m.wait = time.Millisecond
	ctx := context.Background()
	// More than the bound is decoded alone.
	n, err := m.acquire(ctx, 1000)
	if err != nil || n != 100 {
		t.Fatalf("acquire(1000) = %d, %v; want 100", n, err)
	}
	var de *errDecodeMemory
	if _, err := m.acquire(ctx, 1); !errors.As(err, &de) || de.used != 100 {
		t.Fatalf("acquire on a full bound: %v", err)
	}
	// A waiting request gets the room released.
	m.wait = time.Minute
	got := make(chan error, 1)
	go func() {
		_, err := m.acquire(ctx, 60)
		got <- err
	}()
	m.release(n)
	if err := <-got; err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := m.acquire(cctx, 50); !errors.Is(err, context.Canceled) {
		t.Fatalf("acquire with a cancelled context: %v", err)
	}
}
