package pickle

import (
	"math"
	"math/big"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Hand-written pickles, at least one for every opcode of protocols 0 to 5.
var decOpcodeCases = []struct {
	name string
	in   string
	want any
}{
	// Protocol 0 text opcodes.
	{"INT", "I42\n.", int64(42)},
	{"INT negative", "I-7\n.", int64(-7)},
	{"INT spaces and plus", "I +12 \n.", int64(12)},
	{"INT leading zeros", "I007\n.", int64(7)},
	{"INT True", "I01\n.", true},
	{"INT False", "I00\n.", false},
	{"INT past int64 is long", "I9223372036854775808\n.", decBig("9223372036854775808")},
	{"INT with L suffix", "I12L\n.", big.NewInt(12)},
	{"LONG", "L12345678901234567890L\n.", decBig("12345678901234567890")},
	{"LONG small stays long", "L1L\n.", big.NewInt(1)},
	{"LONG negative", "L-5L\n.", big.NewInt(-5)},
	{"LONG no suffix", "L0\n.", big.NewInt(0)},
	{"FLOAT", "F1.25\n.", 1.25},
	{"FLOAT exponent", "F-1e-05\n.", -1e-05},
	{"FLOAT nan", "Fnan\n.", math.NaN()},
	{"FLOAT signed nan", "F-nan\n.", math.NaN()},
	{"FLOAT Infinity", "FInfinity\n.", math.Inf(1)},
	{"FLOAT inf", "Finf\n.", math.Inf(1)},
	{"FLOAT -inf", "F-inf\n.", math.Inf(-1)},
	{"FLOAT overflow is inf", "F1e400\n.", math.Inf(1)},
	{"STRING single quotes", "S'abc'\n.", ByteString("abc")},
	{"STRING double quotes", "S\"it's\"\n.", ByteString("it's")},
	{"STRING escapes", `S'\a\b\f\n\r\t\v\\\'\"'` + "\n.", ByteString("\a\b\f\n\r\t\v\\'\"")},
	{"STRING octal", `S'\0\12\101\1010\777'` + "\n.", ByteString("\x00\nAA0\xff")},
	{"STRING hex", `S'\x00\xfF\x41'` + "\n.", ByteString("\x00\xffA")},
	{"STRING unknown escape kept", `S'\q\u20ac'` + "\n.", ByteString(`\q\u20ac`)},
	{"STRING trailing CR", "S'abc'\r\n.", ByteString("abc")},
	{"STRING raw high bytes", "S'\xff\x80'\n.", ByteString("\xff\x80")},
	{"UNICODE", "Vabc\n.", "abc"},
	{"UNICODE latin-1 bytes", "Vcaf\xe9\n.", "café"},
	{"UNICODE escapes", `V\u20ac\U0001F600\u005c\u000a` + "\n.", "€😀\\\n"},
	{"UNICODE even backslashes", `V\\u20ac` + "\n.", `\\u20ac`},
	{"UNICODE odd backslashes", `V\\\u20ac` + "\n.", `\\€`},
	{"UNICODE other escapes kept", `V\n\x41` + "\n.", `\n\x41`},
	{"UNICODE lone surrogate", `V\ud800` + "\n.", "\xed\xa0\x80"},
	{"UNICODE surrogate pair joins", `V\ud83d\ude00` + "\n.", "😀"},
	{"UNICODE low surrogate alone", `V\ude00a` + "\n.", "\xed\xb8\x80a"},
	{"NONE", "N.", None{}},
	{"TUPLE", "(I1\nI2\nt.", Tuple{int64(1), int64(2)}},
	{"TUPLE empty", "(t.", Tuple{}},
	{"LIST and APPEND", "(lp0\nI1\naI2\na.", NewList(int64(1), int64(2))},
	// An equal key set again replaces the earlier key (og-rek Dict semantics;
	// Python would keep the first key object). Python never pickles such dicts.
	{"DICT and SETITEM", "(dp0\nS'a'\nI1\nsVa\nI2\ns.", decDict("a", int64(2))},
	{"DICT with items", "(S'a'\nI1\nS'b'\nI2\nd.", decDict(ByteString("a"), int64(1), ByteString("b"), int64(2))},
	{"PUT GET", "(lp7\ng7\na.", nil}, // self-reference: checked in TestDecodeMemoIdentity
	{"GLOBAL", "cos\npath\n.", Class{Module: "os", Name: "path"}},
	{"GLOBAL builtins set", "cbuiltins\nset\n.", Class{Module: "__builtin__", Name: "set"}},
	{"GLOBAL builtins other", "cbuiltins\nlen\n.", Class{Module: "builtins", Name: "len"}},
	{"INST", "(I1\nimod\nC\n.", &Object{Class: Class{Module: "mod", Name: "C"}, Build: BuildOldStyle, Args: Tuple{int64(1)}}},
	{"INST and BUILD", "(imod\nC\n(dS'x'\nI1\nsb.", &Object{Class: Class{Module: "mod", Name: "C"}, Build: BuildOldStyle, Args: Tuple{},
		State: decDict(ByteString("x"), int64(1))}},
	{"REDUCE", "cmod\nf\n(I1\ntR.", &Object{Class: Class{Module: "mod", Name: "f"}, Build: BuildReduce, Args: Tuple{int64(1)}}},
	{"REDUCE set", "c__builtin__\nset\n((lI1\natR.", &Set{Items: []any{int64(1)}}},
	{"REDUCE set from tuple", "c__builtin__\nset\n((I1\nttR.", &Set{Items: []any{int64(1)}}},
	{"REDUCE empty set", "c__builtin__\nset\n(tR.", &Set{}},
	{"REDUCE frozenset", "cbuiltins\nfrozenset\n((lI1\natR.", &FrozenSet{Items: []any{int64(1)}}},
	{"REDUCE bytearray latin-1", "c__builtin__\nbytearray\n(V\xff\nS'latin-1'\ntR.", ByteArray("\xff")},
	{"REDUCE bytearray from str", "c__builtin__\nbytearray\n(S'ab'\ntR.", ByteArray("ab")},
	{"REDUCE bytearray other encoding", "c__builtin__\nbytearray\n(Vab\nS'cp500'\ntR.",
		&Object{Class: Class{Module: "__builtin__", Name: "bytearray"}, Build: BuildReduce, Args: Tuple{"ab", ByteString("cp500")}}},
	{"REDUCE _codecs.encode", "c_codecs\nencode\n(V\xe9\nVlatin1\ntR.", Bytes("\xe9")},
	{"REDUCE _codecs.encode utf-8", "c_codecs\nencode\n(V\xe9\nVutf-8\ntR.", Bytes("\xc3\xa9")},
	{"REDUCE bytes empty", "c__builtin__\nbytes\n(tR.", Bytes("")},
	{"REDUCE reconstructor", "ccopy_reg\n_reconstructor\n(cm\nC\nc__builtin__\nobject\nNtR.",
		&Object{Class: Class{Module: "m", Name: "C"}, Build: BuildReconstructor, Base: Class{Module: "__builtin__", Name: "object"}, BaseState: None{}}},
	{"REDUCE reconstructor list base", "ccopyreg\n_reconstructor\n(cm\nL\nc__builtin__\nlist\n(ltR(I1\nI2\ne.",
		&Object{Class: Class{Module: "m", Name: "L"}, Build: BuildReconstructor, Base: Class{Module: "__builtin__", Name: "list"}, BaseState: &List{},
			ListItems: []any{int64(1), int64(2)}}},
	{"POP", "I1\nI2\n0.", int64(1)},
	{"POP pops a MARK", "I1\n(0.", int64(1)},
	{"POP_MARK", "I1\n(I2\nI3\n1.", int64(1)},
	{"DUP", "(I5\n2t.", Tuple{int64(5), int64(5)}},
	{"MARK nested", "((t(tt.", Tuple{Tuple{}, Tuple{}}},
	{"PERSID free trailing bytes", "N.garbage", None{}},

	// Protocol 1.
	{"BININT", "J\xff\xff\xff\xff.", int64(-1)},
	{"BININT max", "J\xff\xff\xff\x7f.", int64(math.MaxInt32)},
	{"BININT1", "K\xff.", int64(255)},
	{"BININT2", "M\x01\x02.", int64(0x201)},
	{"BINFLOAT", "G\x3f\xf8\x00\x00\x00\x00\x00\x00.", 1.5},
	{"BINSTRING", "T\x03\x00\x00\x00abc.", ByteString("abc")},
	{"SHORT_BINSTRING", "U\x02\xff\x00.", ByteString("\xff\x00")},
	{"BINUNICODE", "X\x03\x00\x00\x00\xe2\x82\xac.", "€"},
	{"BINUNICODE surrogate kept", "X\x03\x00\x00\x00\xed\xa0\x80.", "\xed\xa0\x80"},
	{"EMPTY_TUPLE", ").", Tuple{}},
	{"EMPTY_LIST APPENDS", "](K\x01K\x02e.", NewList(int64(1), int64(2))},
	{"EMPTY_DICT SETITEMS", "}(U\x01aK\x01U\x01bK\x02u.", decDict(ByteString("a"), int64(1), ByteString("b"), int64(2))},
	{"BINPUT BINGET", "(K\x07q\x03h\x03t.", Tuple{int64(7), int64(7)}},
	{"LONG_BINPUT LONG_BINGET", "(K\x07r\x00\x00\x01\x00j\x00\x00\x01\x00t.", Tuple{int64(7), int64(7)}},
	{"OBJ", "(cm\nC\nK\x01o.", &Object{Class: Class{Module: "m", Name: "C"}, Build: BuildOldStyle, Args: Tuple{int64(1)}}},
	{"APPENDS on instance", "cm\nL\n)\x81(K\x01e.", &Object{Class: Class{Module: "m", Name: "L"}, Build: BuildNewObj, Args: Tuple{},
		ListItems: []any{int64(1)}}},
	{"SETITEM on instance", "cm\nD\n)\x81K\x01K\x02s.", &Object{Class: Class{Module: "m", Name: "D"}, Build: BuildNewObj, Args: Tuple{},
		DictItems: []any{int64(1), int64(2)}}},

	// Protocol 2.
	{"PROTO", "\x80\x02N.", None{}},
	{"NEWOBJ", "\x80\x02cm\nC\nK\x01\x85\x81.", &Object{Class: Class{Module: "m", Name: "C"}, Build: BuildNewObj, Args: Tuple{int64(1)}}},
	{"NEWOBJ BUILD twice merges", "\x80\x02cm\nC\n)\x81}U\x01aK\x01sb}U\x01bK\x02sb.", &Object{Class: Class{Module: "m", Name: "C"},
		Build: BuildNewObj, Args: Tuple{}, State: decDict(ByteString("a"), int64(1), ByteString("b"), int64(2))}},
	{"BUILD twice non-dict replaces", "\x80\x02cm\nC\n)\x81K\x01bK\x02b.", &Object{Class: Class{Module: "m", Name: "C"},
		Build: BuildNewObj, Args: Tuple{}, State: int64(2)}},
	{"TUPLE1", "\x80\x02K\x01\x85.", Tuple{int64(1)}},
	{"TUPLE2", "\x80\x02K\x01K\x02\x86.", Tuple{int64(1), int64(2)}},
	{"TUPLE3", "\x80\x02K\x01K\x02K\x03\x87.", Tuple{int64(1), int64(2), int64(3)}},
	{"NEWTRUE NEWFALSE", "\x80\x02\x88\x89\x86.", Tuple{true, false}},
	{"LONG1", "\x80\x02\x8a\x02\xff\x7f.", big.NewInt(0x7fff)},
	{"LONG1 negative", "\x80\x02\x8a\x01\x80.", big.NewInt(-128)},
	{"LONG1 zero", "\x80\x02\x8a\x00.", big.NewInt(0)},
	{"LONG4", "\x80\x02\x8b\x02\x00\x00\x00\x00\x80.", big.NewInt(-32768)},

	// Protocol 3.
	{"BINBYTES", "\x80\x03B\x02\x00\x00\x00\x00\xff.", Bytes("\x00\xff")},
	{"SHORT_BINBYTES", "\x80\x03C\x01a.", Bytes("a")},

	// Protocol 4.
	{"FRAME", "\x80\x04\x95\x02\x00\x00\x00\x00\x00\x00\x00N.", None{}},
	{"SHORT_BINUNICODE", "\x80\x04\x8c\x02\xc3\xa9.", "é"},
	{"BINUNICODE8", "\x80\x04\x8d\x01\x00\x00\x00\x00\x00\x00\x00a.", "a"},
	{"BINBYTES8", "\x80\x04\x8e\x01\x00\x00\x00\x00\x00\x00\x00a.", Bytes("a")},
	{"EMPTY_SET ADDITEMS", "\x80\x04\x8f(K\x01K\x02\x90.", &Set{Items: []any{int64(1), int64(2)}}},
	{"FROZENSET", "\x80\x04(K\x01\x91.", &FrozenSet{Items: []any{int64(1)}}},
	{"STACK_GLOBAL", "\x80\x04\x8c\x01m\x8c\x01C\x93.", Class{Module: "m", Name: "C"}},
	{"MEMOIZE", "\x80\x04(K\x05\x94h\x00t.", Tuple{int64(5), int64(5)}},
	{"NEWOBJ_EX", "\x80\x04\x8c\x01m\x8c\x01C\x93K\x01\x85}\x8c\x01kK\x02s\x92.", &Object{Class: Class{Module: "m", Name: "C"},
		Build: BuildNewObj, Args: Tuple{int64(1)}, Kwargs: map[string]any{"k": int64(2)}}},

	// Protocol 5.
	{"BYTEARRAY8", "\x80\x05\x96\x02\x00\x00\x00\x00\x00\x00\x00ab.", ByteArray("ab")},
	{"READONLY_BUFFER", "\x80\x05C\x01a\x98.", Bytes("a")},
}

func TestDecodeOpcodes(t *testing.T) {
	for _, tc := range decOpcodeCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := decPlain([]byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if tc.want == nil {
				return
			}
			if diff := cmp.Diff(tc.want, got, decCmp...); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestDecodeOpcodeCoverage checks that the table above uses every opcode.
func TestDecodeOpcodeCoverage(t *testing.T) {
	used := map[byte]bool{}
	for _, tc := range decOpcodeCases {
		for _, op := range decOps(t, []byte(tc.in)) {
			used[op] = true
		}
	}
	// Opcodes that can only fail are covered by TestDecodeErrors.
	for _, op := range []byte{opPersid, opBinpersid, opExt1, opExt2, opExt4, opNextBuffer} {
		used[op] = true
	}
	for op, name := range opNames {
		if name != "" && !used[byte(op)] {
			t.Errorf("no test pickle uses %s", name)
		}
	}
}

// decOps lists the opcodes of a valid pickle.
func decOps(t *testing.T, data []byte) []byte {
	t.Helper()
	ops, ok := decOpList(data)
	if !ok {
		t.Fatalf("cannot list the opcodes of %q", data)
	}
	return ops
}

func decOpList(data []byte) ([]byte, bool) {
	var ops []byte
	pos := 0
	for pos < len(data) {
		op := data[pos]
		ops = append(ops, op)
		if op == opStop {
			break
		}
		n, ok := decArgLen(data[pos+1:], op)
		if !ok {
			return nil, false
		}
		pos += 1 + n
	}
	return ops, true
}

func decArgLen(rest []byte, op byte) (int, bool) {
	line := func(count int) (int, bool) {
		n := 0
		for ; count > 0; count-- {
			i := indexByte(rest[n:], '\n')
			if i < 0 {
				return 0, false
			}
			n += i + 1
		}
		return n, true
	}
	if len(rest) < 8 {
		rest = append(rest[:len(rest):len(rest)], make([]byte, 8)...)
	}
	u32 := func() int { return int(rest[0]) | int(rest[1])<<8 | int(rest[2])<<16 | int(rest[3])<<24 }
	switch op {
	case opInt, opLong, opFloat, opString, opUnicode, opPut, opGet, opPersid:
		return line(1)
	case opGlobal, opInst:
		return line(2)
	case opBinint1, opBinput, opBinget, opProto, opExt1:
		return 1, true
	case opBinint2, opExt2:
		return 2, true
	case opBinint, opLongBinput, opLongBinget, opExt4:
		return 4, true
	case opBinfloat, opFrame:
		return 8, true
	case opShortBinstring, opShortBinbytes, opShortBinunicode, opLong1:
		return 1 + int(rest[0]), true
	case opBinstring, opBinunicode, opBinbytes, opLong4:
		return 4 + u32(), true
	case opBinunicode8, opBinbytes8, opBytearray8:
		return 8 + u32(), true
	}
	return 0, opNames[op] != ""
}
