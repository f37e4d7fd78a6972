package pymarshal

import (
	"errors"
	"math"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/gopyro/gopyro/pickle"
)

// TestMarshal pins the forms Go values take, beside the golden vectors.
func TestMarshal(t *testing.T) {
	long := make([]byte, 300)
	for i := range long {
		long[i] = 'a'
	}
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"int8", int8(-1), "i\xff\xff\xff\xff"},
		{"uint64 max", uint64(math.MaxUint64), "l\x05\x00\x00\x00\xff\x7f\xff\x7f\xff\x7f\xff\x7f\x0f\x00"},
		{"int64 beyond int32", int64(1) << 40, "l\x03\x00\x00\x00\x00\x00\x00\x00\x00\x04"},
		{"big.Int value", *big.NewInt(5), "i\x05\x00\x00\x00"},
		{"slice", []int{1, 2}, "[\x02\x00\x00\x00i\x01\x00\x00\x00i\x02\x00\x00\x00"},
		{"array of bytes", [2]byte{1, 2}, "s\x02\x00\x00\x00\x01\x02"},
		{"nil slice", []string(nil), "[\x00\x00\x00\x00"},
		{"map sorted", map[string]int{"b": 2, "a": 1}, "{z\x01ai\x01\x00\x00\x00z\x01bi\x02\x00\x00\x000"},
		{"struct", struct {
			A    int `pyro:"a"`
			Skip int `pyro:"-"`
			E    int `pyro:"e,omitempty"`
		}{A: 1, Skip: 2}, "{z\x01ai\x01\x00\x00\x000"},
		{"nil pointer", (*int)(nil), "N"},
		{"duration", 1500 * time.Millisecond, "g\x00\x00\x00\x00\x00\x00\xf8?"},
		{"non-ascii str", "é", "u\x02\x00\x00\x00\xc3\xa9"},
		{"surrogate str", "\xed\xa0\x80", "u\x03\x00\x00\x00\xed\xa0\x80"},
		{"ascii str of 300", string(long), "a\x2c\x01\x00\x00" + string(long)},
		{"object", &pickle.Object{Class: pickle.Class{Module: "m", Name: "C"}, State: pickle.NewDict()}, "{z\t__class__z\x03m.C0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Marshal(tc.v)
			if err != nil || string(got) != tc.want {
				t.Fatalf("Marshal = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

// TestMarshalErrors: what has no marshal form fails with an *EncodeError
// naming the path.
func TestMarshalErrors(t *testing.T) {
	deep := any(pickle.Tuple{})
	for range 201 {
		deep = pickle.Tuple{deep}
	}
	tests := []struct {
		name string
		v    any
		want error
		path string
	}{
		{"time", []any{time.Now()}, ErrUnsupportedType, "[0]"},
		{"error value", map[string]any{"e": errors.New("x")}, ErrUnsupportedType, `["e"]`},
		{"chan", []any{1, make(chan int)}, ErrUnsupportedType, "[1]"},
		{"class", pickle.Class{Module: "m", Name: "C"}, ErrUnsupportedType, ""},
		{"invalid utf8", []string{"\xff"}, ErrInvalidUTF8, "[0]"},
		{"too deep", deep, ErrEncodeDepth, strings.Repeat("[0]", 200)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := (&Encoder{}).Append([]byte("keep"), tc.v)
			var ee *EncodeError
			if !errors.As(err, &ee) || !errors.Is(err, tc.want) {
				t.Fatalf("Marshal = %q, %v; want an *EncodeError wrapping %v", out, err, tc.want)
			}
			if ee.Path != tc.path || ee.Codec != "marshal" {
				t.Fatalf("error %v: path %q codec %q, want path %q", err, ee.Path, ee.Codec, tc.path)
			}
			if string(out) != "keep" {
				t.Fatalf("Append on error returned %q, want the buffer as it was", out)
			}
		})
	}
}
