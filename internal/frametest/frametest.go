// Package frametest reads the captured frame files of the framing packages'
// tests (testdata/frames.txt, written by scripts/capture_pyro45.py): one
// frame per line, "<scenario>/<connection>/<n>-<C2S|S2C> <hex>", with '#'
// comment lines and blank lines between them; and the in-memory connections
// (BytesConn, LoopConn) their table tests and benchmarks read and write.
package frametest

import (
	"bufio"
	"encoding/hex"
	"os"
	"strings"
	"testing"
)

// Frame is one captured frame.
type Frame struct {
	Name     string // "call_serpent/conn1/3-C2S"
	Scenario string // "call_serpent"
	Conn     string // "call_serpent/conn1"
	Dir      string // "C2S" or "S2C"
	Bytes    []byte
}

// Load returns the frames of path in file order; it fails tb on a
// malformed file or one without frames.
func Load(tb testing.TB, path string) []Frame {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var frames []Frame
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, hx, ok := strings.Cut(line, " ")
		parts := strings.Split(name, "/")
		if !ok || len(parts) != 3 {
			tb.Fatalf("%s: bad line %.80q", path, line)
		}
		_, dir, _ := strings.Cut(parts[2], "-")
		if dir != "C2S" && dir != "S2C" {
			tb.Fatalf("%s: bad direction in %q", path, name)
		}
		b, err := hex.DecodeString(hx)
		if err != nil {
			tb.Fatalf("%s: %s: %v", path, name, err)
		}
		frames = append(frames, Frame{Name: name, Scenario: parts[0], Conn: parts[0] + "/" + parts[1], Dir: dir, Bytes: b})
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	if len(frames) == 0 {
		tb.Fatalf("%s: no frames", path)
	}
	return frames
}

// Find returns the frame called name; it fails tb if there is none.
func Find(tb testing.TB, frames []Frame, name string) []byte {
	tb.Helper()
	for _, f := range frames {
		if f.Name == name {
			return f.Bytes
		}
	}
	tb.Fatalf("no captured frame %q", name)
	return nil
}

// MarshalText returns the string a marshal-serialized str holds, as Pyro's
// daemons send the reason of a CONNECTFAIL: a short ASCII string (type
// 'z', maybe with the ref flag) or a unicode string ('u'). ok is false for
// anything else.
func MarshalText(data []byte) (s string, ok bool) {
	if len(data) < 2 {
		return "", false
	}
	switch data[0] &^ 0x80 {
	case 'z', 'Z':
		if n := int(data[1]); len(data) == 2+n {
			return string(data[2:]), true
		}
	case 'u', 'a', 'A':
		if len(data) >= 5 {
			n := int(data[1]) | int(data[2])<<8 | int(data[3])<<16 | int(data[4])<<24
			if len(data) == 5+n {
				return string(data[5:]), true
			}
		}
	}
	return "", false
}
