package serpent

import (
	"encoding/base64"
	"errors"
	"testing"

	"github.com/gopyro/gopyro/internal/allocs"
	"github.com/gopyro/gopyro/pickle"
)

// FuzzDecode feeds arbitrary data to the decoder, seeded with every golden
// vector. Decode must not panic and must fail only with an *Error, and must
// not allocate more than maxAllocated for the data's size; what it returns
// must encode (unless Python's serpent refuses the value too), and with
// Restore set (bytes written as base64 dicts come back as bytes) decode
// again to an equal value.
func FuzzDecode(f *testing.F) {
	g := loadGolden(f)
	for _, c := range g.Encode {
		f.Add([]byte(c.Data))
	}
	for _, cases := range [][]textCase{g.Decode, g.Reject, g.Unsupported} {
		for _, c := range cases {
			data, err := base64.StdEncoding.DecodeString(c.Data)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, restore := range []bool{false, true} {
			d := Decoder{Restore: restore, Limits: Limits{MaxSize: 1 << 20}}
			var v any
			var err error
			decode := func() { v, err = d.Decode(data) }
			if n, bound := allocs.Bytes(decode), maxAllocated(len(data)); n > bound {
				// Once more before failing: the count is process-wide, and
				// a fuzzing run once counted 82 KB for a 66-byte input
				// that allocates 1.5 KB on its own, even from a cold pool.
				if n = allocs.Bytes(decode); n > bound {
					t.Fatalf("decoding %d bytes allocated %d bytes, over %d (error %v)", len(data), n, bound, err)
				}
			}
			if err != nil {
				var de *Error
				if !errors.As(err, &de) {
					t.Fatalf("Decode(%q) error %T %v, want *Error", data, err, err)
				}
				continue
			}
			out, err := Marshal(v)
			if err != nil {
				// Python refuses these too: None as a dict key, ints
				// of more than 4300 digits (hex literals may be longer).
				if !errors.Is(err, ErrUnsupportedValue) {
					t.Fatalf("Decode(%q) = %#v, which Marshal refuses: %v", data, v, err)
				}
				continue
			}
			if !restore {
				continue
			}
			back, err := d.Decode(out)
			if err != nil {
				t.Fatalf("Decode(%q) = %#v; Marshal = %q, which does not decode: %v", data, v, out, err)
			}
			if !equal(back, emptySetsAsTuples(v)) {
				t.Fatalf("Decode(%q) = %#v; Marshal = %q decodes to %#v", data, v, out, back)
			}
		}
	})
}

// maxAllocated is the most Decode may allocate for n bytes of data: 128
// bytes per byte, and 64 KiB of fixed costs (a parser, when the pool has
// none). Every value takes bytes of the data; the dearest per byte are
// dicts and sets, a pickle.Dict being at least a 384-byte hash table (set
// literals build one to drop duplicates): [{1:1},{1:1},...] allocates 79
// bytes per byte and [{1,2},...] 88.
func maxAllocated(n int) uint64 {
	return uint64(128*n + 64<<10)
}

// emptySetsAsTuples is v as serpent writes it: an empty set becomes () (no
// Python literal is an empty set), which decodes as an empty tuple.
func emptySetsAsTuples(v any) any {
	switch x := v.(type) {
	case *pickle.Set:
		if len(x.Items) == 0 {
			return pickle.Tuple{}
		}
		return &pickle.Set{Items: emptySetsAsTuplesAll(x.Items)}
	case pickle.Tuple:
		return pickle.Tuple(emptySetsAsTuplesAll(x))
	case *pickle.List:
		return &pickle.List{Items: emptySetsAsTuplesAll(x.Items)}
	case pickle.Dict:
		d := pickle.NewDict()
		for k, e := range pickle.DictItems(x) {
			d.Set(k, emptySetsAsTuples(e))
		}
		return d
	}
	return v
}

func emptySetsAsTuplesAll(items []any) []any {
	out := make([]any, len(items))
	for i, x := range items {
		out[i] = emptySetsAsTuples(x)
	}
	return out
}
