package pickle

import (
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// point is a StatePickler whose Extra attribute may hold another
// StatePickler, so that one writer is lent out while another is in use.
type point struct {
	X, Y  int64
	Name  string
	Extra any
	// wrong makes PickleState write fewer attributes than PickleClass says.
	wrong bool
}

var pointClass = Class{Module: "geo", Name: "Point"}

func (p point) PickleObject() (*Object, error) {
	return &Object{Class: pointClass, Build: BuildNewObj, Args: Tuple{}, State: &pointState{
		Name: ByteString(p.Name), X: p.X, Extra: p.Extra, Y: p.Y}}, nil
}

type pointState struct {
	Name  ByteString `pyro:"name"`
	X     int64      `pyro:"x"`
	Extra any        `pyro:"extra"`
	Y     int64      `pyro:"y"`
}

func (p point) PickleClass() (Class, int) { return pointClass, 4 }

func (p point) PickleState(w *StateWriter) error {
	w.Str("name", p.Name)
	w.Int("x", p.X)
	if err := w.Value("extra", p.Extra); err != nil {
		return err
	}
	if !p.wrong {
		w.Int("y", p.Y)
	}
	return nil
}

// viaObject hides a StatePickler's fast path, so that it encodes through
// PickleObject.
type viaObject struct{ p point }

func (v viaObject) PickleObject() (*Object, error) {
	o, err := v.p.PickleObject()
	if err != nil {
		return nil, err
	}
	st := o.State.(*pointState)
	if inner, ok := st.Extra.(point); ok {
		st.Extra = viaObject{inner}
	}
	return o, nil
}

// TestEncodeStatePickler checks that a StatePickler encodes to the bytes
// of its PickleObject at every protocol, also inside another one and when
// written twice.
func TestEncodeStatePickler(t *testing.T) {
	inner := point{X: 3, Y: 4, Name: "inner", Extra: NewList(int64(1))}
	outer := point{X: 1, Y: 2, Name: "outer", Extra: inner}
	for proto := 0; proto <= HighestProtocol; proto++ {
		for _, tt := range []struct {
			name      string
			fast, obj any
		}{
			{"one", inner, viaObject{inner}},
			{"nested", outer, viaObject{outer}},
			{"twice", Tuple{outer, inner}, Tuple{viaObject{outer}, viaObject{inner}}},
		} {
			t.Run(fmt.Sprintf("%s/p%d", tt.name, proto), func(t *testing.T) {
				enc := Encoder{Protocol: proto}
				fast, err := enc.Append(nil, tt.fast)
				if err != nil {
					t.Fatal(err)
				}
				obj, err := enc.Append(nil, tt.obj)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(fmt.Sprintf("%q", obj), fmt.Sprintf("%q", fast)); diff != "" {
					t.Errorf("StatePickler vs PickleObject (-obj +fast):\n%s", diff)
				}
			})
		}
	}
}

func TestEncodeStatePicklerErrors(t *testing.T) {
	enc := Encoder{Protocol: 2}
	_, err := enc.Append(nil, point{wrong: true})
	if !errors.Is(err, ErrUnsupportedValue) {
		t.Errorf("attribute count mismatch: %v, want ErrUnsupportedValue", err)
	}
	_, err = enc.Append(nil, point{Extra: make(chan int)})
	var ee *EncodeError
	if !errors.As(err, &ee) || !errors.Is(err, ErrUnsupportedType) || ee.Path != ".State.extra" {
		t.Errorf("bad attribute: %v, want ErrUnsupportedType at .State.extra", err)
	}
	deep := Encoder{Protocol: 2, MaxDepth: 3}
	_, err = deep.Append(nil, point{Extra: point{Extra: point{}}})
	if !errors.Is(err, ErrEncodeDepth) {
		t.Errorf("nesting: %v, want ErrEncodeDepth", err)
	}
}
