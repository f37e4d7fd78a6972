package serpent

import (
	"errors"
	"math"
	"math/big"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"testing"

	ogórek "github.com/kisielk/og-rek"

	"github.com/gopyro/gopyro/pickle"
)

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name       string
		data       string
		kind       error
		line, col  int
		msgContain string
	}{
		{"unexpected byte", "[1,\n 2 x]", ErrSyntax, 2, 4, `unexpected 'x', expected ',' or ']'`},
		{"end of data", "[1, 2", ErrSyntax, 1, 6, "unexpected end of data"},
		{"newline outside brackets", "-\n1", ErrSyntax, 1, 2, "a number after the sign"},
		{"unhashable key", "{'a': 1, [1]: 2}", ErrUnhashable, 1, 10, "unhashable type: 'list' as a dict key"},
		{"unhashable element", "{1, {}}", ErrUnhashable, 1, 5, "unhashable type: 'dict' as a set element"},
		{"name", "[foo]", ErrNotLiteral, 1, 2, `name "foo" is not a literal`},
		{"operation", "1 + 2", ErrNotLiteral, 1, 3, "'+' between real numbers"},
		{"f-string", "f'{x}'", ErrNotLiteral, 1, 1, "f-string"},
		{"name escape", "'a\\N{EURO SIGN}'", ErrUnsupported, 1, 3, `\N{...}`},
		{"ellipsis", "[...]", ErrUnsupported, 1, 2, "Ellipsis"},
		{"nul", "'a\x00'", ErrEncoding, 1, 3, "NUL byte"},
		{"not utf-8", "'\xc3('", ErrEncoding, 1, 2, "invalid UTF-8 byte 0xc3"},
		{"unterminated", "('abc)", ErrSyntax, 1, 2, "unterminated string literal"},
		{"leading zeros", "[007]", ErrSyntax, 1, 2, "leading zeros"},
		{"truncated escape", "'ab\\x4'", ErrSyntax, 1, 4, `truncated \xXX escape`},
		{"indent", "\n  1", ErrSyntax, 2, 3, "unexpected indent"},
		{"empty", "# serpent utf-8 python3.2\n", ErrSyntax, 2, 1, "no value"},
		{"garbage", "None None", ErrSyntax, 1, 6, "expected end of data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := Decode([]byte(tt.data))
			var de *Error
			if !errors.As(err, &de) {
				t.Fatalf("Decode(%q) = %#v, %v; want an *Error", tt.data, v, err)
			}
			if !errors.Is(err, tt.kind) {
				t.Errorf("error %v does not wrap %v", err, tt.kind)
			}
			if de.Line != tt.line || de.Column != tt.col {
				t.Errorf("error %v at line %d column %d, want line %d column %d", err, de.Line, de.Column, tt.line, tt.col)
			}
			if !strings.Contains(err.Error(), tt.msgContain) || !strings.HasPrefix(err.Error(), "serpent: line ") {
				t.Errorf("error %q does not say %q", err, tt.msgContain)
			}
		})
	}
}

func TestDecodeLimits(t *testing.T) {
	lim := Limits{MaxSize: 64, MaxDepth: 3, MaxContainerLen: 2, MaxStringLen: 3, MaxIntDigits: 5}
	tests := []struct {
		data string
		ok   bool
	}{
		{"[[[1]]]", true},
		{"[[[[1]]]]", false},
		{"[[(1)]]", true}, // grouping parentheses nest too, as in Python
		{"[[((1))]]", false},
		{"-(((1)))", true},
		{"-((((1))))", false},
		{"[1,2]", true},
		{"[1,2,3]", false},
		{"(1,2,3)", false},
		{"1,2,3", false},
		{"{1:1,2:2}", true},
		{"{1:1,2:2,3:3}", false},
		{"{1,2,3}", false},
		{"'abc'", true},
		{"'abcd'", false},
		{"'ab' 'cd'", false},
		{`'\x41\x41\x41\x41'`, false},
		{"b'abcd'", false},
		{"12345", true},
		{"-12345", true},
		{"123456", false},
		{"0x123456", false},
		{"'" + strings.Repeat("a", 70) + "'", false},
	}
	for _, tt := range tests {
		d := Decoder{Limits: lim}
		_, err := d.Decode([]byte(tt.data))
		switch {
		case tt.ok && err != nil:
			t.Errorf("Decode(%q): %v", tt.data, err)
		case !tt.ok && !errors.Is(err, ErrLimit):
			t.Errorf("Decode(%q) error %v, want ErrLimit", tt.data, err)
		}
	}
}

func TestDecodeRestore(t *testing.T) {
	tests := []struct {
		data string
		want any
	}{
		{"{'data': 'AAH/', 'encoding': 'base64'}", pickle.Bytes("\x00\x01\xff")},
		{"{'encoding': 'base64', 'data': ''}", pickle.Bytes("")},
		{"[{'data':'YQ==','encoding':'base64'}]", &pickle.List{Items: []any{pickle.Bytes("a")}}},
		{"{'__class__':'float','value':'nan'}", math.NaN()},
		{"{'__class__':'complex','real':{'__class__':'float','value':'nan'},'imag':1.0}", complex(math.NaN(), 1)},
		{"{'__class__':'complex','real':1.0,'imag':-2.5}", complex(1, -2.5)},
		// Not stand-ins: kept as dicts.
		{"{'data': 'YQ==', 'encoding': 'base64', 'x': 1}", ogórek.NewDictWithData("data", "YQ==", "encoding", "base64", "x", int64(1))},
		{"{'data': 'YQ==', 'encoding': 'hex'}", ogórek.NewDictWithData("data", "YQ==", "encoding", "hex")},
		{"{'__class__':'float','value':'inf'}", ogórek.NewDictWithData("__class__", "float", "value", "inf")},
	}
	for _, tt := range tests {
		d := Decoder{Restore: true}
		got, err := d.Decode([]byte(tt.data))
		if err != nil {
			t.Errorf("Decode(%q): %v", tt.data, err)
			continue
		}
		if !equal(got, tt.want) {
			t.Errorf("Decode(%q) = %#v, want %#v", tt.data, got, tt.want)
		}
		// Without Restore the dict is what serpent.loads returns.
		plain, err := Decode([]byte(tt.data))
		if _, isDict := plain.(pickle.Dict); err != nil || !isDict && !strings.HasPrefix(tt.data, "[") {
			t.Errorf("Decode(%q) without Restore = %#v, %v; want the dict", tt.data, plain, err)
		}
	}
	d := Decoder{Restore: true}
	if _, err := d.Decode([]byte("{'data': 'Y!==', 'encoding': 'base64'}")); !errors.Is(err, ErrEncoding) {
		t.Errorf("bad base64: error %v, want ErrEncoding", err)
	}
}

func TestToBytes(t *testing.T) {
	v, err := Decode([]byte("{'data': 'aGk=', 'encoding': 'base64'}"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		in   any
		want string
		err  bool
	}{
		{v, "hi", false},
		{pickle.Bytes("b"), "b", false},
		{pickle.ByteArray("ba"), "ba", false},
		{pickle.ByteString("bs"), "bs", false},
		{[]byte("raw"), "raw", false},
		{"text", "", true},
		{ogórek.NewDictWithData("data", "aGk=", "encoding", "hex"), "", true},
		{ogórek.NewDictWithData("data", "!", "encoding", "base64"), "", true},
		{nil, "", true},
	}
	for _, tt := range tests {
		got, err := ToBytes(tt.in)
		if tt.err != (err != nil) || string(got) != tt.want {
			t.Errorf("ToBytes(%#v) = %q, %v", tt.in, got, err)
		}
	}
	if _, err := ToBytes(42); !errors.Is(err, ErrNotBytes) {
		t.Errorf("ToBytes(42) error %v, want ErrNotBytes", err)
	}
}

func TestUnmarshal(t *testing.T) {
	type args struct {
		Name    string
		Count   int
		Payload []byte
		Ratios  []float64
		Tags    map[string]string
		Tries   int `pyro:"max_retries"` // pickle.Field's rule: the tag names the key
		Balance float64
	}
	data := "# serpent utf-8 python3.2\n{'name':'x','count':3,'payload':{'data':'AAE=','encoding':'base64'},'ratios':[1.5,2],'tags':{'k':'v'},'max_retries':4,'tries':9,'_balance_':2.5}"
	var got args
	if err := Unmarshal([]byte(data), &got); err != nil {
		t.Fatal(err)
	}
	if got.Name != "x" || got.Count != 3 || string(got.Payload) != "\x00\x01" || len(got.Ratios) != 2 || got.Ratios[1] != 2 || got.Tags["k"] != "v" || got.Tries != 4 || got.Balance != 2.5 {
		t.Errorf("Unmarshal = %+v", got)
	}
	var n int
	if err := Unmarshal([]byte("'x'"), &n); err == nil {
		t.Error("Unmarshal of a str into an int succeeded")
	}
	if err := Unmarshal([]byte("[1"), &n); !errors.Is(err, ErrSyntax) {
		t.Errorf("Unmarshal of bad data: %v, want ErrSyntax", err)
	}
}

// Decoded strings own their bytes: the pooled parser's interned strings and
// everything else survive changes to the data.
func TestDecodeCopiesData(t *testing.T) {
	data := []byte("('short', 'a longer string than any the parser interns', b'xy', 1.5)")
	for range 2 { // the second time, the short string comes from the cache
		v, err := Decode(data)
		if err != nil {
			t.Fatal(err)
		}
		tu := v.(pickle.Tuple)
		want := pickle.Tuple{"short", "a longer string than any the parser interns", pickle.Bytes("xy"), 1.5}
		data2 := append([]byte(nil), data...)
		for i := range data {
			data[i] = 'z'
		}
		if !equal(tu, want) {
			t.Fatalf("after the data changed, Decode = %#v", tu)
		}
		copy(data, data2)
	}
}

// TestConcurrent decodes and encodes from several goroutines: the parser
// and encoder states are pooled (run with -race).
func TestConcurrent(t *testing.T) {
	g := loadGolden(t)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, c := range g.Encode {
				v, err := Decode([]byte(c.Data))
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := Marshal(v); err != nil && !errors.Is(err, ErrUnsupportedValue) {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// TestShortNumbers checks the decoder's fast path for short ints and
// floats against strconv on numbers of every length it takes and just
// beyond, and that the forms it must leave to the general path still read
// as Python reads them.
func TestShortNumbers(t *testing.T) {
	rnd := rand.New(rand.NewPCG(13, 17))
	digits := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('0' + rnd.IntN(10))
		}
		if n > 1 && b[0] == '0' {
			b[0] = '1'
		}
		return string(b)
	}
	for n := 1; n <= 20; n++ {
		for range 50 {
			text := digits(n)
			want, err := strconv.ParseInt(text, 10, 64)
			got, derr := Decode([]byte(text))
			if err != nil { // beyond int64: a *big.Int
				if x, ok := got.(*big.Int); !ok || x.String() != text || derr != nil {
					t.Fatalf("Decode(%q) = %#v, %v", text, got, derr)
				}
				continue
			}
			if derr != nil || got != want {
				t.Fatalf("Decode(%q) = %#v, %v; want %d", text, got, derr, want)
			}
		}
	}
	for intDigits := 1; intDigits <= 17; intDigits++ {
		for fracDigits := 0; intDigits+fracDigits <= 18; fracDigits++ {
			for range 20 {
				text := digits(intDigits) + "." + digits(fracDigits)
				if fracDigits > 0 && rnd.IntN(4) == 0 {
					text = text[:len(text)-1] + "0" // trailing zeros too
				}
				want, _ := strconv.ParseFloat(text, 64)
				for _, form := range []string{text, "-" + text, "[" + text + "]"} {
					got, err := Decode([]byte(form))
					if l, ok := got.(*pickle.List); ok {
						got = l.Items[0]
					}
					f, ok := got.(float64)
					if form[0] == '-' {
						f = -f
					}
					if err != nil || !ok || f != want {
						t.Fatalf("Decode(%q) = %#v, %v; want %v", form, got, err, want)
					}
				}
			}
		}
	}
	tests := []struct {
		data string
		want any
	}{
		{"0", int64(0)},
		{"0.5", 0.5},
		{"00.5", 0.5},
		{"007.5", 7.5},
		{"0.", 0.0},
		{"7.", 7.0},
		{"1e5", 1e5},
		{"1.5e-3", 1.5e-3},
		{"1_000", int64(1000)},
		{"1_0.5", 10.5},
		{"2j", complex(0, 2)},
		{"1.5J", complex(0, 1.5)},
		{"0.1", 0.1},
		{"123456789012345.6", 123456789012345.6},
		{"999999999999999999", int64(999999999999999999)},
	}
	for _, tt := range tests {
		got, err := Decode([]byte(tt.data))
		if err != nil || got != tt.want {
			t.Errorf("Decode(%q) = %#v, %v; want %#v", tt.data, got, err, tt.want)
		}
	}
	for _, text := range []string{"-0.0", "-0.", "- 0.0", "[-0.0]"} {
		got, err := Decode([]byte(text))
		if l, ok := got.(*pickle.List); ok {
			got = l.Items[0]
		}
		if f, ok := got.(float64); err != nil || !ok || f != 0 || !math.Signbit(f) {
			t.Errorf("Decode(%q) = %#v, %v; want -0.0", text, got, err)
		}
	}
	for _, bad := range []string{"01", "00.5x", "1.5.3", "1a", "1.5a", "1__0"} {
		if got, err := Decode([]byte(bad)); !errors.Is(err, ErrSyntax) {
			t.Errorf("Decode(%q) = %#v, %v; want ErrSyntax", bad, got, err)
		}
	}
}
