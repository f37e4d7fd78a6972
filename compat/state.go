package compat

import (
	"github.com/gopyro/gopyro/pickle"
)

// stateDict builds an instance __dict__ from name, value pairs; the names
// become Python 2 str keys, as attribute names are in Python 2.
func stateDict(kv ...any) pickle.Dict {
	d := pickle.NewDict()
	for i := 0; i+1 < len(kv); i += 2 {
		d.Set(pickle.ByteString(kv[i].(string)), kv[i+1])
	}
	return d
}

// instanceState holds the __dict__ of a decoded instance as name, value
// pairs, read once from the state dict: looking an attribute up is then a
// comparison of a few short strings, with no hashing and no boxing of the
// name.
type instanceState struct {
	n     int
	attrs [maxStateAttrs]stateAttr
}

type stateAttr struct {
	name  string
	value any
}

// maxStateAttrs is the most attributes of any class this package decodes
// (PYROAdapter with its URI).
const maxStateAttrs = 5

// newInstanceState accepts a new-style instance built with no constructor
// arguments (NEWOBJ or copy_reg._reconstructor from object) whose state is a
// dict of exactly n string keys.
func newInstanceState(o *pickle.Object, n int) (instanceState, bool) {
	if !newStyle(o) {
		return instanceState{}, false
	}
	return dictState(o, n)
}

// newStyle reports whether o is a new-style instance built with no
// constructor keywords (NEWOBJ, or copy_reg._reconstructor from object).
func newStyle(o *pickle.Object) bool {
	switch o.Build {
	case pickle.BuildNewObj:
		return o.Kwargs == nil
	case pickle.BuildReconstructor:
		if o.Base != (pickle.Class{Module: "__builtin__", Name: "object"}) &&
			o.Base != (pickle.Class{Module: "builtins", Name: "object"}) {
			return false
		}
		_, isNone := o.BaseState.(pickle.None)
		return isNone || o.BaseState == nil
	}
	return false
}

// dictState checks that o has no constructor arguments or extra items and a
// state dict of exactly n string keys.
func dictState(o *pickle.Object, n int) (instanceState, bool) {
	if n > maxStateAttrs {
		panic("compat: instance state of more than maxStateAttrs attributes")
	}
	if len(o.Args) != 0 || len(o.ListItems) != 0 || len(o.DictItems) != 0 {
		return instanceState{}, false
	}
	var s instanceState
	if items, ok := o.State.(*pickle.StateItems); ok {
		if len(items.Items) != 2*n {
			return instanceState{}, false
		}
		for i := 0; i < len(items.Items); i += 2 {
			name, ok := pickle.Text(items.Items[i])
			if !ok {
				return instanceState{}, false
			}
			s.attrs[s.n] = stateAttr{name, items.Items[i+1]}
			s.n++
		}
		return s, true
	}
	d, ok := o.State.(pickle.Dict)
	if !ok || d.Len() != n {
		return instanceState{}, false
	}
	for k, v := range pickle.DictItems(d) {
		name, ok := pickle.Text(k)
		if !ok || s.n == n {
			return instanceState{}, false
		}
		s.attrs[s.n] = stateAttr{name, v}
		s.n++
	}
	return s, s.n == n
}

func (s *instanceState) get(name string) (any, bool) {
	for _, a := range s.attrs[:s.n] {
		if a.name == name {
			return a.value, true
		}
	}
	return nil, false
}

func (s *instanceState) str(name string, dst *string) bool {
	v, ok := s.get(name)
	if !ok {
		return false
	}
	*dst, ok = pickle.Text(v)
	return ok
}

func (s *instanceState) int(name string, dst *int) bool {
	v, ok := s.get(name)
	if !ok {
		return false
	}
	i, ok := v.(int64)
	if ok && i == int64(int(i)) {
		*dst = int(i)
		return true
	}
	return false
}

// isNone reports whether v is Python None (or a Go nil).
func isNone(v any) bool {
	if v == nil {
		return true
	}
	_, ok := v.(pickle.None)
	return ok
}

// noneIfNil turns a Go nil into Python None for encoding.
func noneIfNil(v any) any {
	if v == nil {
		return pickle.None{}
	}
	return v
}
