package pymarshal

import (
	"bytes"
	"errors"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/gopyro/gopyro/pickle"
)

func nestedLists(n int) []byte {
	var b []byte
	for range n - 1 {
		b = append(b, '[', 1, 0, 0, 0)
	}
	return append(b, '[', 0, 0, 0, 0)
}

// nanSet is a set of n NaNs.
func nanSet(n int) []byte {
	b := []byte{'<', byte(n), byte(n >> 8), 0, 0}
	for range n {
		b = append(b, 'g', 0, 0, 0, 0, 0, 0, 0xf8, 0x7f)
	}
	return b
}

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
		{"unknown code at depth", Limits{}, []byte("[\x01\x00\x00\x00\x01"), ErrSyntax, 5},
		{"size beyond the data", Limits{}, []byte("[\xff\xff\xff\x00N"), ErrSyntax, 1},
		{"nested 201", Limits{}, nestedLists(201), ErrLimit, 1000},
		{"nested 3 over MaxDepth 2", Limits{MaxDepth: 2}, nestedLists(3), ErrLimit, 10},
		{"items over MaxContainerLen", Limits{MaxContainerLen: 2}, []byte("[\x03\x00\x00\x00NNN"), ErrLimit, 1},
		{"dict items over MaxContainerLen", Limits{MaxContainerLen: 1}, []byte("{NNTN0"), ErrLimit, 3},
		{"bytes over MaxStringLen", Limits{MaxStringLen: 2}, []byte("s\x03\x00\x00\x00abc"), ErrLimit, 1},
		{"int over MaxIntDigits", Limits{MaxIntDigits: 1}, []byte("l\x02\x00\x00\x00\x01\x00\x01\x00"), ErrLimit, 0},
		{"data over MaxSize", Limits{MaxSize: 2}, []byte("NNN"), ErrLimit, 0},
		{"tuple containing itself", Limits{}, []byte("\xa9\x01r\x00\x00\x00\x00"), ErrUnsupported, 2},
		{"code object", Limits{}, []byte("c"), ErrUnsupported, 0},
		{"ellipsis", Limits{}, []byte("."), ErrUnsupported, 0},
		{"stop iteration", Limits{}, []byte("S"), ErrUnsupported, 0},
		{"dict key list", Limits{}, []byte("{[\x00\x00\x00\x00N0"), ErrUnhashable, 1},
		{"set of dicts", Limits{}, []byte("<\x01\x00\x00\x00{0"), ErrUnhashable, 5},
		{"str not utf8", Limits{}, []byte("u\x02\x00\x00\x00\xc3("), ErrEncoding, 5},
		{"long size min int32", Limits{}, []byte("l\x00\x00\x00\x80"), ErrSyntax, 0},
		{"text float", Limits{}, []byte("f\x03abc"), ErrSyntax, 2},
		{"over 1000 NaN set elements", Limits{}, nanSet(1001), ErrLimit, 5 + 1000*9},
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

// TestSelfReference: marshal references can make a list that contains
// itself, as in Python; it decodes to one *pickle.List and cannot be
// written back.
func TestSelfReference(t *testing.T) {
	v, err := Decode([]byte("\xdb\x01\x00\x00\x00r\x00\x00\x00\x00"))
	if err != nil {
		t.Fatal(err)
	}
	l, ok := v.(*pickle.List)
	if !ok || len(l.Items) != 1 || l.Items[0] != v {
		t.Fatalf("Decode = %#v, want a list holding itself", v)
	}
	if _, err := Marshal(v); !errors.Is(err, ErrEncodeDepth) {
		t.Fatalf("Marshal of a self-containing list: %v, want ErrEncodeDepth", err)
	}
}

// TestBigIntRoundTrip writes and reads ints across the 15-bit digit
// boundaries and the 32/64-bit word boundaries of big.Int.
func TestBigIntRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var ints []*big.Int
	for bits := 1; bits < 400; bits++ {
		x := new(big.Int).Lsh(big.NewInt(1), uint(bits))
		random := make([]byte, (bits+7)/8)
		for i := range random {
			random[i] = byte(rng.Uint32())
		}
		ints = append(ints, x, new(big.Int).Sub(x, big.NewInt(1)), new(big.Int).Neg(x), new(big.Int).SetBytes(random))
	}
	for _, x := range ints {
		data, err := Marshal(x)
		if err != nil {
			t.Fatal(err)
		}
		v, err := Decode(data)
		if err != nil {
			t.Fatalf("Decode(Marshal(%v)): %v", x, err)
		}
		got, ok := v.(*big.Int)
		if !ok {
			if i, isInt := v.(int64); isInt && x.IsInt64() && x.Int64() == i {
				continue
			}
			t.Fatalf("Decode(Marshal(%v)) = %#v", x, v)
		}
		if got.Cmp(x) != 0 {
			t.Fatalf("Decode(Marshal(%v)) = %v", x, got)
		}
	}
}

// TestUnmarshal fills Go destinations by pickle.Assign's rule.
func TestUnmarshal(t *testing.T) {
	data, err := Marshal(map[string]any{"name": "x", "blob": pickle.Bytes("\x00\x01"), "n": int64(7)})
	if err != nil {
		t.Fatal(err)
	}
	var dst struct {
		Name string `pyro:"name"`
		Blob []byte `pyro:"blob"`
		N    int    `pyro:"n"`
	}
	if err := Unmarshal(data, &dst); err != nil {
		t.Fatal(err)
	}
	if dst.Name != "x" || !bytes.Equal(dst.Blob, []byte{0, 1}) || dst.N != 7 {
		t.Fatalf("Unmarshal = %+v", dst)
	}
	var wrong int
	if err := Unmarshal(data, &wrong); err == nil {
		t.Fatal("Unmarshal of a dict into an int did not fail")
	}
}
