package core_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/protocol"
)

// idleAttacker holds connections to a daemon that never send a byte, and
// reopens each one the daemon closes.
type idleAttacker struct {
	addr       string
	reconnects atomic.Int64
	wg         sync.WaitGroup
	mu         sync.Mutex
	conns      map[net.Conn]struct{}
	stopped    bool
}

func startIdleAttacker(t *testing.T, addr string, n int) *idleAttacker {
	t.Helper()
	a := &idleAttacker{addr: addr, conns: map[net.Conn]struct{}{}}
	t.Cleanup(a.stop)
	for i := 0; i < n; i++ {
		nc, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatalf("idle connection %d: %v", i, err)
		}
		a.add(nc)
		a.wg.Add(1)
		go a.hold(nc)
	}
	return a
}

func (a *idleAttacker) add(nc net.Conn) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.stopped {
		nc.Close()
		return false
	}
	a.conns[nc] = struct{}{}
	return true
}

func (a *idleAttacker) hold(nc net.Conn) {
	defer a.wg.Done()
	for {
		_, _ = io.Copy(io.Discard, nc) // until the daemon closes it
		nc.Close()
		a.mu.Lock()
		delete(a.conns, nc)
		stopped := a.stopped
		a.mu.Unlock()
		if stopped {
			return
		}
		var err error
		if nc, err = net.DialTimeout("tcp", a.addr, 10*time.Second); err != nil || !a.add(nc) {
			return
		}
		a.reconnects.Add(1)
	}
}

func (a *idleAttacker) stop() {
	a.mu.Lock()
	a.stopped = true
	for nc := range a.conns {
		nc.Close()
	}
	a.mu.Unlock()
	a.wg.Wait()
}

// Idle connections no longer keep clients out (issue 11, "Lockout"): only
// connections that completed the handshake count against MaxConnections,
// a silent one is dropped after HandshakeTimeout, and beyond the bound of
// pending handshakes the oldest is dropped. With Pyro's rule a reconnecting
// attacker holding MaxConnections-1 silent sockets refused every client
// ("server too busy") for as long as it went on.
func TestIdleConnectionsDoNotLockOut(t *testing.T) {
	const maxConns = 20
	tests := []struct {
		name      string
		idle      int
		validator protocol.Validator // counts what the daemon tells it
	}{
		{"MaxConnections-1", maxConns - 1, nil},
		{"beyond the pending bound", 3 * maxConns, nil},
		{"own Validator", maxConns - 1, protocol.CheckHosts(&protocol.DefaultValidator{MaxConnections: maxConns},
			func(protocol.ConnInfo) bool { return true })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := startDaemon(t, core.DaemonOptions{MaxConnections: maxConns, Validator: tt.validator, HandshakeTimeout: 200 * time.Millisecond})
			uri, _ := d.Connect(&calc{}, "")
			a := startIdleAttacker(t, d.Addr().String(), tt.idle)
			// Wait until every idle connection has been dropped at least
			// once and reopened, so the attack is in full swing.
			for a.reconnects.Load() < int64(tt.idle) {
				time.Sleep(10 * time.Millisecond)
			}
			// Beyond the pending bound the attacker's reconnections push
			// out pending connections all the time, a client's among them
			// if it is slow: a real client retries, as here.
			var err error
			for try := 0; try < 20; try++ {
				p := newProxy(t, uri, core.WithTimeout(10*time.Second))
				var n any
				if n, err = p.Call(context.Background(), "add", 20, 22); err == nil {
					if n != int64(42) {
						t.Fatalf("add(20, 22) = %v", n)
					}
					break
				}
				p.Close()
			}
			if err != nil {
				t.Fatalf("a client was not served while %d idle connections were held: %v", tt.idle, err)
			}
		})
	}
}

// peekedConn is a connection whose first bytes were peeked at.
type peekedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *peekedConn) Read(b []byte) (int, error) { return c.r.Read(b) }

// dialChallenged connects to d and waits for its challenge, without
// answering it.
func dialChallenged(t *testing.T, d *core.Daemon) *peekedConn {
	t.Helper()
	nc, err := net.Dial("tcp", d.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	c := &peekedConn{Conn: nc, r: bufio.NewReader(nc)}
	nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	if b, err := c.r.Peek(18 + protocol.ChallengeSize); err != nil {
		t.Fatalf("no challenge: %q %v", b, err)
	}
	nc.SetReadDeadline(time.Time{})
	return c
}

func clientHandshake(c net.Conn) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return protocol.ClientHandshake(ctx, protocol.NewConn(c, protocol.Options{}), nil, nil)
}

// The limit is checked again when a connection is granted: clients that
// were challenged together cannot exceed MaxConnections by answering
// together. The one too many is told DENIED1 after its CONNECT, which Pyro
// clients report as "server too busy" as they do for the refusal before
// the challenge.
func TestMaxConnectionsCheckedAtGrant(t *testing.T) {
	d := startDaemon(t, core.DaemonOptions{MaxConnections: 2}) // one client, as Pyro counts
	first, second := dialChallenged(t, d), dialChallenged(t, d)
	if err := clientHandshake(first); err != nil {
		t.Fatalf("first client: %v", err)
	}
	var de *protocol.DeniedError
	if err := clientHandshake(second); !errors.As(err, &de) || de.Reason != protocol.DenyServerTooBusy {
		t.Fatalf("second client: %v, want DENIED1 (server too busy)", err)
	}
	expectDeniedBeforeChallenge(t, d, "third client")
}

// Beyond 2×MaxConnections pending handshakes the oldest pending connection
// is closed to make room for the new one.
func TestPendingHandshakesBounded(t *testing.T) {
	const maxConns = 3
	const bound = 2 * maxConns
	d := startDaemon(t, core.DaemonOptions{MaxConnections: maxConns, HandshakeTimeout: -1})
	uri, _ := d.Connect(&calc{}, "")
	var conns []*peekedConn
	for i := 0; i < bound+2; i++ {
		conns = append(conns, dialChallenged(t, d))
	}
	closed := func(c *peekedConn) bool {
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, err := c.r.Discard(18 + protocol.ChallengeSize)
		if err == nil {
			_, err = c.r.ReadByte()
		}
		var ne net.Error
		return err != nil && !(errors.As(err, &ne) && ne.Timeout())
	}
	for i := 0; i < 2; i++ {
		if !closed(conns[i]) {
			t.Errorf("pending connection %d of %d not closed", i+1, bound+2)
		}
	}
	// A client still gets in, pushing out the oldest idle connection.
	healthy(t, uri)
	if !closed(conns[2]) {
		t.Error("the oldest pending connection was not closed for the client")
	}
	// The newest pending connections are still there and can shake hands.
	if err := clientHandshake(conns[len(conns)-1]); err != nil {
		t.Errorf("newest pending connection: %v", err)
	}
}

// MaxConnectionsPerHost refuses, before the challenge, the connections of
// one IP address beyond the limit, pending ones included.
func TestMaxConnectionsPerHost(t *testing.T) {
	d := startDaemon(t, core.DaemonOptions{MaxConnectionsPerHost: 3, HandshakeTimeout: -1})
	uri, _ := d.Connect(&calc{}, "")
	held := []net.Conn{dialGranted(t, d), dialChallenged(t, d), dialChallenged(t, d)}
	defer func() {
		for _, nc := range held {
			nc.Close()
		}
	}()
	expectDeniedBeforeChallenge(t, d, "fourth connection")
	_, err := newProxy(t, uri).Call(context.Background(), "add", 1, 1)
	var de *compat.ConnectionDeniedError
	if !errors.As(err, &de) || de.Message() != "server too busy" {
		t.Errorf("client over the limit: %v, want server too busy", err)
	}
	// Once one of them is gone, the host may connect again.
	held[1].Close()
	for try := 0; ; try++ {
		_, err := newProxy(t, uri).Call(context.Background(), "add", 1, 1)
		if err == nil {
			break
		}
		if !errors.As(err, &de) || try == 1000 {
			t.Fatalf("after a connection closed: %v", err)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
