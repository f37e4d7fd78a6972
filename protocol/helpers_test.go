package protocol

import (
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/gopyro/gopyro/internal/frametest"
)

// traceFrames returns the messages of testdata/trace_frames.txt by name
// ("01-handshake/conn1/2-C2S") as raw bytes.
func traceFrames(tb testing.TB) map[string][]byte {
	tb.Helper()
	frames := make(map[string][]byte)
	for _, f := range frametest.Load(tb, "testdata/trace_frames.txt") {
		frames[f.Name] = f.Bytes
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
