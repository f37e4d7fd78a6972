package frametest

import (
	"bytes"
	"net"
	"time"
)

// BytesConn is an in-memory net.Conn: reads come from In, writes go to Out.
// Deadlines are accepted and ignored. It lets table tests and fuzz targets
// feed exact byte streams without goroutines.
type BytesConn struct {
	In  *bytes.Reader
	Out bytes.Buffer
}

// NewBytesConn returns a BytesConn that reads in.
func NewBytesConn(in []byte) *BytesConn { return &BytesConn{In: bytes.NewReader(in)} }

func (c *BytesConn) Read(b []byte) (int, error)  { return c.In.Read(b) }
func (c *BytesConn) Write(b []byte) (int, error) { return c.Out.Write(b) }

// Close does nothing.
func (c *BytesConn) Close() error { return nil }

// LocalAddr is Addr("local").
func (c *BytesConn) LocalAddr() net.Addr { return Addr("local") }

// RemoteAddr is Addr("remote").
func (c *BytesConn) RemoteAddr() net.Addr { return Addr("remote") }

// SetDeadline does nothing.
func (c *BytesConn) SetDeadline(time.Time) error { return nil }

// SetReadDeadline does nothing.
func (c *BytesConn) SetReadDeadline(time.Time) error { return nil }

// SetWriteDeadline does nothing.
func (c *BytesConn) SetWriteDeadline(time.Time) error { return nil }

// Addr is a net.Addr of network "mem" whose String is the string itself.
type Addr string

// Network is "mem".
func (a Addr) Network() string { return "mem" }

func (a Addr) String() string { return string(a) }

// LoopConn is a net.Conn whose reads repeat Frame over and over and whose
// writes are discarded: the peer of benchmarks that read or write messages
// without end.
type LoopConn struct {
	BytesConn
	Frame []byte
}

// NewLoopConn returns a LoopConn that reads frame again and again.
func NewLoopConn(frame []byte) *LoopConn {
	return &LoopConn{BytesConn: BytesConn{In: bytes.NewReader(nil)}, Frame: frame}
}

func (c *LoopConn) Read(b []byte) (int, error) {
	if c.In.Len() == 0 {
		c.In.Reset(c.Frame)
	}
	return c.In.Read(b)
}

func (c *LoopConn) Write(b []byte) (int, error) { return len(b), nil }
