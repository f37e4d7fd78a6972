package protocol

import (
	"bytes"
	"context"
	"testing"

	"github.com/gopyro/gopyro/internal/frametest"
)

// TestWriteMessages: consecutive messages written at once read back one by
// one, framed as WriteMessage frames them, with compression and checksums.
func TestWriteMessages(t *testing.T) {
	bodies := [][]byte{[]byte("one"), bytes.Repeat([]byte("z"), 5000), {}, []byte("four")}
	for _, opts := range []Options{{}, {Compress: true}, {Checksum: true}, {Compress: true, Checksum: true}} {
		out := frametest.NewBytesConn(nil)
		if err := NewConn(out, opts).WriteMessages(context.Background(), bodies); err != nil {
			t.Fatal(err)
		}
		r := NewConn(frametest.NewBytesConn(out.Out.Bytes()), Options{})
		for i, want := range bodies {
			got, _, err := r.ReadMessage(context.Background())
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("%+v: message %d: %d bytes, %v", opts, i, len(got), err)
			}
		}
	}
}
