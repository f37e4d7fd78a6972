package pickle

import (
	"math/big"
	"slices"
	"unicode/utf8"

	"github.com/gopyro/gopyro/internal/codec"
)

// keyNodeBudget bounds the work of checking and hashing dict keys and set
// items: every tuple item of every key counts, with repetition, against
// keyNodeBudget plus one per byte of input (a tuple pickled without memo
// references takes at least a byte per item), and so does every
// hashedPerNode bytes of a string key (a memo reference makes a long
// string the key of many SETITEMs, each hashing it whole). A key made of
// shared tuples ((t, t), (t, t), ...), or one such key set many times,
// would otherwise cost time exponential or quadratic in the size of the
// pickle.
const (
	keyNodeBudget = 1 << 16
	hashedPerNode = 64
)

// stringLen returns the length of a string, bytes or unicode value, or -1.
func stringLen(k any) int {
	switch k := k.(type) {
	case string:
		return len(k)
	case ByteString:
		return len(k)
	case Bytes:
		return len(k)
	}
	return -1
}

// checkHashable reports an error unless every item may be a dict key or set
// member in Python.
func (st *state) checkHashable(items []any) error {
	for _, k := range items {
		if err := st.checkKey(k); err != nil {
			return err
		}
	}
	return nil
}

func (st *state) checkKey(k any) error {
	switch k.(type) {
	case int64:
		return nil // the common keys, without the budget's bookkeeping
	case string, ByteString:
		if stringLen(k) < hashedPerNode {
			return nil
		}
	}
	limit := keyNodeBudget + len(st.data)
	budget := limit - st.keyNodes
	r := hashable(k, st.lim.MaxDepth, &budget)
	st.keyNodes = limit - budget
	switch r {
	case keyOK:
		return nil
	case keyNaN:
		// NaN keys never compare equal and all hash alike, so each one
		// lengthens the same hash chain.
		if st.nanKeys++; st.nanKeys > maxNaNKeys {
			return codec.Errorf(ErrLimit, "over %d dict keys or set items holding a NaN", maxNaNKeys)
		}
		return nil
	case keyTooBig:
		return codec.Errorf(ErrLimit, "dict key or set item nested over MaxDepth %d, or keys with over %d items in all", st.lim.MaxDepth, limit)
	}
	return codec.Errorf(ErrBadValue, "unhashable type %s", PythonType(k))
}

// maxNaNKeys bounds the dict keys and set items holding a float NaN in one
// pickle: inserting n of them in a dict takes time quadratic in n.
const maxNaNKeys = 1000

const (
	keyOK = iota
	keyNaN
	keyUnhashable
	keyTooBig
)

// hashable reports whether Python could hash k (and og-rek's Dict can), and
// whether k holds a NaN.
func hashable(k any, depth int, budget *int) int {
	*budget--
	if n := stringLen(k); n >= hashedPerNode {
		*budget -= n / hashedPerNode
	}
	if *budget < 0 {
		return keyTooBig
	}
	switch k := k.(type) {
	case float64:
		if k != k {
			return keyNaN
		}
		return keyOK
	case string, ByteString, Bytes, int64, bool, None, Class, *big.Int, *Object, *FrozenSet:
		return keyOK
	case Tuple:
		if depth <= 0 {
			return keyTooBig
		}
		r := keyOK
		for _, x := range k {
			switch hashable(x, depth-1, budget) {
			case keyOK:
			case keyNaN:
				r = keyNaN
			case keyUnhashable:
				return keyUnhashable
			default:
				return keyTooBig
			}
		}
		return r
	}
	return keyUnhashable
}

// setItems sets the key, value pairs of items in d.
func (st *state) setItems(d Dict, items []any) error {
	if len(items)%2 != 0 {
		return codec.Errorf(ErrBadValue, "odd number of items (%d) for a dict", len(items))
	}
	if d.Len()+len(items)/2 > st.lim.MaxContainerLen {
		return codec.Errorf(ErrLimit, "dict of %d items over MaxContainerLen %d", d.Len()+len(items)/2, st.lim.MaxContainerLen)
	}
	if err := st.charge(len(items) / 2 * dictEntrySize); err != nil {
		return err
	}
	growDict(d, len(items)/2)
	m := mapOf(d)
	for i := 0; i < len(items); i += 2 {
		k := items[i]
		if err := st.checkKey(k); err != nil {
			return err
		}
		m.Set(k, items[i+1])
	}
	return nil
}

// extend appends items to the list-like object on the top of the stack.
func (st *state) extend(items []any) error {
	t, err := st.top()
	if err != nil {
		return err
	}
	switch t := t.(type) {
	case *List:
		if len(t.Items)+len(items) > st.lim.MaxContainerLen {
			return codec.Errorf(ErrLimit, "list of %d items over MaxContainerLen %d", len(t.Items)+len(items), st.lim.MaxContainerLen)
		}
		if t.Items == nil {
			t.Items, err = st.own(items, 0)
			return err
		}
		t.Items, err = st.appendItems(t.Items, items)
		return err
	case *Object:
		if len(t.ListItems)+len(items) > st.lim.MaxContainerLen {
			return codec.Errorf(ErrLimit, "list of %d items over MaxContainerLen %d", len(t.ListItems)+len(items), st.lim.MaxContainerLen)
		}
		t.ListItems, err = st.appendItems(t.ListItems, items)
		return err
	default:
		return codec.Errorf(ErrBadValue, "cannot append to %s", PythonType(t))
	}
}

// appendItems appends items to s, charging the storage s grows by.
func (st *state) appendItems(s, items []any) ([]any, error) {
	if len(s)+len(items) > cap(s) {
		if err := st.charge((len(s) + len(items) - cap(s)) * slotSize); err != nil {
			return s, err
		}
		s = slices.Grow(s, len(items))
		// What Grow adds beyond the items is charged now, not when used.
		if err := st.charge((cap(s) - len(s) - len(items)) * slotSize); err != nil {
			return s, err
		}
	}
	return append(s, items...), nil
}

func (st *state) append1() error {
	v, err := st.pop()
	if err != nil {
		return err
	}
	one := [1]any{v}
	return st.extend(one[:])
}

func (st *state) appends() error {
	items, err := st.popMark()
	if err != nil {
		return err
	}
	return st.extend(items)
}

// update sets key, value pairs on the dict-like object on the top of the stack.
func (st *state) update(items []any) error {
	t, err := st.top()
	if err != nil {
		return err
	}
	switch t := t.(type) {
	case Dict:
		return st.setItems(t, items)
	case *Object:
		if len(items)%2 != 0 {
			return codec.Errorf(ErrBadValue, "odd number of items (%d) for a dict", len(items))
		}
		if len(t.DictItems)+len(items) > 2*st.lim.MaxContainerLen {
			return codec.Errorf(ErrLimit, "dict of %d items over MaxContainerLen %d", (len(t.DictItems)+len(items))/2, st.lim.MaxContainerLen)
		}
		t.DictItems, err = st.appendItems(t.DictItems, items)
		return err
	}
	return codec.Errorf(ErrBadValue, "cannot set items on %s", PythonType(t))
}

func (st *state) setitem() error {
	n := len(st.stack)
	if n-2 <= st.frameStart() {
		return errUnderflow
	}
	var kv [2]any
	copy(kv[:], st.stack[n-2:])
	st.stack[n-1], st.stack[n-2] = nil, nil
	st.stack = st.stack[:n-2]
	return st.update(kv[:])
}

func (st *state) setitems() error {
	items, err := st.popMark()
	if err != nil {
		return err
	}
	return st.update(items)
}

func (st *state) additems() error {
	items, err := st.popMark()
	if err != nil {
		return err
	}
	t, err := st.top()
	if err != nil {
		return err
	}
	s, ok := t.(*Set)
	if !ok {
		return codec.Errorf(ErrBadValue, "cannot add items to %s", PythonType(t))
	}
	if len(s.Items)+len(items) > st.lim.MaxContainerLen {
		return codec.Errorf(ErrLimit, "set of %d items over MaxContainerLen %d", len(s.Items)+len(items), st.lim.MaxContainerLen)
	}
	if err := st.checkHashable(items); err != nil {
		return err
	}
	s.Items, err = st.appendItems(s.Items, items)
	return err
}

// class makes the Class named module.name; Python 3's builtins module is
// Python 2's __builtin__ for the built-in types the decoder knows.
func class(module, name string) Class {
	if module == "builtins" {
		switch name {
		case "set", "frozenset", "bytearray", "object", "bytes":
			module = "__builtin__"
		}
	}
	return Class{Module: module, Name: name}
}

func (st *state) global() error {
	l1, err := st.line()
	if err != nil {
		return err
	}
	a1 := st.pos - len(l1) - 1
	l2, err := st.line()
	if err != nil {
		return err
	}
	a2 := st.pos - len(l2) - 1
	if a2+len(l2)-a1 <= maxInterned {
		if c := st.cached(internGlobal, st.data[a1:a2+len(l2)]); c != nil {
			st.stack = append(st.stack, c)
			return nil
		}
	}
	st.stack = append(st.stack, class(st.str(a1, a1+len(l1)), st.str(a2, a2+len(l2))))
	return nil
}

func (st *state) stackGlobal() error {
	name, err := st.pop()
	if err != nil {
		return err
	}
	module, err := st.pop()
	if err != nil {
		return err
	}
	m, ok1 := asStr(module)
	n, ok2 := asStr(name)
	if !ok1 || !ok2 {
		return codec.Errorf(ErrBadValue, "STACK_GLOBAL needs two strings, got %s and %s", PythonType(module), PythonType(name))
	}
	st.stack = append(st.stack, class(m, n))
	return nil
}

func asStr(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case ByteString:
		return string(v), true
	}
	return "", false
}

// newObject records an instance of cls and, if cls is registered, remembers
// it for conversion once the whole pickle is decoded.
// The caller has charged the Object (objectSize) to the budget.
func (st *state) newObject(o *Object, offset int, op byte) {
	if e, ok := st.lookup(o.Class); ok {
		st.pending = append(st.pending, pendingObject{o, e.fn, e.items, offset<<8 | int(op)})
	}
	st.stack = append(st.stack, o)
}

// lookup is st.reg.lookup, remembering the last answer: a pickle, and the
// pickles a connection receives, mostly hold instances of one class.
func (st *state) lookup(c Class) (registered, bool) {
	l := &st.last
	if gen := registrations.Load(); l.reg != st.reg || l.gen != gen || l.class != c {
		l.entry, l.ok = st.reg.lookup(c)
		l.reg, l.gen, l.class = st.reg, gen, c
	}
	return l.entry, l.ok
}

func (st *state) reduce(offset int, op byte) error {
	argsV, err := st.pop()
	if err != nil {
		return err
	}
	callable, err := st.pop()
	if err != nil {
		return err
	}
	cls, ok := callable.(Class)
	if !ok {
		return codec.Errorf(ErrBadValue, "REDUCE callable is %s, not a class or function", PythonType(callable))
	}
	args, ok := argsV.(Tuple)
	if !ok {
		return codec.Errorf(ErrBadValue, "REDUCE arguments are %s, not a tuple", PythonType(argsV))
	}
	v, err := st.builtin(cls, args)
	if err != nil {
		return err
	}
	if v != nil {
		st.stack = append(st.stack, v)
		return nil
	}
	if err := st.charge(objectSize); err != nil {
		return err
	}
	if (cls.Module == "copy_reg" || cls.Module == "copyreg") && cls.Name == "_reconstructor" && len(args) == 3 {
		c, ok1 := args[0].(Class)
		b, ok2 := args[1].(Class)
		if ok1 && ok2 {
			st.newObject(&Object{Class: c, Build: BuildReconstructor, Base: b, BaseState: args[2]}, offset, op)
			return nil
		}
	}
	st.newObject(&Object{Class: cls, Build: BuildReduce, Args: args}, offset, op)
	return nil
}

// builtin returns the native value for REDUCE of the built-in types that
// have one (set, frozenset, bytearray, bytes), or nil for anything else.
func (st *state) builtin(cls Class, args Tuple) (any, error) {
	switch cls.Module {
	case "__builtin__":
	case "_codecs":
		if cls.Name == "encode" && len(args) == 2 {
			// Python 3 bytes at protocols 0-2: _codecs.encode(u'...', 'latin1').
			s, ok1 := args[0].(string)
			enc, ok2 := asStr(args[1])
			if ok1 && ok2 {
				if err := st.charge(len(s)); err != nil {
					return nil, err
				}
				b, err := encodeText(s, enc)
				if err != nil || b != nil {
					return Bytes(b), err
				}
			}
		}
		return nil, nil
	default:
		return nil, nil
	}
	switch cls.Name {
	case "set", "frozenset":
		var items []any
		switch len(args) {
		case 0:
		case 1:
			switch it := args[0].(type) {
			case *List:
				items = it.Items
			case Tuple:
				items = it
			case *Set:
				items = it.Items
			case *FrozenSet:
				items = it.Items
			default:
				return nil, nil
			}
		default:
			return nil, nil
		}
		if err := st.checkHashable(items); err != nil {
			return nil, err
		}
		if err := st.charge(listSize + len(items)*slotSize); err != nil {
			return nil, err
		}
		items = cloneItems(items)
		if cls.Name == "set" {
			return &Set{Items: items}, nil
		}
		return &FrozenSet{Items: items}, nil
	case "bytearray":
		switch len(args) {
		case 0:
			return ByteArray{}, nil
		case 1:
			// Each is a copy: a memoized string may be copied many times.
			switch b := args[0].(type) {
			case Bytes:
				if err := st.charge(len(b)); err != nil {
					return nil, err
				}
				return ByteArray(b), nil
			case ByteString:
				if err := st.charge(len(b)); err != nil {
					return nil, err
				}
				return ByteArray(b), nil
			case ByteArray:
				if err := st.charge(len(b)); err != nil {
					return nil, err
				}
				return append(ByteArray{}, b...), nil
			}
		case 2:
			s, ok1 := args[0].(string)
			enc, ok2 := asStr(args[1])
			if ok1 && ok2 {
				if err := st.charge(len(s)); err != nil {
					return nil, err
				}
				b, err := encodeText(s, enc)
				if err != nil || b != nil {
					return ByteArray(b), err
				}
			}
		}
	case "bytes":
		if len(args) == 0 {
			return Bytes(""), nil
		}
	}
	return nil, nil
}

// encodeText encodes s as Python's s.encode(enc) for Latin-1 and UTF-8, the
// encodings Python uses to pickle bytes and bytearray; nil, nil for others.
func encodeText(s, enc string) ([]byte, error) {
	switch enc {
	case "latin1", "latin-1", "latin_1", "iso-8859-1", "iso8859-1", "l1":
		b := make([]byte, 0, len(s))
		for _, r := range s {
			if r > 0xff {
				return nil, codec.Errorf(ErrBadValue, "character U+%04X cannot be encoded as %s", r, enc)
			}
			b = append(b, byte(r))
		}
		return b, nil
	case "utf-8", "utf8", "UTF-8":
		if !utf8.ValidString(s) {
			return nil, codec.Errorf(ErrBadValue, "string with surrogates cannot be encoded as %s", enc)
		}
		return append(make([]byte, 0, len(s)), s...), nil
	}
	return nil, nil
}

func (st *state) build() error {
	stateV, err := st.pop()
	if err != nil {
		return err
	}
	t, err := st.top()
	if err != nil {
		return err
	}
	o, ok := t.(*Object)
	if !ok {
		return codec.Errorf(ErrBadValue, "BUILD on %s", PythonType(t))
	}
	if err := st.materialize(o); err != nil {
		return err
	}
	old, ok1 := o.State.(Dict)
	upd, ok2 := stateV.(Dict)
	if !ok1 || !ok2 {
		o.State = stateV
		return nil
	}
	// A second BUILD with a dict updates the instance dict, as Python does.
	// The first update copies the state into a Dict of the object's own,
	// because the old one may be shared; later ones update that copy.
	// Every entry set counts, so that BUILD of one memoized dict, again
	// and again, is bounded.
	if err := st.charge(upd.Len() * dictEntrySize); err != nil {
		return err
	}
	if st.ownState[o] != old {
		if err := st.charge(dictSize + old.Len()*dictEntrySize); err != nil {
			return err
		}
		merged := NewDict()
		for k, v := range old.Iter() {
			merged.Set(k, v)
		}
		if st.ownState == nil {
			st.ownState = make(map[*Object]Dict)
		}
		st.ownState[o] = merged
		old, o.State = merged, merged
	}
	for k, v := range upd.Iter() {
		old.Set(k, v)
	}
	return nil
}

func (st *state) newobj(offset int, op byte) error {
	cls, args, err := st.popClassArgs("NEWOBJ")
	if err != nil {
		return err
	}
	if err := st.charge(objectSize); err != nil {
		return err
	}
	o := st.spare
	if o == nil {
		o = new(Object)
	}
	st.spare = nil
	*o = Object{Class: cls, Build: BuildNewObj, Args: args}
	st.newObject(o, offset, op)
	return nil
}

// popClassArgs pops the class and argument tuple of NEWOBJ and NEWOBJ_EX.
func (st *state) popClassArgs(opName string) (Class, Tuple, error) {
	argsV, err := st.pop()
	if err != nil {
		return Class{}, nil, err
	}
	clsV, err := st.pop()
	if err != nil {
		return Class{}, nil, err
	}
	cls, ok := clsV.(Class)
	if !ok {
		return Class{}, nil, codec.Errorf(ErrBadValue, "%s class is %s", opName, PythonType(clsV))
	}
	args, ok := argsV.(Tuple)
	if !ok {
		return Class{}, nil, codec.Errorf(ErrBadValue, "%s arguments are %s, not a tuple", opName, PythonType(argsV))
	}
	return cls, args, nil
}

func (st *state) newobjEx(offset int, op byte) error {
	kwargsV, err := st.pop()
	if err != nil {
		return err
	}
	cls, args, err := st.popClassArgs("NEWOBJ_EX")
	if err != nil {
		return err
	}
	kw, ok := kwargsV.(Dict)
	if !ok {
		return codec.Errorf(ErrBadValue, "NEWOBJ_EX keyword arguments are %s, not a dict", PythonType(kwargsV))
	}
	if err := st.charge(objectSize + kw.Len()*dictEntrySize); err != nil {
		return err
	}
	kwargs := make(map[string]any, kw.Len())
	for k, v := range kw.Iter() {
		name, ok := asStr(k)
		if !ok {
			return codec.Errorf(ErrBadValue, "NEWOBJ_EX keyword is %s, not a string", PythonType(k))
		}
		kwargs[name] = v
	}
	st.newObject(&Object{Class: cls, Build: BuildNewObj, Args: args, Kwargs: kwargs}, offset, op)
	return nil
}

func (st *state) obj(offset int, op byte) error {
	items, err := st.popMark()
	if err != nil {
		return err
	}
	if len(items) == 0 {
		return codec.Errorf(ErrStackUnderflow, "OBJ without a class")
	}
	cls, ok := items[0].(Class)
	if !ok {
		return codec.Errorf(ErrBadValue, "OBJ class is %s", PythonType(items[0]))
	}
	if err := st.charge(objectSize + len(items)*slotSize); err != nil {
		return err
	}
	args := make(Tuple, len(items)-1)
	copy(args, items[1:])
	st.newObject(&Object{Class: cls, Build: BuildOldStyle, Args: args}, offset, op)
	return nil
}

func (st *state) inst(offset int, op byte) error {
	l1, err := st.line()
	if err != nil {
		return err
	}
	a1 := st.pos - len(l1) - 1
	l2, err := st.line()
	if err != nil {
		return err
	}
	a2 := st.pos - len(l2) - 1
	items, err := st.popMark()
	if err != nil {
		return err
	}
	if err := st.charge(objectSize + len(items)*slotSize); err != nil {
		return err
	}
	args := make(Tuple, len(items))
	copy(args, items)
	st.newObject(&Object{Class: class(st.str(a1, a1+len(l1)), st.str(a2, a2+len(l2))), Build: BuildOldStyle, Args: args}, offset, op)
	return nil
}
