// Package goldentest reads the golden vectors that scripts/capture_codecs.py
// records from Python for the pyjson, pymarshal and pymsgpack codecs, and
// builds the Go values of the value model (package pickle's types) from
// their descriptions (the typed JSON trees of scripts/capture_serpent.py).
// It is for tests only.
package goldentest

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"math"
	"math/big"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gopyro/gopyro/pickle"
)

// File is one codec's testdata/golden.json.
type File struct {
	Python  string `json:"python"`
	Pyro5   string `json:"pyro5"`
	Msgpack string `json:"msgpack"`
	// Encode: values, the bytes Pyro5 writes and what the loader returns.
	Encode []Case `json:"encode"`
	// Decode: bytes other writers send, and what the loader returns.
	Decode []Case `json:"decode"`
	// Reject: bytes the loader refuses.
	Reject []Case `json:"reject"`
	// Refuse: values Pyro5's serializer refuses to write.
	Refuse []Case `json:"refuse"`
}

// Case is one vector.
type Case struct {
	Name   string          `json:"name"`
	Value  json.RawMessage `json:"value"`
	Data   string          `json:"data"`  // base64
	Plain  string          `json:"plain"` // base64, marshal only
	Loaded json.RawMessage `json:"loaded"`
	Python string          `json:"python"`
}

// Load reads testdata/golden.json of the package under test.
func Load(t testing.TB) *File {
	t.Helper()
	raw, err := os.ReadFile("testdata/golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var f File
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	if f.Pyro5 != "5.17" {
		t.Fatalf("golden vectors of Pyro5 %q, want 5.17", f.Pyro5)
	}
	return &f
}

// Bytes returns the case's data.
func (c Case) Bytes(t testing.TB) []byte { return decode64(t, c.Data) }

// PlainBytes returns the case's plain data (marshal without references).
func (c Case) PlainBytes(t testing.TB) []byte { return decode64(t, c.Plain) }

func decode64(t testing.TB, s string) []byte {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Build turns a description into the Go value of the value model.
func Build(t testing.TB, raw json.RawMessage) any {
	t.Helper()
	var d any
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatalf("bad description %s: %v", raw, err)
	}
	return build(t, d)
}

func build(t testing.TB, desc any) any {
	d, ok := desc.([]any)
	if !ok || len(d) == 0 {
		t.Fatalf("bad description %v", desc)
	}
	str := func(i int) string {
		s, ok := d[i].(string)
		if !ok {
			t.Fatalf("bad description %v", desc)
		}
		return s
	}
	hexText := func(i int) string {
		b, err := hex.DecodeString(str(i))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	items := func(i int) []any {
		var out []any
		l, _ := d[i].([]any)
		for _, x := range l {
			out = append(out, build(t, x))
		}
		return out
	}
	switch str(0) {
	case "none":
		return pickle.None{}
	case "bool":
		return d[1].(bool)
	case "int":
		x, ok := new(big.Int).SetString(str(1), 10)
		if !ok {
			t.Fatalf("bad int %v", desc)
		}
		if x.IsInt64() {
			return x.Int64()
		}
		return x
	case "float":
		return float(t, str(1))
	case "complex":
		return complex(float(t, str(1)), float(t, str(2)))
	case "str":
		return hexText(1)
	case "bytes":
		return pickle.Bytes(hexText(1))
	case "tuple":
		return pickle.Tuple(items(1))
	case "list":
		return &pickle.List{Items: items(1)}
	case "set":
		return &pickle.Set{Items: items(1)}
	case "frozenset":
		return &pickle.FrozenSet{Items: items(1)}
	case "dict":
		m := pickle.NewDict()
		pairs, _ := d[1].([]any)
		for _, kv := range pairs {
			pair := kv.([]any)
			m.Set(build(t, pair[0]), build(t, pair[1]))
		}
		return m
	case "datetime":
		tm, err := time.Parse("2006-01-02T15:04:05.999999-07:00", str(1))
		if err != nil {
			t.Fatal(err)
		}
		return tm
	case "object":
		name := str(1)
		dot := strings.LastIndexByte(name, '.')
		return &pickle.Object{Class: pickle.Class{Module: name[:dot], Name: name[dot+1:]}, State: build(t, d[2])}
	}
	t.Fatalf("unknown description kind %q", str(0))
	return nil
}

func float(t testing.TB, s string) float64 {
	switch s {
	case "nan":
		return math.NaN()
	case "inf":
		return math.Inf(1)
	case "-inf":
		return math.Inf(-1)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("bad float %q: %v", s, err)
	}
	return f
}

// Sorted reports whether every dict the description holds lists its keys in
// the order the encoders write them (pickle.CompareKeys); only then can an
// encoder match Python's bytes, Go dicts having no order of their own.
func Sorted(t testing.TB, raw json.RawMessage) bool {
	var d any
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatal(err)
	}
	return sorted(t, d)
}

func sorted(t testing.TB, desc any) bool {
	d, _ := desc.([]any)
	if len(d) < 2 {
		return true
	}
	var children []any
	switch d[0] {
	case "dict":
		var prev any
		for i, kv := range d[1].([]any) {
			pair := kv.([]any)
			k := build(t, pair[0])
			if i > 0 && pickle.CompareKeys(prev, k) >= 0 {
				return false
			}
			prev = k
			children = append(children, pair...)
		}
	case "tuple", "list", "set", "frozenset":
		children, _ = d[1].([]any)
	case "object":
		children = d[2:]
	}
	for _, c := range children {
		if !sorted(t, c) {
			return false
		}
	}
	return true
}

// Equal is Python equality for the value model, with NaN equal to NaN,
// sets compared without order and times by instant.
func Equal(a, b any) bool {
	switch x := a.(type) {
	case float64:
		y, ok := b.(float64)
		return ok && (x == y && math.Signbit(x) == math.Signbit(y) || math.IsNaN(x) && math.IsNaN(y))
	case complex128:
		y, ok := b.(complex128)
		return ok && Equal(real(x), real(y)) && Equal(imag(x), imag(y))
	case *big.Int:
		y, ok := b.(*big.Int)
		return ok && x.Cmp(y) == 0
	case pickle.Tuple:
		y, ok := b.(pickle.Tuple)
		return ok && equalSeq(x, y)
	case *pickle.List:
		y, ok := b.(*pickle.List)
		return ok && equalSeq(x.Items, y.Items)
	case *pickle.Set:
		y, ok := b.(*pickle.Set)
		return ok && equalSet(x.Items, y.Items)
	case *pickle.FrozenSet:
		y, ok := b.(*pickle.FrozenSet)
		return ok && equalSet(x.Items, y.Items)
	case pickle.Dict:
		y, ok := b.(pickle.Dict)
		if !ok || x.Len() != y.Len() {
			return false
		}
		for k, v := range pickle.DictItems(x) {
			w, ok := y.Get_(k)
			if !ok { // a key holding a NaN, which no lookup finds
				for k2, v2 := range pickle.DictItems(y) {
					if Equal(k, k2) && Equal(v, v2) {
						ok, w = true, v2
						break
					}
				}
			}
			if !ok || !Equal(v, w) {
				return false
			}
		}
		return true
	case *pickle.Object:
		y, ok := b.(*pickle.Object)
		return ok && x.Class == y.Class && Equal(x.State, y.State)
	case time.Time:
		y, ok := b.(time.Time)
		return ok && x.Equal(y)
	}
	return a == b
}

func equalSeq(a, b []any) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

func equalSet(a, b []any) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		found := false
		for _, y := range b {
			if Equal(x, y) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// Data returns the bytes of the encode vector called name.
func (f *File) Data(t testing.TB, name string) []byte {
	t.Helper()
	for _, c := range f.Encode {
		if c.Name == name {
			return c.Bytes(t)
		}
	}
	t.Fatalf("no golden vector %q", name)
	return nil
}

// BenchDecode times c.Decode on the golden vector called name.
func BenchDecode(b *testing.B, c Codec, name string) {
	data := Load(b).Data(b, name)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchEncode times c.Append into a reused buffer on the value of the
// golden vector called name.
func BenchEncode(b *testing.B, c Codec, name string) {
	v, err := c.Decode(Load(b).Data(b, name))
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 0, 1024)
	b.ReportAllocs()
	for b.Loop() {
		if buf, err = c.Append(buf[:0], v); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(len(buf)))
}
