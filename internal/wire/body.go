package wire

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"slices"
)

const (
	// ReadChunk bounds how much memory a body read allocates ahead of the
	// bytes actually received: a header may announce any size up to the
	// limit and then send nothing, so buffers grow only as data arrives.
	ReadChunk = 64 << 10
	// keepBuffer is the largest scratch buffer kept between messages.
	keepBuffer = 1 << 20
)

// Keep returns b for reuse as scratch space unless it is too big to retain.
func Keep(b []byte) []byte {
	if cap(b) > keepBuffer {
		return nil
	}
	return b[:0]
}

// ReadBody reads exactly n bytes appended to dst[:0]. It never allocates
// more than about twice the bytes received so far (plus ReadChunk), so a
// peer that announces a large body and sends less costs little memory. A
// short read returns the bytes read and io.ErrUnexpectedEOF.
func ReadBody(r io.Reader, dst []byte, n int) ([]byte, error) {
	buf := dst[:0]
	for len(buf) < n {
		want := min(n, max(2*len(buf), ReadChunk))
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

// Inflater decompresses zlib data with a reused reader.
type Inflater struct {
	zr io.ReadCloser
}

// InflatedTooLarge is the ErrTooLarge error of a body that decompresses to
// more than limit bytes.
func InflatedTooLarge(limit int) *FrameError {
	return NewError(ErrTooLarge, fmt.Sprintf("message too large: decompressed body exceeds the limit of %d bytes", limit), nil)
}

// Inflate decompresses data into a new slice of at most limit bytes:
// ErrCompression (Python's zlib.error text) for data that is not zlib,
// InflatedTooLarge beyond the limit.
func (z *Inflater) Inflate(data []byte, limit int) ([]byte, error) {
	src := bytes.NewReader(data)
	if z.zr == nil {
		zr, err := zlib.NewReader(src)
		if err != nil {
			return nil, ZlibError(err)
		}
		z.zr = zr
	} else if err := z.zr.(zlib.Resetter).Reset(src, nil); err != nil {
		return nil, ZlibError(err)
	}
	out := make([]byte, 0, min(limit, max(4*len(data), 512)))
	for {
		if len(out) == cap(out) {
			if len(out) > limit {
				return nil, InflatedTooLarge(limit)
			}
			out = slices.Grow(out, min(len(out), limit+1-len(out)))
		}
		n, err := z.zr.Read(out[len(out):cap(out)])
		out = out[:len(out)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, ZlibError(err)
		}
	}
	if len(out) > limit {
		return nil, InflatedTooLarge(limit)
	}
	return out, nil
}

// Deflater compresses with a reused zlib writer at one level.
type Deflater struct {
	buf   bytes.Buffer
	zw    *zlib.Writer
	level int
}

// Deflate returns data zlib-compressed at level (a compress/zlib level);
// the result is valid until the next Deflate. Only an invalid level fails.
func (d *Deflater) Deflate(data []byte, level int) ([]byte, error) {
	d.buf.Reset()
	if d.zw == nil || d.level != level {
		zw, err := zlib.NewWriterLevel(&d.buf, level)
		if err != nil {
			return nil, err
		}
		d.zw, d.level = zw, level
	} else {
		d.zw.Reset(&d.buf)
	}
	// Writes to a bytes.Buffer cannot fail.
	_, _ = d.zw.Write(data)
	_ = d.zw.Close()
	return d.buf.Bytes(), nil
}

// Release drops a scratch buffer that grew too big to keep.
func (d *Deflater) Release() {
	if d.buf.Cap() > keepBuffer {
		d.buf = bytes.Buffer{}
	}
}
