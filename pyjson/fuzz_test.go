package pyjson

import (
	"testing"

	"github.com/gopyro/gopyro/internal/goldentest"
)

// FuzzDecode feeds arbitrary data to the decoder, seeded with every golden
// vector: no panics, only *Error failures, bounded allocation, and what
// decodes encodes and decodes again to an equal value.
func FuzzDecode(f *testing.F) {
	goldentest.Load(f).Seed(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		goldentest.RoundTrip(t, codec, data)
	})
}
