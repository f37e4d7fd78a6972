package pyjson

import (
	"errors"
	"math"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/gopyro/gopyro/internal/goldentest"
	"github.com/gopyro/gopyro/pickle"
)

// TestDecodeErrors: each refusal is an *Error with the sentinel callers
// branch on and the offset of the culprit.
func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name   string
		lim    Limits
		data   string
		want   error
		offset int
	}{
		{"empty", Limits{}, "", ErrSyntax, 0},
		{"extra data", Limits{}, "[1] 2", ErrSyntax, 4},
		{"bad item", Limits{}, "[1, x]", ErrSyntax, 4},
		{"nested 201", Limits{}, strings.Repeat("[", 201), ErrLimit, 200},
		{"nested over MaxDepth 2", Limits{MaxDepth: 2}, `{"a": [[]]}`, ErrLimit, 7},
		{"array over MaxContainerLen", Limits{MaxContainerLen: 2}, "[1, 2, 3]", ErrLimit, 8},
		{"object over MaxContainerLen", Limits{MaxContainerLen: 1}, `{"a": 1, "b": 2}`, ErrLimit, 15},
		{"string over MaxStringLen", Limits{MaxStringLen: 2}, `"abc"`, ErrLimit, 0},
		{"escaped string over MaxStringLen", Limits{MaxStringLen: 2}, `"\nabc"`, ErrLimit, 0},
		{"int over MaxIntDigits", Limits{MaxIntDigits: 3}, "-1234", ErrLimit, 0},
		{"data over MaxSize", Limits{MaxSize: 2}, "123", ErrLimit, 0},
		{"not utf8", Limits{}, "[\"\xc3(\"]", ErrEncoding, 2},
		{"byte order mark", Limits{}, "\ufeff1", ErrEncoding, 0},
		{"bad unicode escape", Limits{}, `"\u12g4"`, ErrSyntax, 2}, // at the u, as Python reports it
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := Decoder{Limits: tc.lim}
			v, err := d.Decode([]byte(tc.data))
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

// TestDecode pins values the golden vectors leave out.
func TestDecode(t *testing.T) {
	huge, _ := new(big.Int).SetString("-123456789012345678901234567890", 10)
	tests := []struct {
		data string
		want any
	}{
		{"-9223372036854775808", int64(math.MinInt64)},
		{"9223372036854775808", new(big.Int).SetUint64(1 << 63)},
		{"-123456789012345678901234567890", huge},
		{"-0", int64(0)},
		{"-0.0", math.Copysign(0, -1)},
		{`"\ud83d\ude00 \ud83d x"`, "\U0001f600 \xed\xa0\xbd x"},
		{`"\uDBFF\uDFFF"`, "\U0010ffff"},
		{`{"k": [true, false, null]}`, func() any {
			d := pickle.NewDict()
			d.Set("k", &pickle.List{Items: []any{true, false, pickle.None{}}})
			return d
		}()},
	}
	for _, tc := range tests {
		t.Run(tc.data, func(t *testing.T) {
			got, err := Decode([]byte(tc.data))
			if err != nil || !goldentest.Equal(got, tc.want) {
				t.Fatalf("Decode = %#v, %v; want %#v", got, err, tc.want)
			}
		})
	}
}

// uri crosses as Pyro5's class dict of a URI, by serpent.Marshaler, which
// every codec honours.
type uri struct{ object string }

func (u uri) MarshalSerpent() (any, error) {
	d := pickle.NewDict()
	d.Set("__class__", "Pyro5.core.URI")
	d.Set("state", pickle.Tuple{"PYRO", u.object, pickle.None{}, "localhost", 9999})
	return d, nil
}

type point struct {
	X, Y int
	Tag  string `pyro:"tag,omitempty"`
}

// TestMarshal pins the forms Go values take, the rules every codec shares
// through the one walk (pickle.Fields, sorted keys, pointers).
func TestMarshal(t *testing.T) {
	when := time.Date(2026, 12, 3, 8, 30, 5, 0, time.FixedZone("", 3600))
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"nil", nil, "null"},
		{"struct", point{X: 1, Y: 2}, `{"X": 1, "Y": 2}`},
		{"struct pointer with tag", &point{X: 1, Tag: "t"}, `{"X": 1, "Y": 0, "tag": "t"}`},
		{"map int keys", map[int]string{10: "b", -1: "a"}, `{"-1": "a", "10": "b"}`},
		{"map bool keys", map[bool]int{true: 1, false: 0}, `{"false": 0, "true": 1}`},
		{"float keys", map[float64]int{1: 1, math.Inf(1): 2}, `{"1.0": 1, "Infinity": 2}`},
		{"none key", func() any { d := pickle.NewDict(); d.Set(pickle.None{}, 1); return d }(), `{"null": 1}`},
		{"uint64 max", uint64(math.MaxUint64), "18446744073709551615"},
		{"uint64 key", map[uint64]int{math.MaxUint64: 1}, `{"18446744073709551615": 1}`},
		{"big key", map[any]int{new(big.Int).Lsh(big.NewInt(1), 70): 1}, `{"1180591620717411303424": 1}`},
		{"set", &pickle.Set{Items: []any{"a"}}, `["a"]`},
		{"tuple", pickle.Tuple{1, pickle.Tuple{}}, `[1, []]`},
		{"time", when, `"2026-12-03T08:30:05+01:00"`},
		{"duration", 2 * time.Second, "2.0"},
		{"slice of pointers", []*int{nil}, "[null]"},
		{"surrogates as escapes", "\xed\xa0\x80\U0001f600", `"\ud800` + "\U0001f600\""},
		{"controls", "\x00\x1f\u2028<&>", `"\u0000\u001f` + "\u2028<&>\""},
		{"float", 0.1, "0.1"},
		{"marshaler", []any{uri{"obj"}}, `[{"__class__": "Pyro5.core.URI", "state": ["PYRO", "obj", null, "localhost", 9999]}]`},
		{"float32", float32(0.5), "0.5"},
		{"object", &pickle.Object{Class: pickle.Class{Module: "m", Name: "C"}, State: func() any { d := pickle.NewDict(); d.Set("a", 1); return d }()}, `{"a": 1, "__class__": "m.C"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Marshal(tc.v)
			if err != nil || string(got) != tc.want {
				t.Fatalf("Marshal = %s, %v; want %s", got, err, tc.want)
			}
		})
	}
}

// TestMarshalErrors: what Pyro's json serializer refuses fails with an
// *EncodeError naming the path.
func TestMarshalErrors(t *testing.T) {
	tests := []struct {
		name string
		v    any
		want error
		path string
	}{
		{"bytes", map[string]any{"b": []byte("x")}, ErrUnsupportedType, `["b"]`},
		{"complex", []any{1i}, ErrUnsupportedType, "[0]"},
		{"frozenset", []any{&pickle.FrozenSet{}}, ErrUnsupportedType, "[0]"},
		{"tuple key", func() any { d := pickle.NewDict(); d.Set(pickle.Tuple{1}, 1); return d }(), ErrUnsupportedValue, "{key}"},
		{"time key", map[time.Time]int{{}: 1}, ErrUnsupportedValue, "{key}"},
		{"int of 4301 digits", new(big.Int).Exp(big.NewInt(10), big.NewInt(4300), nil), ErrUnsupportedValue, ""},
		{"invalid utf8", []string{"\xff"}, ErrInvalidUTF8, "[0]"},
		{"error", errors.New("x"), ErrUnsupportedType, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := Marshal(tc.v)
			var ee *EncodeError
			if !errors.As(err, &ee) || !errors.Is(err, tc.want) {
				t.Fatalf("Marshal = %s, %v; want an *EncodeError wrapping %v", out, err, tc.want)
			}
			if ee.Path != tc.path || ee.Codec != "json" {
				t.Fatalf("error %v: path %q codec %q, want path %q", err, ee.Path, ee.Codec, tc.path)
			}
		})
	}
}

// TestUnmarshal fills Go destinations by pickle.Assign's rule.
func TestUnmarshal(t *testing.T) {
	var p point
	if err := Unmarshal([]byte(`{"X": 3, "Y": -4, "tag": "here"}`), &p); err != nil {
		t.Fatal(err)
	}
	if p != (point{3, -4, "here"}) {
		t.Fatalf("Unmarshal = %+v", p)
	}
	if err := Unmarshal([]byte(`{"X": "three"}`), &p); err == nil {
		t.Fatal("Unmarshal of a str into an int field did not fail")
	}
	if err := Unmarshal([]byte(`[`), &p); !errors.Is(err, ErrSyntax) {
		t.Fatalf("Unmarshal of bad JSON: %v, want ErrSyntax", err)
	}
}
