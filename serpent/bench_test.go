package serpent

import "testing"

// The benchmarks run on golden vectors: Pyro5's dumpsCall of a typical call
// and the dict of an exception as a Pyro5 daemon sends it.
// scripts/bench_codec.sh serpent times Python's serpent on the same bytes.

func goldenData(b *testing.B, name string) []byte {
	g := loadGolden(b)
	for _, c := range g.Encode {
		if c.Name == name {
			return []byte(c.Data)
		}
	}
	b.Fatalf("no golden vector %q", name)
	return nil
}

func benchDecode(b *testing.B, name string) {
	data := goldenData(b, name)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}

func benchEncode(b *testing.B, name string) {
	v, err := Decode(goldenData(b, name))
	if err != nil {
		b.Fatal(err)
	}
	var e Encoder
	buf := make([]byte, 0, 1024)
	b.ReportAllocs()
	for b.Loop() {
		if buf, err = e.Append(buf[:0], v); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(len(buf)))
}

// BenchmarkDecodeCall decodes Pyro5's call message (serpent.loads).
func BenchmarkDecodeCall(b *testing.B) { benchDecode(b, "pyro5 call") }

// BenchmarkEncodeCall encodes it again into a reused buffer (serpent.dumps).
func BenchmarkEncodeCall(b *testing.B) { benchEncode(b, "pyro5 call") }

// BenchmarkDecodeException decodes an exception dict with its traceback.
func BenchmarkDecodeException(b *testing.B) { benchDecode(b, "pyro5 exception") }

// BenchmarkEncodeException encodes that dict.
func BenchmarkEncodeException(b *testing.B) { benchEncode(b, "pyro5 exception") }
