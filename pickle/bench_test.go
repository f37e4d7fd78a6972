package pickle

import (
	"os"
	"testing"
)

// callMessage is the standard Pyro 3 call message as the Go value model
// holds it: (objectID, method, flags, (args, kwargs)).
func callMessage() any {
	ints := make([]any, 100)
	for i := range ints {
		ints[i] = int64(i)
	}
	kv := NewDict()
	for i := range 10 {
		kv.Set(ByteString("k"+string(rune('0'+i))), int64(i))
	}
	args := Tuple{int64(42), 3.14, "unicode \u20ac", NewList(ints...), kv}
	return Tuple{ByteString("7f00000146c929cefcdb0cb175b39735c4"), ByteString("method"), int64(3), Tuple{args, NewDict()}}
}

// callMessageExpr is callMessage in Python 2.
const callMessageExpr = "('7f00000146c929cefcdb0cb175b39735c4', 'method', 3, ((42, 3.14, u'unicode \\u20ac', range(100), dict(('k%d' % i, i) for i in range(10))), {}))"

// capsuleMessage is the reply a Pyro 3 daemon sends when a method raised:
// a PyroExceptionCapsule (old-style class) holding the exception and the
// formatted traceback.
func capsuleMessage() any {
	exc := &Object{Class: Class{Module: "exceptions", Name: "ValueError"}, Build: BuildReduce, Args: Tuple{ByteString("bad value: 'x'")}}
	tb := NewList(ByteString("Traceback (most recent call last):\n"), ByteString("  File \"x.py\", line 1, in f\n"), ByteString("ValueError: bad value: 'x'\n"))
	return &Object{Class: Class{Module: "Pyro.errors", Name: "PyroExceptionCapsule"}, Build: BuildOldStyle,
		State: dictOf(ByteString("excObj"), exc, ByteString("args"), tb)}
}

const capsuleMessageExpr = "Pyro.errors.PyroExceptionCapsule(ValueError(\"bad value: 'x'\"), ['Traceback (most recent call last):\\n', '  File \"x.py\", line 1, in f\\n', \"ValueError: bad value: 'x'\\n\"])"

func readBench(tb testing.TB, name string) []byte {
	tb.Helper()
	data, err := os.ReadFile("testdata/bench/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// TestBenchMessages checks that the benchmarked Go values are the messages
// cPickle wrote: they load in Python 2 as equal values of equal types, and so
// do cPickle's bytes decoded (with the registered classes) and encoded again.
func TestBenchMessages(t *testing.T) {
	var cases []oracleCase
	for _, m := range []struct {
		name, file, expr string
		v                any
	}{
		{"call", "call.pickle", callMessageExpr, callMessage()},
		{"capsule", "capsule.pickle", capsuleMessageExpr, capsuleMessage()},
	} {
		ours, err := Marshal(m.v)
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, oracleCase{name: m.name, proto: 2, data: ours, expr: m.expr})
		decoded, err := Decode(readBench(t, m.file))
		if err != nil {
			t.Fatalf("%s: %v", m.name, err)
		}
		again, err := Marshal(decoded)
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, oracleCase{name: m.name + "-roundtrip", proto: 2, data: again, expr: m.expr})
	}
	runOracle(t, cases)
}

// benchDecode decodes with an empty registry, so that the figures measure
// the codec alone whatever classes other packages in the test binary
// register (package compat turns the capsule into its Go types).
func benchDecode(b *testing.B, file string) {
	data := readBench(b, file)
	dec := Decoder{Registry: NewRegistry(nil)}
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := dec.Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}

func benchEncode(b *testing.B, v any) {
	e := Encoder{Protocol: 2}
	buf, err := e.Append(nil, v)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		if buf, err = e.Append(buf[:0], v); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeCall decodes cPickle's pickle of the standard call message.
func BenchmarkDecodeCall(b *testing.B) { benchDecode(b, "call.pickle") }

// BenchmarkEncodeCall encodes the standard call message into a reused buffer.
func BenchmarkEncodeCall(b *testing.B) { benchEncode(b, callMessage()) }

// BenchmarkDecodeCapsule decodes cPickle's pickle of an exception capsule.
func BenchmarkDecodeCapsule(b *testing.B) { benchDecode(b, "capsule.pickle") }

// BenchmarkEncodeCapsule encodes the exception capsule into a reused buffer.
func BenchmarkEncodeCapsule(b *testing.B) { benchEncode(b, capsuleMessage()) }

// BenchmarkMarshalCall is Marshal, which allocates its result buffer.
func BenchmarkMarshalCall(b *testing.B) {
	v := callMessage()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Marshal(v); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAssignArgs assigns the call message's arguments to typed Go
// destinations, as a server does for each call.
func BenchmarkAssignArgs(b *testing.B) {
	args := callMessage().(Tuple)[3].(Tuple)[0].(Tuple)
	var (
		n    int
		f    float64
		s    string
		ints []int
		kv   map[string]int
	)
	dsts := []any{&n, &f, &s, &ints, &kv}
	b.ReportAllocs()
	for b.Loop() {
		for i, d := range dsts {
			if err := Assign(d, args[i]); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkAssignScalars is the fast path: an int, a float and a string.
func BenchmarkAssignScalars(b *testing.B) {
	var (
		n int
		f float64
		s string
	)
	b.ReportAllocs()
	for b.Loop() {
		if Assign(&n, int64(42)) != nil || Assign(&f, 3.14) != nil || Assign(&s, ByteString("method")) != nil {
			b.Fatal("assign failed")
		}
	}
}
