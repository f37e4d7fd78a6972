package pickle

import (
	"encoding/binary"
	"hash/maphash"
	"math"
	"math/big"
	"strconv"
	"strings"
	"sync"
	"unsafe"

	ogórek "github.com/kisielk/og-rek"

	"github.com/gopyro/gopyro/internal/codec"
)

// A Decoder decodes pickles into the Go values listed in the package
// documentation. Its fields are configuration only, so one Decoder may be used
// by many goroutines at once. The zero Decoder uses DefaultLimits and
// DefaultRegistry.
//
// Decoding follows Python 2's unpickler, whatever protocol (0 to 5) or
// Python version wrote the pickle:
//
//   - INT text I01 and I00 are True and False; an INT past int64 and every
//     LONG, LONG1 and LONG4 are *big.Int, even when small (a Python 2 long
//     stays a long; Python 3 pickles ints past 32 bits this way too).
//   - STRING, BINSTRING and SHORT_BINSTRING are ByteString; protocol 0 text
//     is unescaped exactly as Python 2's string-escape codec does.
//   - UNICODE (raw-unicode-escape) and the BINUNICODE opcodes are string.
//     Lone UTF-16 surrogates, which Python strings may hold, are kept as
//     their three-byte encoding (as Python's surrogatepass writes them), so
//     they re-encode unchanged; such strings are not valid UTF-8.
//   - BINBYTES opcodes and Python 3's _codecs.encode(u'...', 'latin1')
//     REDUCE are Bytes; bytearray REDUCE and BYTEARRAY8 are ByteArray;
//     set and frozenset REDUCE and the protocol 4 opcodes are *Set and
//     *FrozenSet. Python 3's builtins module is read as __builtin__ for
//     set, frozenset, bytearray, bytes and object; other globals keep the
//     module name the pickle gives.
//   - EMPTY_TUPLE is a non-nil empty Tuple; empty lists and sets have nil
//     Items. A dict key or set item Python could not hash (list, dict, set,
//     bytearray) is an error; a key set twice keeps the later key and value.
//   - Instances are *Object: NEWOBJ and NEWOBJ_EX give BuildNewObj, OBJ and
//     INST BuildOldStyle, REDUCE of copy_reg._reconstructor
//     BuildReconstructor, any other REDUCE BuildReduce. BUILD sets State (a
//     second BUILD with a dict updates a dict State); APPEND and SETITEM on
//     an instance fill ListItems and DictItems.
//   - Instances of classes in the Registry are converted after the whole
//     pickle is decoded, because BUILD completes an instance after it may
//     already have been referenced. Each is converted once, inner instances
//     first, and the result replaces the *Object wherever it was referenced
//     (containers, dict keys, instance fields). An instance reachable from
//     its own fields keeps the generic *Object at that inner place.
//   - Shared and self-referencing lists, dicts, sets and instances are one
//     Go value each, as they are one Python object.
//
// Persistent ids, extension codes and out-of-band buffers are errors: Pyro
// uses none of them. Decoding runs no code and never panics; Limits bound the
// memory and time a hostile pickle can cost.
type Decoder struct {
	// Limits bounds what one pickle may make the decoder allocate; zero
	// fields take their DefaultLimits value.
	Limits Limits
	// Registry turns instances of registered Python classes into Go values;
	// nil means DefaultRegistry.
	Registry *Registry
}

// Decode decodes one pickle with DefaultLimits and DefaultRegistry.
func Decode(data []byte) (any, error) {
	var d Decoder
	return d.Decode(data)
}

// Decode decodes the pickle in data, which must hold a whole pickle: any
// protocol from 0 to 5, as Python 2 or Python 3 writes them. Bytes after the
// STOP opcode are ignored, as Python's pickle.loads ignores them. Errors are
// of type *Error.
//
// Decoded str, unicode and bytes values are slices of one copy of data, made
// when the first string needs it, or come from a cache of short strings that
// recur from pickle to pickle. Either way data may be reused as soon as Decode
// returns; a small decoded string may keep the copy alive.
func (d *Decoder) Decode(data []byte) (any, error) {
	st := statePool.Get().(*state)
	st.data = data
	st.lim = d.Limits.withDefaults()
	st.budget = st.lim.Budget(len(data))
	st.room = min(cap(st.stack), freeStack)
	st.reg = d.Registry
	if st.reg == nil {
		st.reg = DefaultRegistry
	}
	v, err := st.run()
	st.release()
	statePool.Put(st)
	return v, err
}

var statePool = sync.Pool{New: func() any {
	return &state{stack: make([]any, 0, 64), marks: make([]int, 0, 16), memo: make([]any, 0, 64)}
}}

// Pooled buffers larger than these are dropped rather than kept for reuse.
const (
	maxPooledStack = 1 << 12
	maxPooledMemo  = 1 << 12
)

// state is the decoding state of one pickle.
type state struct {
	data  []byte
	s     string // data as a string, made on first need; strings are slices of it
	haveS bool
	pos   int
	lim   Limits
	reg   *Registry

	built  int // bytes built so far, as Limits.BuildPerByte counts them
	budget int // Limits.Budget of the pickle
	room   int // stack height paid for (at most cap(stack)): past it, growStack

	stack []any
	high  int   // highest stack height before a popMark or TUPLE1-3, to clear on release
	marks []int // stack heights at each open MARK

	memo      []any       // dense memo: index → value, nil where undefined
	memoMap   map[int]any // memo entries too far past the dense part
	memoCount int         // number of distinct memo indexes defined

	interned [internSets][2]internEntry

	pending  []pendingObject            // instances of registered classes, in creation order
	flat     [maxFlatObjects]StateItems // states of instances kept as StateItems
	nflat    int                        // entries of flat in use
	spare    *Object                    // an Object no one references any more, for NEWOBJ
	last     lastLookup                 // the last registry lookup
	ownState map[*Object]Dict           // states merged by a second BUILD
	keyNodes int                        // tuple items of dict keys and set items checked
	nanKeys  int                        // dict keys and set items holding a NaN
}

// lastLookup is a registry lookup remembered across pickles: valid while
// no class was registered anywhere since (gen).
type lastLookup struct {
	reg   *Registry
	gen   uint64
	class Class
	entry registered
	ok    bool
}

// pendingObject is an instance of a registered class, converted once the
// whole pickle is decoded.
type pendingObject struct {
	o     *Object
	fn    DecodeFunc
	items bool // fn accepts *StateItems (Registry.RegisterItems)
	at    int  // offset<<8 | opcode of the opcode that created it, for errors
}

func (st *state) release() {
	st.data, st.s, st.haveS, st.pos, st.reg = nil, "", false, 0, nil
	st.built = 0
	if cap(st.stack) > maxPooledStack {
		st.stack = make([]any, 0, 64)
	} else {
		clear(st.stack[:max(st.high, len(st.stack))])
		st.stack = st.stack[:0]
	}
	st.high = 0
	st.marks = st.marks[:0]
	if cap(st.memo) > maxPooledMemo {
		st.memo = make([]any, 0, 64)
	} else {
		clear(st.memo)
		st.memo = st.memo[:0]
	}
	st.memoMap, st.memoCount = nil, 0
	for i := range st.flat[:st.nflat] {
		clear(st.flat[i].Items)
	}
	st.nflat = 0
	clear(st.pending)
	st.pending, st.ownState, st.keyNodes, st.nanKeys = st.pending[:0], nil, 0, 0
}

// emptyTuple is the value of EMPTY_TUPLE, boxed once.
var emptyTuple any = Tuple{}

// smallInts are the values of BININT1, boxed once.
var smallInts = func() (t [256]any) {
	for i := range t {
		t[i] = int64(i)
	}
	return t
}()

func (st *state) run() (any, error) {
	data := st.data
	for st.pos < len(data) {
		start := st.pos
		op := data[start]
		st.pos++
		var err error
		if len(st.stack) == st.room {
			// No opcode pushes more than one item: growing here, within
			// the budget, is the only way the stack grows.
			if err := st.growStack(); err != nil {
				return nil, &Error{Offset: start, Op: op, Err: err}
			}
		}
		if n := int(argLen[op]); n > len(data)-st.pos {
			return nil, &Error{Offset: start, Op: op, Err: errTruncated}
		}
		switch op {
		case opBinint1:
			st.stack = append(st.stack, smallInts[data[st.pos]])
			st.pos++
		case opBinint2:
			st.stack = append(st.stack, int64(binary.LittleEndian.Uint16(data[st.pos:])))
			st.pos += 2
		case opBinint:
			st.stack = append(st.stack, int64(int32(binary.LittleEndian.Uint32(data[st.pos:]))))
			st.pos += 4
		case opBinput:
			idx := int(data[st.pos])
			st.pos++
			err = st.put(idx)
		case opLongBinput:
			idx := binary.LittleEndian.Uint32(data[st.pos:])
			st.pos += 4
			err = st.put(int(idx))
		case opMemoize:
			err = st.put(st.memoCount)
		case opBinget:
			idx := int(data[st.pos])
			st.pos++
			err = st.get(idx)
		case opLongBinget:
			idx := binary.LittleEndian.Uint32(data[st.pos:])
			st.pos += 4
			err = st.get(int(idx))
		case opMark:
			if len(st.marks) >= st.lim.MaxDepth {
				err = codec.Errorf(ErrLimit, "MARK nesting over MaxDepth %d", st.lim.MaxDepth)
				break
			}
			st.marks = append(st.marks, len(st.stack))
		case opShortBinstring, opShortBinbytes, opShortBinunicode:
			n := int(data[st.pos])
			st.pos++
			err = st.pushString(op, n)
		case opBinstring:
			n := int32(binary.LittleEndian.Uint32(data[st.pos:]))
			st.pos += 4
			if n < 0 {
				err = codec.Errorf(ErrBadValue, "negative byte count %d", n)
				break
			}
			err = st.pushString(op, int(n))
		case opBinunicode, opBinbytes:
			n := binary.LittleEndian.Uint32(data[st.pos:])
			st.pos += 4
			err = st.pushString(op, st.length(uint64(n)))
		case opBinunicode8, opBinbytes8, opBytearray8:
			n := binary.LittleEndian.Uint64(data[st.pos:])
			st.pos += 8
			err = st.pushString(op, st.length(n))
		case opBinfloat:
			st.stack = append(st.stack, math.Float64frombits(binary.BigEndian.Uint64(data[st.pos:])))
			st.pos += 8
		case opNone:
			st.stack = append(st.stack, None{})
		case opNewtrue:
			st.stack = append(st.stack, true)
		case opNewfalse:
			st.stack = append(st.stack, false)
		case opEmptyTuple:
			st.stack = append(st.stack, emptyTuple)
		case opTuple1, opTuple2, opTuple3:
			n := int(op-opTuple1) + 1
			base := len(st.stack) - n
			if base < st.frameStart() {
				err = errUnderflow
				break
			}
			if err = st.charge(n*slotSize + sliceBoxSize); err != nil {
				break
			}
			t := make(Tuple, n)
			copy(t, st.stack[base:])
			st.high = max(st.high, len(st.stack))
			st.stack = append(st.stack[:base], t)
		case opTuple:
			var items []any
			if items, err = st.popMark(); err == nil {
				if items, err = st.own(items, sliceBoxSize); err == nil {
					if items == nil {
						items = Tuple{}
					}
					st.stack = append(st.stack, Tuple(items))
				}
			}
		case opEmptyList:
			if err = st.charge(listSize); err == nil {
				st.stack = append(st.stack, &List{})
			}
		case opList:
			var items []any
			if items, err = st.popMark(); err == nil {
				if items, err = st.own(items, listSize); err == nil {
					st.stack = append(st.stack, &List{Items: items})
				}
			}
		case opEmptyDict:
			if !st.flatState() {
				if err = st.charge(dictSize); err == nil {
					st.stack = append(st.stack, NewDict())
				}
			}
		case opDict:
			var items []any
			if items, err = st.popMark(); err == nil {
				if err = st.charge(dictSize); err != nil {
					break
				}
				d := ogórek.NewDictWithSizeHint(len(items) / 2)
				if err = st.setItems(d, items); err == nil {
					st.stack = append(st.stack, d)
				}
			}
		case opAppend:
			err = st.append1()
		case opAppends:
			err = st.appends()
		case opSetitem:
			err = st.setitem()
		case opSetitems:
			err = st.setitems()
		case opEmptySet:
			if err = st.charge(listSize); err == nil {
				st.stack = append(st.stack, &Set{})
			}
		case opAdditems:
			err = st.additems()
		case opFrozenset:
			var items []any
			if items, err = st.popMark(); err == nil {
				if err = st.checkHashable(items); err == nil {
					if items, err = st.own(items, listSize); err == nil {
						st.stack = append(st.stack, &FrozenSet{Items: items})
					}
				}
			}
		case opProto:
			if p := data[st.pos]; p > 5 {
				err = codec.Errorf(ErrBadValue, "unsupported pickle protocol %d", p)
				break
			}
			st.pos++
		case opFrame:
			n := binary.LittleEndian.Uint64(data[st.pos:])
			st.pos += 8
			if n > uint64(len(data)-st.pos) {
				err = codec.Errorf(ErrTruncated, "frame of %d bytes, %d left", n, len(data)-st.pos)
			}
		case opStop:
			v, err := st.pop()
			if err != nil {
				return nil, &Error{Offset: start, Op: op, Err: err}
			}
			if len(st.pending) > 0 {
				return st.convert(v)
			}
			return v, nil
		case opPop:
			switch {
			case len(st.stack) > st.frameStart():
				st.stack[len(st.stack)-1] = nil
				st.stack = st.stack[:len(st.stack)-1]
			case len(st.marks) > 0:
				st.marks = st.marks[:len(st.marks)-1]
			default:
				err = errUnderflow
			}
		case opPopMark:
			_, err = st.popMark()
		case opDup:
			if len(st.stack) <= st.frameStart() {
				err = errUnderflow
				break
			}
			st.stack = append(st.stack, st.stack[len(st.stack)-1])
		case opGlobal:
			err = st.global()
		case opStackGlobal:
			err = st.stackGlobal()
		case opReduce:
			err = st.reduce(start, op)
		case opBuild:
			err = st.build()
		case opNewobj:
			err = st.newobj(start, op)
		case opNewobjEx:
			err = st.newobjEx(start, op)
		case opObj:
			err = st.obj(start, op)
		case opInst:
			err = st.inst(start, op)
		case opInt:
			err = st.textInt()
		case opLong:
			err = st.textLong()
		case opLong1:
			n := int(data[st.pos])
			st.pos++
			err = st.binLong(n)
		case opLong4:
			n := int32(binary.LittleEndian.Uint32(data[st.pos:]))
			st.pos += 4
			if n < 0 {
				err = codec.Errorf(ErrBadValue, "negative byte count %d", n)
				break
			}
			err = st.binLong(int(n))
		case opFloat:
			err = st.textFloat()
		case opString:
			err = st.textString()
		case opUnicode:
			err = st.textUnicode()
		case opPut:
			var idx int
			if idx, err = st.lineIndex(); err == nil {
				err = st.put(idx)
			}
		case opGet:
			var idx int
			if idx, err = st.lineIndex(); err == nil {
				err = st.get(idx)
			}
		case opPersid, opBinpersid:
			err = ErrPersistentID
		case opExt1, opExt2, opExt4:
			err = codec.Errorf(ErrUnsupported, "extension codes need a copyreg extension registry, which Pyro does not use")
		case opNextBuffer:
			err = codec.Errorf(ErrUnsupported, "out-of-band buffer: none provided")
		case opReadonlyBuffer:
			if len(st.stack) <= st.frameStart() {
				err = errUnderflow
			}
		default:
			err = ErrUnknownOpcode
		}
		if err != nil {
			return nil, &Error{Offset: start, Op: op, Err: err}
		}
	}
	return nil, &Error{Offset: len(data), Err: codec.Errorf(ErrTruncated, "no STOP opcode")}
}

// argLen is the length of the fixed-size argument that follows each opcode
// that has one (0 for the others): the loop checks it once for all.
var argLen = func() (t [256]uint8) {
	for _, op := range []byte{opBinint1, opBinput, opBinget, opShortBinstring, opShortBinbytes, opShortBinunicode, opProto, opLong1} {
		t[op] = 1
	}
	for _, op := range []byte{opBinint2} {
		t[op] = 2
	}
	for _, op := range []byte{opBinint, opLongBinput, opLongBinget, opBinstring, opBinunicode, opBinbytes, opLong4} {
		t[op] = 4
	}
	for _, op := range []byte{opBinunicode8, opBinbytes8, opBytearray8, opBinfloat, opFrame} {
		t[op] = 8
	}
	return t
}()

var (
	errTruncated = codec.Errorf(ErrTruncated, "data ends inside the opcode's argument")
	errUnderflow = codec.Errorf(ErrStackUnderflow, "stack underflow")
)

// frameStart is the stack height at the innermost open MARK: items below it
// are out of reach until that MARK is popped.
func (st *state) frameStart() int {
	if n := len(st.marks); n > 0 {
		return st.marks[n-1]
	}
	return 0
}

func (st *state) pop() (any, error) {
	n := len(st.stack)
	if n <= st.frameStart() {
		return nil, errUnderflow
	}
	v := st.stack[n-1]
	st.stack[n-1] = nil
	st.stack = st.stack[:n-1]
	return v, nil
}

// top returns the item on the top of the stack, within the current frame.
func (st *state) top() (any, error) {
	n := len(st.stack)
	if n <= st.frameStart() {
		return nil, errUnderflow
	}
	return st.stack[n-1], nil
}

// popMark removes the innermost MARK and returns the items above it. The
// returned slice aliases the stack: it is valid until the next push.
func (st *state) popMark() ([]any, error) {
	n := len(st.marks)
	if n == 0 {
		return nil, codec.Errorf(ErrStackUnderflow, "no MARK on the stack")
	}
	m := st.marks[n-1]
	st.marks = st.marks[:n-1]
	items := st.stack[m:]
	if len(items) > st.lim.MaxContainerLen {
		return nil, codec.Errorf(ErrLimit, "%d items over MaxContainerLen %d", len(items), st.lim.MaxContainerLen)
	}
	st.high = max(st.high, len(st.stack))
	st.stack = st.stack[:m]
	return items, nil
}

// Sizes in bytes of what decoding builds, as the budget counts them.
const (
	slotSize      = 16 // an interface value: a slot of the stack, the memo or a container
	sliceBoxSize  = 24 // a slice header boxed in an interface (a Tuple)
	listSize      = int(unsafe.Sizeof(List{}))
	dictSize      = 96 // an empty og-rek Dict
	dictEntrySize = 64 // an entry of a Dict, with its share of the buckets
	objectSize    = int(unsafe.Sizeof(Object{}))
	bigIntSize    = 48 // a *big.Int boxed, besides its digits
)

// charge counts n more bytes built, failing past the pickle's budget.
func (st *state) charge(n int) error {
	st.built += n
	if st.built > st.budget {
		return &BudgetError{Size: len(st.data), Budget: st.budget}
	}
	return nil
}

// freeStack is how many stack slots every pickle has without charge: the
// stack a pooled state starts with. Slots beyond are charged as the stack
// reaches them, whatever capacity an earlier pickle left in the pool.
const freeStack = 64

// growStack makes room for more items on a stack of height st.room: it
// doubles the room, or adds as much as the budget allows.
func (st *state) growStack() error {
	n := len(st.stack)
	add := min(max(n, freeStack), (st.budget-st.built)/slotSize)
	if err := st.charge(max(add, 1) * slotSize); err != nil {
		return err
	}
	if n+add > cap(st.stack) {
		s := make([]any, n, n+add)
		copy(s, st.stack)
		st.stack, st.high = s, n
	}
	st.room = n + add
	return nil
}

// Lists, tuples and sets made of many items take over the stack's storage
// where the items lie, rather than copy them, when the items fill most of
// it: the stack then starts afresh with a copy of the items below them.
// A 16M-item list of DUPs then costs 16 bytes an item, not 32 and a copy.
const minOwnedItems = 1024

// own returns items, which popMark just took off the top of the stack, as
// a slice of their own (nil when empty), for a container made of them
// whose Go value is header bytes.
func (st *state) own(items []any, header int) ([]any, error) {
	if len(items) == 0 {
		return nil, st.charge(header)
	}
	n, m := len(items), len(st.stack)
	if n >= minOwnedItems && m+n <= cap(st.stack) && m+cap(st.stack)-(m+n) <= n/4 && &st.stack[:m+n][m] == &items[0] {
		// The container keeps the array; the stack gets a copy of the
		// m items below, and the array's copies of them are cleared.
		full := st.stack[:m+n]
		if err := st.charge(header + max(2*m, 64)*slotSize); err != nil {
			return nil, err
		}
		s := make([]any, m, max(2*m, 64))
		copy(s, full[:m])
		clear(full[:m])
		st.stack, st.high, st.room = s, m, cap(s)
		return items[:n:n], nil
	}
	if err := st.charge(header + n*slotSize); err != nil {
		return nil, err
	}
	return cloneItems(items), nil
}

func cloneItems(items []any) []any {
	if len(items) == 0 {
		return nil
	}
	c := make([]any, len(items))
	copy(c, items)
	return c
}

// length converts an untrusted length to int, saturating where int would
// overflow (the result is then over every limit anyway).
func (st *state) length(n uint64) int {
	if n > math.MaxInt32 {
		return math.MaxInt32
	}
	return int(n)
}

// str returns data[a:b] as a string, sharing one copy of the data.
func (st *state) str(a, b int) string {
	if !st.haveS {
		st.s = string(st.data)
		st.haveS = true
	}
	return st.s[a:b]
}

// pushString pushes the n bytes that follow as the value op makes of them.
func (st *state) pushString(op byte, n int) error {
	v, err := st.stringValue(op, n)
	if err != nil {
		return err
	}
	st.stack = append(st.stack, v)
	return nil
}

// stringValue consumes the n bytes that follow and returns the value op
// makes of them.
func (st *state) stringValue(op byte, n int) (any, error) {
	if n > st.lim.MaxStringLen {
		return nil, codec.Errorf(ErrLimit, "length %d over MaxStringLen %d", n, st.lim.MaxStringLen)
	}
	if n > len(st.data)-st.pos {
		return nil, codec.Errorf(ErrTruncated, "length %d, %d bytes left", n, len(st.data)-st.pos)
	}
	a := st.pos
	st.pos += n
	if n <= maxInterned && op != opBytearray8 {
		if v := st.intern(op, st.data[a:st.pos]); v != nil {
			return v, nil
		}
	}
	switch op {
	case opShortBinstring, opBinstring:
		return ByteString(st.str(a, st.pos)), nil
	case opShortBinbytes, opBinbytes, opBinbytes8:
		return Bytes(st.str(a, st.pos)), nil
	case opBytearray8:
		return ByteArray(append([]byte{}, st.data[a:st.pos]...)), nil
	default: // unicode: UTF-8 (WTF-8 for lone surrogates) kept as is
		return st.str(a, st.pos), nil
	}
}

// put stores the top of the stack at memo index idx.
func (st *state) put(idx int) error {
	v, err := st.top()
	if err != nil {
		return err
	}
	return st.putValue(idx, v)
}

// putValue stores v at memo index idx.
func (st *state) putValue(idx int, v any) error {
	if idx < len(st.memo) {
		if st.memo[idx] == nil {
			if err := st.countMemo(idx); err != nil {
				return err
			}
		}
		st.memo[idx] = v
		return nil
	}
	if _, ok := st.memoMap[idx]; ok {
		st.memoMap[idx] = v
		return nil
	}
	if err := st.countMemo(idx); err != nil {
		return err
	}
	// Extend the dense part when idx is near it; storage stays proportional
	// to the number of entries whatever the indexes.
	if idx <= 2*st.memoCount+64 {
		if err := st.charge((idx + 1 - len(st.memo)) * slotSize); err != nil {
			return err
		}
		for len(st.memo) < idx {
			st.memo = append(st.memo, nil)
		}
		st.memo = append(st.memo, v)
		return nil
	}
	if err := st.charge(dictEntrySize); err != nil {
		return err
	}
	if st.memoMap == nil {
		st.memoMap = make(map[int]any)
	}
	st.memoMap[idx] = v
	return nil
}

func (st *state) countMemo(idx int) error {
	if st.memoCount >= st.lim.MaxMemo {
		return codec.Errorf(ErrLimit, "memo index %d: memo entries over MaxMemo %d", idx, st.lim.MaxMemo)
	}
	st.memoCount++
	return nil
}

func (st *state) get(idx int) error {
	var v any
	if idx < len(st.memo) {
		v = st.memo[idx]
	} else {
		v = st.memoMap[idx]
	}
	if v == nil {
		return codec.Errorf(ErrMemoMissing, "memo index %d not defined", idx)
	}
	if f, ok := v.(flatMemo); ok {
		// The state dict of f.o, shared: it becomes a Dict in both places.
		d, err := st.dictOf(f.o)
		if err != nil {
			return err
		}
		v = d
		if idx < len(st.memo) {
			st.memo[idx] = v
		} else {
			st.memoMap[idx] = v
		}
	}
	st.stack = append(st.stack, v)
	return nil
}

// line returns the text up to the next newline, which it consumes.
func (st *state) line() ([]byte, error) {
	rest := st.data[st.pos:]
	for i, c := range rest {
		if c == '\n' {
			st.pos += i + 1
			return rest[:i], nil
		}
		if i >= st.lim.MaxStringLen {
			return nil, codec.Errorf(ErrLimit, "text line over MaxStringLen %d", st.lim.MaxStringLen)
		}
	}
	return nil, codec.Errorf(ErrTruncated, "text argument has no newline")
}

// lineIndex reads the decimal memo index of PUT and GET.
func (st *state) lineIndex() (int, error) {
	l, err := st.line()
	if err != nil {
		return 0, err
	}
	n, perr := strconv.ParseInt(string(trimSpace(l)), 10, 64)
	switch {
	case perr != nil:
		return 0, codec.Errorf(ErrBadValue, "memo index %q is not an integer", l)
	case n < 0:
		return 0, codec.Errorf(ErrBadValue, "negative memo index %d", n)
	case n > math.MaxInt32:
		return 0, codec.Errorf(ErrLimit, "memo index %d over limit", n)
	}
	return int(n), nil
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'
}

// textInt decodes INT: I01 and I00 are Python 2's True and False; values past
// int64 are longs, as Python 2's int() makes them.
func (st *state) textInt() error {
	l, err := st.line()
	if err != nil {
		return err
	}
	switch string(l) {
	case "01":
		st.stack = append(st.stack, true)
		return nil
	case "00":
		st.stack = append(st.stack, false)
		return nil
	}
	t := trimSpace(l)
	if n, perr := strconv.ParseInt(string(t), 10, 64); perr == nil {
		st.stack = append(st.stack, n)
		return nil
	}
	b, err := st.parseLong(t, 10)
	if err != nil {
		return err
	}
	st.stack = append(st.stack, b)
	return nil
}

// textLong decodes LONG: Python 2's repr of a long, "123L".
func (st *state) textLong() error {
	l, err := st.line()
	if err != nil {
		return err
	}
	b, err := st.parseLong(trimSpace(l), 0)
	if err != nil {
		return err
	}
	st.stack = append(st.stack, b)
	return nil
}

// parseLong parses Python 2 long() text, with an optional L suffix.
func (st *state) parseLong(t []byte, base int) (*big.Int, error) {
	if n := len(t); n > 0 && (t[n-1] == 'L' || t[n-1] == 'l') {
		t = t[:n-1]
	}
	if len(t) > 2*st.lim.MaxBigIntBytes+2 {
		return nil, codec.Errorf(ErrLimit, "integer of %d digits over MaxBigIntBytes %d", len(t), st.lim.MaxBigIntBytes)
	}
	s := string(t)
	for i := 0; i < len(s); i++ {
		if s[i] == '_' {
			return nil, codec.Errorf(ErrBadValue, "invalid integer %q", s)
		}
	}
	if err := st.charge(bigIntSize + len(s)/2); err != nil {
		return nil, err
	}
	b, ok := new(big.Int).SetString(s, base)
	if !ok {
		return nil, codec.Errorf(ErrBadValue, "invalid integer %q", s)
	}
	return b, nil
}

// binLong decodes the n little-endian two's complement bytes of LONG1/LONG4.
func (st *state) binLong(n int) error {
	if n > st.lim.MaxBigIntBytes {
		return codec.Errorf(ErrLimit, "long of %d bytes over MaxBigIntBytes %d", n, st.lim.MaxBigIntBytes)
	}
	if n > len(st.data)-st.pos {
		return codec.Errorf(ErrTruncated, "long of %d bytes, %d left", n, len(st.data)-st.pos)
	}
	if err := st.charge(bigIntSize + 2*n); err != nil {
		return err
	}
	le := st.data[st.pos : st.pos+n]
	st.pos += n
	be := make([]byte, n)
	for i, c := range le {
		be[n-1-i] = c
	}
	b := new(big.Int).SetBytes(be)
	if n > 0 && le[n-1]&0x80 != 0 {
		b.Sub(b, new(big.Int).Lsh(big.NewInt(1), uint(8*n)))
	}
	st.stack = append(st.stack, b)
	return nil
}

// textFloat decodes FLOAT: Python's repr of a float, including nan and inf.
func (st *state) textFloat() error {
	l, err := st.line()
	if err != nil {
		return err
	}
	t := trimSpace(l)
	for _, c := range t {
		// Go accepts hex floats and digit separators, Python's float() does not.
		if c == '_' || c == 'x' || c == 'X' || c == 'p' || c == 'P' {
			return codec.Errorf(ErrBadValue, "invalid float %q", l)
		}
	}
	if len(t) == 4 && (t[0] == '-' || t[0] == '+') && strings.EqualFold(string(t[1:]), "nan") {
		t = t[1:] // Python reads a signed nan; Go does not
	}
	f, perr := strconv.ParseFloat(string(t), 64)
	if perr != nil {
		// Out of range decodes to ±inf or 0, as Python's float() does.
		if ne, ok := perr.(*strconv.NumError); !ok || ne.Err != strconv.ErrRange {
			return codec.Errorf(ErrBadValue, "invalid float %q", l)
		}
	}
	st.stack = append(st.stack, f)
	return nil
}

// Short strings recur from one Pyro message to the next (object ids, method
// names, attribute names, dict keys), and so do the globals naming classes.
// Each pooled state keeps the values of such strings and globals, already
// boxed, so that decoding one again allocates nothing. A string enters the
// cache the second time it is seen, so that pickles of strings that never
// recur cost no more than without the cache; entries hold copies of their
// own, never the decoded data.
const (
	maxInterned = 40
	internSets  = 128 // of two entries each
)

// Kinds of interned values.
const (
	internStr     byte = iota // ByteString
	internUnicode             // string
	internBytes               // Bytes
	internGlobal              // Class, from GLOBAL's "module\nname"
)

// internSeed seeds the hash of interned strings: the hash is runtime's
// (hardware-assisted where available), and the seed differs per process so
// that no pickle can be made to collide in every process.
var internSeed = maphash.MakeSeed()

type internEntry struct {
	seen uint32 // hash of the last string that missed here
	kind byte
	s    string
	v    any
}

// intern returns the cached value for the string b of opcode op, or nil when
// it is not cached.
func (st *state) intern(op byte, b []byte) any {
	kind := internStr
	switch op {
	case opShortBinunicode, opBinunicode, opBinunicode8:
		kind = internUnicode
	case opShortBinbytes, opBinbytes, opBinbytes8:
		kind = internBytes
	}
	return st.cached(kind, b)
}

// cached returns the cached value of the given kind for b, or nil when it
// is not cached.
func (st *state) cached(kind byte, b []byte) any {
	h := uint32(maphash.Bytes(internSeed, b)) ^ uint32(kind)
	if h == 0 {
		h = 1 // 0 marks an entry that remembers no string
	}
	set := &st.interned[h%internSets]
	for i := range set {
		if e := &set[i]; e.v != nil && e.kind == kind && e.s == string(b) {
			return e.v
		}
	}
	for i := range set {
		if e := &set[i]; e.seen == h {
			s := string(b)
			var v any
			switch kind {
			case internStr:
				v = ByteString(s)
			case internUnicode:
				v = s
			case internBytes:
				v = Bytes(s)
			default:
				module, name, _ := strings.Cut(s, "\n")
				v = class(module, name)
			}
			*e = internEntry{seen: h, kind: kind, s: s, v: v}
			return v
		}
	}
	// First miss: remember the string's hash, so that it is cached if it
	// comes again, in a free entry that remembers no other string, else in
	// a free one, else in either. (Two strings that alternate in one set
	// would otherwise forget each other's hash and never be cached.)
	switch {
	case set[0].v == nil && set[0].seen == 0:
		set[0].seen = h
	case set[1].v == nil && set[1].seen == 0:
		set[1].seen = h
	case set[0].v == nil:
		set[0].seen = h
	case set[1].v == nil:
		set[1].seen = h
	default:
		set[h>>31].seen = h
	}
	return nil
}
