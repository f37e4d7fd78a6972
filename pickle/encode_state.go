package pickle

import (
	"errors"
	"fmt"
	"reflect"

	"github.com/gopyro/gopyro/internal/codec"
)

// A StatePickler is a Pickler whose instances the encoder can write without
// building an *Object: instances of a new-style class created without
// arguments, cls.__new__(cls), whose state is a dict of a fixed number of
// attributes (Pyro's PyroURI, say). It saves the Object, its state value and
// their encoding by reflection on every value sent.
//
// The encoder calls PickleClass and PickleState instead of PickleObject; the
// pickle must be the one PickleObject's result gives: an *Object of Build
// BuildNewObj with no Args, whose State is a dict or struct with the same
// attributes in the same order (the order of a struct's fields, which should
// be the order cPickle writes).
type StatePickler interface {
	Pickler
	// PickleClass returns the instance's class and the number of
	// attributes PickleState writes.
	PickleClass() (Class, int)
	// PickleState writes the instance's attributes, each once.
	PickleState(w *StateWriter) error
}

// A StateWriter writes the attributes of a StatePickler's instance dict,
// with str keys, as the attribute names of Python 2 instances are.
type StateWriter struct {
	s     *encState
	b     batcher
	depth int
}

// Str writes the attribute name with a Python 2 str value.
func (w *StateWriter) Str(name, value string) {
	w.b.before()
	w.s.encodeStr(name)
	w.s.encodeStr(value)
	w.b.after()
}

// Int writes the attribute name with an int value.
func (w *StateWriter) Int(name string, value int64) {
	w.b.before()
	w.s.encodeStr(name)
	w.s.encodeInt(value)
	w.b.after()
}

// Value writes the attribute name with any value the encoder accepts.
func (w *StateWriter) Value(name string, value any) error {
	w.b.before()
	w.s.encodeStr(name)
	if err := w.s.encode(value, w.depth); err != nil {
		return codec.AtPath(err, "."+name)
	}
	w.b.after()
	return nil
}

// encodeState writes a StatePickler's instance as encodeObject writes the
// equivalent *Object, memoized under p.
func (s *encState) encodeState(sp StatePickler, p ident, depth int) error {
	typ := func() string { return reflect.TypeOf(sp).String() }
	if depth >= s.maxDepth {
		return encodeError(typ(), ErrEncodeDepth)
	}
	cls, n := sp.PickleClass()
	if s.proto >= 2 {
		if err := s.encodeClass(cls); err != nil {
			return codec.AtPath(err, ".Class")
		}
		s.buf = append(s.buf, opEmptyTuple, opNewobj)
	} else if err := s.reconstruct(cls, builtinObject, nil, depth); err != nil {
		return err
	}
	s.put(p)
	s.startDict(ident{})
	// The instance dict is at depth+1 and its values one deeper, as for
	// an Object's State. The writer lives in the pooled state, so that
	// handing it to PickleState allocates nothing; an instance written
	// among the attributes of another gets it in turn.
	outer := s.state
	defer func() { s.state = outer }()
	s.state = StateWriter{s: s, b: batcher{s: s, n: n}, depth: depth + 2}
	if err := sp.PickleState(&s.state); err != nil {
		var ee *EncodeError
		if errors.As(err, &ee) {
			return codec.AtPath(err, ".State")
		}
		return encodeError(typ(), err)
	}
	if got := s.state.b.i; got != n {
		return encodeError(typ(), fmt.Errorf("%w: PickleState wrote %d attributes, PickleClass said %d", ErrUnsupportedValue, got, n))
	}
	s.buf = append(s.buf, opBuild)
	return nil
}
