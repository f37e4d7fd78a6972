package protocol

import (
	"bytes"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"hash/adler32"
	"io"
	"math"
	"net"
	"os"
	"slices"
	"time"
)

// DefaultMaxMessageSize is the body size limit used when
// Options.MaxMessageSize is 0: 64 MiB, both for the body as transmitted and
// for a decompressed body. Pyro itself has no limit.
const DefaultMaxMessageSize = 64 << 20

const (
	// readChunk bounds how much memory a body read allocates ahead of the
	// bytes actually received: a header may announce any size up to the limit
	// and then send nothing, so buffers grow only as data arrives.
	readChunk = 64 << 10
	// keepBuffer is the largest scratch buffer a Conn keeps between messages.
	keepBuffer = 1 << 20
	// keepBody is the largest body buffer kept with ReuseBody: an idle
	// connection stays small, and a larger body costs far more to transfer
	// than to allocate.
	keepBody = 4 << 10
)

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
}

// Conn reads and writes Pyro messages on a network connection.
//
// One goroutine may read (ReadMessage) while another writes (WriteMessage);
// concurrent readers or concurrent writers must synchronise themselves.
type Conn struct {
	nc   net.Conn
	opts Options

	// read side
	hdr  [HeaderSize]byte
	rbuf []byte        // body buffer, with ReuseBody
	buf  buffered      // nc, when it tells how much it has buffered
	zbuf []byte        // compressed body scratch
	zr   io.ReadCloser // reused zlib reader

	// write side
	wbuf bytes.Buffer // compressed body scratch
	wmsg []byte       // header+body of small messages
	zw   *zlib.Writer

	// the deadlines armed on nc by setDeadline
	readDL, writeDL armed
	born            time.Time // when c was made, with its monotonic reading
}

// armed is a deadline set on the connection; idle tells it was IOTimeout
// from some moment (not a context's deadline); the zero armed is unknown
// (never set, or set by someone else since).
type armed struct {
	at          time.Time
	idle, valid bool
}

// NewConn wraps c. The Conn owns c from now on: Close closes it.
func NewConn(c net.Conn, opts Options) *Conn {
	if opts.MaxMessageSize <= 0 {
		opts.MaxMessageSize = DefaultMaxMessageSize
	}
	conn := &Conn{nc: c, opts: opts, born: time.Now()}
	conn.buf, _ = c.(buffered)
	return conn
}

// buffered is a connection that reads through a buffer of its own.
type buffered interface{ Buffered() int }

// NetConn returns the underlying connection. Call it while no I/O of c is
// in progress: the caller may change the connection's deadlines, so c sets
// its own again at the next I/O.
func (c *Conn) NetConn() net.Conn {
	c.forgetDeadlines()
	return c.nc
}

// forgetDeadlines makes the next I/O set its deadline whatever it was:
// something other than setDeadline may have changed it.
func (c *Conn) forgetDeadlines() { c.readDL, c.writeDL = armed{}, armed{} }

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
// Errors are *ProtocolError values (see the Err* kinds). After ErrCompression
// and ErrXMLPickle the whole message has been consumed and the connection can
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
	stop, err := c.watch(ctx, true)
	if err != nil {
		return nil, 0, err
	}
	defer stop()

	if err := c.setDeadline(ctx, true); err != nil {
		return nil, 0, err
	}
	if n, err := io.ReadFull(c.nc, c.hdr[have:]); err != nil {
		return nil, 0, c.ioError(ctx, err, have+n == 0, true)
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
		if err := c.setDeadline(ctx, true); err != nil {
			return nil, 0, err
		}
	}
	compressed := h.Flags&FlagCompressed != 0
	var dst []byte
	switch {
	case compressed:
		dst = c.zbuf[:0]
	case c.opts.ReuseBody:
		dst = c.rbuf[:0]
	}
	body, err := readBody(c.nc, dst, size)
	switch {
	case compressed:
		c.zbuf = keep(body)
	case c.opts.ReuseBody && cap(body) <= keepBody:
		c.rbuf = body[:0]
	}
	if err != nil {
		return nil, h.Flags, c.ioError(ctx, err, false, true)
	}

	if h.Flags&FlagChecksum != 0 && int32(adler32.Checksum(body)) != h.CRC {
		return nil, h.Flags, newError(ErrChecksum, "checksum error", nil)
	}
	if h.Flags&FlagXMLPickle != 0 && !allowXML {
		return nil, h.Flags, newError(ErrXMLPickle, "XML pickle not supported", nil)
	}
	if compressed {
		body, err = c.inflate(body)
		if err != nil {
			return nil, h.Flags, err
		}
	}
	return body, h.Flags, nil
}

func inflatedTooLarge(limit int) *ProtocolError {
	return newError(ErrTooLarge, fmt.Sprintf("message too large: decompressed body exceeds the limit of %d bytes", limit), nil)
}

func tooLarge(size, limit int) *ProtocolError {
	return newError(ErrTooLarge, fmt.Sprintf("message too large: %d bytes exceeds the limit of %d", size, limit), nil)
}

// keep returns b for reuse as scratch space unless it is too big to retain.
func keep(b []byte) []byte {
	if cap(b) > keepBuffer {
		return nil
	}
	return b[:0]
}

// readBody reads exactly n bytes appended to dst[:0]. It never allocates more
// than about twice the bytes received so far (plus readChunk), so a peer
// that announces a large body and sends less costs little memory.
func readBody(r io.Reader, dst []byte, n int) ([]byte, error) {
	buf := dst[:0]
	for len(buf) < n {
		want := min(n, max(2*len(buf), readChunk))
		if cap(buf) < want {
			buf = slices.Grow(buf, want-len(buf))
		}
		m, err := io.ReadFull(r, buf[len(buf):want])
		buf = buf[:len(buf)+m]
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return buf, err
		}
	}
	return buf, nil
}

// inflate decompresses data, bounded by MaxMessageSize.
func (c *Conn) inflate(data []byte) ([]byte, error) {
	src := bytes.NewReader(data)
	if c.zr == nil {
		zr, err := zlib.NewReader(src)
		if err != nil {
			return nil, zlibError(err)
		}
		c.zr = zr
	} else if err := c.zr.(zlib.Resetter).Reset(src, nil); err != nil {
		return nil, zlibError(err)
	}
	limit := c.opts.MaxMessageSize
	out := make([]byte, 0, min(limit, max(4*len(data), 512)))
	for {
		if len(out) == cap(out) {
			if len(out) > limit {
				return nil, inflatedTooLarge(limit)
			}
			out = slices.Grow(out, min(len(out), limit+1-len(out)))
		}
		n, err := c.zr.Read(out[len(out):cap(out)])
		out = out[:len(out)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, zlibError(err)
		}
	}
	if len(out) > limit {
		return nil, inflatedTooLarge(limit)
	}
	return out, nil
}

// WriteMessage sends body as one message, compressed and checksummed
// according to the Options. body is not modified or retained.
func (c *Conn) WriteMessage(ctx context.Context, body []byte) error {
	if len(body) > math.MaxInt32 {
		return tooLarge(len(body), math.MaxInt32)
	}
	var flags uint16
	payload := body
	if c.opts.Compress {
		c.wbuf.Reset()
		if c.zw == nil {
			c.zw = zlib.NewWriter(&c.wbuf)
		} else {
			c.zw.Reset(&c.wbuf)
		}
		// Writes to a bytes.Buffer cannot fail.
		_, _ = c.zw.Write(body)
		_ = c.zw.Close()
		if c.wbuf.Len() < len(body) {
			payload = c.wbuf.Bytes()
			flags |= FlagCompressed
		}
	}
	var crc int32
	if c.opts.Checksum {
		crc = int32(adler32.Checksum(payload))
		flags |= FlagChecksum
	}
	hdr := NewHeader(int32(len(payload)), flags, crc)
	var err error
	if len(payload) <= readChunk {
		// One write for small messages, as Pyro's single sendall.
		c.wmsg = append(hdr.Append(c.wmsg[:0]), payload...)
		err = c.write(ctx, func() error {
			_, err := c.nc.Write(c.wmsg)
			return err
		})
	} else {
		bufs := net.Buffers{hdr.Append(make([]byte, 0, HeaderSize)), payload}
		err = c.write(ctx, func() error {
			_, err := bufs.WriteTo(c.nc)
			return err
		})
	}
	if c.wbuf.Cap() > keepBuffer {
		c.wbuf = bytes.Buffer{}
	}
	return err
}

// writeRaw sends b without a header (GRANTED / DENIED answers).
func (c *Conn) writeRaw(ctx context.Context, b []byte) error {
	return c.write(ctx, func() error {
		_, err := c.nc.Write(b)
		return err
	})
}

func (c *Conn) write(ctx context.Context, do func() error) error {
	stop, err := c.watch(ctx, false)
	if err != nil {
		return err
	}
	defer stop()
	if err := c.setDeadline(ctx, false); err != nil {
		return err
	}
	if err := do(); err != nil {
		return c.ioError(ctx, err, false, false)
	}
	return nil
}

// readRaw reads exactly len(b) bytes into b (raw handshake answers).
func (c *Conn) readRaw(ctx context.Context, b []byte) error {
	stop, err := c.watch(ctx, true)
	if err != nil {
		return err
	}
	defer stop()
	if err := c.setDeadline(ctx, true); err != nil {
		return err
	}
	if n, err := io.ReadFull(c.nc, b); err != nil {
		return c.ioError(ctx, err, n == 0, true)
	}
	return nil
}

// longAgo is a deadline in the past: setting it makes blocked I/O return.
var longAgo = time.Unix(1, 0)

// watch makes cancellation of ctx interrupt the read (or write) side of the
// connection until stop is called. It fails at once if ctx is already done.
func (c *Conn) watch(ctx context.Context, read bool) (stop func(), err error) {
	if err := ctx.Err(); err != nil {
		return nil, contextError(err, read)
	}
	if ctx.Done() == nil {
		return func() {}, nil
	}
	fired := make(chan struct{})
	unregister := context.AfterFunc(ctx, func() {
		defer close(fired)
		if read {
			_ = c.nc.SetReadDeadline(longAgo)
		} else {
			_ = c.nc.SetWriteDeadline(longAgo)
		}
	})
	return func() {
		if !unregister() {
			// The callback ran or is running: wait for it so that its
			// deadline cannot clobber the next operation's.
			<-fired
			if read {
				c.readDL = armed{}
			} else {
				c.writeDL = armed{}
			}
		}
	}, nil
}

// setDeadline arms the deadline of one I/O step: the earlier of IOTimeout
// from now and the context's deadline. It must be called after watch; it
// re-checks ctx so that a cancellation racing with it is not lost.
func (c *Conn) setDeadline(ctx context.Context, read bool) error {
	var dl time.Time
	idle := false
	if c.opts.IOTimeout > 0 {
		dl, idle = c.now().Add(c.opts.IOTimeout), true
	}
	if d, ok := ctx.Deadline(); ok && (dl.IsZero() || d.Before(dl)) {
		dl, idle = d, false
	}
	cur := &c.writeDL
	if read {
		cur = &c.readDL
	}
	if !c.keep(*cur, dl, idle) {
		var err error
		if read {
			err = c.nc.SetReadDeadline(dl)
		} else {
			err = c.nc.SetWriteDeadline(dl)
		}
		if err != nil {
			*cur = armed{}
			return c.ioError(ctx, err, false, read)
		}
		*cur = armed{dl, idle, true}
	}
	if err := ctx.Err(); err != nil {
		return contextError(err, read)
	}
	return nil
}

// now returns the current time from the monotonic clock alone: time.Now
// reads two clocks, time.Since one, and this runs for every message.
func (c *Conn) now() time.Time {
	return c.born.Add(time.Since(c.born))
}

// keep tells whether the armed deadline a can stay instead of dl: the same
// one, or both IOTimeout deadlines with a less than 1/64 of IOTimeout
// earlier. Re-arming the runtime's timer for every message of a busy
// connection costs more than the call's own decoding; an idle timeout that
// fires up to 1/64 early (0.3 s of Pyro's 20 s) changes nothing.
func (c *Conn) keep(a armed, dl time.Time, idle bool) bool {
	if !a.valid {
		return false
	}
	if a.at.Equal(dl) && a.idle == idle {
		return true
	}
	return idle && a.idle && !a.at.After(dl) && dl.Sub(a.at) < c.opts.IOTimeout/64
}

func contextError(err error, read bool) *ProtocolError {
	if errors.Is(err, context.DeadlineExceeded) {
		return newError(ErrTimeout, timeoutText(read), err)
	}
	return newError(ErrCanceled, "canceled", err)
}

func timeoutText(read bool) string {
	if read {
		return "connection timeout receiving"
	}
	return "connection timeout sending"
}

// ioError classifies a transport error. atStart says nothing of the message
// had been read yet, so io.EOF is a clean close.
func (c *Conn) ioError(ctx context.Context, err error, atStart, read bool) *ProtocolError {
	if cerr := ctx.Err(); cerr != nil {
		return contextError(cerr, read)
	}
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		return newError(ErrTimeout, timeoutText(read), err)
	case err == io.EOF && atStart:
		return newError(ErrClosed, "connection closed", io.EOF)
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		return newError(ErrTruncated, "connection lost", io.ErrUnexpectedEOF)
	}
	if tlsErr := tlsAlertError(err); tlsErr != nil {
		return tlsErr
	}
	return newError(ErrConnection, "connection lost: "+err.Error(), err)
}
