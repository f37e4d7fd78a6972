package serpent

import (
	"encoding/base64"
	"errors"
	"testing"

	"github.com/gopyro/gopyro/pickle"
)

// FuzzDecode feeds arbitrary data to the decoder, seeded with every golden
// vector. Decode must not panic and must fail only with an *Error; what it
// returns must encode (unless Python's serpent refuses the value too), and
// with Restore set (bytes written as base64 dicts come back as bytes) decode
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
			v, err := d.Decode(data)
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
