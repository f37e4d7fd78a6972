package protocol

import (
	"bytes"
	"context"
	"testing"

	"github.com/gopyro/gopyro/internal/frametest"
)

func benchmarkRead(b *testing.B, opts Options, body []byte) {
	var out frametest.BytesConn
	if err := NewConn(&out, opts).WriteMessage(context.Background(), body); err != nil {
		b.Fatal(err)
	}
	bc := frametest.NewLoopConn(out.Out.Bytes())
	c := NewConn(bc, Options{})
	ctx := context.Background()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := c.ReadMessage(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

func benchmarkWrite(b *testing.B, opts Options, body []byte) {
	c := NewConn(frametest.NewLoopConn(nil), opts)
	ctx := context.Background()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if err := c.WriteMessage(ctx, body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReadMessage(b *testing.B) {
	b.Run("plain/266B", func(b *testing.B) { benchmarkRead(b, Options{}, trace14Body()) })
	b.Run("compressed+checksum/266B", func(b *testing.B) {
		benchmarkRead(b, Options{Compress: true, Checksum: true}, trace14Body())
	})
	b.Run("plain/1MiB", func(b *testing.B) { benchmarkRead(b, Options{}, bytes.Repeat(trace14Body(), 1<<20/266)) })
}

func BenchmarkWriteMessage(b *testing.B) {
	b.Run("plain/266B", func(b *testing.B) { benchmarkWrite(b, Options{}, trace14Body()) })
	b.Run("compressed+checksum/266B", func(b *testing.B) {
		benchmarkWrite(b, Options{Compress: true, Checksum: true}, trace14Body())
	})
	b.Run("plain/1MiB", func(b *testing.B) { benchmarkWrite(b, Options{}, bytes.Repeat(trace14Body(), 1<<20/266)) })
}
