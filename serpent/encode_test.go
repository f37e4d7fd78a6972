package serpent

import (
	"errors"
	"math"
	"math/big"
	"strings"
	"testing"
	"time"

	ogórek "github.com/kisielk/og-rek"

	"github.com/gopyro/gopyro/pickle"
)

type point struct {
	X, Y int
}

type tagged struct {
	Name    string `pyro:"name"`
	Skipped int    `pyro:"-"`
	Note    string `pyro:"note,omitempty"`
	point          // flattened
	hidden  int
}

type label string

type uri struct{ object, location string }

func (u uri) MarshalSerpent() (any, error) {
	return ogórek.NewDictWithData("__class__", "Pyro5.core.URI", "state", pickle.Tuple{"PYRO", u.object, pickle.None{}, u.location, 9090}), nil
}

type badMarshaler struct{}

func (badMarshaler) MarshalSerpent() (any, error) { return nil, errors.New("no state") }

type pointerMarshaler struct{ n int }

func (p *pointerMarshaler) MarshalSerpent() (any, error) { return p.n, nil }

func TestEncodeGo(t *testing.T) {
	when := time.Date(2026, 12, 3, 8, 30, 5, 123456789, time.FixedZone("", 3600))
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"nil", nil, "None"},
		{"int8", int8(-3), "-3"},
		{"uint64 max", uint64(math.MaxUint64), "18446744073709551615"},
		{"uint8", uint8(200), "200"},
		{"float32", float32(1.5), "1.5"},
		{"complex64", complex64(complex(1, -2)), "(1.0-2.0j)"},
		{"named string", label("x'"), `"x'"`},
		{"ints", []int{1, 2}, "[1,2]"},
		{"nil slice", []string(nil), "[]"},
		{"array", [2]float64{0.5, 1e100}, "[0.5,1e+100]"},
		{"bytes", []byte("ab"), "{'data': 'YWI=', 'encoding': 'base64'}"},
		{"byte array", [2]byte{'a', 'b'}, "{'data': 'YWI=', 'encoding': 'base64'}"},
		{"bytestring", pickle.ByteString("\xff"), "{'data': '/w==', 'encoding': 'base64'}"},
		{"bytearray", pickle.ByteArray("x"), "{'data': 'eA==', 'encoding': 'base64'}"},
		{"string map", map[string]int{"b": 1, "a": 2}, "{'a':2,'b':1}"},
		{"any map", map[string]any{"z": nil, "a": []any{}}, "{'a':[],'z':None}"},
		{"int map", map[int]string{10: "x", -1: "y"}, "{-1:'y',10:'x'}"},
		{"nil map", map[string]int(nil), "{}"},
		{"mixed keys", ogórek.NewDictWithData("a", 1, 2.5, 2, pickle.Tuple{1}, 3, true, 4, big.NewInt(-1), 5), "{True:4,-1:5,2.5:2,'a':1,(1,):3}"},
		{"struct", point{1, 2}, "{'X':1,'Y':2}"},
		{"struct pointer", &point{3, 4}, "{'X':3,'Y':4}"},
		{"nil pointer", (*point)(nil), "None"},
		{"tagged struct", tagged{Name: "n", Skipped: 1, point: point{5, 6}, hidden: 7}, "{'name':'n','X':5,'Y':6}"},
		{"tagged omitempty set", tagged{Note: "hi"}, "{'name':'','note':'hi','X':0,'Y':0}"},
		{"big.Int value", *big.NewInt(-7), "-7"},
		{"big.Int", new(big.Int).Lsh(big.NewInt(1), 70), "1180591620717411303424"},
		{"time", when, "'2026-12-03T08:30:05.123456+01:00'"},
		{"time whole seconds", time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), "'2026-01-02T03:04:05+00:00'"},
		{"duration", 1500 * time.Millisecond, "1.5"},
		{"marshaler", uri{"obj", "localhost"}, "{'__class__':'Pyro5.core.URI','state':('PYRO','obj',None,'localhost',9090)}"},
		{"pointer marshaler value", []pointerMarshaler{{7}}, "[7]"},
		{"frozenset", &pickle.FrozenSet{Items: []any{"a"}}, "{'a'}"},
		{"object without state", &pickle.Object{Class: pickle.Class{Module: "m", Name: "C"}}, "{'__class__':'m.C'}"},
		{"object value", pickle.Object{Class: pickle.Class{Module: "m", Name: "C"}, State: ogórek.NewDictWithData("b", 1, "a", 2)}, "{'a':2,'b':1,'__class__':'m.C'}"},
		{"interface slice", []any{pickle.None{}, int64(1), "s"}, "[None,1,'s']"},
		{"tuple one", pickle.Tuple{pickle.Tuple{}}, "((),)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := Marshal(tt.v)
			if err != nil {
				t.Fatalf("Marshal(%#v): %v", tt.v, err)
			}
			if got := strings.TrimPrefix(string(out), Header); got != tt.want || !strings.HasPrefix(string(out), Header) {
				t.Fatalf("Marshal(%#v) =\n%s\nwant\n%s", tt.v, out, tt.want)
			}
			if _, err := Decode(out); err != nil {
				t.Fatalf("Marshal(%#v) = %q does not decode: %v", tt.v, out, err)
			}
		})
	}
}

func TestEncoderOptions(t *testing.T) {
	v := pickle.Tuple{&pickle.Set{Items: []any{int64(1)}}, []byte("a'"), &pickle.Object{Class: pickle.Class{Module: "m", Name: "C"}}}
	tests := []struct {
		e    Encoder
		want string
	}{
		{Encoder{}, Header + "({1},{'data': 'YSc=', 'encoding': 'base64'},{'__class__':'m.C'})"},
		{Encoder{SetsAsTuples: true}, Header26 + "((1,),{'data': 'YSc=', 'encoding': 'base64'},{'__class__':'m.C'})"},
		{Encoder{BytesRepr: true}, Header + `({1},b"a'",{'__class__':'m.C'})`},
		{Encoder{ClassNameOnly: true}, Header + "({1},{'data': 'YSc=', 'encoding': 'base64'},{'__class__':'C'})"},
	}
	for _, tt := range tests {
		out, err := tt.e.Append([]byte("prefix"), v)
		if err != nil {
			t.Fatal(err)
		}
		if got := string(out); got != "prefix"+tt.want {
			t.Errorf("%+v: Append = %q, want %q", tt.e, got, "prefix"+tt.want)
		}
	}
}

func TestEncodeErrors(t *testing.T) {
	deep := any(int64(1))
	for range DefaultEncodeMaxDepth + 1 {
		deep = []any{deep}
	}
	type cycle struct{ Next *cycle }
	c := &cycle{}
	c.Next = c
	tests := []struct {
		name string
		v    any
		kind error
		path string
	}{
		{"chan", []any{1, make(chan int)}, ErrUnsupportedType, "[1]"},
		{"func", map[string]any{"f": func() {}}, ErrUnsupportedType, `["f"]`},
		{"error", pickle.Tuple{errors.New("x")}, ErrUnsupportedType, "[0]"},
		{"class", pickle.Class{Module: "m", Name: "C"}, ErrUnsupportedType, ""},
		{"invalid utf-8", []any{"ok", "a\xffb"}, ErrInvalidUTF8, "[1]"},
		{"truncated surrogate", "\xed\xa0", ErrInvalidUTF8, ""},
		{"int over 4300 digits", new(big.Int).Exp(big.NewInt(10), big.NewInt(4300), nil), ErrUnsupportedValue, ""},
		{"list key", ogórek.NewDictWithData(pickle.NewList(), 1), ErrUnsupportedValue, "{key}"},
		{"None key", map[any]int{nil: 1}, ErrUnsupportedValue, "{key}"},
		{"bytes key", ogórek.NewDictWithData(pickle.Bytes("b"), 1), ErrUnsupportedValue, "{key}"},
		{"NaN in a tuple key", ogórek.NewDictWithData(pickle.Tuple{1, math.NaN()}, 1), ErrUnsupportedValue, "{key}[1]"},
		{"bytes in a set", &pickle.Set{Items: []any{"a", []byte("b")}}, ErrUnsupportedValue, "[1]"},
		{"list in a set", &pickle.Set{Items: []any{[]any{}}}, ErrUnsupportedValue, "[0]"},
		{"object state", &pickle.Object{Class: pickle.Class{Module: "m", Name: "C"}, State: pickle.Tuple{}}, ErrUnsupportedValue, ""},
		{"marshaler error", []any{badMarshaler{}}, nil, "[0]"},
		{"too deep", deep, ErrEncodeDepth, strings.Repeat("[0]", DefaultEncodeMaxDepth)},
		{"pointer cycle", c, ErrEncodeDepth, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := Encoder{}
			out, err := e.Append([]byte("keep"), tt.v)
			var ee *EncodeError
			if !errors.As(err, &ee) {
				t.Fatalf("Append(%#v) = %q, %v; want an *EncodeError", tt.v, out, err)
			}
			if tt.kind != nil && !errors.Is(err, tt.kind) {
				t.Errorf("error %v does not wrap %v", err, tt.kind)
			}
			if tt.path != "" && ee.Path != tt.path {
				t.Errorf("error %v at path %q, want %q", err, ee.Path, tt.path)
			}
			if string(out) != "keep" {
				t.Errorf("Append returned %q on error, want dst unchanged", out)
			}
		})
	}
}

// The deepest nesting the encoder writes is the deepest the decoder reads.
func TestEncodeDepthMatchesDecoder(t *testing.T) {
	v := any(int64(1))
	for range DefaultEncodeMaxDepth {
		v = []any{v}
	}
	out, err := Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Decode(out); err != nil {
		t.Fatal(err)
	}
}
