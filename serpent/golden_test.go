package serpent

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math"
	"math/big"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gopyro/gopyro/pickle"
)

// golden is testdata/golden.json, written by scripts/capture_serpent.py
// with serpent 1.43 and Pyro5 5.17 as the oracle.
type golden struct {
	Serpent string `json:"serpent"`
	Encode  []struct {
		Name          string          `json:"name"`
		Value         json.RawMessage `json:"value"`
		Data          string          `json:"data"`
		Loaded        json.RawMessage `json:"loaded"`
		BytesRepr     bool            `json:"bytes_repr"`
		ClassNameOnly bool            `json:"class_name_only"`
	} `json:"encode"`
	Decode      []textCase `json:"decode"`
	Reject      []textCase `json:"reject"`
	Unsupported []textCase `json:"unsupported"`
}

type textCase struct {
	Name   string          `json:"name"`
	Data   string          `json:"data"` // base64
	Loaded json.RawMessage `json:"loaded"`
	Python string          `json:"python"`
}

func (c textCase) bytes(t testing.TB) []byte {
	b, err := base64.StdEncoding.DecodeString(c.Data)
	if err != nil {
		t.Fatalf("%s: %v", c.Name, err)
	}
	return b
}

func loadGolden(t testing.TB) *golden {
	t.Helper()
	raw, err := os.ReadFile("testdata/golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g golden
	if err := json.Unmarshal(raw, &g); err != nil {
		t.Fatal(err)
	}
	if g.Serpent != "1.43" {
		t.Fatalf("golden vectors of serpent %s, want 1.43", g.Serpent)
	}
	return &g
}

// build turns a description (see scripts/capture_serpent.py) into the Go
// value of the package's value model.
func build(t testing.TB, raw json.RawMessage) any {
	t.Helper()
	var d any
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatalf("bad description %s: %v", raw, err)
	}
	return buildFrom(t, d)
}

func buildFrom(t testing.TB, desc any) any {
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
			out = append(out, buildFrom(t, x))
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
		return parseHexFloat(t, str(1))
	case "complex":
		return complex(parseHexFloat(t, str(1)), parseHexFloat(t, str(2)))
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
	case "dict":
		m := pickle.NewDict()
		pairs, _ := d[1].([]any)
		for _, kv := range pairs {
			pair := kv.([]any)
			m.Set(buildFrom(t, pair[0]), buildFrom(t, pair[1]))
		}
		return m
	case "datetime":
		tm, err := time.Parse("2006-01-02T15:04:05.999999-07:00", str(1))
		if err != nil {
			t.Fatal(err)
		}
		return tm
	case "duration":
		return time.Duration(d[1].(float64) * float64(time.Second))
	case "object":
		name := str(1)
		dot := strings.LastIndexByte(name, '.')
		return &pickle.Object{Class: pickle.Class{Module: name[:dot], Name: name[dot+1:]}, State: buildFrom(t, d[2])}
	}
	t.Fatalf("unknown description kind %q", str(0))
	return nil
}

func parseHexFloat(t testing.TB, s string) float64 {
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

// dictsSorted reports whether every dict the description holds lists its
// keys in the order the encoder writes them; Go dicts have no order of
// their own, so only then can the encoder match Python's bytes.
func dictsSorted(t testing.TB, raw json.RawMessage) bool {
	var d any
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatal(err)
	}
	return sortedFrom(t, d)
}

func sortedFrom(t testing.TB, desc any) bool {
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
			k := buildFrom(t, pair[0])
			if i > 0 && pickle.CompareKeys(prev, k) >= 0 {
				return false
			}
			prev = k
			children = append(children, pair...)
		}
	case "tuple", "list", "set":
		children, _ = d[1].([]any)
	case "object":
		children = d[2:]
	}
	for _, c := range children {
		if !sortedFrom(t, c) {
			return false
		}
	}
	return true
}

// equal is Python equality for the value model, with NaN equal to NaN and
// sets compared without order.
func equal(a, b any) bool {
	switch x := a.(type) {
	case float64:
		y, ok := b.(float64)
		return ok && (x == y || math.IsNaN(x) && math.IsNaN(y))
	case complex128:
		y, ok := b.(complex128)
		return ok && equal(real(x), real(y)) && equal(imag(x), imag(y))
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
		if !ok || len(x.Items) != len(y.Items) {
			return false
		}
		for _, xi := range x.Items {
			found := false
			for _, yi := range y.Items {
				if equal(xi, yi) {
					found = true
					break
				}
			}
			if !found {
				return false
			}
		}
		return true
	case pickle.Dict:
		y, ok := b.(pickle.Dict)
		if !ok || x.Len() != y.Len() {
			return false
		}
		for k, v := range pickle.DictItems(x) {
			w, ok := y.Get_(k)
			if !ok || !equal(v, w) {
				return false
			}
		}
		return true
	case *pickle.Object:
		y, ok := b.(*pickle.Object)
		return ok && x.Class == y.Class && equal(x.State, y.State)
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
		if !equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

// TestGoldenEncode pins the encoder byte for byte against serpent.dumps,
// and the decoder against serpent.loads on the same bytes.
func TestGoldenEncode(t *testing.T) {
	g := loadGolden(t)
	for _, c := range g.Encode {
		t.Run(c.Name, func(t *testing.T) {
			data := []byte(c.Data)
			got, err := Decode(data)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if want := build(t, c.Loaded); !equal(got, want) {
				t.Fatalf("Decode = %#v, serpent.loads gives %#v", got, want)
			}
			value, desc := any(nil), c.Value
			if desc == nil { // a Pyro message: encode what it stands for
				desc = c.Loaded
				d := Decoder{Restore: true}
				if value, err = d.Decode(data); err != nil {
					t.Fatal(err)
				}
			} else {
				value = build(t, desc)
			}
			e := Encoder{BytesRepr: c.BytesRepr, ClassNameOnly: c.ClassNameOnly}
			out, err := e.Append(nil, value)
			if err != nil {
				t.Fatalf("Append: %v", err)
			}
			if bytes.Equal(out, data) {
				return
			}
			if dictsSorted(t, desc) {
				t.Fatalf("Append =\n%q\nserpent.dumps =\n%q", out, data)
			}
			// Python's dict order is not Go's: the same value is enough.
			back, err := Decode(out)
			if err != nil || !equal(back, got) {
				t.Fatalf("Append = %q decodes to %#v (%v), want %#v", out, back, err, got)
			}
		})
	}
}

// TestGoldenDecode reads literal forms serpent does not write but peers
// may send, as serpent.loads reads them.
func TestGoldenDecode(t *testing.T) {
	g := loadGolden(t)
	for _, c := range g.Decode {
		t.Run(c.Name, func(t *testing.T) {
			got, err := Decode(c.bytes(t))
			if err != nil {
				t.Fatalf("Decode(%q): %v", c.bytes(t), err)
			}
			if want := build(t, c.Loaded); !equal(got, want) {
				t.Fatalf("Decode(%q) = %#v, serpent.loads gives %#v", c.bytes(t), got, want)
			}
		})
	}
}

// TestGoldenReject refuses what serpent.loads refuses, with an *Error.
func TestGoldenReject(t *testing.T) {
	g := loadGolden(t)
	for _, c := range g.Reject {
		t.Run(c.Name, func(t *testing.T) {
			v, err := Decode(c.bytes(t))
			var de *Error
			if !errors.As(err, &de) {
				t.Fatalf("Decode(%q) = %#v, %v; Python: %s", c.bytes(t), v, err, c.Python)
			}
			if errors.Is(err, ErrUnsupported) {
				t.Fatalf("Decode(%q): %v is not a refusal of invalid input", c.bytes(t), err)
			}
		})
	}
}

// TestGoldenUnsupported: literals Python reads that have no Go value.
func TestGoldenUnsupported(t *testing.T) {
	g := loadGolden(t)
	for _, c := range g.Unsupported {
		t.Run(c.Name, func(t *testing.T) {
			if _, err := Decode(c.bytes(t)); !errors.Is(err, ErrUnsupported) {
				t.Fatalf("Decode(%q) error %v, want ErrUnsupported (Python: %s)", c.bytes(t), err, c.Python)
			}
		})
	}
}
