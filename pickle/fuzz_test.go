package pickle

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzDecode checks that no input makes the decoder panic and that every
// failure is an *Error. It is seeded with the hand-written opcode pickles and
// the golden corpus.
func FuzzDecode(f *testing.F) {
	for _, tc := range decOpcodeCases {
		f.Add([]byte(tc.in))
	}
	f.Add(stdCallMessage)
	for _, dir := range []string{"testdata/golden", "testdata/bench"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.pickle"))
		for _, name := range files {
			if data, err := os.ReadFile(name); err == nil {
				f.Add(data)
			}
		}
	}
	reg := NewRegistry(nil)
	conv := func(o *Object) (any, error) {
		if o.State == nil {
			return nil, errors.New("no state")
		}
		return &decPoint{X: o.State, Y: o.Args}, nil
	}
	for _, c := range [][2]string{
		{"Pyro.core", "PyroURI"}, {"exceptions", "ValueError"},
		{"Pyro.errors", "PyroExceptionCapsule"}, {"__main__", "Old"}, {"__main__", "New"}, {"m", "C"},
	} {
		reg.Register(c[0], c[1], conv)
	}
	decoders := []*Decoder{
		{},
		{Registry: reg},
		{Registry: reg, Limits: Limits{MaxDepth: 4, MaxMemo: 8, MaxStringLen: 16, MaxContainerLen: 8, MaxBigIntBytes: 4}},
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, d := range decoders {
			v, err := d.Decode(data)
			if err != nil {
				var pe *Error
				if !errors.As(err, &pe) {
					t.Fatalf("error %v is %T, not *Error", err, err)
				}
				if pe.Offset < 0 || pe.Offset > len(data) {
					t.Fatalf("error offset %d outside the data (%d bytes)", pe.Offset, len(data))
				}
				continue
			}
			if v == nil {
				t.Fatal("nil value without error")
			}
		}
	})
}
