package pymarshal

import (
	"testing"

	"github.com/gopyro/gopyro/internal/goldentest"
)

// FuzzDecode feeds arbitrary data to the decoder, seeded with every golden
// vector: no panics, only *Error failures, bounded allocation, and what
// decodes encodes and decodes again to an equal value. Lists and dicts
// that contain themselves (marshal references make them) cannot be
// written: they fail with ErrEncodeDepth.
func FuzzDecode(f *testing.F) {
	goldentest.Load(f).Seed(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		goldentest.RoundTrip(t, codec, data, ErrEncodeDepth)
	})
}
