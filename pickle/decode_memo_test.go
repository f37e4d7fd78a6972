package pickle

import (
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDecodeMemoIdentity(t *testing.T) {
	python := decPython(t, 2)
	// l = [1]; d = {}; s = set([2]); o = Old()
	// value: [l, l, d, d, s, s, self-list, self-dict, o, o, (l, l)]
	script := `
import cPickle, pickle, binascii
class Old:
    pass
l = [1]; d = {}; s = set([2]); o = Old()
selfl = []; selfl.append(selfl)
selfd = {}; selfd['me'] = selfd
v = [l, l, d, d, s, s, selfl, selfd, o, o, (l, l)]
for p in (0, 1, 2):
    for dumps in (pickle.dumps, cPickle.dumps):
        print(binascii.hexlify(dumps(v, p)))
`
	for i, data := range decRunPython(t, python, script) {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			v, err := decPlain(data)
			if err != nil {
				t.Fatal(err)
			}
			items := v.(*List).Items
			if items[0].(*List) != items[1].(*List) {
				t.Error("shared list decoded as two lists")
			}
			d0, d1 := items[2].(Dict), items[3].(Dict)
			d0.Set("new", int64(1))
			if d1.Len() != 1 {
				t.Error("shared dict decoded as two dicts")
			}
			if items[4].(*Set) != items[5].(*Set) {
				t.Error("shared set decoded as two sets")
			}
			selfl := items[6].(*List)
			if selfl.Items[0].(*List) != selfl {
				t.Error("self-referencing list does not contain itself")
			}
			selfd := items[7].(Dict)
			inner, ok := selfd.Get_(ByteString("me"))
			if !ok {
				t.Fatal("self-referencing dict lost its key")
			}
			inner.(Dict).Set("x", int64(2))
			if selfd.Len() != 2 {
				t.Error("self-referencing dict does not contain itself")
			}
			if items[8].(*Object) != items[9].(*Object) {
				t.Error("shared instance decoded as two instances")
			}
			tup := items[10].(Tuple)
			if tup[0].(*List) != items[0].(*List) || tup[1].(*List) != items[0].(*List) {
				t.Error("list in tuple is not the shared list")
			}
		})
	}
}

// decPoint is a Go type registered for the Python class geo.Point.
type decPoint struct {
	X, Y any
	Tags any
}

func decPointFunc(o *Object) (any, error) {
	x, _ := o.Attr("x")
	y, _ := o.Attr("y")
	tags, _ := o.Attr("tags")
	return &decPoint{X: x, Y: y, Tags: tags}, nil
}

func TestDecodeRegistry(t *testing.T) {
	reg := NewRegistry(nil)
	reg.Register("geo", "Point", decPointFunc)
	reg.Register("geo", "Fail", func(o *Object) (any, error) { return nil, errors.New("no good") })
	reg.Register("geo", "Panic", func(o *Object) (any, error) { panic("boom") })
	dec := &Decoder{Registry: reg}

	// p = Point(x=1, y=Point(x=2)); value: [p, p, {p: 'key'}, (p,), Other(inner=p)]
	// with p built (BUILD) after it was memoized and referenced.
	const prefix = "\x80\x02"
	point := "cgeo\nPoint\nq\x01)\x81q\x02" // memo 1 = class, 2 = p
	data := prefix + "](" + point +
		"h\x02" + // p again, before its BUILD
		"}(h\x02U\x03keyu" + // {p: 'key'}
		"h\x02\x85" + // (p,)
		"cgeo\nOther\n)\x81}U\x05innerh\x02sb" + // Other(inner=p)
		"e" +
		"h\x02}(U\x01xK\x01U\x01ycgeo\nPoint\n)\x81}U\x01xK\x02sbU\x04tags]U\x01aaub" + // BUILD p at last
		"0" + // pop p
		"."
	v, err := dec.Decode([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	items := v.(*List).Items
	p, ok := items[0].(*decPoint)
	if !ok {
		t.Fatalf("items[0] is %T, want *decPoint", items[0])
	}
	want := &decPoint{X: int64(1), Y: &decPoint{X: int64(2)}, Tags: NewList(ByteString("a"))}
	if diff := cmp.Diff(want, p, decCmp...); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if items[1] != any(p) {
		t.Error("second reference is not the same converted value")
	}
	if got, ok := items[2].(Dict).Get_(p); !ok || got != ByteString("key") {
		t.Errorf("dict key not converted: %v", items[2])
	}
	if items[3].(Tuple)[0] != any(p) {
		t.Error("tuple item not converted")
	}
	other := items[4].(*Object)
	if inner, _ := other.Attr("inner"); inner != any(p) {
		t.Errorf("unregistered instance field not converted: %#v", inner)
	}

	// The root itself converts.
	v, err = dec.Decode([]byte(prefix + "cgeo\nPoint\n)\x81}U\x01xK\x07sb."))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&decPoint{X: int64(7)}, v, decCmp...); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}

	// A registered instance that contains itself keeps the generic *Object inside.
	v, err = dec.Decode([]byte(prefix + "cgeo\nPoint\n)\x81q\x01}U\x01xh\x01sb."))
	if err != nil {
		t.Fatal(err)
	}
	if inner, ok := v.(*decPoint).X.(*Object); !ok || inner.Class.Name != "Point" {
		t.Errorf("self-reference: X is %#v", v.(*decPoint).X)
	}

	// A registry without the class leaves it generic.
	v, err = decPlain([]byte(prefix + "cgeo\nPoint\n)\x81."))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := v.(*Object); !ok {
		t.Errorf("unregistered decoder gave %T", v)
	}

	for _, name := range []string{"Fail", "Panic"} {
		_, err := dec.Decode([]byte(prefix + "]cgeo\n" + name + "\n)\x81a."))
		decIsError(t, err, ErrBadValue)
		var pe *Error
		errors.As(err, &pe)
		if pe.Offset != 10+len(name) || pe.Op != opNewobj {
			t.Errorf("%s: error at offset %d op %x, want NEWOBJ at %d: %v", name, pe.Offset, pe.Op, 10+len(name), err)
		}
		// The same as the whole value, which converts without a walk.
		_, err = dec.Decode([]byte(prefix + "cgeo\n" + name + "\n)\x81."))
		decIsError(t, err, ErrBadValue)
		errors.As(err, &pe)
		if pe.Offset != 9+len(name) || pe.Op != opNewobj {
			t.Errorf("%s at the root: error at offset %d op %x, want NEWOBJ at %d: %v", name, pe.Offset, pe.Op, 9+len(name), err)
		}
	}
}

// TestDecodePresizedDictShared checks that a dict referenced from the memo
// before its items arrive stays one dict when the decoder presizes it.
func TestDecodePresizedDictShared(t *testing.T) {
	items := ""
	for i := range 20 {
		items += fmt.Sprintf("K%cK%c", i, i)
	}
	// [d, d] where d = {} is memoized and referenced before SETITEMS.
	data := "\x80\x02](}q\x01h\x01eh\x01(" + items + "u0."
	v, err := decPlain([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	l := v.(*List)
	d0, d1 := l.Items[0].(Dict), l.Items[1].(Dict)
	if d0.Len() != 20 || d1.Len() != 20 {
		t.Fatalf("lengths %d and %d, want 20", d0.Len(), d1.Len())
	}
	for i := range 20 {
		if got, _ := d1.Get_(int64(i)); got != int64(i) {
			t.Errorf("d[%d] = %v", i, got)
		}
	}
	d0.Set("x", 1)
	if d1.Len() != 21 {
		t.Error("the two references are different dicts")
	}
}

// TestDecodeBuildSharedState checks that a second BUILD on one instance does
// not change a state dict it shares with another instance.
func TestDecodeBuildSharedState(t *testing.T) {
	// (a, b) where a and b BUILD with the same dict {'a': 1}, then b BUILDs {'b': 2}.
	data := "\x80\x02(cm\nC\n)\x81}q\x01U\x01aK\x01sbcm\nC\n)\x81h\x01b}U\x01bK\x02sbt."
	v, err := decPlain([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	a, b := v.(Tuple)[0].(*Object), v.(Tuple)[1].(*Object)
	if diff := cmp.Diff(decDict(ByteString("a"), int64(1)), a.State, decCmp...); diff != "" {
		t.Errorf("a.State (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(decDict(ByteString("a"), int64(1), ByteString("b"), int64(2)), b.State, decCmp...); diff != "" {
		t.Errorf("b.State (-want +got):\n%s", diff)
	}
}
