package goldentest

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/gopyro/gopyro/internal/pyval"
)

// Codec is what the golden tests run: a codec's Decode and Marshal.
type Codec struct {
	Decode func([]byte) (any, error)
	Encode func(any) ([]byte, error)
	// Append is the encoder into a buffer, which BenchEncode times.
	Append func(dst []byte, v any) ([]byte, error)
	// Plain compares the encoder's output with Case.Plain (marshal).
	Plain bool
	// Writes lists the refuse cases the codec writes on purpose, with why
	// (a Go time has no naive form, say); they must encode.
	Writes map[string]string
}

// TestEncode pins the encoder byte for byte against Pyro5's serializer where
// Go has Python's dict order, and the decoder against the Python loader on
// the same bytes.
func (f *File) TestEncode(t *testing.T, c Codec) {
	for _, tc := range f.Encode {
		t.Run(tc.Name, func(t *testing.T) {
			data := tc.Bytes(t)
			got, err := c.Decode(data)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if want := Build(t, tc.Loaded); !Equal(got, want) {
				t.Fatalf("Decode = %#v, Python loads %#v", got, want)
			}
			desc := tc.Value
			if desc == nil { // a Pyro class dict: encode what Python loads
				desc = tc.Loaded
			}
			out, err := c.Encode(Build(t, desc))
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			want := data
			if c.Plain {
				want = tc.PlainBytes(t)
			}
			if bytes.Equal(out, want) {
				return
			}
			if Sorted(t, desc) {
				t.Fatalf("Marshal =\n%q\nPython writes\n%q", out, want)
			}
			back, err := c.Decode(out) // Python's dict order is not Go's
			if err != nil || !Equal(back, got) {
				t.Fatalf("Marshal = %q decodes to %#v (%v), want %#v", out, back, err, got)
			}
		})
	}
}

// TestDecode reads what other writers send as the Python loader reads it.
func (f *File) TestDecode(t *testing.T, c Codec) {
	for _, tc := range f.Decode {
		t.Run(tc.Name, func(t *testing.T) {
			got, err := c.Decode(tc.Bytes(t))
			if err != nil {
				t.Fatalf("Decode(%q): %v", tc.Bytes(t), err)
			}
			if want := Build(t, tc.Loaded); !Equal(got, want) {
				t.Fatalf("Decode(%q) = %#v, Python loads %#v", tc.Bytes(t), got, want)
			}
		})
	}
}

// TestReject refuses, with a *pyval.DecodeError, what the Python loader refuses.
func (f *File) TestReject(t *testing.T, c Codec) {
	for _, tc := range f.Reject {
		t.Run(tc.Name, func(t *testing.T) {
			v, err := c.Decode(tc.Bytes(t))
			var de *pyval.DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("Decode(%q) = %#v, %v; Python: %s", tc.Bytes(t), v, err, tc.Python)
			}
		})
	}
}

// TestRefuse refuses, with a *pyval.EncodeError, what Pyro5's serializer
// refuses to write, but for the cases in c.Writes.
func (f *File) TestRefuse(t *testing.T, c Codec) {
	for _, tc := range f.Refuse {
		t.Run(tc.Name, func(t *testing.T) {
			out, err := c.Encode(Build(t, tc.Value))
			if why, ok := c.Writes[tc.Name]; ok {
				if err != nil {
					t.Fatalf("Marshal: %v; written on purpose (%s)", err, why)
				}
				return
			}
			var ee *pyval.EncodeError
			if !errors.As(err, &ee) {
				t.Fatalf("Marshal = %q, %v; Pyro5: %s", out, err, tc.Python)
			}
		})
	}
}

// TestConcurrent decodes and encodes every encode vector from several
// goroutines at once, for the race detector: the codecs share pooled state.
func (f *File) TestConcurrent(t *testing.T, c Codec) {
	data := make([][]byte, len(f.Encode))
	for i, tc := range f.Encode {
		data[i] = tc.Bytes(t)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, tc := range f.Encode {
				v, err := c.Decode(data[i])
				if err == nil {
					_, err = c.Encode(v)
				}
				if err != nil {
					errs <- fmt.Errorf("%s: %w", tc.Name, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
