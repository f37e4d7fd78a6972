package pickle

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// decState is what the test DecodeFuncs make of an instance: its state as a
// Dict whichever form the decoder gave, and which form that was.
type decState struct {
	State any
	Items bool // the DecodeFunc saw *StateItems
}

func decStateFunc(o *Object) (any, error) {
	s, ok := o.State.(*StateItems)
	if !ok {
		return &decState{State: o.State}, nil
	}
	d := NewDict()
	for i := 0; i < len(s.Items); i += 2 {
		d.Set(s.Items[i], s.Items[i+1])
	}
	return &decState{State: d, Items: true}, nil
}

// decItemsRegistries register geo.P and Pyro's PyroURI with decStateFunc by
// Register and by RegisterItems, and geo.Same with a DecodeFunc that keeps the instance
// generic.
func decItemsRegistries() (plain, items *Registry) {
	plain, items = NewRegistry(nil), NewRegistry(nil)
	same := func(o *Object) (any, error) { return o, nil }
	for _, c := range []Class{{Module: "geo", Name: "P"}, {Module: "Pyro.core", Name: "PyroURI"}} {
		plain.Register(c.Module, c.Name, decStateFunc)
		items.RegisterItems(c.Module, c.Name, decStateFunc)
	}
	plain.Register("geo", "Same", same)
	items.RegisterItems("geo", "Same", same)
	return plain, items
}

// TestDecodeStateItems checks when a class registered with RegisterItems gets
// *StateItems, and that the decoded value is the same either way.
func TestDecodeStateItems(t *testing.T) {
	const p = "\x80\x02cgeo\nP\nq\x00)\x81q\x01"
	tests := []struct {
		name  string
		in    string
		items bool // the DecodeFunc sees *StateItems
	}{
		{"protocol 2 instance", p + "}q\x02(U\x01xq\x03K\x01U\x01yq\x04X\x01\x00\x00\x00zq\x05ub.", true},
		{"no memo", p + "}(U\x01xK\x01U\x01yNub.", true},
		{"all scalar kinds", p + "}(U\x01aK\x01U\x01bM\x00\x01U\x01cJ\xff\xff\xff\xffU\x01dG?\xf8\x00\x00\x00\x00\x00\x00U\x01e\x88U\x01f\x89U\x01hT\x01\x00\x00\x00iU\x01jC\x01kub.", true},
		{"keys and values by memo reference", p + "}(U\x01xq\x05h\x05h\x05U\x01yh\x05ub.", true},
		{"memo reference to an earlier string", "\x80\x02]q\x00(U\x01xq\x01cgeo\nP\n)\x81}(h\x01K\x01ube.", true},
		{"nested in a list", "\x80\x02](cgeo\nP\n)\x81}(U\x01xK\x01ubcgeo\nP\n)\x81}(U\x01xK\x02ube.", true},
		{"empty state", p + "}b.", false},
		{"container value", p + "}(U\x01x]ub.", false},
		{"duplicate key", p + "}(U\x01xK\x01U\x01xK\x02ub.", false},
		{"str and unicode key alike", p + "}(U\x01xK\x01X\x01\x00\x00\x00xK\x02ub.", false},
		{"int key", p + "}(K\x01K\x01ub.", false},
		{"items in two batches", p + "}(U\x01xK\x01u(U\x01yK\x02ub.", false},
		{"SETITEM", p + "}U\x01xK\x01sb.", false},
		{"too many items", p + "}(U\x01aNU\x01bNU\x01cNU\x01dNU\x01eNU\x01fNU\x01gNU\x01hNU\x01iNub.", false},
		{"instance not on top", p + "K\x01}(U\x01xK\x01ub.", false},
		{"second BUILD merges", p + "}(U\x01xK\x01ub}(U\x01yK\x02ub.", false},
		{"dict after a MARK", p + "(}(U\x01xK\x01u1.", false},
	}
	plain, items := decItemsRegistries()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want, werr := (&Decoder{Registry: plain}).Decode([]byte(tc.in))
			got, err := (&Decoder{Registry: items}).Decode([]byte(tc.in))
			if (werr != nil) != (err != nil) || werr != nil && werr.Error() != err.Error() {
				t.Fatalf("error %v, want %v", err, werr)
			}
			if werr != nil {
				return
			}
			sawItems := false
			var strip func(v any) any
			strip = func(v any) any {
				switch x := v.(type) {
				case *decState:
					sawItems = sawItems || x.Items
					return &decState{State: x.State}
				case *List:
					l := &List{}
					for _, it := range x.Items {
						l.Items = append(l.Items, strip(it))
					}
					return l
				}
				return v
			}
			got = strip(got)
			if diff := cmp.Diff(want, got, decCmp...); diff != "" {
				t.Errorf("(-Register +RegisterItems):\n%s", diff)
			}
			if sawItems != tc.items {
				t.Errorf("DecodeFunc saw StateItems: %v, want %v", sawItems, tc.items)
			}
		})
	}
}

// TestDecodeStateItemsShared checks that a state dict referenced from the
// memo is one Dict, given to the instance too.
func TestDecodeStateItemsShared(t *testing.T) {
	_, items := decItemsRegistries()
	dec := &Decoder{Registry: items}
	// [Same(x=1), its state dict], then the dict gets y=2 through the memo.
	data := "\x80\x02](cgeo\nSame\n)\x81}q\x05(U\x01xK\x01ubh\x05eh\x05U\x01yK\x02s0."
	v, err := dec.Decode([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	l := v.(*List).Items
	o, d := l[0].(*Object), l[1].(Dict)
	if mapOf(o.State.(Dict)) != mapOf(d) {
		t.Fatal("the instance's state and the memo's dict are not one Dict")
	}
	if diff := cmp.Diff(decDict(ByteString("x"), int64(1), ByteString("y"), int64(2)), d, decCmp...); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}

	// A DecodeFunc that keeps the instance generic leaves it with a Dict.
	v, err = dec.Decode([]byte("\x80\x02cgeo\nSame\n)\x81}(U\x01xK\x01ub."))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(decDict(ByteString("x"), int64(1)), v.(*Object).State, decCmp...); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if x, ok := v.(*Object).Attr("x"); !ok || x != int64(1) {
		t.Errorf("Attr(x) = %v, %v", x, ok)
	}
}

// TestDecodeStateItemsReuse checks that decoding again does not change a
// value decoded before: the decoder reuses its StateItems and instances.
func TestDecodeStateItemsReuse(t *testing.T) {
	_, items := decItemsRegistries()
	var dec Decoder
	dec.Registry = items
	first, err := dec.Decode([]byte("\x80\x02cgeo\nP\n)\x81}(U\x01xK\x01ub."))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 10; i++ {
		if _, err := dec.Decode([]byte("\x80\x02cgeo\nP\n)\x81}(U\x01xK\x02ub.")); err != nil {
			t.Fatal(err)
		}
		if _, err := dec.Decode([]byte("\x80\x02cgeo\nOther\n)\x81}(U\x01xK\x03ub.")); err != nil {
			t.Fatal(err)
		}
	}
	want := &decState{State: decDict(ByteString("x"), int64(1)), Items: true}
	if diff := cmp.Diff(want, first, decCmp...); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestDecodeStateItemsErrors checks that a broken state reports the error
// of the ordinary opcode loop, at the same place.
func TestDecodeStateItemsErrors(t *testing.T) {
	plain, items := decItemsRegistries()
	const p = "\x80\x02cgeo\nP\n)\x81"
	for _, in := range []string{
		p + "}(U\x01xK\x01U\x01yK\x02ub.", // over MaxContainerLen
		p + "}(U\x05x",
		p + "}(U\x01xK",
		p + "}(U\x01xK\x01",
		p + "}(U\x01xK\x01u",
		p + "}(U\x01xh\x09ub.",
		p + "}(T\xff\xff\xff\xffxK\x01ub.",
		p + "}q\x01(U\x01xq\x02K\x01ub.",
	} {
		lim := Limits{MaxMemo: 1, MaxContainerLen: 1}
		_, werr := (&Decoder{Registry: plain, Limits: lim}).Decode([]byte(in))
		_, err := (&Decoder{Registry: items, Limits: lim}).Decode([]byte(in))
		if werr == nil || err == nil || werr.Error() != err.Error() {
			t.Errorf("%q: error %v, want %v", in, err, werr)
		}
		var pe *Error
		if !errors.As(err, &pe) {
			t.Errorf("%q: %T is not *Error", in, err)
		}
	}
	// The MARK of the items counts against MaxDepth.
	in := []byte("\x80\x02(cgeo\nP\n)\x81}(U\x01xK\x01ubt.")
	_, werr := (&Decoder{Registry: plain, Limits: Limits{MaxDepth: 1}}).Decode(in)
	_, err := (&Decoder{Registry: items, Limits: Limits{MaxDepth: 1}}).Decode(in)
	if werr == nil || err == nil || werr.Error() != err.Error() {
		t.Errorf("MaxDepth: error %v, want %v", err, werr)
	}
	if _, err := (&Decoder{Registry: items}).Decode(in); err != nil {
		t.Errorf("without limits: %v", err)
	}
}

// TestDecodeRegisterLater checks that a class registered after a decoder
// looked it up is converted from then on (the decoder remembers lookups).
func TestDecodeRegisterLater(t *testing.T) {
	reg := NewRegistry(nil)
	dec := &Decoder{Registry: reg}
	data := []byte("\x80\x02cgeo\nLate\n)\x81}(U\x01xK\x01ub.")
	if v, err := dec.Decode(data); err != nil || v.(*Object).Class.Name != "Late" {
		t.Fatalf("before Register: %#v, %v", v, err)
	}
	reg.RegisterItems("geo", "Late", decStateFunc)
	v, err := dec.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := v.(*decState); !ok {
		t.Errorf("after Register: %T, want *decState", v)
	}
}
