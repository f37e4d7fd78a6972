package protocol5

import (
	"bytes"
	"net"
	"time"
)

// bytesConn is an in-memory net.Conn: reads come from in, writes go to out;
// deadlines are accepted and ignored.
type bytesConn struct {
	in  *bytes.Reader
	out bytes.Buffer
}

func newBytesConn(in []byte) *bytesConn { return &bytesConn{in: bytes.NewReader(in)} }

func (c *bytesConn) Read(b []byte) (int, error)       { return c.in.Read(b) }
func (c *bytesConn) Write(b []byte) (int, error)      { return c.out.Write(b) }
func (c *bytesConn) Close() error                     { return nil }
func (c *bytesConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (c *bytesConn) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (c *bytesConn) SetDeadline(time.Time) error      { return nil }
func (c *bytesConn) SetReadDeadline(time.Time) error  { return nil }
func (c *bytesConn) SetWriteDeadline(time.Time) error { return nil }
