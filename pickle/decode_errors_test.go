package pickle

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		want   error
		offset int
	}{
		{"empty", "", ErrTruncated, 0},
		{"no STOP", "N", ErrTruncated, 1},
		{"truncated BININT", "J\x01\x02", ErrTruncated, 0},
		{"truncated BININT1", "K", ErrTruncated, 0},
		{"truncated BININT2", "M\x01", ErrTruncated, 0},
		{"truncated BINFLOAT", "G\x00", ErrTruncated, 0},
		{"truncated BINSTRING length", "T\x01", ErrTruncated, 0},
		{"truncated BINSTRING data", "T\x05\x00\x00\x00ab", ErrTruncated, 0},
		{"truncated SHORT_BINUNICODE", "\x80\x04\x8c\x05ab", ErrTruncated, 2},
		{"truncated BINBYTES8", "\x80\x04\x8e\x05\x00\x00\x00\x00\x00\x00\x00ab", ErrTruncated, 2},
		{"truncated LONG1", "\x80\x02\x8a\x05\x00", ErrTruncated, 2},
		{"truncated LONG4", "\x80\x02\x8b\x05\x00", ErrTruncated, 2},
		{"truncated text", "I12", ErrTruncated, 0},
		{"truncated GLOBAL", "cmod\nna", ErrTruncated, 0},
		{"truncated PROTO", "\x80", ErrTruncated, 0},
		{"truncated FRAME", "\x80\x04\x95\x10\x00\x00\x00\x00\x00\x00\x00N.", ErrTruncated, 2},
		{"truncated BINPUT", "Nq", ErrTruncated, 1},
		{"truncated LONG_BINGET", "j\x00", ErrTruncated, 0},
		{"unknown opcode", "\xff", ErrUnknownOpcode, 0},
		{"unknown opcode 0x99", "N\x99.", ErrUnknownOpcode, 1},
		{"STOP on empty stack", ".", ErrStackUnderflow, 0},
		{"STOP above MARK", "N(.", ErrStackUnderflow, 2},
		{"POP on empty stack", "0", ErrStackUnderflow, 0},
		{"TUPLE without MARK", "Nt.", ErrStackUnderflow, 1},
		{"TUPLE2 short", "\x80\x02N\x86.", ErrStackUnderflow, 3},
		{"TUPLE3 across MARK", "\x80\x02NN(N\x87.", ErrStackUnderflow, 6},
		{"APPEND on empty", "a", ErrStackUnderflow, 0},
		{"SETITEM one item", "}Ns", ErrStackUnderflow, 2},
		{"DUP on empty", "2", ErrStackUnderflow, 0},
		{"BUILD alone", "Nb", ErrStackUnderflow, 1},
		{"REDUCE alone", "NR", ErrStackUnderflow, 1},
		{"OBJ without class", "(o.", ErrStackUnderflow, 1},
		{"POP_MARK without MARK", "1", ErrStackUnderflow, 0},
		{"READONLY_BUFFER on empty", "\x98", ErrStackUnderflow, 0},
		{"GET undefined", "g3\n.", ErrMemoMissing, 0},
		{"BINGET undefined", "N\x94h\x01.", ErrMemoMissing, 2},
		{"LONG_BINGET undefined", "j\x00\x00\x00\x80.", ErrMemoMissing, 0},
		{"PERSID", "Pid\n.", ErrPersistentID, 0},
		{"BINPERSID", "NQ.", ErrPersistentID, 1},
		{"EXT1", "\x80\x02\x82\x01.", ErrUnsupported, 2},
		{"EXT2", "\x80\x02\x83\x01\x00.", ErrUnsupported, 2},
		{"EXT4", "\x80\x02\x84\x01\x00\x00\x00.", ErrUnsupported, 2},
		{"NEXT_BUFFER", "\x80\x05\x97.", ErrUnsupported, 2},
		{"protocol 6", "\x80\x06N.", ErrBadValue, 0},
		{"INT text", "Iabc\n.", ErrBadValue, 0},
		{"INT underscore", "I1_000\n.", ErrBadValue, 0},
		{"LONG text", "L12x\n.", ErrBadValue, 0},
		{"FLOAT text", "Fabc\n.", ErrBadValue, 0},
		{"FLOAT hex", "F0x1p3\n.", ErrBadValue, 0},
		{"STRING unquoted", "Sabc\n.", ErrBadValue, 0},
		{"STRING mismatched quotes", "S'abc\"\n.", ErrBadValue, 0},
		{"STRING one quote", "S'\n.", ErrBadValue, 0},
		{"STRING trailing backslash", "S'ab\\'\n.", ErrBadValue, 0},
		{"STRING bad hex escape", "S'\\x4'\n.", ErrBadValue, 0},
		{"STRING bad hex digit", "S'\\xg0'\n.", ErrBadValue, 0},
		{"UNICODE short escape", "V\\u12\n.", ErrBadValue, 0},
		{"UNICODE bad hex", "V\\u12g4\n.", ErrBadValue, 0},
		{"UNICODE out of range", "V\\U00110000\n.", ErrBadValue, 0},
		{"negative BINSTRING", "T\xff\xff\xff\xff.", ErrBadValue, 0},
		{"negative LONG4", "\x80\x02\x8b\xff\xff\xff\xff.", ErrBadValue, 2},
		{"PUT text", "Np-1\n.", ErrBadValue, 1},
		{"GET text", "Ngx\n.", ErrBadValue, 1},
		{"REDUCE non-class", "K\x01)R.", ErrBadValue, 3},
		{"REDUCE non-tuple args", "cm\nf\nK\x01R.", ErrBadValue, 7},
		{"NEWOBJ non-class", "\x80\x02K\x01)\x81.", ErrBadValue, 5},
		{"NEWOBJ non-tuple", "\x80\x02cm\nC\nK\x01\x81.", ErrBadValue, 9},
		{"NEWOBJ_EX bad kwargs", "\x80\x04cm\nC\n)K\x01\x92.", ErrBadValue, 10},
		{"NEWOBJ_EX non-string keyword", "\x80\x04cm\nC\n)}K\x01K\x02s\x92.", ErrBadValue, 14},
		{"OBJ non-class", "(K\x01o.", ErrBadValue, 3},
		{"STACK_GLOBAL non-string", "\x80\x04K\x01K\x02\x93.", ErrBadValue, 6},
		{"BUILD on list", "]}b.", ErrBadValue, 2},
		{"APPEND on dict", "}Na.", ErrBadValue, 2},
		{"SETITEMS on list", "](NNu.", ErrBadValue, 4},
		{"SETITEMS odd", "}(Nu.", ErrBadValue, 3},
		{"DICT odd", "(Nd.", ErrBadValue, 2},
		{"ADDITEMS on list", "\x80\x04](N\x90.", ErrBadValue, 5},
		{"unhashable list key", "}]Ns.", ErrBadValue, 3},
		{"unhashable dict key", "(}Nd.", ErrBadValue, 3},
		{"unhashable key in tuple", "(]\x85Nd.", ErrBadValue, 4},
		{"unhashable set item", "\x80\x04\x8f(]\x90.", ErrBadValue, 5},
		{"unhashable frozenset item", "\x80\x04(}\x91.", ErrBadValue, 4},
		{"unhashable set REDUCE", "c__builtin__\nset\n(((lltR.", ErrBadValue, 23},
		{"_codecs.encode non-latin1", "c_codecs\nencode\n(V\\u20ac\nVlatin1\ntR.", ErrBadValue, 34},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := decPlain([]byte(tc.in))
			if err == nil {
				t.Fatalf("decoded %#v, want error", v)
			}
			decIsError(t, err, tc.want)
			var pe *Error
			errors.As(err, &pe)
			if pe.Offset != tc.offset {
				t.Errorf("offset %d, want %d: %v", pe.Offset, tc.offset, err)
			}
		})
	}
}

func TestDecodeErrorMessage(t *testing.T) {
	_, err := (&Decoder{Limits: Limits{MaxMemo: 2}}).Decode([]byte("\x80\x02N\x94\x94\x94."))
	want := "pickle: offset 5, opcode 0x94 (MEMOIZE): memo index 2: memo entries over MaxMemo 2"
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
	_, err = decPlain([]byte("Nq"))
	if want := "pickle: offset 1, opcode 'q' (BINPUT): data ends inside the opcode's argument"; err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
	_, err = decPlain([]byte("N"))
	if want := "pickle: offset 1: no STOP opcode"; err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
	_, err = decPlain([]byte("\xfe"))
	if want := "pickle: offset 0, opcode 0xfe: unknown opcode"; err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
}

func TestDecodeLimits(t *testing.T) {
	small := Limits{MaxDepth: 3, MaxMemo: 4, MaxStringLen: 8, MaxContainerLen: 4, MaxBigIntBytes: 4}
	tests := []struct {
		name   string
		in     string
		ok     bool // decodes within the limits
		offset int
	}{
		{"depth ok", "(((ttt.", true, 0},
		{"depth over", "((((tttt.", false, 3},
		{"memo ok", "N\x94\x94\x94\x94.", true, 0},
		{"memo over", "N\x94\x94\x94\x94\x94.", false, 5},
		{"memo rewrite is not new", "Nq\x00q\x00q\x00q\x00q\x00q\x00.", true, 0},
		{"sparse memo index over count", "Nr\x00\x00\x00\x40q\x01q\x02q\x03q\x04.", false, 12},
		{"string ok", "U\x08abcdefgh.", true, 0},
		{"string over", "U\x09abcdefghi.", false, 0},
		{"BINUNICODE over before reading", "X\xff\xff\xff\xff.", false, 0},
		{"BINBYTES8 huge", "\x8e\xff\xff\xff\xff\xff\xff\xff\xff.", false, 0},
		{"BYTEARRAY8 over", "\x96\x09\x00\x00\x00\x00\x00\x00\x00abcdefghi.", false, 0},
		{"text line over", "S'abcdefghijk'\n.", false, 0},
		{"tuple ok", "(NNNNt.", true, 0},
		{"tuple over", "(NNNNNt.", false, 6},
		{"list appends over", "](NNNe(Ne(Ne.", false, 11},
		{"dict over", "}(NNK\x01NK\x02NK\x03NK\x04Nu.", false, 0},
		{"set over", "\x8f(NNN\x90(NN\x90.", false, 9},
		{"long ok", "\x8a\x04\x01\x02\x03\x04.", true, 0},
		{"long over", "\x8a\x05\x01\x02\x03\x04\x05.", false, 0},
		{"text long over", "L1234567890123L\n.", false, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := (&Decoder{Limits: small}).Decode([]byte(tc.in))
			if tc.ok {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			decIsError(t, err, ErrLimit)
			var pe *Error
			errors.As(err, &pe)
			if tc.offset != 0 && pe.Offset != tc.offset {
				t.Errorf("offset %d, want %d: %v", pe.Offset, tc.offset, err)
			}
		})
	}
}

// TestDecodeDefaultLimits checks that the defaults admit a 10 MB string (Pyro's
// echo test) and that zero fields take the defaults.
func TestDecodeDefaultLimits(t *testing.T) {
	big := strings.Repeat("x", 10<<20)
	data := []byte("\x80\x02T\x00\x00\xa0\x00" + big + ".")
	v, err := (&Decoder{Limits: Limits{MaxDepth: 5}}).Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	if s, ok := v.(ByteString); !ok || len(s) != 10<<20 {
		t.Errorf("got %T, want a ByteString of %d bytes", v, len(big))
	}
}

// TestDecodeDeepRegistered bounds the conversion walk by MaxDepth.
func TestDecodeDeepRegistered(t *testing.T) {
	reg := NewRegistry(nil)
	reg.Register("m", "C", func(o *Object) (any, error) { return "converted", nil })
	deep := "\x80\x02cm\nC\n)\x81" + strings.Repeat("\x85", 50) + "."
	_, err := (&Decoder{Registry: reg, Limits: Limits{MaxDepth: 20}}).Decode([]byte(deep))
	decIsError(t, err, ErrLimit)
	v, err := (&Decoder{Registry: reg}).Decode([]byte(deep))
	if err != nil {
		t.Fatal(err)
	}
	for range 50 {
		v = v.(Tuple)[0]
	}
	if v != "converted" {
		t.Errorf("innermost value %#v", v)
	}
}

// TestDecodeSharedTupleKey checks that a dict key made of shared tuples, whose
// hashing is exponential in its depth, is refused quickly.
func TestDecodeSharedTupleKey(t *testing.T) {
	data := "\x80\x02}N" + strings.Repeat("2\x86", 200) + "Ns."
	_, err := decPlain([]byte(data))
	decIsError(t, err, ErrLimit)

	// A key of 2**16 items, set again and again.
	data = "\x80\x02}N" + strings.Repeat("2\x86", 16) + "q\x010" + strings.Repeat("h\x01Ns", 100000) + "."
	_, err = decPlain([]byte(data))
	decIsError(t, err, ErrLimit)
}

// TestDecodeNaNKeys checks that NaN dict keys, which all collide, are bounded.
func TestDecodeNaNKeys(t *testing.T) {
	nan := "G\x7f\xf8\x00\x00\x00\x00\x00\x00"
	v, err := decPlain([]byte("}(" + strings.Repeat(nan+"N", 1000) + "u."))
	if err != nil {
		t.Fatal(err)
	}
	if n := v.(Dict).Len(); n != 1000 {
		t.Errorf("%d keys, want 1000 (NaN keys are all distinct)", n)
	}
	_, err = decPlain([]byte("}(" + strings.Repeat(nan+"\x85N", 1001) + "u."))
	decIsError(t, err, ErrLimit)
}

// TestDecodeManyBuilds checks that repeated BUILDs merge in linear time.
func TestDecodeManyBuilds(t *testing.T) {
	var b strings.Builder
	b.WriteString("\x80\x02cm\nC\n)\x81")
	for i := range 20000 {
		fmt.Fprintf(&b, "}J%sNsb", string([]byte{byte(i), byte(i >> 8), 0, 0}))
	}
	b.WriteString(".")
	v, err := decPlain([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if n := v.(*Object).State.(Dict).Len(); n != 20000 {
		t.Errorf("state has %d keys, want 20000", n)
	}
}
