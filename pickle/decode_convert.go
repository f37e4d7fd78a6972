package pickle

import (
	"fmt"
	"unsafe"

	"github.com/gopyro/gopyro/internal/codec"
)

// Instances of registered classes are converted after the whole pickle is
// decoded, because BUILD, APPEND and SETITEM complete an instance after it was
// created and possibly memoized. The conversion walks the decoded value,
// converts each registered *Object once (its fields first, so a DecodeFunc
// sees converted values inside), and puts the result everywhere the *Object
// was referenced. A registered instance reachable from its own fields is left
// as the generic *Object inside itself.
//
// When the only registered instance is the decoded value itself, as in a
// reply holding one PyroURI, there is nothing to walk: no other reference
// to it exists, and references from its own fields stay generic anyway.

type converter struct {
	st       *state
	done     map[*Object]any
	busy     map[*Object]bool // made on first need, like seen
	seen     map[any]bool
	maxDepth int
}

// tupleID identifies a tuple's backing array, so shared tuples are walked once.
type tupleID struct {
	p *any
	n int
}

func (st *state) convert(root any) (any, error) {
	if o, ok := root.(*Object); ok && len(st.pending) == 1 && st.pending[0].o == o {
		r, err := callDecodeFunc(st.pending[0].fn, o)
		if err == nil && r == any(o) {
			err = st.materialize(o)
		}
		if err != nil {
			return nil, st.decodeError(o, err)
		}
		if st.pending[0].items && r != any(o) {
			// Its DecodeFunc keeps no reference (RegisterItems), and the
			// decoder's own go when it is released: o can be reused.
			*o = Object{}
			st.spare = o
		}
		return r, nil
	}
	c := &converter{
		st:       st,
		done:     make(map[*Object]any, len(st.pending)),
		maxDepth: st.lim.MaxDepth,
	}
	v, _, err := c.value(root, 0)
	if err != nil {
		return nil, err
	}
	return v, nil
}

// visited reports whether the container k was walked before, and marks it.
func (c *converter) visited(k any) bool {
	if c.seen[k] {
		return true
	}
	if c.seen == nil {
		c.seen = make(map[any]bool)
	}
	c.seen[k] = true
	return false
}

// value returns the converted v and whether it differs from v.
func (c *converter) value(v any, depth int) (any, bool, error) {
	if depth > c.maxDepth {
		return nil, false, &Error{Offset: len(c.st.data), Err: codec.Errorf(ErrLimit, "registered instance nested over MaxDepth %d", c.maxDepth)}
	}
	depth++
	switch x := v.(type) {
	case *Object:
		return c.object(x, depth)
	case *List:
		if c.visited(x) {
			return v, false, nil
		}
		return v, false, c.items(x.Items, depth)
	case *Set:
		if c.visited(x) {
			return v, false, nil
		}
		return v, false, c.items(x.Items, depth)
	case *FrozenSet:
		if c.visited(x) {
			return v, false, nil
		}
		return v, false, c.items(x.Items, depth)
	case Tuple:
		if len(x) == 0 || c.visited(tupleID{unsafe.SliceData(x), len(x)}) {
			return v, false, nil
		}
		return v, false, c.items(x, depth)
	case Dict:
		return v, false, c.dict(x, depth)
	}
	return v, false, nil
}

// items converts a slice in place; slices are shared by all copies of the
// value that holds them, so every reference sees the conversion.
func (c *converter) items(s []any, depth int) error {
	for i, x := range s {
		nx, changed, err := c.value(x, depth)
		if err != nil {
			return err
		}
		if changed {
			s[i] = nx
		}
	}
	return nil
}

func (c *converter) dict(d Dict, depth int) error {
	if c.visited(d) {
		return nil
	}
	type change struct{ k, nk, nv any }
	var changes []change
	for it := mapOf(d).Iter(); it.Next(); {
		k, v := it.Key(), it.Elem()
		nk, kChanged, err := c.value(k, depth)
		if err != nil {
			return err
		}
		nv, vChanged, err := c.value(v, depth)
		if err != nil {
			return err
		}
		if kChanged || vChanged {
			changes = append(changes, change{k, nk, nv})
		}
	}
	for _, ch := range changes {
		if err := safeDictSet(d, ch.k, ch.nk, ch.nv); err != nil {
			return &Error{Offset: len(c.st.data), Err: err}
		}
	}
	return nil
}

// safeDictSet replaces key k by nk with value nv; a converted key that Dict
// cannot hash is an error rather than a panic.
func safeDictSet(d Dict, k, nk, nv any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = codec.Errorf(ErrBadValue, "converted dict key %T: %v", nk, r)
		}
	}()
	d.Del(k)
	d.Set(nk, nv)
	return nil
}

func (c *converter) object(o *Object, depth int) (any, bool, error) {
	if r, ok := c.done[o]; ok {
		return r, r != any(o), nil
	}
	if c.busy[o] {
		return o, false, nil
	}
	if c.busy == nil {
		c.busy = make(map[*Object]bool)
	}
	c.busy[o] = true
	if err := c.items(o.Args, depth); err != nil {
		return nil, false, err
	}
	for _, f := range []*any{&o.BaseState, &o.State} {
		nv, changed, err := c.value(*f, depth)
		if err != nil {
			return nil, false, err
		}
		if changed {
			*f = nv
		}
	}
	for k, v := range o.Kwargs {
		nv, changed, err := c.value(v, depth)
		if err != nil {
			return nil, false, err
		}
		if changed {
			o.Kwargs[k] = nv
		}
	}
	if err := c.items(o.ListItems, depth); err != nil {
		return nil, false, err
	}
	if err := c.items(o.DictItems, depth); err != nil {
		return nil, false, err
	}
	delete(c.busy, o)
	fn, ok := c.st.reg.Lookup(o.Class)
	if !ok {
		c.done[o] = o
		return o, false, nil
	}
	r, err := callDecodeFunc(fn, o)
	if err == nil && r == any(o) {
		err = c.st.materialize(o)
	}
	if err != nil {
		return nil, false, c.st.decodeError(o, err)
	}
	c.done[o] = r
	return r, true, nil
}

// decodeError reports the failed DecodeFunc of the registered instance o
// at the opcode that created it.
func (st *state) decodeError(o *Object, err error) error {
	var at int
	for _, p := range st.pending {
		if p.o == o {
			at = p.at
			break
		}
	}
	return &Error{Offset: at >> 8, Op: byte(at), Err: fmt.Errorf("%w: decoding %s.%s: %w", ErrBadValue, o.Class.Module, o.Class.Name, err)}
}

// callDecodeFunc calls fn, turning a panic into an error: decoding hostile
// input must not crash the program even through a careless DecodeFunc.
func callDecodeFunc(fn DecodeFunc, o *Object) (r any, err error) {
	defer func() {
		if p := recover(); p != nil {
			r, err = nil, fmt.Errorf("DecodeFunc panicked: %v", p)
		}
	}()
	r, err = fn(o)
	if err == nil && r == nil {
		err = fmt.Errorf("DecodeFunc returned nil")
	}
	return r, err
}
