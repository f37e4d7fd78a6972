package pymsgpack

import (
	"testing"

	"github.com/gopyro/gopyro/internal/goldentest"
)

// The benchmarks run on golden vectors: Pyro5's dumpsCall of a typical call
// and the class dict of an exception as a Pyro5 daemon sends it (the
// messages package serpent benchmarks). scripts/bench_codec.sh with the
// codec's name times Python on the same bytes.

// BenchmarkDecodeCall decodes Pyro5's call message.
func BenchmarkDecodeCall(b *testing.B) { goldentest.BenchDecode(b, codec, "pyro5 call") }

// BenchmarkEncodeCall encodes it again into a reused buffer.
func BenchmarkEncodeCall(b *testing.B) { goldentest.BenchEncode(b, codec, "pyro5 call") }

// BenchmarkDecodeException decodes an exception dict with its traceback.
func BenchmarkDecodeException(b *testing.B) { goldentest.BenchDecode(b, codec, "pyro5 exception") }

// BenchmarkEncodeException encodes that dict.
func BenchmarkEncodeException(b *testing.B) { goldentest.BenchEncode(b, codec, "pyro5 exception") }
