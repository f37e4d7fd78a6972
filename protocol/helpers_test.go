package protocol

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"net"
	"os"
	"strings"
	"testing"
	"time"
)

// bytesConn is an in-memory net.Conn: reads come from in, writes go to out.
// Deadlines are accepted and ignored. It lets table tests and fuzz targets
// feed exact byte streams without goroutines.
type bytesConn struct {
	in  *bytes.Reader
	out bytes.Buffer
}

func newBytesConn(in []byte) *bytesConn { return &bytesConn{in: bytes.NewReader(in)} }

func (c *bytesConn) Read(b []byte) (int, error)       { return c.in.Read(b) }
func (c *bytesConn) Write(b []byte) (int, error)      { return c.out.Write(b) }
func (c *bytesConn) Close() error                     { return nil }
func (c *bytesConn) LocalAddr() net.Addr              { return testAddr("local") }
func (c *bytesConn) RemoteAddr() net.Addr             { return testAddr("remote") }
func (c *bytesConn) SetDeadline(time.Time) error      { return nil }
func (c *bytesConn) SetReadDeadline(time.Time) error  { return nil }
func (c *bytesConn) SetWriteDeadline(time.Time) error { return nil }

type testAddr string

func (a testAddr) Network() string { return "mem" }
func (a testAddr) String() string  { return string(a) }

// traceFrames returns the messages of testdata/trace_frames.txt by name
// ("01-handshake/conn1/2-C2S") as raw bytes.
func traceFrames(tb testing.TB) map[string][]byte {
	tb.Helper()
	f, err := os.Open("testdata/trace_frames.txt")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	frames := make(map[string][]byte)
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, hx, ok := strings.Cut(line, " ")
		if !ok {
			tb.Fatalf("bad line %q", line)
		}
		frames[name] = unhex(tb, hx)
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return frames
}

// frame returns one named trace message.
func frame(tb testing.TB, frames map[string][]byte, name string) []byte {
	tb.Helper()
	b, ok := frames[name]
	if !ok {
		tb.Fatalf("no trace frame %q", name)
	}
	return b
}

func unhex(tb testing.TB, s string) []byte {
	tb.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// kindOf returns the Kind of a *FrameError, or err itself otherwise.
func kindOf(err error) error {
	var pe *FrameError
	if errors.As(err, &pe) {
		return pe.Kind
	}
	return err
}

// errText is err.Error() or "" for nil.
func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// frameOf builds a message by hand: any header field may be wrong.
func frameOf(magic string, version, hsize uint16, size int32, flags uint16, crc int32, body []byte) []byte {
	h := Header{Version: version, HeaderSize: hsize, BodySize: size, Flags: flags, CRC: crc}
	b := h.Append(nil)
	copy(b, magic)
	return append(b, body...)
}
