package pymsgpack

import (
	"encoding/binary"
	"errors"
	"math"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/gopyro/gopyro/internal/goldentest"
	"github.com/gopyro/gopyro/pickle"
)

func ext8(id byte, payload []byte) []byte {
	return append([]byte{0xd7, id}, payload...)
}

// nanMap is a map of n NaN keys, each 9 bytes, to nil.
func nanMap(n int) []byte {
	b := []byte{0xde, byte(n >> 8), byte(n)}
	for range n {
		b = append(b, 0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0, 0xc0)
	}
	return b
}

func f64(f float64) []byte { return binary.LittleEndian.AppendUint64(nil, math.Float64bits(f)) }

// TestDecodeErrors: each refusal is an *Error with the sentinel callers
// branch on and the offset of the culprit.
func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name   string
		lim    Limits
		data   []byte
		want   error
		offset int
	}{
		{"empty", Limits{}, nil, ErrSyntax, 0},
		{"truncated in an array", Limits{}, []byte("\x92\x01"), ErrSyntax, 0},
		{"truncated item", Limits{}, []byte("\x92\x01\xcd\x01"), ErrSyntax, 2},
		{"claimed size beyond the data", Limits{}, []byte("\xdd\x00\x01\x00\x00\xc0"), ErrSyntax, 0},
		{"nested 201", Limits{}, []byte(strings.Repeat("\x91", 201) + "\xc0"), ErrLimit, 200},
		{"nested over MaxDepth 2", Limits{MaxDepth: 2}, []byte("\x81\xa1a\x91\x90"), ErrLimit, 4},
		{"array over MaxContainerLen", Limits{MaxContainerLen: 2}, []byte("\x93\x01\x02\x03"), ErrLimit, 0},
		{"str over MaxStringLen", Limits{MaxStringLen: 2}, []byte("\xa3abc"), ErrLimit, 0},
		{"big int over MaxIntDigits", Limits{MaxIntDigits: 3}, []byte("\xc7\x04\x311234"), ErrLimit, 0},
		{"data over MaxSize", Limits{MaxSize: 1}, []byte("\xc0\xc0"), ErrLimit, 0},
		{"extra data", Limits{}, []byte("\x01\x02"), ErrSyntax, 1},
		{"not utf8", Limits{}, []byte("\x91\xa2\xc3("), ErrEncoding, 1},
		{"list key", Limits{}, []byte("\x81\x90\x01"), ErrUnhashable, 1},
		{"msgpack timestamp", Limits{}, []byte("\xd6\xff\x00\x00\x00\x01"), ErrUnsupported, 0},
		{"unknown ext", Limits{}, []byte("\xd4\x40\x00"), ErrSyntax, 0},
		{"datetime out of range", Limits{}, ext8(0x32, f64(1e20)), ErrSyntax, 0},
		{"datetime nan", Limits{}, ext8(0x32, f64(math.NaN())), ErrSyntax, 0},
		{"date ordinal 0", Limits{}, ext8(0x33, make([]byte, 8)), ErrSyntax, 0},
		{"never used code", Limits{}, []byte("\xc1"), ErrSyntax, 0},
		{"over 1000 NaN keys", Limits{}, nanMap(1001), ErrLimit, 3 + 1000*10},
		{"datetime key", Limits{}, append([]byte("\x81"), append(ext8(0x32, f64(1.5)), 1)...), ErrUnsupported, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := Decoder{Limits: tc.lim}
			v, err := d.Decode(tc.data)
			var de *Error
			if !errors.As(err, &de) || !errors.Is(err, tc.want) {
				t.Fatalf("Decode = %#v, %v; want an *Error wrapping %v", v, err, tc.want)
			}
			if de.Offset != tc.offset {
				t.Fatalf("error %v at offset %d, want %d", err, de.Offset, tc.offset)
			}
		})
	}
}

// TestDecode pins values the golden vectors leave out: Pyro's datetime
// ext rounds to microseconds half to even, as datetime.fromtimestamp does.
func TestDecode(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want any
	}{
		{"half a microsecond rounds to even", ext8(0x32, f64(0.0000005)), time.Unix(0, 0).UTC()},
		{"one and a half round up", ext8(0x32, f64(0.0000015)), time.Unix(0, 2000).UTC()},
		{"before 1970", ext8(0x32, f64(-1.25)), time.Unix(-2, 750000000).UTC()},
		{"date", ext8(0x33, binary.LittleEndian.AppendUint64(nil, 1)), time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"uint64 max", []byte("\xcf\xff\xff\xff\xff\xff\xff\xff\xff"), new(big.Int).SetUint64(math.MaxUint64)},
		{"int key", []byte("\x81\x01\xa1a"), func() any { d := pickle.NewDict(); d.Set(int64(1), "a"); return d }()},
		{"complex key", append(append([]byte("\x81\xd8\x30"), make([]byte, 16)...), 2), func() any { d := pickle.NewDict(); d.Set(complex128(0), int64(2)); return d }()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Decode(tc.data)
			if err != nil || !goldentest.Equal(got, tc.want) {
				t.Fatalf("Decode = %#v, %v; want %#v", got, err, tc.want)
			}
		})
	}
}

// TestMarshal pins the forms Go values take, beside the golden vectors.
func TestMarshal(t *testing.T) {
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"uint64 max", uint64(math.MaxUint64), "\xcf\xff\xff\xff\xff\xff\xff\xff\xff"},
		{"below int64", new(big.Int).Sub(big.NewInt(math.MinInt64), big.NewInt(1)), "\xc7\x141-9223372036854775809"},
		{"empty bytes", []byte{}, "\xc4\x00"},
		{"nil bytes", []byte(nil), "\xc4\x00"},
		{"str 300", strings.Repeat("x", 300), "\xda\x01\x2c" + strings.Repeat("x", 300)},
		{"array 16", make([]int, 16), "\xdc\x00\x10" + strings.Repeat("\x00", 16)},
		{"struct", struct {
			A int `pyro:"a"`
		}{1}, "\x81\xa1a\x01"},
		{"set", &pickle.Set{Items: []any{"a"}}, "\x91\xa1a"},
		{"time", time.Unix(1, 500000000), "\xd7\x32" + string(f64(1.5))},
		{"duration", time.Second, "\xcb\x3f\xf0\x00\x00\x00\x00\x00\x00"},
		{"nan", math.NaN(), "\xcb\x7f\xf8\x00\x00\x00\x00\x00\x00"},
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

// TestMarshalErrors: what Pyro's msgpack serializer refuses fails with an
// *EncodeError naming the path.
func TestMarshalErrors(t *testing.T) {
	tests := []struct {
		name string
		v    any
		want error
		path string
	}{
		{"frozenset", map[string]any{"f": &pickle.FrozenSet{}}, ErrUnsupportedType, `["f"]`},
		{"surrogate", []any{"\xed\xa0\x80"}, ErrInvalidUTF8, "[0]"},
		{"int of 4301 digits", []any{new(big.Int).Exp(big.NewInt(10), big.NewInt(4300), nil)}, ErrUnsupportedValue, "[0]"},
		{"func", func() {}, ErrUnsupportedType, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := Marshal(tc.v)
			var ee *EncodeError
			if !errors.As(err, &ee) || !errors.Is(err, tc.want) {
				t.Fatalf("Marshal = %q, %v; want an *EncodeError wrapping %v", out, err, tc.want)
			}
			if ee.Path != tc.path || ee.Codec != "msgpack" {
				t.Fatalf("error %v: path %q codec %q, want path %q", err, ee.Path, ee.Codec, tc.path)
			}
		})
	}
}

// TestUnmarshal fills Go destinations by pickle.Assign's rule, Pyro's ext
// types included.
func TestUnmarshal(t *testing.T) {
	when := time.Date(2026, 12, 3, 8, 30, 5, 250000000, time.UTC)
	data, err := Marshal(map[string]any{"when": when, "z": 1 + 2i, "blob": []byte("b")})
	if err != nil {
		t.Fatal(err)
	}
	var dst struct {
		When time.Time  `pyro:"when"`
		Z    complex128 `pyro:"z"`
		Blob []byte     `pyro:"blob"`
	}
	if err := Unmarshal(data, &dst); err != nil {
		t.Fatal(err)
	}
	if !dst.When.Equal(when) || dst.Z != 1+2i || string(dst.Blob) != "b" {
		t.Fatalf("Unmarshal = %+v", dst)
	}
}
