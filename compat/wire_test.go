package compat

import (
	"fmt"
	"math"
	"math/big"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/gopyro/gopyro/pickle"
)

// decodeGeneric runs the registered decoder on an object's generic form, as
// the pickle decoder does after BUILD.
func decodeGeneric(t *testing.T, o *pickle.Object) any {
	t.Helper()
	fn, ok := pickle.DefaultRegistry.Lookup(o.Class)
	if !ok {
		t.Fatalf("class %v not registered", o.Class)
	}
	v, err := fn(o)
	if err != nil {
		t.Fatalf("decode %v: %v", o.Class, err)
	}
	return v
}

// roundTrip marshals v at protocol proto and decodes it twice: generically
// (no registry) and with the registered decoders.
func roundTrip(t *testing.T, v any, proto int) (generic *pickle.Object, decoded any) {
	t.Helper()
	enc := pickle.Encoder{Protocol: proto}
	data, err := enc.Append(nil, v)
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	g, err := (&pickle.Decoder{Limits: pickle.DefaultLimits, Registry: pickle.NewRegistry(nil)}).Decode(data)
	if err != nil {
		t.Fatalf("generic decode: %v", err)
	}
	generic, ok := g.(*pickle.Object)
	if !ok {
		t.Fatalf("generic decode gave %T", g)
	}
	decoded, err = pickle.Decode(data)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	return generic, decoded
}

func TestWireClassesRoundTrip(t *testing.T) {
	uri := URI{Protocol: "PYRO", Address: "127.0.0.1", Port: 17766, ObjectID: "7f00000146c929cefce3651352ac938c49"}
	ssl := URI{Protocol: "PYROSSL", Address: "127.0.0.1", Port: 7766, ObjectID: "x"}
	meta := &NameSpaceSystemMeta{Type: NodeLeaf, Timestamp: 1795663710.790761}
	tests := []struct {
		name  string
		value any
		class string
		keys  []string
	}{
		{"uri", uri, "Pyro.core.PyroURI", []string{"address", "objectID", "port", "protocol"}},
		{"proxy", NewDynamicProxy(uri), "Pyro.core.DynamicProxy", []string{"URI", "adapter", "objectID"}},
		{"attrproxy", &DynamicProxy{URI: uri, ObjectID: uri.ObjectID, WithAttrs: true,
			Adapter: Adapter{Ident: "0123456789abcdef", OnewayMethods: []string{"start"}, Timeout: 2.5, Validator: DefaultValidator()}},
			"Pyro.core.DynamicProxyWithAttrs", []string{"URI", "_attr_cache", "adapter", "objectID"}},
		{"sslproxy", NewDynamicProxy(ssl), "Pyro.core.DynamicProxy", []string{"URI", "adapter", "objectID"}},
		{"nsproxy", NewNameServerProxy(uri), "Pyro.naming.NameServerProxy", []string{"URI", "adapter", "objectID"}},
		{"adapter", &Adapter{Ident: "", OnewayMethods: []string{}, Validator: &ConnValidator{AllowedIDs: []pickle.ByteString{"\x00\xff"}}},
			"Pyro.protocol.PYROAdapter", []string{"ident", "newConnValidator", "onewayMethods", "timeout"}},
		{"validator", DefaultValidator(), "Pyro.protocol.DefaultConnValidator", []string{"allowedIDs"}},
		{"meta", meta, "Pyro.naming.NameSpaceSystemMeta", []string{"owner", "timestamp", "type"}},
		{"tree", &NamedTree{Name: "<root>", SystemMeta: &NameSpaceSystemMeta{Timestamp: 1.5}, Branches: map[string]any{
			"Pyro": &NamedTree{Name: "Pyro", Branches: map[string]any{
				"NameServer": &NameValue{Name: "NameServer", Value: uri, SystemMeta: meta}}, SystemMeta: &NameSpaceSystemMeta{Timestamp: 2}},
		}}, "Pyro.naming.NamedTree", []string{"branches", "name", "systemMeta", "userMeta"}},
		{"namevalue", &NameValue{Name: "x", Value: uri, UserMeta: pickle.ByteString("m"), SystemMeta: meta},
			"Pyro.naming.NameValue", []string{"name", "systemMeta", "userMeta", "value"}},
		{"event", &Event{Subject: pickle.ByteString("StockQuotes"), Msg: pickle.Tuple{pickle.ByteString("SUN"), 22.44}, Time: 1795663549.209596},
			"Pyro.EventService.Event.Event", []string{"msg", "subject", "time"}},
		{"capsule", &Capsule{Exc: ValueError("bad value: 'x'"), Traceback: []string{"Traceback (most recent call last):\n", "ValueError: bad value: 'x'\n"}},
			"Pyro.errors.PyroExceptionCapsule", []string{"args", "excObj"}},
		{"capsule-none", &Capsule{Exc: NewProtocolError("unknown object ID")}, "Pyro.errors.PyroExceptionCapsule", []string{"args", "excObj"}},
	}
	for _, tt := range tests {
		for proto := 0; proto <= 2; proto++ {
			t.Run(fmt.Sprintf("%s/p%d", tt.name, proto), func(t *testing.T) {
				o, back := roundTrip(t, tt.value, proto)
				if got := className(o.Class); got != tt.class {
					t.Errorf("class %s, want %s", got, tt.class)
				}
				var keys []string
				for k := range o.State.(pickle.Dict).Iter() {
					if _, ok := k.(pickle.ByteString); !ok {
						t.Errorf("state key %#v is not a str", k)
					}
					keys = append(keys, string(k.(pickle.ByteString)))
				}
				if diff := cmp.Diff(tt.keys, keys, cmp.Transformer("sort", sortedStrings)); diff != "" {
					t.Errorf("state keys (-want +got):\n%s", diff)
				}
				if diff := cmp.Diff(tt.value, back, cmpOpts); diff != "" {
					t.Errorf("decode(Marshal) (-want +got):\n%s", diff)
				}
			})
		}
	}
}

// Instances whose state is not Pyro's stay generic objects, so nothing is lost.
func TestDecodeKeepsOddStateGeneric(t *testing.T) {
	odd := []*pickle.Object{
		{Class: uriClass, Build: pickle.BuildNewObj, Args: pickle.Tuple{}, State: stateDict("protocol", pickle.ByteString("PYRO"))},
		{Class: uriClass, Build: pickle.BuildNewObj, Args: pickle.Tuple{}, State: stateDict(
			"protocol", pickle.ByteString("PYRO"), "address", pickle.ByteString("h"), "port", pickle.ByteString("1"), "objectID", pickle.ByteString("x"))},
		{Class: uriClass, Build: pickle.BuildReduce, Args: pickle.Tuple{pickle.ByteString("PYRO://h/x")}},
		{Class: eventClass, Build: pickle.BuildNewObj, Args: pickle.Tuple{}, State: stateDict("msg", int64(1), "time", int64(5), "subject", "s")},
		{Class: capsuleClass, Build: pickle.BuildOldStyle, Args: pickle.Tuple{}, State: stateDict("excObj", int64(1))},
		{Class: pickle.Class{Module: "exceptions", Name: "ValueError"}, Build: pickle.BuildNewObj, Args: pickle.Tuple{}},
		{Class: validatorClass, Build: pickle.BuildNewObj, Args: pickle.Tuple{}, State: stateDict("allowedIDs", &pickle.List{Items: []any{"unicode"}})},
	}
	for _, o := range odd {
		if got := decodeGeneric(t, o); got != any(o) {
			t.Errorf("%v with odd state decoded to %#v", o.Class, got)
		}
	}
}

func TestDecodeAcceptsReconstructorAndUnicode(t *testing.T) {
	o := &pickle.Object{Class: uriClass, Build: pickle.BuildReconstructor, Base: pickle.Class{Module: "__builtin__", Name: "object"},
		BaseState: pickle.None{}, Args: pickle.Tuple{},
		State: stateDict("protocol", "PYRO", "address", "h", "port", int64(9), "objectID", "id")}
	want := URI{Protocol: "PYRO", Address: "h", Port: 9, ObjectID: "id"}
	if got := decodeGeneric(t, o); got != any(want) {
		t.Errorf("got %#v, want %#v", got, want)
	}
}

func TestDecodePyroErrors(t *testing.T) {
	o := &pickle.Object{Class: pickle.Class{Module: "Pyro.errors", Name: "NamingError"}, Build: pickle.BuildReduce,
		Args: pickle.Tuple{pickle.ByteString("name not found"), pickle.ByteString(":Default.x")}}
	v := decodeGeneric(t, o)
	ne, ok := v.(*NamingError)
	if !ok || ne.Error() != "NamingError: ('name not found', ':Default.x')" {
		t.Fatalf("decoded %#v", v)
	}
	o = &pickle.Object{Class: pickle.Class{Module: "Pyro.errors", Name: "_InternalNoModuleError"}, Build: pickle.BuildReduce,
		Args: pickle.Tuple{}, State: stateDict("fromlist", pickle.None{}, "modulename", pickle.ByteString("agentmod"))}
	nm, ok := decodeGeneric(t, o).(*InternalNoModuleError)
	if !ok || nm.ModuleName() != "agentmod" || nm.FromList() != nil {
		t.Fatalf("decoded %#v", nm)
	}
	o = &pickle.Object{Class: pickle.Class{Module: "exceptions", Name: "KeyError"}, Build: pickle.BuildReduce, Args: pickle.Tuple{int64(3)}}
	if e, ok := decodeGeneric(t, o).(*Exception); !ok || e.Error() != "KeyError: 3" {
		t.Fatalf("decoded %#v", e)
	}
}

func TestCapsuleErr(t *testing.T) {
	c := &Capsule{Exc: NewNamingError("name not found", ":Default.x"), Traceback: []string{"Traceback...\n", "NamingError: x\n"}}
	err := c.Err()
	ne, ok := err.(*NamingError)
	if !ok || len(ne.Traceback) != 2 || ne.Message() != "('name not found', ':Default.x')" {
		t.Fatalf("Err() = %#v", err)
	}
	if c.Exc.(*NamingError).Traceback != nil {
		t.Errorf("Err modified the capsule's exception")
	}
	user := &pickle.Object{Class: pickle.Class{Module: "capobjs", Name: "MyError"}, Build: pickle.BuildReduce, Args: pickle.Tuple{pickle.ByteString("custom")}}
	c = &Capsule{Exc: user, Traceback: pickle.ByteString("remote tb")}
	e, ok := c.Err().(*Exception)
	if !ok || e.Error() != "MyError: custom" || !cmp.Equal(e.Traceback, []string{"remote tb"}) {
		t.Fatalf("Err() = %#v", c.Err())
	}
	c = &Capsule{Exc: int64(5)}
	if got := c.Err().Error(); got != "Exception: 5" {
		t.Errorf("Err() of a non-exception = %q", got)
	}
}

func TestRepr(t *testing.T) {
	self := &pickle.List{}
	self.Items = []any{int64(1), self}
	d := pickle.NewDict()
	d.Set(pickle.ByteString("b"), int64(2))
	d.Set(pickle.Tuple{int64(1), "u"}, pickle.None{})
	tests := []struct {
		v    any
		want string
	}{
		{pickle.None{}, "None"},
		{true, "True"},
		{int64(-3), "-3"},
		{big.NewInt(12), "12L"},
		{1.5, "1.5"},
		{1e16, "1e+16"},
		{1e-5, "1e-05"},
		{123456789.0, "123456789.0"},
		{0.1, "0.1"},
		{math.Copysign(0, -1), "-0.0"},
		{math.Inf(-1), "-inf"},
		{math.NaN(), "nan"},
		{pickle.ByteString("it's"), `"it's"`},
		{pickle.ByteString("a\x00\xff\n'\""), `'a\x00\xff\n\'"'`},
		{"unicode-\u20ac\U0001f600\xe9", `u'unicode-\u20ac\U0001f600\xe9'`},
		{"lone \xed\xa0\x80", `u'lone \ud800'`},
		{"a\tb\\c\r\n'", `u"a\tb\\c\r\n'"`},
		{pickle.ByteString("x\t\\\r"), `'x\t\\\r'`},
		{pickle.Bytes("b"), "b'b'"},
		{pickle.ByteArray("ab"), "bytearray(b'ab')"},
		{pickle.Tuple{}, "()"},
		{pickle.Tuple{int64(1)}, "(1,)"},
		{self, "[1, [...]]"},
		{d, "{'b': 2, (1, u'u'): None}"},
		{&pickle.Set{Items: []any{int64(1)}}, "set([1])"},
		{&pickle.FrozenSet{Items: []any{}}, "frozenset([])"},
		{URI{Protocol: "PYRO", Address: "h", Port: 1, ObjectID: "x"}, "<PyroURI 'PYRO://h:1/x'>"},
		{NewDynamicProxy(URI{Protocol: "PYRO", Address: "h", Port: 1, ObjectID: "x"}), "<DynamicProxy for PYRO://h:1/x>"},
		{ValueError("x"), "ValueError('x',)"},
		{NewNamingError("a", "b"), "NamingError('a', 'b')"},
		{pickle.Class{Module: "m", Name: "C"}, "<class 'm.C'>"},
		{&pickle.Object{Class: pickle.Class{Module: "m", Name: "P"}, State: stateDict("x", int64(1))}, "<m.P {'x': 1}>"},
		{&Event{Subject: pickle.ByteString("s"), Msg: int64(1), Time: 2}, "<Pyro.EventService.Event.Event {'msg': 1, 'time': 2.0, 'subject': 's'}>"},
	}
	for _, tt := range tests {
		if got := Repr(tt.v); got != tt.want {
			t.Errorf("Repr(%#v) = %s, want %s", tt.v, got, tt.want)
		}
	}
}

// TestReprBounded: the repr of a value that shares its parts stops at
// MaxRepr, however many leaves it has (this one, 2^40), and a long string
// is cut before a whole rune.
func TestReprBounded(t *testing.T) {
	var doubled any = int64(1)
	for range 40 {
		doubled = pickle.Tuple{doubled, doubled}
	}
	long := strings.Repeat("\u20ac", MaxRepr)
	tests := []struct {
		name   string
		v      any
		prefix string
	}{
		{"shared-2^40", doubled, "((((("},
		{"exception-args", NewNamingError("invalid URI", doubled), "NamingError('invalid URI', ((((("},
		{"long-unicode", long, "u'\\u20ac"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Repr(tt.v)
			if len(got) > MaxRepr+3 || !strings.HasSuffix(got, "...") || !strings.HasPrefix(got, tt.prefix) {
				t.Errorf("Repr is %d bytes, %.20q...%q", len(got), got, got[max(0, len(got)-10):])
			}
			if !utf8.ValidString(got) {
				t.Error("the cut repr is not valid UTF-8")
			}
		})
	}
}

func sortedStrings(in []string) []string {
	out := slices.Clone(in)
	slices.Sort(out)
	return out
}
