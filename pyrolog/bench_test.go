package pyrolog

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/gopyro/gopyro/config"
)

// BenchmarkOff measures log calls at trace level 0 (Pyro's default): they
// must cost next to nothing and allocate nothing.
func BenchmarkOff(b *testing.B) {
	if err := Setup(config.Defaults()); err != nil {
		b.Fatal(err)
	}
	log := System().With(Source("Daemon"))
	ctx := context.Background()
	b.Run("Enabled", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if log.Enabled(ctx, slog.LevelInfo) {
				b.Fatal("enabled")
			}
		}
	})
	b.Run("Info", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			log.Info("request handled")
		}
	})
	b.Run("LogAttrs", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			log.LogAttrs(ctx, slog.LevelError, "failed", slog.String("method", "echo"))
		}
	})
}

// BenchmarkOn measures a written line (to io.Discard), for comparison.
func BenchmarkOn(b *testing.B) {
	log := slog.New(NewHandler(io.Discard, nil)).With(Source("Daemon"))
	b.ReportAllocs()
	for b.Loop() {
		log.Info("request handled", "method", "echo")
	}
}
