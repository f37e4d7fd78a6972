package goldentest

import (
	"errors"
	"testing"

	"github.com/gopyro/gopyro/internal/allocs"
	"github.com/gopyro/gopyro/internal/pyval"
)

// Seed adds every vector's bytes (and marshal's plain bytes) to f.
func (g *File) Seed(f *testing.F) {
	for _, cases := range [][]Case{g.Encode, g.Decode, g.Reject} {
		for _, c := range cases {
			f.Add(c.Bytes(f))
			if c.Plain != "" {
				f.Add(c.PlainBytes(f))
			}
		}
	}
}

// MaxAllocated is the most one decode may allocate for n bytes of data:
// 128 bytes per byte and 64 KiB of fixed costs. The dearest values per
// byte are empty maps and dicts (a pickle.Dict takes 96 bytes, msgpack
// writes an empty map in one byte), which containers grown as items arrive
// keep from multiplying by the sizes their headers claim.
func MaxAllocated(n int) uint64 { return uint64(128*n + 64<<10) }

// RoundTrip is the body of each codec's FuzzDecode: decoding data must not
// panic, must fail only with a *pyval.DecodeError and allocate at most
// MaxAllocated; what it returns must encode (unless the error is one of
// mayFail, with why in the codec's test) and decode again to an equal
// value.
func RoundTrip(t *testing.T, c Codec, data []byte, mayFail ...error) {
	var v any
	var err error
	decode := func() { v, err = c.Decode(data) }
	if n, bound := allocs.Bytes(decode), MaxAllocated(len(data)); n > bound {
		// Once more before failing: the count is process-wide.
		if n = allocs.Bytes(decode); n > bound {
			t.Fatalf("decoding %d bytes allocated %d bytes, over %d (error %v)", len(data), n, bound, err)
		}
	}
	if err != nil {
		var de *pyval.DecodeError
		if !errors.As(err, &de) {
			t.Fatalf("Decode(%q) error %T %v, want *pyval.DecodeError", data, err, err)
		}
		return
	}
	out, err := c.Encode(v)
	if err != nil {
		for _, ok := range mayFail {
			if errors.Is(err, ok) {
				return
			}
		}
		t.Fatalf("Decode(%q) = %#v, which Marshal refuses: %v", data, v, err)
	}
	back, err := c.Decode(out)
	if err != nil {
		t.Fatalf("Decode(%q) = %#v; Marshal = %q, which does not decode: %v", data, v, out, err)
	}
	if !Equal(back, v) {
		t.Fatalf("Decode(%q) = %#v; Marshal = %q decodes to %#v", data, v, out, back)
	}
}
