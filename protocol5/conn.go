package protocol5

import (
	"context"
	"errors"
	"net"
	"time"

	"github.com/gopyro/gopyro/internal/wire"
)

// Pyro 5's compression rule: data longer than compressMin bytes is sent
// compressed at zlib level compressLevel, whether or not that makes it
// shorter.
const (
	compressMin   = 100
	compressLevel = 4
)

// Options configures a Conn. The zero value sends data uncompressed,
// applies DefaultMaxMessageSize and sets no I/O deadline.
type Options struct {
	// Compress compresses outgoing data as Pyro 5's COMPRESSION does: data
	// of more than 100 bytes, at zlib level 4; annotations never.
	Compress bool
	// MaxMessageSize limits annotations plus data of incoming and outgoing
	// messages, and incoming data after decompression (Pyro 5's
	// MAX_MESSAGE_SIZE); 0 means DefaultMaxMessageSize.
	MaxMessageSize int
	// IOTimeout bounds every read and write: a header, the rest of a
	// message, or a whole message sent, must take no longer (Pyro 5's
	// COMMTIMEOUT). 0 means no timeout besides the context's.
	IOTimeout time.Duration
}

// Conn reads and writes protocol 502 messages on a network connection.
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

// ReadMessage reads one message. Compressed data is decompressed and
// FlagCompressed cleared, as Pyro 5 does on receipt. The message and its
// slices are the caller's.
//
// Errors are *FrameError values (see the Err* kinds). ErrCompression
// comes with the message (its Data as received), which was consumed
// completely, so that a reply can name its sequence number; after the other
// errors the stream position is undefined: close the connection (during the
// handshake, a Pyro 5 daemon first answers CONNECTFAIL with Error()).
// Cancelling ctx or reaching its deadline interrupts a blocked read.
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

// WriteMessage sends m. With Options.Compress, Data longer than 100 bytes
// is sent compressed and FlagCompressed set (m itself is not modified);
// Data of a message that already has FlagCompressed is sent as it is.
// Annotations plus data beyond Options.MaxMessageSize are refused with
// Pyro 5's text, as are annotations AppendBinary refuses.
func (c *Conn) WriteMessage(ctx context.Context, m *Message) error {
	if c.opts.Compress && m.Flags&FlagCompressed == 0 && len(m.Data) > compressMin {
		z, err := c.zw.Deflate(m.Data, compressLevel)
		if err != nil {
			return err
		}
		cm := *m
		cm.Data, cm.Flags = z, m.Flags|FlagCompressed
		m = &cm
	}
	defer c.zw.Release()
	if err := m.check(); err != nil {
		return err
	}
	if err := checkSize(uint64(wire.AnnotationsSize(m.Annotations, 4))+uint64(len(m.Data)), c.opts.MaxMessageSize); err != nil {
		return err
	}
	if len(m.Data) <= wire.ReadChunk {
		// One write for small messages, as Pyro's single sendall.
		c.wbuf = wire.AppendAnnotations(m.appendHeader(c.wbuf[:0]), m.Annotations, 4)
		c.wbuf = append(c.wbuf, m.Data...)
		err := c.dl.Write(ctx, func() error {
			_, err := c.nc.Write(c.wbuf)
			return err
		})
		c.wbuf = wire.Keep(c.wbuf)
		return err
	}
	head := wire.AppendAnnotations(m.appendHeader(nil), m.Annotations, 4)
	bufs := net.Buffers{head, m.Data}
	return c.dl.Write(ctx, func() error {
		_, err := bufs.WriteTo(c.nc)
		return err
	})
}
