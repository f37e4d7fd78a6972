package protocol

import (
	"compress/zlib"
	"context"
	"fmt"
	"hash/adler32"
	"io"
	"math"
	"net"
	"time"

	"github.com/gopyro/gopyro/internal/wire"
)

// DefaultMaxMessageSize is the body size limit used when
// Options.MaxMessageSize is 0: 64 MiB, both for the body as transmitted and
// for a decompressed body. Pyro itself has no limit.
const DefaultMaxMessageSize = 64 << 20

// keepBody is the largest body buffer kept with ReuseBody: an idle
// connection stays small, and a larger body costs far more to transfer than
// to allocate.
const keepBody = 4 << 10

// Options configures a Conn. The zero value sends plain messages, applies
// DefaultMaxMessageSize and sets no I/O deadline.
type Options struct {
	// Compress zlib-compresses outgoing bodies (PYRO_COMPRESSION); a body is
	// sent compressed only when that makes it strictly shorter.
	Compress bool
	// Checksum sets the Adler-32 of every outgoing body (PYRO_CHECKSUM).
	// Incoming checksums are verified whenever the peer's flag says so.
	Checksum bool
	// MaxMessageSize limits incoming bodies, as transmitted and after
	// decompression; 0 means DefaultMaxMessageSize.
	MaxMessageSize int
	// IOTimeout bounds every read and write: a header, a body or a raw
	// handshake answer must arrive (or be sent) within IOTimeout of the
	// start of that step. 0 means no timeout besides the context's.
	IOTimeout time.Duration
	// ReuseBody lets ReadMessage return each body in one buffer of the
	// Conn's, valid only until the next ReadMessage, rather than a new slice
	// per message: for readers that are done with a body before reading the
	// next (a decoder that copies what it keeps).
	ReuseBody bool
	// Admit, if set, is asked by ReadMessage about every message once its
	// header has been read and before its body is, with bound, the most
	// bytes the body can occupy once read and decompressed (see
	// BodyBound). An error refuses the message: its body is read and
	// dropped, and ReadMessage returns an ErrRefused error wrapping it, the
	// stream still in sync. A server uses it to bound the memory of the
	// messages it reads and decodes at once, before any of it is taken.
	Admit func(ctx context.Context, bound int) error
}

// maxDeflateRatio is the most deflate can expand: each 258-byte match costs
// at least 2 bits, so a byte of input yields at most 1032 bytes of output.
const maxDeflateRatio = 1032

// BodyBound is the most bytes a body of size bytes, as sent, can occupy
// once decompressed (compressed) and checked against limit: size itself,
// or for a compressed body what deflate can expand it to, at most limit+1
// (one byte past the limit is where inflating stops).
func BodyBound(size int, compressed bool, limit int) int {
	if !compressed {
		return size
	}
	if size > (limit+1)/maxDeflateRatio {
		return limit + 1
	}
	return size * maxDeflateRatio
}

// Conn reads and writes Pyro messages on a network connection.
//
// One goroutine may read (ReadMessage) while another writes (WriteMessage);
// concurrent readers or concurrent writers must synchronise themselves.
type Conn struct {
	nc   net.Conn
	opts Options

	dl wire.Deadlines
	// read side
	hdr  [HeaderSize]byte
	rbuf []byte   // body buffer, with ReuseBody
	buf  buffered // nc, when it tells how much it has buffered
	zbuf []byte   // compressed body scratch
	zr   wire.Inflater

	// write side
	wmsg []byte // header+body of small messages
	zw   wire.Deflater
}

// NewConn wraps c. The Conn owns c from now on: Close closes it.
func NewConn(c net.Conn, opts Options) *Conn {
	if opts.MaxMessageSize <= 0 {
		opts.MaxMessageSize = DefaultMaxMessageSize
	}
	conn := &Conn{nc: c, opts: opts, dl: wire.NewDeadlines(c, opts.IOTimeout)}
	conn.buf, _ = c.(buffered)
	return conn
}

// buffered is a connection that reads through a buffer of its own.
type buffered interface{ Buffered() int }

// NetConn returns the underlying connection. Call it while no I/O of c is
// in progress: the caller may change the connection's deadlines, so c sets
// its own again at the next I/O.
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

// ReadMessage reads one message and returns its body, decompressed if the
// peer compressed it, and the header flags as received. The body is a new
// slice owned by the caller, unless Options.ReuseBody is set: then it is
// valid until the next ReadMessage.
//
// Errors are *FrameError values (see the Err* kinds). After ErrCompression,
// ErrXMLPickle and ErrRefused the whole message has been consumed and the connection can
// go on; after any other error the stream position is undefined and the
// connection should be closed (after replying, for ErrVersion, ErrHeader and
// ErrChecksum, an exception capsule as Pyro does).
//
// Cancelling ctx or reaching its deadline interrupts a blocked read.
func (c *Conn) ReadMessage(ctx context.Context) (body []byte, flags uint16, err error) {
	return c.readMessage(ctx, 0, false)
}

// readMessage reads a message whose first have header bytes are already in
// c.hdr. allowXML accepts the XML flag (for the handshake, whose bodies are
// raw bytes and never pickles).
func (c *Conn) readMessage(ctx context.Context, have int, allowXML bool) ([]byte, uint16, error) {
	stop, err := c.dl.Watch(ctx, true)
	if err != nil {
		return nil, 0, err
	}
	defer stop()

	if err := c.dl.Arm(ctx, true); err != nil {
		return nil, 0, err
	}
	if n, err := io.ReadFull(c.nc, c.hdr[have:]); err != nil {
		return nil, 0, c.dl.IOError(ctx, err, have+n == 0, true)
	}
	h, err := ParseHeader(c.hdr[:])
	if err != nil {
		return nil, h.Flags, err
	}
	size := int(h.BodySize)
	if size > c.opts.MaxMessageSize {
		return nil, h.Flags, tooLarge(size, c.opts.MaxMessageSize)
	}

	// A body already in the connection's buffer is read without I/O: it
	// needs no deadline (and the clock is not read for one).
	if c.buf == nil || c.buf.Buffered() < size {
		if err := c.dl.Arm(ctx, true); err != nil {
			return nil, 0, err
		}
	}
	compressed := h.Flags&FlagCompressed != 0
	if c.opts.Admit != nil && !allowXML {
		if err := c.opts.Admit(ctx, BodyBound(size, compressed, c.opts.MaxMessageSize)); err != nil {
			if _, derr := io.CopyN(io.Discard, c.nc, int64(size)); derr != nil {
				return nil, h.Flags, c.dl.IOError(ctx, derr, false, true)
			}
			return nil, h.Flags, newError(ErrRefused, err.Error(), err)
		}
	}
	var dst []byte
	switch {
	case compressed:
		dst = c.zbuf[:0]
	case c.opts.ReuseBody:
		dst = c.rbuf[:0]
	}
	body, err := wire.ReadBody(c.nc, dst, size)
	switch {
	case compressed:
		c.zbuf = wire.Keep(body)
	case c.opts.ReuseBody && cap(body) <= keepBody:
		c.rbuf = body[:0]
	}
	if err != nil {
		return nil, h.Flags, c.dl.IOError(ctx, err, false, true)
	}

	if h.Flags&FlagChecksum != 0 && int32(adler32.Checksum(body)) != h.CRC {
		return nil, h.Flags, newError(ErrChecksum, "checksum error", nil)
	}
	if h.Flags&FlagXMLPickle != 0 && !allowXML {
		return nil, h.Flags, newError(ErrXMLPickle, "XML pickle not supported", nil)
	}
	if compressed {
		body, err = c.zr.Inflate(body, c.opts.MaxMessageSize)
		if err != nil {
			return nil, h.Flags, err
		}
	}
	return body, h.Flags, nil
}

func tooLarge(size, limit int) *FrameError {
	return newError(ErrTooLarge, fmt.Sprintf("message too large: %d bytes exceeds the limit of %d", size, limit), nil)
}

// WriteMessage sends body as one message, compressed and checksummed
// according to the Options. body is not modified or retained.
func (c *Conn) WriteMessage(ctx context.Context, body []byte) error {
	if len(body) > math.MaxInt32 {
		return tooLarge(len(body), math.MaxInt32)
	}
	payload, hdr := c.frame(body)
	var err error
	if len(payload) <= wire.ReadChunk {
		// One write for small messages, as Pyro's single sendall.
		c.wmsg = append(hdr.Append(c.wmsg[:0]), payload...)
		err = c.dl.Write(ctx, func() error {
			_, err := c.nc.Write(c.wmsg)
			return err
		})
	} else {
		bufs := net.Buffers{hdr.Append(make([]byte, 0, HeaderSize)), payload}
		err = c.dl.Write(ctx, func() error {
			_, err := bufs.WriteTo(c.nc)
			return err
		})
	}
	c.zw.Release()
	return err
}

// WriteMessages sends bodies as consecutive messages, framed as
// WriteMessage frames each, in one write: for a sender of many short
// messages that no one answers (oneway calls), which a peer then reads
// from one segment. The bodies are not modified or retained.
func (c *Conn) WriteMessages(ctx context.Context, bodies [][]byte) error {
	c.wmsg = c.wmsg[:0]
	for _, body := range bodies {
		if len(body) > math.MaxInt32 {
			return tooLarge(len(body), math.MaxInt32)
		}
		payload, hdr := c.frame(body)
		c.wmsg = append(hdr.Append(c.wmsg), payload...)
	}
	c.zw.Release()
	err := c.dl.Write(ctx, func() error {
		_, err := c.nc.Write(c.wmsg)
		return err
	})
	if cap(c.wmsg) > keepBatch {
		c.wmsg = nil
	}
	return err
}

// keepBatch is the largest write buffer WriteMessages leaves to the next
// write.
const keepBatch = 1 << 20

// frame returns what is sent of body (compressed when the Options say so
// and that makes it shorter; valid until the next frame or c.zw.Release)
// and its header.
func (c *Conn) frame(body []byte) ([]byte, Header) {
	var flags uint16
	payload := body
	if c.opts.Compress {
		// Python's zlib.compress level; a valid level cannot fail.
		z, _ := c.zw.Deflate(body, zlib.DefaultCompression)
		if len(z) < len(body) {
			payload = z
			flags |= FlagCompressed
		}
	}
	var crc int32
	if c.opts.Checksum {
		crc = int32(adler32.Checksum(payload))
		flags |= FlagChecksum
	}
	return payload, NewHeader(int32(len(payload)), flags, crc)
}

// writeRaw sends b without a header (GRANTED / DENIED answers).
func (c *Conn) writeRaw(ctx context.Context, b []byte) error {
	return c.dl.Write(ctx, func() error {
		_, err := c.nc.Write(b)
		return err
	})
}

// readRaw reads exactly len(b) bytes into b (raw handshake answers).
func (c *Conn) readRaw(ctx context.Context, b []byte) error {
	stop, err := c.dl.Watch(ctx, true)
	if err != nil {
		return err
	}
	defer stop()
	if err := c.dl.Arm(ctx, true); err != nil {
		return err
	}
	if n, err := io.ReadFull(c.nc, b); err != nil {
		return c.dl.IOError(ctx, err, n == 0, true)
	}
	return nil
}
