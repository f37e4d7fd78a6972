package protocol4

import (
	"compress/zlib"
	"context"
	"errors"
	"net"
	"slices"
	"time"

	"github.com/gopyro/gopyro/internal/wire"
)

// Pyro4's compression rule (SerializerBase.__compressdata): data of at
// least compressMin bytes is compressed at zlib's default level, and sent
// compressed only when that makes it shorter.
const compressMin = 200

// Options configures a Conn. The zero value sends data uncompressed and
// unsigned, applies DefaultMaxMessageSize and sets no I/O deadline.
type Options struct {
	// Compress compresses outgoing data as Pyro4's COMPRESSION does.
	Compress bool
	// MaxMessageSize limits annotations plus data of incoming and outgoing
	// messages, and incoming data after decompression (Pyro4's
	// MAX_MESSAGE_SIZE); 0 means DefaultMaxMessageSize.
	MaxMessageSize int
	// IOTimeout bounds every read and write: a header, the rest of a
	// message, or a whole message sent, must take no longer (Pyro4's
	// COMMTIMEOUT). 0 means no timeout besides the context's.
	IOTimeout time.Duration
	// HMACKey, when not empty, signs every message sent and is required
	// of every message read (Pyro4's _pyroHmacKey); empty means no key, and
	// then a signed message is refused.
	HMACKey []byte
}

// Conn reads and writes protocol 48 messages on a network connection.
//
// One goroutine may read (ReadMessage) while another writes (WriteMessage);
// concurrent readers or concurrent writers must synchronise themselves.
type Conn struct {
	nc   net.Conn
	opts Options
	dl   wire.Deadlines

	hdr  [HeaderSize]byte
	zr   wire.Inflater
	zw   wire.Deflater
	wbuf []byte // encoded small messages
}

// NewConn wraps nc. The Conn owns nc from now on: Close closes it.
func NewConn(nc net.Conn, opts Options) *Conn {
	opts.MaxMessageSize = limit(opts.MaxMessageSize)
	return &Conn{nc: nc, opts: opts, dl: wire.NewDeadlines(nc, opts.IOTimeout)}
}

// NetConn returns the underlying connection. Call it while no I/O of c is
// in progress; c sets its own deadlines again at the next I/O.
func (c *Conn) NetConn() net.Conn {
	c.dl.Forget()
	return c.nc
}

// RemoteAddr returns the peer's address.
func (c *Conn) RemoteAddr() net.Addr { return c.nc.RemoteAddr() }

// LocalAddr returns the local address.
func (c *Conn) LocalAddr() net.Addr { return c.nc.LocalAddr() }

// Options returns the options in effect (with defaults filled in).
func (c *Conn) Options() Options { return c.opts }

// Close closes the underlying connection.
func (c *Conn) Close() error { return c.nc.Close() }

// ReadMessage reads one message, verifies its HMAC with Options.HMACKey and
// decompresses its data (clearing FlagCompressed), as Pyro4 does on
// receipt. The message and its slices are the caller's.
//
// Errors are *FrameError values (see the Err* kinds). ErrSecurity and
// ErrCompression come with the message (its Data as received), which was
// consumed completely, so that a reply can name its sequence number; after
// the other errors the stream position is undefined: close the connection
// (during the handshake, a Pyro4 daemon first answers CONNECTFAIL with
// Error()). Cancelling ctx or reaching its deadline interrupts a blocked
// read.
func (c *Conn) ReadMessage(ctx context.Context) (*Message, error) {
	stop, err := c.dl.Watch(ctx, true)
	if err != nil {
		return nil, err
	}
	defer stop()
	if err := c.dl.Arm(ctx, true); err != nil {
		return nil, err
	}
	h, n, err := readHeader(c.nc, &c.hdr)
	if err != nil {
		return nil, c.ioOr(ctx, err, n == 0)
	}
	if h.AnnLen != 0 || h.DataLen != 0 {
		if err := c.dl.Arm(ctx, true); err != nil {
			return nil, err
		}
	}
	m, err := readPayload(c.nc, h, c.opts.MaxMessageSize)
	if err != nil {
		return nil, c.ioOr(ctx, err, false)
	}
	if err := m.Verify(c.opts.HMACKey); err != nil {
		return m, err
	}
	if err := m.decompress(&c.zr, c.opts.MaxMessageSize); err != nil {
		return m, err
	}
	return m, nil
}

func (c *Conn) ioOr(ctx context.Context, err error, atStart bool) error {
	var pe *FrameError
	if errors.As(err, &pe) {
		return err
	}
	return c.dl.IOError(ctx, err, atStart, true)
}

// WriteMessage sends m: with Options.Compress, Data of 200 bytes or more
// compressed when that makes it shorter (FlagCompressed set; Data of a
// message that already has FlagCompressed is sent as it is), then signed
// with Options.HMACKey. m itself is not modified. Annotations plus data
// beyond Options.MaxMessageSize are refused with Pyro4's text, as are
// annotations AppendBinary refuses.
func (c *Conn) WriteMessage(ctx context.Context, m *Message) error {
	if c.opts.Compress && m.Flags&FlagCompressed == 0 && len(m.Data) >= compressMin {
		z, err := c.zw.Deflate(m.Data, zlib.DefaultCompression)
		if err != nil {
			return err
		}
		if len(z) < len(m.Data) {
			cm := *m
			cm.Data, cm.Flags = z, m.Flags|FlagCompressed
			m = &cm
		}
	}
	defer c.zw.Release()
	if len(c.opts.HMACKey) > 0 {
		sm := *m
		sm.Annotations = slices.Clone(m.Annotations)
		sm.Sign(c.opts.HMACKey)
		m = &sm
	}
	if err := m.check(); err != nil {
		return err
	}
	if err := checkSize(uint64(wire.AnnotationsSize(m.Annotations, 2))+uint64(len(m.Data)), c.opts.MaxMessageSize); err != nil {
		return err
	}
	if len(m.Data) <= wire.ReadChunk {
		// One write for small messages, as Pyro's single sendall.
		c.wbuf = wire.AppendAnnotations(m.appendHeader(c.wbuf[:0]), m.Annotations, 2)
		c.wbuf = append(c.wbuf, m.Data...)
		err := c.dl.Write(ctx, func() error {
			_, err := c.nc.Write(c.wbuf)
			return err
		})
		c.wbuf = wire.Keep(c.wbuf)
		return err
	}
	head := wire.AppendAnnotations(m.appendHeader(nil), m.Annotations, 2)
	bufs := net.Buffers{head, m.Data}
	return c.dl.Write(ctx, func() error {
		_, err := bufs.WriteTo(c.nc)
		return err
	})
}
