package compat

import (
	"testing"

	"github.com/gopyro/gopyro/pickle"
)

// The Name Server's answer to resolve: a PyroURI, as Pyro 3 pickles it.
var benchURI = URI{Protocol: "PYRO", Address: "127.0.0.1", Port: 7766, ObjectID: "0123456789abcdef0123456789abcdef"}

func BenchmarkEncodeURI(b *testing.B) {
	enc := pickle.Encoder{Protocol: 2}
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if buf, err = enc.Append(buf[:0], benchURI); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeURI(b *testing.B) {
	data, err := pickle.Marshal(benchURI)
	if err != nil {
		b.Fatal(err)
	}
	var dec pickle.Decoder
	b.ReportAllocs()
	for b.Loop() {
		v, err := dec.Decode(data)
		if err != nil {
			b.Fatal(err)
		}
		if v.(URI) != benchURI {
			b.Fatalf("decoded %#v", v)
		}
	}
}
