package pickle

import (
	"errors"
	"math"
	"math/big"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"
)

type account struct {
	Owner      string
	BalanceDue float64
	Tags       []string `pyro:"labels"`
	Limit      *int64
	Ignored    int `pyro:"-"`
}

func TestAssign(t *testing.T) {
	seven := int64(7)
	state := dictOf(ByteString("owner"), "ann", ByteString("balance_due"), int64(12), ByteString("labels"), Tuple{ByteString("a"), "b"},
		ByteString("Limit"), int64(7), ByteString("unknown"), 1, ByteString("Ignored"), 5)
	list := NewList(int64(1), int64(2))
	tests := []struct {
		name string
		v    any
		dst  any // pointer to a zero destination
		want any // what the destination must hold
	}{
		{"any", list, new(any), any(list)},
		{"string-unicode", "x", new(string), "x"},
		{"string-str", ByteString("x"), new(string), "x"},
		{"string-bytes", Bytes("x"), new(string), "x"},
		{"string-none", None{}, new(string), ""},
		{"int", int64(-3), new(int), -3},
		{"int8", int64(-128), new(int8), int8(-128)},
		{"uint16-long", big.NewInt(65535), new(uint16), uint16(65535)},
		{"int64-long", bigInt("9223372036854775807"), new(int64), int64(math.MaxInt64)},
		{"uint64-long", bigInt("18446744073709551615"), new(uint64), uint64(math.MaxUint64)},
		{"float-int", int64(2), new(float64), 2.0},
		{"float-long", big.NewInt(3), new(float32), float32(3)},
		{"float", 2.5, new(float64), 2.5},
		{"bool", true, new(bool), true},
		{"int-bool", true, new(int), 1},
		{"uint-bool", false, new(uint8), uint8(0)},
		{"float-bool", true, new(float64), 1.0},
		{"big-bool", true, new(*big.Int), big.NewInt(1)},
		{"bytes-str", ByteString("ab"), new([]byte), []byte("ab")},
		{"bytes-bytearray", ByteArray("ab"), new([]byte), []byte("ab")},
		{"bytestring", ByteString("ab"), new(ByteString), ByteString("ab")},
		{"slice-list", list, new([]int), []int{1, 2}},
		{"slice-any", Tuple{int64(1), "x"}, new([]any), []any{int64(1), "x"}},
		{"slice-int64", list, new([]int64), []int64{1, 2}},
		{"slice-float", Tuple{int64(1), 2.5}, new([]float64), []float64{1, 2.5}},
		{"slice-long", NewList(big.NewInt(3)), new([]int), []int{3}},
		{"slice-empty", NewList(), new([]string), []string{}},
		{"slice-tuple", Tuple{"a", ByteString("b")}, new([]string), []string{"a", "b"}},
		{"slice-set", &Set{Items: []any{int64(1)}}, new([]int64), []int64{1}},
		{"slice-none", None{}, new([]int), []int(nil)},
		{"array", Tuple{int64(1), int64(2), int64(3)}, new([2]int), [2]int{1, 2}},
		{"map", dictOf(ByteString("a"), int64(1), "b", int64(2)), new(map[string]int), map[string]int{"a": 1, "b": 2}},
		{"map-tuple-key", dictOf(Tuple{int64(1), int64(2)}, true), new(map[[2]int]bool), map[[2]int]bool{{1, 2}: true}},
		{"struct-dict", state, new(account), account{Owner: "ann", BalanceDue: 12, Tags: []string{"a", "b"}, Limit: &seven}},
		{"struct-object", &Object{Class: Class{Module: "m", Name: "C"}, State: state}, new(account), account{Owner: "ann", BalanceDue: 12, Tags: []string{"a", "b"}, Limit: &seven}},
		{"struct-slots", &Object{State: Tuple{dictOf(ByteString("Owner"), "bo"), None{}}}, new(account), account{Owner: "bo"}},
		{"pointer", int64(5), new(*int), ptr(5)},
		{"pointer-none", None{}, new(*int), (*int)(nil)},
		{"bigint", int64(5), new(*big.Int), big.NewInt(5)},
		{"bigint-value", bigInt("123456789012345678901234567890"), new(big.Int), *bigInt("123456789012345678901234567890")},
		{"tuple-identity", Tuple{int64(1)}, new(Tuple), Tuple{int64(1)}},
		{"list-identity", list, new(*List), list},
		{"deref", &inner{X: 3}, new(inner), inner{X: 3}},
		{"object-value", &Object{Class: Class{Module: "m", Name: "C"}}, new(Object), Object{Class: Class{Module: "m", Name: "C"}}},
		{"interface", ByteString("x"), new(interface{ GoString() string }), any(ByteString("x"))},
		{"nested", NewList(dictOf("x", NewList(int64(1)))), new([]map[string][]int), []map[string][]int{{"x": {1}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := Assign(tt.dst, tt.v); err != nil {
				t.Fatal(err)
			}
			got := reflect.ValueOf(tt.dst).Elem().Interface()
			if diff := cmp.Diff(tt.want, got, cmp.Comparer(func(a, b *big.Int) bool { return a.Cmp(b) == 0 }),
				cmp.Comparer(func(a, b big.Int) bool { return a.Cmp(&b) == 0 }), cmp.AllowUnexported(account{}),
				cmp.Comparer(func(a, b *List) bool { return a == b })); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestAssignErrors(t *testing.T) {
	tests := []struct {
		name string
		v    any
		dst  any
		msg  string
		over bool
	}{
		{"unicode-to-int", NewList(NewDict(), dictOf(ByteString("count"), "x")), new([]map[string]int), `pickle: cannot assign unicode to int at [1]["count"]`, false},
		{"struct-field", dictOf(ByteString("balance_due"), ByteString("x")), new(account), "pickle: cannot assign str to float64 at .balance_due", false},
		{"overflow", int64(300), new(uint8), "pickle: cannot assign int to uint8: value out of range", true},
		{"negative", int64(-1), new(uint), "pickle: cannot assign int to uint: value out of range", true},
		{"long-overflow", bigInt("18446744073709551616"), new(int64), "pickle: cannot assign long to int64: value out of range", true},
		{"int-to-string", int64(1), new(string), "pickle: cannot assign int to string", false},
		{"bool-from-int", int64(1), new(bool), "pickle: cannot assign int to bool", false},
		{"instance", &Object{Class: Class{Module: "m", Name: "C"}, State: int64(1)}, new(account), "pickle: cannot assign instance of m.C to pickle.account", false},
		{"not-pointer", int64(1), 3, "pickle: cannot assign int to int: destination is not a non-nil pointer", false},
		{"nil-pointer", int64(1), (*int)(nil), "pickle: cannot assign int to *int: destination is not a non-nil pointer", false},
		{"dict-to-slice", NewDict(), new([]int), "pickle: cannot assign dict to []int", false},
		{"tuple-item", Tuple{int64(1), None{}, 2.5}, new([]int), "pickle: cannot assign float to int at [2]", false},
		{"tuple-key", dictOf(Tuple{int64(1)}, int64(2)), new(map[any]int), "pickle: cannot assign tuple to interface {} at {[1]}: Go cannot use it as a map key", false},
		{"string-item", NewList("a", int64(1)), new([]string), "pickle: cannot assign int to string at [1]", false},
		{"float-item", NewList(2.5, "x"), new([]float64), "pickle: cannot assign unicode to float64 at [1]", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Assign(tt.dst, tt.v)
			var ae *AssignError
			if !errors.As(err, &ae) {
				t.Fatalf("error %v (%T), want *AssignError", err, err)
			}
			if err.Error() != tt.msg {
				t.Errorf("message %q, want %q", err.Error(), tt.msg)
			}
			if errors.Is(err, ErrOverflow) != tt.over {
				t.Errorf("errors.Is(ErrOverflow) = %v, want %v", !tt.over, tt.over)
			}
		})
	}
}

func TestUnmarshal(t *testing.T) {
	data, err := Marshal(map[string]any{"owner": "ann", "balance_due": 3.5, "labels": []string{"x"}})
	if err != nil {
		t.Fatal(err)
	}
	var got account
	if err := Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	want := account{Owner: "ann", BalanceDue: 3.5, Tags: []string{"x"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if err := Unmarshal([]byte("\x80\x02K"), &got); err == nil {
		t.Error("Unmarshal of a truncated pickle succeeded")
	}
}

func TestPythonType(t *testing.T) {
	tests := []struct {
		v    any
		want string
	}{
		{nil, "NoneType"}, {None{}, "NoneType"}, {true, "bool"}, {int64(1), "int"}, {big.NewInt(1), "long"},
		{1.5, "float"}, {"", "unicode"}, {ByteString(""), "str"}, {Bytes(""), "bytes"}, {ByteArray{}, "bytearray"},
		{Tuple{}, "tuple"}, {NewList(), "list"}, {NewDict(), "dict"}, {&Set{}, "set"}, {&FrozenSet{}, "frozenset"},
		{Class{Module: "m", Name: "n"}, "global m.n"}, {&Object{Class: Class{Module: "m", Name: "C"}}, "instance of m.C"},
		{struct{}{}, "Go struct {}"},
	}
	for _, tt := range tests {
		if got := PythonType(tt.v); got != tt.want {
			t.Errorf("PythonType(%#v) = %q, want %q", tt.v, got, tt.want)
		}
	}
}

// TestAssignNeverPanics assigns random decoded values to many destination
// types: Assign sees untrusted data, so it may fail but must not panic.
func TestAssignNeverPanics(t *testing.T) {
	type nested struct {
		A     []map[string]*account
		B     [2]uint8
		C     map[[2]int]any
		D     *big.Int
		E     interface{ GoString() string }
		F     ByteArray
		inner `pyro:"in"`
	}
	dsts := []func() any{
		func() any { return new(any) }, func() any { return new(int8) }, func() any { return new(uint) },
		func() any { return new(float32) }, func() any { return new(string) }, func() any { return new([]byte) },
		func() any { return new([3]byte) }, func() any { return new([]int) }, func() any { return new([]string) },
		func() any { return new(map[string]int) }, func() any { return new(map[float64][]any) },
		func() any { return new(account) }, func() any { return new(*nested) }, func() any { return new([]nested) },
		func() any { return new(big.Int) }, func() any { return new(Tuple) }, func() any { return new(Dict) },
		func() any { return new(*List) }, func() any { return new(Object) }, func() any { return new(error) },
		func() any { return new(map[ByteString]Tuple) }, func() any { return new(bool) },
		func() any { return new(map[any]any) }, func() any { return new(map[any]int) },
	}
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 2000 {
		v := randomValue(r, 4, false)
		if i%7 == 0 {
			v = &Object{Class: Class{Module: "m", Name: "C"}, State: dictOf(ByteString("A"), v, "in", v, ByteString("x"), v)}
		}
		for _, mk := range dsts {
			func() {
				defer func() {
					if p := recover(); p != nil {
						t.Fatalf("Assign(%T, %#v) panicked: %v", mk(), v, p)
					}
				}()
				_ = Assign(mk(), v)
			}()
		}
	}
}

// TestFieldRuleBothWays checks that one rule names a struct's fields when it
// is encoded and matches them when it is filled: a `pyro:"limit"` field is
// written as limit and read back from limit (and, ignoring case and
// underscores, from LIMIT), never as Limit.
func TestFieldRuleBothWays(t *testing.T) {
	type opts struct {
		Limit    int `pyro:"limit"`
		MaxCount int
		Skipped  int `pyro:"-"`
	}
	data, err := Marshal(opts{Limit: 3, MaxCount: 4, Skipped: 5})
	if err != nil {
		t.Fatal(err)
	}
	v, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	d := v.(Dict)
	if d.Len() != 2 || d.Get(ByteString("limit")) != int64(3) || d.Get(ByteString("MaxCount")) != int64(4) {
		t.Fatalf("encoded as %v, want {'limit': 3, 'MaxCount': 4}", v)
	}
	var back opts
	if err := Assign(&back, v); err != nil || back != (opts{Limit: 3, MaxCount: 4}) {
		t.Fatalf("read back %+v, %v", back, err)
	}
	var kw opts
	if err := AssignKeywords(&kw, map[string]any{"LIMIT": int64(1), "max_count": int64(2)}); err != nil || kw != (opts{Limit: 1, MaxCount: 2}) {
		t.Fatalf("keywords: %+v, %v", kw, err)
	}
}

func TestAssignKeywords(t *testing.T) {
	type opts struct {
		Limit int `pyro:"limit"`
	}
	tests := []struct {
		name string
		kw   map[string]any
		msg  string
		is   error
	}{
		{"unknown", map[string]any{"limt": int64(1)}, "pickle: cannot assign int to pickle.opts at .limt: no such field", ErrUnknownField},
		{"wrong type", map[string]any{"limit": "x"}, "pickle: cannot assign unicode to int at .limit", nil},
		{"overflow", map[string]any{"limit": bigInt("99999999999999999999")}, "pickle: cannot assign long to int at .limit: value out of range", ErrOverflow},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var o opts
			err := AssignKeywords(&o, tc.kw)
			if err == nil || err.Error() != tc.msg || (tc.is != nil && !errors.Is(err, tc.is)) {
				t.Errorf("got %v, want %q", err, tc.msg)
			}
		})
	}
	if err := AssignKeywords(new(int), nil); err == nil {
		t.Error("a non-struct destination was accepted")
	}
}
