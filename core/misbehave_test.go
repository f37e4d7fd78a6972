package core_test

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/pickle"
	"github.com/gopyro/gopyro/protocol"
)

// dialGranted opens a raw connection to d and completes the handshake.
func dialGranted(t testing.TB, d *core.Daemon) net.Conn {
	t.Helper()
	nc, err := net.Dial("tcp", d.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := protocol.ClientHandshake(ctx, protocol.NewConn(nc, protocol.Options{}), nil, nil); err != nil {
		nc.Close()
		t.Fatal(err)
	}
	return nc
}

func header(size int32) []byte {
	return protocol.NewHeader(size, 0, 0).Append(nil)
}

// readReply reads one message from nc: its decoded body, or an error when
// the daemon closed the connection.
func readReply(t testing.TB, nc net.Conn) (any, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	body, _, err := protocol.NewConn(nc, protocol.Options{}).ReadMessage(ctx)
	if err != nil {
		return nil, err
	}
	return pickle.Decode(body)
}

// expectClosed checks that the daemon closes nc without sending anything.
func expectClosed(t testing.TB, nc net.Conn) {
	t.Helper()
	nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	n, err := io.Copy(io.Discard, nc)
	if errors.Is(err, syscall.ECONNRESET) {
		// unread input makes the daemon's close a reset
		err = nil
	}
	if err != nil || n != 0 {
		t.Errorf("expected a silent close, got %d bytes, %v", n, err)
	}
}

func capsuleOf(t testing.TB, nc net.Conn) *compat.Exception {
	t.Helper()
	v, err := readReply(t, nc)
	if err != nil {
		t.Fatalf("no reply: %v", err)
	}
	c, ok := v.(*compat.Capsule)
	if !ok {
		t.Fatalf("reply %T %v, want a capsule", v, v)
	}
	ex, ok := compat.AsException(c.Exc)
	if !ok {
		t.Fatalf("capsule holds %T", c.Exc)
	}
	return ex
}

// healthy checks that a normal client is served.
func healthy(t testing.TB, uri compat.URI) {
	t.Helper()
	p, err := core.NewProxy(uri, core.WithTimeout(10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if n, err := p.Call(context.Background(), "add", 20, 22); err != nil || n != int64(42) {
		t.Fatalf("healthy client: %v %v", n, err)
	}
}

func TestGarbageAfterHandshake(t *testing.T) {
	d := startDaemon(t, core.DaemonOptions{})
	uri, _ := d.Connect(&calc{}, "")
	nc := dialGranted(t, d)
	defer nc.Close()
	nc.Write([]byte("GET / HTTP/1.0\r\n\r\nthis is not pyro at all"))
	ex := capsuleOf(t, nc)
	// Pyro checks the version field first: "T " is not 5.
	if ex.Class.Name != "ProtocolError" || ex.Message() != "incompatible protocol version" {
		t.Errorf("reply %v", ex)
	}
	expectClosed(t, nc)
	healthy(t, uri)
}

func TestBadRequests(t *testing.T) {
	d := startDaemon(t, core.DaemonOptions{})
	uri, _ := d.Connect(&calc{}, "")
	send := func(nc net.Conn, v any) {
		body, err := pickle.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		nc.Write(append(header(int32(len(body))), body...))
	}
	// Not a 4-tuple: closed without reply.
	nc := dialGranted(t, d)
	send(nc, pickle.Tuple{pickle.ByteString(uri.ObjectID), pickle.ByteString("add")})
	expectClosed(t, nc)
	nc.Close()
	// Undecodable pickle: error reply, the connection stays usable.
	nc = dialGranted(t, d)
	defer nc.Close()
	nc.Write(append(header(3), 0x80, 0x02, 0xff))
	if ex := capsuleOf(t, nc); ex.Class.Name != "UnpicklingError" {
		t.Errorf("bad pickle reply %v", ex)
	}
	send(nc, pickle.Tuple{pickle.ByteString(uri.ObjectID), pickle.ByteString("add"), int64(0), pickle.Tuple{int64(1), int64(2)}})
	if v, err := readReply(t, nc); err != nil || v != int64(3) {
		t.Errorf("call after bad pickle: %v %v", v, err)
	}
	// Wrong protocol version: error reply and close.
	bad := header(0)
	binary.BigEndian.PutUint16(bad[4:], 4)
	nc.Write(bad)
	if ex := capsuleOf(t, nc); ex.Message() != "incompatible protocol version" {
		t.Errorf("version reply %v", ex)
	}
	expectClosed(t, nc)
	// Unknown object, even oneway: error reply and close.
	nc2 := dialGranted(t, d)
	defer nc2.Close()
	send(nc2, pickle.Tuple{pickle.ByteString("nobody"), pickle.ByteString("add"), int64(7), pickle.Tuple{pickle.Tuple{}, pickle.NewDict()}})
	if ex := capsuleOf(t, nc2); ex.Message() != "unknown object ID" {
		t.Errorf("unknown object reply %v", ex)
	}
	expectClosed(t, nc2)
	healthy(t, uri)
}

func TestHalfSentMessage(t *testing.T) {
	d := startDaemon(t, core.DaemonOptions{})
	uri, _ := d.Connect(&calc{}, "")
	nc := dialGranted(t, d)
	defer nc.Close()
	nc.Write(append(header(1000), make([]byte, 10)...))
	// The stalled client does not hold up anybody else.
	healthy(t, uri)
	// Its connection is closed when the daemon shuts down (startDaemon's
	// cleanup waits for every connection goroutine).
}

func TestHugeSizeHeader(t *testing.T) {
	d := startDaemon(t, core.DaemonOptions{})
	uri, _ := d.Connect(&calc{}, "")
	nc := dialGranted(t, d)
	defer nc.Close()
	nc.Write(header(1<<31 - 1))
	expectClosed(t, nc)
	healthy(t, uri)
}

func TestAbandonedConnections(t *testing.T) {
	d := startDaemon(t, core.DaemonOptions{MaxConnections: 100000, IdleTimeout: 2 * time.Second})
	uri, _ := d.Connect(&calc{}, "")
	var rl syscall.Rlimit
	n := 2000
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err == nil && rl.Cur < uint64(2*n+100) {
		n = int(rl.Cur/2) - 50
	}
	before := runtime.NumGoroutine()
	conns := make([]net.Conn, 0, n)
	for i := 0; i < n; i++ {
		nc, err := net.Dial("tcp", d.Addr().String())
		if err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
		if i%2 == 0 {
			// half of them send a partial CONNECT before going silent
			nc.Write([]byte("PYRO\x00\x05"))
		}
		conns = append(conns, nc)
	}
	healthy(t, uri)
	for _, nc := range conns {
		nc.Close()
	}
	healthy(t, uri)
	// Every abandoned connection's goroutine ends.
	deadline := time.Now().Add(20 * time.Second)
	for runtime.NumGoroutine() > before+10 {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines left, %d before", runtime.NumGoroutine(), before)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestDeniedBeforeChallenge(t *testing.T) {
	d := startDaemon(t, core.DaemonOptions{MaxConnections: 1})
	expectDeniedBeforeChallenge(t, d, "a client over MaxConnections 1")
}

// expectDeniedBeforeChallenge dials d and checks that the daemon answers
// nothing but the raw DENIED1 (server too busy) and closes, as Pyro refuses
// a connection before its challenge.
func expectDeniedBeforeChallenge(t *testing.T, d *core.Daemon, who string) {
	t.Helper()
	nc, err := net.Dial("tcp", d.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	if b, err := io.ReadAll(nc); err != nil || string(b) != "DENIED1" {
		t.Errorf("%s: got %q %v, want DENIED1", who, b, err)
	}
}

func TestShutdownWithStalledHandshakes(t *testing.T) {
	d, err := core.NewDaemon(core.DaemonOptions{Host: "127.0.0.1", NoRange: true})
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- d.Serve(context.Background()) }()
	var conns []net.Conn
	for i := 0; i < 20; i++ {
		nc, err := net.Dial("tcp", d.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		conns = append(conns, nc)
	}
	// Wait until the daemon has sent every challenge, then shut down: the
	// clients never answer, so only Shutdown can end their goroutines.
	for _, nc := range conns {
		nc.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, err := io.ReadFull(nc, make([]byte, 18+16)); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := d.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if err := <-served; err != nil {
		t.Errorf("Serve: %v", err)
	}
}
