package es

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/config"
	"github.com/gopyro/gopyro/protocol"
)

// connTarget delivers to a subscriber at a PYRO URI over its own Pyro
// connection: each event as the oneway request Pyro's event service sends,
// (objectID, 'event', 7, ((Event,), {})), with the Event pickled once for
// all subscribers and the requests of a batch written together.
type connTarget struct {
	id      string
	uri     compat.URI
	ident   []byte
	timeout time.Duration
	opts    protocol.Options

	conn   *protocol.Conn
	closed chan struct{} // closed when the subscriber's side closes or talks
	body   []byte
	out    []byte
}

func newConnTarget(id string, uri compat.URI, ident []byte, timeout time.Duration) *connTarget {
	cfg := config.Current()
	return &connTarget{
		id: id, uri: uri, ident: ident, timeout: timeout,
		opts: protocol.Options{Compress: cfg.Compression, Checksum: cfg.Checksum},
	}
}

func (t *connTarget) ID() string { return t.id }

func (t *connTarget) fail(op string, err error) error {
	return fmt.Errorf("es: %s %s: %w", op, t.uri, err)
}

func (t *connTarget) connect(ctx context.Context) error {
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", net.JoinHostPort(t.uri.Address, strconv.Itoa(t.uri.Port)))
	if err != nil {
		return t.fail("dial", err)
	}
	if tc, ok := nc.(*net.TCPConn); ok {
		_ = tc.SetNoDelay(true)
	}
	c := protocol.NewConn(nc, t.opts)
	if err := protocol.ClientHandshake(ctx, c, &protocol.DefaultValidator{}, t.ident); err != nil {
		c.Close()
		return t.fail("handshake with", err)
	}
	_ = c.NetConn().SetDeadline(time.Time{}) // the handshake may leave one
	t.conn = c
	t.closed = make(chan struct{})
	// Nothing is ever answered to oneway calls: whatever arrives (an
	// error reply before the daemon hangs up) or EOF means the subscriber
	// is gone.
	go func(nc net.Conn, closed chan struct{}) {
		defer close(closed)
		var b [1]byte
		for {
			_, err := nc.Read(b[:])
			var ne net.Error
			if !errors.As(err, &ne) || !ne.Timeout() {
				return
			}
		}
	}(nc, t.closed)
	return nil
}

func (t *connTarget) Deliver(ctx context.Context, batch []*Delivery) error {
	if t.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, t.timeout)
		defer cancel()
	}
	if t.conn == nil {
		if err := t.connect(ctx); err != nil {
			return err
		}
	}
	select {
	case <-t.closed:
		// Its daemon answers a oneway call only to refuse it, then hangs up.
		return t.fail("write to", net.ErrClosed)
	default:
	}
	plain := !t.opts.Compress && !t.opts.Checksum
	t.out = t.out[:0]
	for _, d := range batch {
		ev, err := d.Pickle()
		if err != nil {
			return fmt.Errorf("es: cannot pickle the event: %w", err)
		}
		t.body = appendEventCall(t.body[:0], t.uri.ObjectID, ev)
		if !plain {
			if err := t.conn.WriteMessage(ctx, t.body); err != nil {
				return t.fail("write to", err)
			}
			continue
		}
		t.out = protocol.NewHeader(int32(len(t.body)), 0, 0).Append(t.out)
		t.out = append(t.out, t.body...)
	}
	if !plain {
		return nil
	}
	// One write for the whole batch, bounded by ctx.
	nc := t.conn.NetConn()
	deadline, _ := ctx.Deadline()
	_ = nc.SetWriteDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { _ = nc.SetWriteDeadline(time.Unix(1, 0)) })
	_, err := nc.Write(t.out)
	stop()
	if cap(t.out) > 1<<20 {
		t.out = nil
	}
	if err != nil {
		return t.fail("write to", err)
	}
	return nil
}

func (t *connTarget) Close() error {
	if t.conn != nil {
		return t.conn.Close()
	}
	return nil
}

// appendEventCall appends the pickle (protocol 2) of Pyro's oneway request
// (objectID, 'event', 7, ((<event>,), {})) to dst; event is the complete
// protocol 2 pickle of the Event, spliced in without its PROTO and STOP.
// The event's memo indices stay valid: nothing around it is memoized.
func appendEventCall(dst []byte, objectID string, event []byte) []byte {
	dst = append(dst, 0x80, 2, '(') // PROTO 2, MARK
	dst = appendBinString(dst, objectID)
	dst = appendBinString(dst, "event")
	dst = append(dst, 'K', 7) // BININT1 7: RIF_Varargs|RIF_Keywords|RIF_Oneway
	dst = append(dst, event[2:len(event)-1]...)
	return append(dst, 0x85, '}', 0x86, 't', '.') // TUPLE1 EMPTY_DICT TUPLE2 TUPLE STOP
}

// appendBinString appends s as a Python 2 str: SHORT_BINSTRING or BINSTRING.
func appendBinString(dst []byte, s string) []byte {
	if len(s) < 256 {
		dst = append(dst, 'U', byte(len(s)))
	} else {
		dst = binary.LittleEndian.AppendUint32(append(dst, 'T'), uint32(len(s)))
	}
	return append(dst, s...)
}
