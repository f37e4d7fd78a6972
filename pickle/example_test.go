package pickle_test

import (
	"fmt"
	"log"
	"slices"

	"github.com/gopyro/gopyro/pickle"
)

func ExampleMarshal() {
	data, err := pickle.Marshal(pickle.Tuple{pickle.ByteString("str"), "unicode", 42, []int{1, 2}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%q\n", data)
	// Output:
	// "\x80\x02(U\x03strX\a\x00\x00\x00unicodeK*]q\x01(K\x01K\x02etq\x02."
}

func ExampleEncoder_Append() {
	// Protocol 0 is text; Append reuses the buffer it is given.
	enc := pickle.Encoder{Protocol: 0}
	buf := make([]byte, 0, 64)
	buf, err := enc.Append(buf[:0], map[string]int{"a": 1})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%q\n", buf)
	// Output:
	// "(dp1\nVa\nI1\ns."
}

func ExampleDecode() {
	// cPickle.dumps(('abc', u'abc', 10L, [None]), 2) in Python 2.
	v, err := pickle.Decode([]byte("\x80\x02(U\x03abcq\x01X\x03\x00\x00\x00abcq\x02\x8a\x01\n]q\x03Nat."))
	if err != nil {
		log.Fatal(err)
	}
	for _, item := range v.(pickle.Tuple) {
		fmt.Printf("%-8s %#v\n", pickle.PythonType(item), item)
	}
	// Output:
	// str      ogórek.ByteString("abc")
	// unicode  "abc"
	// long     10
	// list     &pickle.List{Items:[]interface {}{ogórek.None{}}}
}

func ExampleUnmarshal() {
	type Account struct {
		Owner      string
		BalanceDue float64
		Tags       []string `pyro:"labels"`
	}
	// cPickle.dumps({'owner': u'ann', 'balance_due': 12.5, 'labels': ('a', 'b')}, 2)
	data := []byte("\x80\x02}q\x01(U\x05ownerq\x02X\x03\x00\x00\x00annq\x03U\x0bbalance_dueq\x04G@)\x00\x00\x00\x00\x00\x00U\x06labelsq\x05U\x01aU\x01b\x86q\x06u.")
	var acct Account
	if err := pickle.Unmarshal(data, &acct); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%+v\n", acct)

	var n int
	fmt.Println(pickle.Unmarshal(data, &n))
	// Output:
	// {Owner:ann BalanceDue:12.5 Tags:[a b]}
	// pickle: cannot assign dict to int
}

func ExampleObject() {
	// An instance of a class no Go type is registered for decodes to an
	// *Object and encodes back to the same Python object.
	data := []byte("\x80\x02cmymodule\nPoint\nq\x01)\x81q\x02}q\x03(U\x01xK\x01U\x01yK\x02ub.")
	v, err := pickle.Decode(data)
	if err != nil {
		log.Fatal(err)
	}
	obj := v.(*pickle.Object)
	x, _ := obj.Attr("x")
	fmt.Println(obj.Class.Module, obj.Class.Name, x)

	again, err := pickle.Marshal(obj)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(again) == string(data))
	// Output:
	// mymodule Point 1
	// true
}

func ExampleAssign() {
	// A server receives call arguments as decoded values and assigns each
	// to the Go type its method wants.
	args := pickle.Tuple{pickle.ByteString("ann"), int64(3), pickle.NewList(int64(1), "two")}
	var (
		name  string
		count int
		ids   []int
	)
	fmt.Println(pickle.Assign(&name, args[0]), pickle.Assign(&count, args[1]), name, count)
	fmt.Println(pickle.Assign(&ids, args[2]))
	// Output:
	// <nil> <nil> ann 3
	// pickle: cannot assign unicode to int at [1]
}

func ExampleDictItems() {
	v, err := pickle.Decode([]byte("\x80\x02}q\x01(U\x01aK\x01U\x01bK\x02u."))
	if err != nil {
		log.Fatal(err)
	}
	// The items come in no particular order.
	var sum int64
	for _, n := range pickle.DictItems(v.(pickle.Dict)) {
		sum += n.(int64)
	}
	fmt.Println(sum)
	// Output: 3
}

func ExampleCompareKeys() {
	// A Dict's keys come in no particular order; sorted by CompareKeys they
	// come in the order every encoder writes them.
	d := pickle.NewDict()
	for _, k := range []any{"b", pickle.Tuple{int64(1)}, 2.5, "a", int64(-1), true, pickle.None{}} {
		d.Set(k, nil)
	}
	var keys []any
	for k := range pickle.DictItems(d) {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, pickle.CompareKeys)
	for _, k := range keys {
		fmt.Printf("%s %v\n", pickle.PythonType(k), k)
	}
	// Output:
	// NoneType {}
	// bool true
	// int -1
	// float 2.5
	// unicode a
	// unicode b
	// tuple [1]
}
