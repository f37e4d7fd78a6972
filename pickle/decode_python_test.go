package pickle

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// decPyCase is a Python expression and the Go value its pickle decodes to.
type decPyCase struct {
	expr string
	want any
	// wantFor, if set, gives the expected value per protocol.
	wantFor func(proto int) any
}

// decPickleScript evaluates each expression of a JSON list read from the
// script's own argument and prints the pickle of every value at each protocol
// with each pickler, hex-encoded, one a line.
const decPickleScript = `
import sys, json, binascii
PY2 = sys.version_info[0] == 2
if PY2:
    import pickle, cPickle
    picklers = [pickle.dumps, cPickle.dumps]
    protos = [0, 1, 2]
else:
    import pickle, io
    def pydumps(v, p):
        f = io.BytesIO(); pickle._Pickler(f, p).dump(v); return f.getvalue()
    picklers = [pickle.dumps, pydumps]
    protos = [0, 1, 2, 3, 4, 5]
class Old:
    pass
class New(object):
    pass
def mk(cls, **kw):
    o = cls()
    o.__dict__.update(kw)
    return o
for e in json.loads(PROGRAM):
    v = eval(e)
    for p in protos:
        for d in picklers:
            print(binascii.hexlify(d(v, p)).decode('ascii'))
`

func decRunCases(t *testing.T, major int, cases []decPyCase) {
	python := decPython(t, major)
	exprs := make([]string, len(cases))
	for i, c := range cases {
		exprs[i] = c.expr
	}
	prog, err := json.Marshal(exprs)
	if err != nil {
		t.Fatal(err)
	}
	script := fmt.Sprintf("PROGRAM = %q\n", prog) + decPickleScript
	protos := []int{0, 1, 2}
	if major == 3 {
		protos = []int{0, 1, 2, 3, 4, 5}
	}
	const picklers = 2
	pickles := decRunPython(t, python, script)
	if len(pickles) != len(cases)*len(protos)*picklers {
		t.Fatalf("python printed %d pickles, want %d", len(pickles), len(cases)*len(protos)*picklers)
	}
	i := 0
	for _, c := range cases {
		for _, p := range protos {
			for k := 0; k < picklers; k++ {
				data := pickles[i]
				i++
				want := c.want
				if c.wantFor != nil {
					want = c.wantFor(p)
				}
				got, err := decPlain(data)
				if err != nil {
					t.Errorf("py%d %s protocol %d pickler %d: %v\n%x", major, c.expr, p, k, err, data)
					continue
				}
				if diff := cmp.Diff(want, got, decCmp...); diff != "" {
					t.Errorf("py%d %s protocol %d pickler %d (-want +got):\n%s\n%q", major, c.expr, p, k, diff, data)
				}
			}
		}
	}
}

func TestDecodePython2(t *testing.T) {
	mainOld := Class{Module: "__main__", Name: "Old"}
	mainNew := Class{Module: "__main__", Name: "New"}
	object := Class{Module: "__builtin__", Name: "object"}
	newStyle := func(state any) func(int) any {
		return func(p int) any {
			if p < 2 {
				return &Object{Class: mainNew, Build: BuildReconstructor, Base: object, BaseState: None{}, State: state}
			}
			return &Object{Class: mainNew, Build: BuildNewObj, Args: Tuple{}, State: state}
		}
	}
	uri := Class{Module: "Pyro.core", Name: "PyroURI"}
	uriState := decDict(ByteString("protocol"), ByteString("PYRO"), ByteString("port"), int64(7766),
		ByteString("objectID"), ByteString("abc"), ByteString("address"), ByteString("127.0.0.1"))
	valueError := func(args ...any) *Object {
		return &Object{Class: Class{Module: "exceptions", Name: "ValueError"}, Build: BuildReduce, Args: Tuple(args)}
	}
	withState := func(o *Object, state any) *Object { o.State = state; return o }
	decRunCases(t, 2, []decPyCase{
		{expr: "None", want: None{}},
		{expr: "True", want: true},
		{expr: "False", want: false},
		{expr: "0", want: int64(0)},
		{expr: "-1", want: int64(-1)},
		{expr: "255", want: int64(255)},
		{expr: "256", want: int64(256)},
		{expr: "65535", want: int64(65535)},
		{expr: "65536", want: int64(65536)},
		{expr: "2**31-1", want: int64(math.MaxInt32)},
		{expr: "-2**31", want: int64(math.MinInt32)},
		{expr: "2**31", want: int64(1 << 31)},
		{expr: "int(2**63-1)", want: int64(math.MaxInt64)},
		{expr: "int(-2**63)", want: int64(math.MinInt64)},
		{expr: "0L", want: big.NewInt(0)},
		{expr: "5L", want: big.NewInt(5)},
		{expr: "-128L", want: big.NewInt(-128)},
		{expr: "-129L", want: big.NewInt(-129)},
		{expr: "2**63", want: decBig("9223372036854775808")},
		{expr: "-2**100", want: decBig("-1267650600228229401496703205376")},
		{expr: "1.5", want: 1.5},
		{expr: "-0.0", want: math.Copysign(0, -1)},
		{expr: "1e300", want: 1e300},
		{expr: "1.0/3", want: 1.0 / 3},
		{expr: "float('nan')", want: math.NaN()},
		{expr: "float('inf')", want: math.Inf(1)},
		{expr: "float('-inf')", want: math.Inf(-1)},
		{expr: "''", want: ByteString("")},
		{expr: "'abc'", want: ByteString("abc")},
		{expr: "'a\\x00\\xff\\n\\r\\t\\\\\\'\"'", want: ByteString("a\x00\xff\n\r\t\\'\"")},
		{expr: "'\\'only single'", want: ByteString("'only single")},
		{expr: "''.join(map(chr, range(256)))", want: ByteString(decAllBytes())},
		{expr: "'x' * 300", want: ByteString(decRepeat("x", 300))},
		{expr: "u''", want: ""},
		{expr: "u'abc'", want: "abc"},
		{expr: "u'\\u20ac\\n\\\\\\x00\\xe9'", want: "€\n\\\x00é"},
		{expr: "u'\\\\u20ac'", want: "\\u20ac"},
		{expr: "u'\\U0001f600'", want: "😀"},
		{expr: "u'\\ud800x'", want: "\xed\xa0\x80x"},
		{expr: "()", want: Tuple{}},
		{expr: "(1,)", want: Tuple{int64(1)}},
		{expr: "(1, 'a')", want: Tuple{int64(1), ByteString("a")}},
		{expr: "(1, 2, 3)", want: Tuple{int64(1), int64(2), int64(3)}},
		{expr: "(1, 2, 3, 4)", want: Tuple{int64(1), int64(2), int64(3), int64(4)}},
		{expr: "((),)", want: Tuple{Tuple{}}},
		{expr: "[]", want: &List{}},
		{expr: "[1, u'a', None]", want: NewList(int64(1), "a", None{})},
		{expr: "range(2500)", want: NewList(decInts(2500)...)},
		{expr: "[[1], [2, [3]]]", want: NewList(NewList(int64(1)), NewList(int64(2), NewList(int64(3))))},
		{expr: "{}", want: NewDict()},
		{expr: "{'a': 1, u'b': 2L, (1, 'x'): 3, 1.5: None, None: [], 7: ()}", want: decDict(
			ByteString("a"), int64(1), "b", big.NewInt(2), Tuple{int64(1), ByteString("x")}, int64(3),
			1.5, None{}, None{}, &List{}, int64(7), Tuple{})},
		{expr: "dict((i, str(i)) for i in range(1500))", want: decIntDict(1500)},
		{expr: "set()", want: &Set{}},
		{expr: "set([1])", want: &Set{Items: []any{int64(1)}}},
		{expr: "frozenset(['a'])", want: &FrozenSet{Items: []any{ByteString("a")}}},
		{expr: "bytearray('ab\\xff')", want: ByteArray("ab\xff")},
		{expr: "bytearray()", want: ByteArray{}},
		{expr: "ValueError('bad', 3)", want: valueError(ByteString("bad"), int64(3))},
		{expr: "mk(ValueError, code=5)", want: withState(valueError(), decDict(ByteString("code"), int64(5)))},
		{expr: "mk(Old)", want: &Object{Class: mainOld, Build: BuildOldStyle, Args: Tuple{}, State: NewDict()}},
		{expr: "mk(Old, a=1, b=u'x')", want: &Object{Class: mainOld, Build: BuildOldStyle, Args: Tuple{},
			State: decDict(ByteString("a"), int64(1), ByteString("b"), "x")}},
		{expr: "mk(New, a=1)", wantFor: newStyle(decDict(ByteString("a"), int64(1)))},
		{expr: "__import__('Pyro.core').core.PyroURI('PYRO://127.0.0.1:7766/abc')", wantFor: func(p int) any {
			if p < 2 {
				return &Object{Class: uri, Build: BuildReconstructor, Base: object, BaseState: None{}, State: uriState}
			}
			return &Object{Class: uri, Build: BuildNewObj, Args: Tuple{}, State: uriState}
		}},
		{expr: "__import__('Pyro.errors').errors.PyroExceptionCapsule(ValueError('bad'), ['tb\\n'])",
			want: &Object{Class: Class{Module: "Pyro.errors", Name: "PyroExceptionCapsule"}, Build: BuildOldStyle, Args: Tuple{},
				State: decDict(ByteString("excObj"), valueError(ByteString("bad")), ByteString("args"), NewList(ByteString("tb\n")))}},
		{expr: "__import__('decimal').Decimal('1.5')", want: &Object{Class: Class{Module: "decimal", Name: "Decimal"},
			Build: BuildReduce, Args: Tuple{ByteString("1.5")}}},
		{expr: "complex(1, 2)", want: &Object{Class: Class{Module: "__builtin__", Name: "complex"}, Build: BuildReduce,
			Args: Tuple{1.0, 2.0}}},
		{expr: "len", want: Class{Module: "__builtin__", Name: "len"}},
		{expr: "Old", want: mainOld},
	})
}

func TestDecodePython3(t *testing.T) {
	mainNew := Class{Module: "__main__", Name: "New"}
	object := Class{Module: "__builtin__", Name: "object"}
	decRunCases(t, 3, []decPyCase{
		{expr: "None", want: None{}},
		{expr: "(True, False)", want: Tuple{true, false}},
		{expr: "[0, -1, 300, 70000, 2**31, -2**31-1]", want: NewList(int64(0), int64(-1), int64(300), int64(70000), big.NewInt(1<<31), big.NewInt(-1<<31-1))},
		{expr: "2**64", want: decBig("18446744073709551616")},
		{expr: "-2**200", want: new(big.Int).Neg(new(big.Int).Lsh(big.NewInt(1), 200))},
		{expr: "2.5", want: 2.5},
		{expr: "float('nan')", want: math.NaN()},
		{expr: "'abc'", want: "abc"},
		{expr: "'\\u20ac\\n\\\\'", want: "€\n\\"},
		{expr: "'\\ud800'", want: "\xed\xa0\x80"},
		{expr: "'x' * 300", want: decRepeat("x", 300)},
		{expr: "b''", want: Bytes("")},
		{expr: "b'ab\\xff\\x00'", want: Bytes("ab\xff\x00")},
		{expr: "b'y' * 300", want: Bytes(decRepeat("y", 300))},
		{expr: "bytearray(b'ab\\xff')", want: ByteArray("ab\xff")},
		{expr: "bytearray()", want: ByteArray{}},
		{expr: "(), (1,), (1, 2), (1, 2, 3), (1, 2, 3, 4)", want: Tuple{Tuple{}, Tuple{int64(1)}, Tuple{int64(1), int64(2)},
			Tuple{int64(1), int64(2), int64(3)}, Tuple{int64(1), int64(2), int64(3), int64(4)}}},
		{expr: "list(range(1500))", want: NewList(decInts(1500)...)},
		{expr: "{'a': 1, b'b': 2, (1, 2): 3}", want: decDict("a", int64(1), Bytes("b"), int64(2), Tuple{int64(1), int64(2)}, int64(3))},
		{expr: "set()", want: &Set{}},
		{expr: "frozenset([3])", want: &FrozenSet{Items: []any{int64(3)}}},
		{expr: "mk(New, a=1)", wantFor: func(p int) any {
			if p < 2 {
				return &Object{Class: mainNew, Build: BuildReconstructor, Base: object, BaseState: None{}, State: decDict("a", int64(1))}
			}
			return &Object{Class: mainNew, Build: BuildNewObj, Args: Tuple{}, State: decDict("a", int64(1))}
		}},
		{expr: "ValueError('bad')", wantFor: func(p int) any {
			// Python 3 writes Python 2 module names below protocol 3.
			module := "exceptions"
			if p >= 3 {
				module = "builtins"
			}
			return &Object{Class: Class{Module: module, Name: "ValueError"}, Build: BuildReduce, Args: Tuple{"bad"}}
		}},
	})
}

func decAllBytes() string {
	b := make([]byte, 256)
	for i := range b {
		b[i] = byte(i)
	}
	return string(b)
}

func decRepeat(s string, n int) string {
	out := ""
	for range n {
		out += s
	}
	return out
}

func decInts(n int) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = int64(i)
	}
	return out
}

func decIntDict(n int) Dict {
	d := NewDict()
	for i := range n {
		d.Set(int64(i), ByteString(fmt.Sprint(i)))
	}
	return d
}
