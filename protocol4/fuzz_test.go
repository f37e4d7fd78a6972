package protocol4

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/gopyro/gopyro/internal/frametest"
)

const fuzzLimit = 1 << 16

// FuzzDecode: any byte stream yields messages within the size limit or
// typed errors. Every message read re-encodes to the bytes it came from
// (but for the reserved header field, which Pyro ignores and sends as 0),
// and the Conn reading the same stream agrees.
func FuzzDecode(f *testing.F) {
	frames := frametest.Load(f, framesFile)
	for _, fr := range frames {
		f.Add(fr.Bytes)
	}
	for i := 1; i < len(frames); i++ {
		f.Add(append(bytes.Clone(frames[i-1].Bytes), frames[i].Bytes...))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r := bytes.NewReader(data)
		c := NewConn(frametest.NewBytesConn(data), Options{MaxMessageSize: fuzzLimit, HMACKey: goldenKey})
		for range 16 {
			start := len(data) - r.Len()
			m, err := ReadMessage(r, fuzzLimit)
			cm, cerr := c.ReadMessage(context.Background())
			if err != nil {
				var pe *FrameError
				if !errors.As(err, &pe) || pe.Msg == "" || pe.Kind == nil {
					t.Fatalf("untyped error %T: %v", err, err)
				}
				if !errors.Is(cerr, pe.Kind) {
					t.Fatalf("ReadMessage: %v; Conn: %v", err, cerr)
				}
				return
			}
			raw := bytes.Clone(data[start : len(data)-r.Len()])
			if raw[20] != 0 || raw[21] != 0 {
				// the reserved field is not in the checksum
				raw[20], raw[21] = 0, 0
			}
			got, err := m.MarshalBinary()
			if err != nil || !bytes.Equal(got, raw) {
				t.Fatalf("re-encoded as %x (%v), want %x", got, err, raw)
			}
			if len(got) > HeaderSize+fuzzLimit {
				t.Fatalf("message of %d bytes beyond the limit", len(got))
			}
			if errors.Is(cerr, ErrSecurity) || errors.Is(cerr, ErrCompression) {
				if cm == nil || cm.Seq != m.Seq {
					t.Fatalf("%v without its message", cerr)
				}
				continue
			}
			if cerr != nil {
				t.Fatalf("ReadMessage read it, Conn: %v", cerr)
			}
			if verr := m.Verify(goldenKey); verr != nil {
				t.Fatalf("Conn accepted what Verify refuses: %v", verr)
			}
			if m.Flags&FlagCompressed == 0 && !bytes.Equal(cm.Data, m.Data) {
				t.Fatalf("Conn read %q, ReadMessage %q", cm.Data, m.Data)
			}
			if len(cm.Data) > fuzzLimit {
				t.Fatalf("inflated to %d bytes", len(cm.Data))
			}
		}
	})
}
