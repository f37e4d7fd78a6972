package core

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"time"
)

// Several protocols on one port (spec.md §16.1): Pyro 3's server speaks
// first (the challenge), Pyro 4 and 5 clients speak first (CONNECT). A
// daemon serving both waits DetectWait for a client's first bytes: a
// client-first protocol that claims them gets the connection, and a
// client silent for that long is a Pyro 3 one.

// Generations is a set of the Pyro generations a Daemon serves.
type Generations uint8

// The generations: bit n is Pyro n.
const (
	Pyro3 Generations = 1 << 3
	Pyro4 Generations = 1 << 4
	Pyro5 Generations = 1 << 5
)

// DefaultDetectWait is how long a daemon serving Pyro 3 beside Pyro 5
// waits for a client's first bytes when neither DaemonOptions.DetectWait
// nor PYRO_DETECT_WAIT says otherwise.
const DefaultDetectWait = 100 * time.Millisecond

// ClientFirst is implemented by a Protocol whose clients speak first, as
// Pyro 4 and 5 clients send CONNECT as soon as they are connected. On a
// port shared with a protocol whose server speaks first, the daemon reads
// a client's first detectPrefix bytes ("PYRO" and a version) and gives the
// connection to the ClientFirst protocol that claims them.
type ClientFirst interface {
	Protocol
	// Claims reports whether a connection that began with prefix speaks
	// this protocol.
	Claims(prefix []byte) bool
}

// detectPrefix is how many bytes a client-first protocol is told by:
// "PYRO" and the protocol version, in every generation.
const detectPrefix = 6

// served is one protocol of a daemon, with what the daemon keeps for it.
type served struct {
	p          Protocol
	ap         attrProtocol // p's remote attribute requests, or nil
	internalID string       // the id of p's internal daemon object, "" for none
	internal   *object
	gen        Generations        // p's generation, 0 for a Protocol of DaemonOptions.Protocol
	own        map[string]*object // id → object for p's clients alone (ConnectFor), under Daemon.mu
	label      string             // the protocol label of the daemon's metrics
}

// protocolLabel names p's generation in the daemon's metrics.
func protocolLabel(p Protocol) string {
	switch p.(type) {
	case *pyro3:
		return "pyro3"
	case *pyro4:
		return "pyro4"
	case *pyro5:
		return "pyro5"
	}
	return "other"
}

// detect finds the protocol a new connection speaks, and the connection to
// give it: nc, or nc with the bytes read to tell.
func (d *Daemon) detect(ctx context.Context, nc net.Conn) (*served, net.Conn, error) {
	if len(d.protos) == 1 {
		return d.protos[0], nc, nil
	}
	var buf [detectPrefix]byte
	now := time.Now()
	if now.UnixNano() < d.pressure.Load() {
		// Under pressure: no wait, only what has arrived already.
		if n, ok := arrived(nc, buf[:]); ok && n == 0 && d.serverFirst != nil {
			return d.serverFirst, nc, nil
		}
	}
	// At most half the handshake's time, so that a Pyro 3 client has
	// the rest for its own handshake.
	deadline := now.Add(d.detectWait)
	if dl, ok := ctx.Deadline(); ok && dl.Sub(now) < 2*d.detectWait {
		deadline = now.Add(dl.Sub(now) / 2)
	}
	if err := nc.SetReadDeadline(deadline); err != nil {
		return nil, nil, err
	}
	n, err := io.ReadFull(nc, buf[:])
	if rerr := nc.SetReadDeadline(time.Time{}); rerr != nil {
		return nil, nil, rerr
	}
	if n == 0 && errors.Is(err, os.ErrDeadlineExceeded) && d.serverFirst != nil {
		return d.serverFirst, nc, nil
	}
	if n == detectPrefix {
		for _, sp := range d.protos {
			if cf, ok := sp.p.(ClientFirst); ok && cf.Claims(buf[:]) {
				return sp, &prefixConn{Conn: nc, prefix: buf[:]}, nil
			}
		}
	}
	if n > 0 && d.serverFirst != nil {
		// Bytes no client-first protocol claims: the server-first one
		// answers them as it answers a client that spoke out of turn.
		return d.serverFirst, &prefixConn{Conn: nc, prefix: buf[:n]}, nil
	}
	return nil, nil, fmt.Errorf("core: detecting the protocol: %d bytes from the client (%q): %w", n, buf[:n], err)
}

// Under a flood of silent connections the daemon closes the oldest pending
// ones to make room (startConn), and a Pyro 3 client waiting out the
// detection is as silent as the flood: it would be closed before its
// challenge. So for pressureFor after each such eviction the daemon does
// not wait: a connection whose first bytes have not arrived when it is
// accepted is taken for a Pyro 3 one (a Pyro 5 client's CONNECT is usually
// there by then).
const pressureFor = time.Second

// underPressure notes that a pending connection was closed to make room.
func (d *Daemon) underPressure() {
	d.pressure.Store(time.Now().Add(pressureFor).UnixNano())
}

// prefixConn is a connection whose first bytes were read already.
type prefixConn struct {
	net.Conn
	prefix []byte
}

func (c *prefixConn) Read(p []byte) (int, error) {
	if len(c.prefix) > 0 {
		n := copy(p, c.prefix)
		c.prefix = c.prefix[n:]
		return n, nil
	}
	return c.Conn.Read(p)
}

// NetConn returns the connection underneath.
func (c *prefixConn) NetConn() net.Conn { return c.Conn }
