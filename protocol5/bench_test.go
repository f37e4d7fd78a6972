package protocol5

import (
	"bytes"
	"context"
	"testing"

	"github.com/gopyro/gopyro/internal/frametest"
)

// invokeFrames are typical calls, as captured: serpent add(3, 4), and an
// attribute get with a correlation id and two annotations.
var invokeFrames = []struct{ name, frame string }{
	{"add", "call_serpent/conn1/3-C2S"},
	{"annotated", "corr_annotations/conn1/3-C2S"},
}

func BenchmarkReadMessage(b *testing.B) {
	frames := frametest.Load(b, framesFile)
	for _, bf := range invokeFrames {
		b.Run(bf.name, func(b *testing.B) {
			frame := frametest.Find(b, frames, bf.frame)
			c := NewConn(frametest.NewLoopConn(frame), Options{})
			ctx := context.Background()
			b.SetBytes(int64(len(frame)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.ReadMessage(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkWriteMessage(b *testing.B) {
	frames := frametest.Load(b, framesFile)
	for _, bf := range invokeFrames {
		b.Run(bf.name, func(b *testing.B) {
			m, err := ReadMessage(bytes.NewReader(frametest.Find(b, frames, bf.frame)), 0)
			if err != nil {
				b.Fatal(err)
			}
			c := NewConn(frametest.NewLoopConn(nil), Options{})
			ctx := context.Background()
			b.SetBytes(int64(m.Size()))
			b.ReportAllocs()
			for b.Loop() {
				if err := c.WriteMessage(ctx, m); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
