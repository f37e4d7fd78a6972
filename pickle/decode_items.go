package pickle

import (
	"encoding/binary"
	"math"
)

// An instance of a class registered with Registry.RegisterItems skips the
// state Dict when it can. Pickle protocol 2 writes a new-style instance as
// NEWOBJ followed by its __dict__: EMPTY_DICT, MARK, the key, value pairs,
// SETITEMS, BUILD. When the decoder meets EMPTY_DICT right after such an
// instance, it reads ahead: if the whole state up to BUILD is string keys
// with scalar values, the pairs become the instance's *StateItems and no
// Dict is made (a Dict costs two allocations and a hash per key, the
// largest part of decoding a PyroURI). Anything else, and any error, leaves
// the bytes to the ordinary opcode loop, which then builds the Dict.
//
// The state dict may be memoized. Its memo entry then holds a flatMemo;
// a memo reference to it (rare: it means the pickle shares the __dict__)
// makes the Dict there and then and gives it to the instance too, so both
// places see one dict, as in Python.

// StateItems is the state dict of an instance of a class registered with
// Registry.RegisterItems, given to its DecodeFunc instead of a Dict: keys
// and values alternate in Items, in pickle order. Keys are str or unicode
// (or bytes) values, all distinct; values are str, unicode, bytes, int64,
// float64, bool or None.
type StateItems struct {
	Items []any
}

// Get returns the value of the key equal to name (a str or unicode key).
func (s *StateItems) Get(name string) (any, bool) {
	for i := 0; i+1 < len(s.Items); i += 2 {
		if k, ok := s.Items[i].(ByteString); ok && string(k) == name {
			return s.Items[i+1], true
		}
		if k, ok := s.Items[i].(string); ok && k == name {
			return s.Items[i+1], true
		}
	}
	return nil, false
}

// Most instances per pickle, and key, value pairs per instance, that skip
// their Dict.
const (
	maxFlatObjects = 4
	maxFlatPairs   = 8
)

// flatMemo stands in the memo for the state dict of o, kept as *StateItems.
type flatMemo struct{ o *Object }

// memoPut is a memo store found while reading ahead, applied on success.
type memoPut struct {
	idx int
	v   any
}

// flatState is called at EMPTY_DICT. It reads the instance state that
// follows as StateItems when it can, consuming everything up to and
// including BUILD, and reports whether it did.
func (st *state) flatState() bool {
	n := len(st.pending)
	if n == 0 || !st.pending[n-1].items || st.nflat == maxFlatObjects {
		return false
	}
	o := st.pending[n-1].o
	if len(st.stack) == 0 || len(st.stack)-1 < st.frameStart() || st.stack[len(st.stack)-1] != any(o) || o.State != nil {
		return false
	}
	start := st.pos
	var pairs [2 * maxFlatPairs]any
	var puts [2*maxFlatPairs + 1]memoPut
	np, nputs := 0, 0
	dictIdx, hasIdx := st.flatPut()
	if st.flatOp() != opMark || len(st.marks) >= st.lim.MaxDepth {
		st.pos = start
		return false
	}
	for {
		if len(st.data)-st.pos >= 2 && st.data[st.pos] == opSetitems && st.data[st.pos+1] == opBuild {
			st.pos += 2
			break
		}
		if np == len(pairs) {
			st.pos = start
			return false
		}
		v, ok := st.flatValue(np%2 == 0, puts[:nputs])
		if !ok {
			st.pos = start
			return false
		}
		pairs[np] = v
		np++
		if idx, ok := st.flatPut(); ok {
			puts[nputs] = memoPut{idx, v}
			nputs++
		}
	}
	// Limits as popMark and setItems apply them.
	if np%2 != 0 || np == 0 || np > st.lim.MaxContainerLen || hasDuplicateKey(pairs[:np]) {
		st.pos = start
		return false
	}
	if hasIdx {
		if err := st.putValue(dictIdx, flatMemo{o}); err != nil {
			st.pos = start
			return false
		}
	}
	for _, p := range puts[:nputs] {
		if err := st.putValue(p.idx, p.v); err != nil {
			// A memo limit: the ordinary loop reports it where it occurs.
			st.undoFlat(o, dictIdx, hasIdx)
			st.pos = start
			return false
		}
	}
	s := &st.flat[st.nflat]
	st.nflat++
	s.Items = append(s.Items[:0], pairs[:np]...)
	o.State = s
	return true
}

// undoFlat forgets the memo entry of o's state dict stored by flatState.
func (st *state) undoFlat(o *Object, idx int, hasIdx bool) {
	if !hasIdx {
		return
	}
	if idx < len(st.memo) {
		if st.memo[idx] == any(flatMemo{o}) {
			st.memo[idx] = nil
			st.memoCount--
		}
	} else if st.memoMap[idx] == any(flatMemo{o}) {
		delete(st.memoMap, idx)
		st.memoCount--
	}
}

// flatOp consumes and returns the next opcode, or 0 at the end of data.
func (st *state) flatOp() byte {
	if st.pos >= len(st.data) {
		return 0
	}
	st.pos++
	return st.data[st.pos-1]
}

// flatPut consumes a BINPUT or LONG_BINPUT if one comes next.
func (st *state) flatPut() (int, bool) {
	data := st.data
	switch {
	case len(data)-st.pos >= 2 && data[st.pos] == opBinput:
		st.pos += 2
		return int(data[st.pos-1]), true
	case len(data)-st.pos >= 5 && data[st.pos] == opLongBinput:
		st.pos += 5
		return int(binary.LittleEndian.Uint32(data[st.pos-4:])), true
	}
	return 0, false
}

// flatValue reads one key (a string) or value (a scalar), made by its own
// opcode or a memo reference; puts are the memo stores read ahead so far.
func (st *state) flatValue(key bool, puts []memoPut) (any, bool) {
	data := st.data
	op := st.flatOp()
	n := -1
	switch op {
	case opShortBinstring, opShortBinunicode, opShortBinbytes:
		if st.pos < len(data) {
			n = int(data[st.pos])
			st.pos++
		}
	case opBinstring, opBinunicode, opBinbytes:
		if len(data)-st.pos >= 4 {
			n = int(binary.LittleEndian.Uint32(data[st.pos:]))
			if op == opBinstring && n > math.MaxInt32 {
				return nil, false // negative: the ordinary loop reports it
			}
			st.pos += 4
		}
	case opBinget, opLongBinget:
		var idx int
		if op == opBinget && st.pos < len(data) {
			idx = int(data[st.pos])
			st.pos++
		} else if op == opLongBinget && len(data)-st.pos >= 4 {
			idx = int(binary.LittleEndian.Uint32(data[st.pos:]))
			st.pos += 4
		} else {
			return nil, false
		}
		v := st.flatMemoValue(idx, puts)
		return v, v != nil && flatScalar(v, key)
	}
	if n >= 0 {
		v, err := st.stringValue(op, n)
		return v, err == nil
	}
	if key {
		return nil, false
	}
	switch op {
	case opBinint1:
		if st.pos < len(data) {
			st.pos++
			return smallInts[data[st.pos-1]], true
		}
	case opBinint2:
		if len(data)-st.pos >= 2 {
			st.pos += 2
			return int64(binary.LittleEndian.Uint16(data[st.pos-2:])), true
		}
	case opBinint:
		if len(data)-st.pos >= 4 {
			st.pos += 4
			return int64(int32(binary.LittleEndian.Uint32(data[st.pos-4:]))), true
		}
	case opBinfloat:
		if len(data)-st.pos >= 8 {
			st.pos += 8
			return math.Float64frombits(binary.BigEndian.Uint64(data[st.pos-8:])), true
		}
	case opNone:
		return None{}, true
	case opNewtrue:
		return true, true
	case opNewfalse:
		return false, true
	}
	return nil, false
}

// flatMemoValue returns memo entry idx, looking at puts (latest first)
// before the memo itself; nil when undefined.
func (st *state) flatMemoValue(idx int, puts []memoPut) any {
	for i := len(puts) - 1; i >= 0; i-- {
		if puts[i].idx == idx {
			return puts[i].v
		}
	}
	if idx < len(st.memo) {
		return st.memo[idx]
	}
	return st.memoMap[idx]
}

// flatScalar reports whether v may stand in StateItems: a string for a key,
// any immutable scalar for a value.
func flatScalar(v any, key bool) bool {
	switch v.(type) {
	case ByteString, string, Bytes:
		return true
	case int64, float64, bool, None:
		return !key
	}
	return false
}

// hasDuplicateKey reports whether two keys of pairs have the same text
// (whatever their types: a str and a unicode key may be one dict key).
func hasDuplicateKey(pairs []any) bool {
	for i := 0; i < len(pairs); i += 2 {
		for j := i + 2; j < len(pairs); j += 2 {
			if keyText(pairs[i]) == keyText(pairs[j]) {
				return true
			}
		}
	}
	return false
}

func keyText(k any) string {
	switch k := k.(type) {
	case ByteString:
		return string(k)
	case Bytes:
		return string(k)
	case string:
		return k
	}
	return ""
}

// dictOf makes the Dict of o's state if it is held as *StateItems: o keeps
// the Dict from then on.
func (st *state) dictOf(o *Object) (Dict, error) {
	if d, ok := o.State.(Dict); ok {
		return d, nil
	}
	s := o.State.(*StateItems)
	d := NewDict()
	if err := st.setItems(d, s.Items); err != nil {
		return Dict{}, err
	}
	o.State = d
	return d, nil
}

// materialize gives o a Dict state in place of *StateItems, before o is
// seen anywhere but by its DecodeFunc.
func (st *state) materialize(o *Object) error {
	if _, ok := o.State.(*StateItems); !ok {
		return nil
	}
	_, err := st.dictOf(o)
	return err
}
