package pickle

import (
	"encoding/binary"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"unsafe"
)

// doubledTuple is the 85-byte pickle of a tuple holding the same tuple
// twice, doubled levels times over 1: written out without sharing it has
// 2^levels leaves.
func doubledTuple(levels int) []byte {
	return []byte("\x80\x02K\x01" + strings.Repeat("2\x86", levels) + ".")
}

// cPickleDoubled is what cPickle.dumps writes at protocol 2 for the value of
// doubledTuple(levels): each tuple once, then a BINGET for its second use.
func cPickleDoubled(levels int) string {
	var b strings.Builder
	b.WriteString("\x80\x02K\x01K\x01\x86q\x01")
	for i := 1; i < levels; i++ {
		fmt.Fprintf(&b, "h%c\x86q%c", byte(i), byte(i+1))
	}
	b.WriteString(".")
	return b.String()
}

// sharedItems is a protocol 2 pickle of a list holding the value that the
// opcodes item push n times (the first push, then DUPs).
func sharedItems(item string, n int) []byte {
	return []byte("\x80\x02](" + item + strings.Repeat("2", n-1) + "e.")
}

func binString(n int) string {
	return "T" + string(binary.LittleEndian.AppendUint32(nil, uint32(n))) + strings.Repeat("s", n)
}

func binUnicode(n int) string {
	return "X" + string(binary.LittleEndian.AppendUint32(nil, uint32(n))) + strings.Repeat("u", n)
}

func long4(n int) string {
	return "\x8b" + string(binary.LittleEndian.AppendUint32(nil, uint32(n))) + strings.Repeat("\x11", n)
}

// TestEncodeSharedDecoded re-encodes decoded values whose parts the pickle
// shares: each shared part must be written once and then loaded from the
// memo, so that the pickle stays about as long as the one decoded, where
// writing every reference out would be 2^40 leaves, or n times a long string.
func TestEncodeSharedDecoded(t *testing.T) {
	tests := []struct {
		name  string
		in    []byte
		exact string // cPickle's bytes at protocol 2, when known
	}{
		{"tuple-doubled-40", doubledTuple(40), cPickleDoubled(40)},
		{"tuple-doubled-300", doubledTuple(300), ""}, // memo indexes past 255
		{"str-2000-times", sharedItems(binString(2000), 2000), ""},
		{"unicode-2000-times", sharedItems(binUnicode(2000), 2000), ""},
		{"long-2000-times", sharedItems(long4(2000), 2000), ""},
		{"py3bytes-2000-times", sharedItems("B\xd0\x07\x00\x00"+strings.Repeat("b", 2000), 2000), ""},
		{"tuple-of-str-2000-times", sharedItems(binString(2000)+"\x85", 2000), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := (&Decoder{Registry: NewRegistry(nil)}).Decode(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			for proto := 0; proto <= HighestProtocol; proto++ {
				e := Encoder{Protocol: proto, MaxOutput: 1 << 20}
				out, err := e.Append(nil, v)
				if err != nil {
					t.Fatalf("protocol %d: %v", proto, err)
				}
				// A memo load costs at most 9 bytes (protocol 0's
				// "g<index>\n") where the input's DUP costs 1.
				if limit := 9 * len(tt.in); len(out) > limit {
					t.Errorf("protocol %d: %d bytes from a %d-byte pickle, want at most %d", proto, len(out), len(tt.in), limit)
				}
				if proto == 2 && tt.exact != "" && string(out) != tt.exact {
					t.Errorf("protocol 2:\n got %q\nwant %q (cPickle)", out, tt.exact)
				}
				again, err := (&Decoder{Registry: NewRegistry(nil)}).Decode(out)
				if err != nil {
					t.Fatalf("protocol %d: our pickle does not decode: %v", proto, err)
				}
				if !sameShape(v, again, 8) {
					t.Errorf("protocol %d: decoded %s, want %s", proto, shortRepr(again), shortRepr(v))
				}
			}
		})
	}
}

// sameShape compares two decoded values down to depth levels, checking
// that what the first shares (tuple items, list items) the second shares too.
func sameShape(a, b any, depth int) bool {
	switch x := a.(type) {
	case Tuple:
		y, ok := b.(Tuple)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if i > 0 && sharesWith(x[i], x[0]) != sharesWith(y[i], y[0]) {
				return false
			}
			if depth > 0 && !sameShape(x[i], y[i], depth-1) {
				return false
			}
		}
		return true
	case *List:
		y, ok := b.(*List)
		return ok && sameShape(Tuple(x.Items), Tuple(y.Items), depth)
	}
	return reflect.DeepEqual(a, b)
}

// sharesWith reports whether two decoded values are one Python object.
func sharesWith(a, b any) bool {
	switch x := a.(type) {
	case Tuple:
		y, ok := b.(Tuple)
		return ok && len(x) > 0 && len(x) == len(y) && unsafe.SliceData(x) == unsafe.SliceData(y)
	case ByteArray:
		y, ok := b.(ByteArray)
		return ok && len(x) > 0 && unsafe.SliceData(x) == unsafe.SliceData(y)
	}
	return false
}

func shortRepr(v any) string {
	s := fmt.Sprintf("%v", v)
	if len(s) > 80 {
		s = s[:80] + "..."
	}
	return s
}

// TestEncodeSharedPython2 has Python 2 load the re-encoded doubled tuple at
// protocols 0 to 2: its bytes must be cPickle's own.
func TestEncodeSharedPython2(t *testing.T) {
	v, err := Decode(doubledTuple(40))
	if err != nil {
		t.Fatal(err)
	}
	// A tuple containing itself through a list, and a bytearray twice.
	l := NewList()
	self := Tuple{l}
	l.Items = append(l.Items, self)
	ba := ByteArray("ab")
	var cases []oracleCase
	for proto := 0; proto <= 2; proto++ {
		for _, c := range []struct {
			name, expr string
			v          any
			exact      bool
		}{
			{"doubled", "reduce(lambda t, _: (t, t), range(40), 1)", v, true},
			{"recursive-tuple", "(lambda l: (l.append((l,)), l[0])[1])([])", self, false},
			{"bytearray-twice", "(lambda b: [b, b])(bytearray('ab'))", NewList(ba, ba), false},
		} {
			e := Encoder{Protocol: proto}
			data, err := e.Append(nil, c.v)
			if err != nil {
				t.Fatalf("%s/%d: %v", c.name, proto, err)
			}
			cases = append(cases, oracleCase{name: fmt.Sprintf("%s/%d", c.name, proto), proto: proto, data: data, expr: c.expr, exact: c.exact})
		}
	}
	runOracle(t, cases)
}

// TestEncodeRecursiveTuple checks that a tuple containing itself through a
// list comes back as one tuple, written as cPickle writes it: the inner
// reference builds the tuple, the outer one drops its items and loads it.
func TestEncodeRecursiveTuple(t *testing.T) {
	l := NewList()
	self := Tuple{l}
	l.Items = append(l.Items, self)
	big := NewList()
	self4 := Tuple{big, int64(1), int64(2), int64(3)}
	big.Items = append(big.Items, self4)
	tests := []struct {
		name  string
		v     Tuple
		proto int
		want  string
	}{
		{"tuple1-p2", self, 2, "\x80\x02]q\x01h\x01\x85q\x02a0h\x02."},
		{"tuple1-p1", self, 1, "(]q\x01(h\x01tq\x02a1h\x02."},
		{"tuple1-p0", self, 0, "((lp1\n(g1\ntp2\na00g2\n."},
		{"tuple4-p2", self4, 2, "\x80\x02(]q\x01(h\x01K\x01K\x02K\x03tq\x02aK\x01K\x02K\x031h\x02."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := Encoder{Protocol: tt.proto}
			out, err := e.Append(nil, tt.v)
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != tt.want {
				t.Errorf("got  %q\nwant %q", out, tt.want)
			}
			got, err := (&Decoder{Registry: NewRegistry(nil)}).Decode(out)
			if err != nil {
				t.Fatal(err)
			}
			outer := got.(Tuple)
			inner := outer[0].(*List).Items[0]
			if !sharesWith(outer, inner) {
				t.Error("the tuple inside its list is not the tuple itself")
			}
		})
	}
}

// chain is a Go value with 2^levels leaves and no identity anywhere: []any
// slices are Go values, written each time they occur.
func chain(levels int) any {
	var v any = int64(1)
	for range levels {
		v = []any{v, v}
	}
	return v
}

func TestEncodeMaxOutput(t *testing.T) {
	distinct := make([]any, 10)
	for i := range distinct {
		distinct[i] = ByteString(strings.Repeat(string(rune('a'+i)), 100))
	}
	full, err := Marshal(distinct)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		v         any
		maxOutput int
		wantErr   bool
		path      string // where the limit was found passed
	}{
		{"exactly-the-limit", distinct, len(full), false, ""},
		{"one-byte-short", distinct, len(full) - 1, true, ""},
		{"stops-before-the-next-item", distinct, 250, true, "[3]"},
		{"zero-is-the-default", distinct, 0, false, ""},
		{"no-identity-2^40", chain(40), 1 << 20, true, ""},
		{"default-limit", chain(40), 0, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.name == "default-limit" && testing.Short() {
				t.Skip("writes DefaultMaxOutput bytes")
			}
			e := Encoder{Protocol: 2, MaxOutput: tt.maxOutput}
			prefix := []byte("prefix")
			out, err := e.Append(prefix, tt.v)
			if !tt.wantErr {
				if err != nil || string(out[len(prefix):]) != string(full) {
					t.Fatalf("got %d bytes, %v; want the %d-byte pickle", len(out)-len(prefix), err, len(full))
				}
				return
			}
			if !errors.Is(err, ErrOutputLimit) {
				t.Fatalf("got %d bytes, %v; want ErrOutputLimit", len(out), err)
			}
			var ee *EncodeError
			if !errors.As(err, &ee) {
				t.Fatalf("error %T is not *EncodeError", err)
			}
			if tt.path != "" && ee.Path != tt.path {
				t.Errorf("path %q, want %q", ee.Path, tt.path)
			}
			limit := tt.maxOutput
			if limit == 0 {
				limit = DefaultMaxOutput
			}
			if want := fmt.Sprintf("pickle longer than the output limit of %d bytes", limit); !strings.HasSuffix(err.Error(), want) {
				t.Errorf("error %q does not end in %q", err, want)
			}
			if string(out) != "prefix" {
				t.Errorf("dst is %q after the error, want it as it was", out[:min(len(out), 20)])
			}
		})
	}
}

// bigSharedStrings is a list of n distinct ByteStrings of size bytes each.
func bigSharedStrings(n, size int) *List {
	l := NewList()
	for i := range n {
		l.Items = append(l.Items, ByteString(fmt.Sprintf("%0*d", size, i)))
	}
	return l
}

// tuplePairs is a list of n (int, str) tuples, as rows of a query result.
func tuplePairs(n int) *List {
	l := NewList()
	for i := range n {
		l.Items = append(l.Items, Tuple{int64(i), ByteString("row")})
	}
	return l
}

// BenchmarkEncodeTuples encodes 1000 distinct tuples: each is memoized by
// identity, which costs a memo entry per tuple.
func BenchmarkEncodeTuples(b *testing.B) { benchEncode(b, tuplePairs(1000)) }

// BenchmarkEncodeLongStrings encodes 1000 distinct 100-byte strings, long
// enough to be memoized by identity.
func BenchmarkEncodeLongStrings(b *testing.B) { benchEncode(b, bigSharedStrings(1000, 100)) }
