package pickle

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
	"unsafe"

	"github.com/gopyro/gopyro/internal/codec"
	"github.com/gopyro/gopyro/internal/wtf8"
)

// batchSize is how many items one APPENDS or SETITEMS carries, as in CPython.
const batchSize = 1000

// DefaultEncodeMaxDepth is the nesting depth beyond which encoding fails when
// Encoder.MaxDepth is zero. It matches CPython's default recursion limit.
const DefaultEncodeMaxDepth = 1000

// DefaultMaxOutput is the pickle length beyond which encoding fails when
// Encoder.MaxOutput is zero: 64 MiB, the message size limit a gopyro peer
// applies by default (protocol.DefaultMaxMessageSize), so that a pickle no
// default peer would accept is never built.
const DefaultMaxOutput = 64 << 20

// minSharedLeaf is the length from which strings, bytes and longs are
// memoized by identity: a value repeated through the memo costs a memo load
// (2 or 5 bytes) per reference instead of its whole length, so a pickle
// that references one long string many times stays as short as it came.
// Shorter leaves are written each time, as cPickle writes them when they
// are not shared.
const minSharedLeaf = 64

// HighestProtocol is the highest pickle protocol the Encoder writes. Pyro 3
// peers (Python 2) read protocols 0 to 2; protocols 3 to 5 are for Python 3
// peers.
const HighestProtocol = 5

// Sentinel errors of encoding, matched with errors.Is on an *EncodeError.
// The first three are the same errors as serpent's.
var (
	// ErrUnsupportedType: the Go value has no Python counterpart (chan, func,
	// complex, unsafe.Pointer, error values that are not Picklers).
	ErrUnsupportedType = codec.ErrUnsupportedType
	// ErrEncodeDepth: the value nests deeper than the encoder's MaxDepth,
	// usually because of a pointer cycle through Go structs or maps.
	ErrEncodeDepth = codec.ErrEncodeDepth
	// ErrInvalidUTF8: a Go string (Python unicode) is not UTF-8, so Python
	// could not load it.
	ErrInvalidUTF8 = codec.ErrInvalidUTF8
	// ErrUnsupportedValue: the value exists in Python but cannot be written
	// at the chosen protocol, or an Object is malformed.
	ErrUnsupportedValue = errors.New("value cannot be pickled")
	// ErrOutputLimit: the pickle would be longer than the encoder's
	// MaxOutput. Values shared by identity are written once, so this is
	// the mark of a value too large for the peer, or of one whose parts
	// are repeated without identity (Go slices, maps and structs).
	ErrOutputLimit = errors.New("pickle longer than the output limit")
)

// EncodeError reports a value that could not be encoded: Codec is "pickle",
// Path locates the value inside the encoded one (like "[2].balance"), Type
// is its Go type and Err wraps one of the sentinels above. It is the same
// type as serpent.EncodeError.
type EncodeError = codec.EncodeError

// encodeError is the *EncodeError of a value of Go type typ.
func encodeError(typ string, err error) *EncodeError {
	return &EncodeError{Codec: "pickle", Type: typ, Err: err}
}

// An Encoder writes Python pickles. The zero Encoder writes protocol 0;
// Marshal uses protocol 2, which is what Pyro 3 itself sends.
type Encoder struct {
	// Protocol is the pickle protocol, 0 to HighestProtocol.
	Protocol int
	// MaxDepth bounds the nesting of the encoded value; zero means
	// DefaultEncodeMaxDepth.
	MaxDepth int
	// MaxOutput bounds the length in bytes of the pickle (not counting
	// what dst held); zero means DefaultMaxOutput, math.MaxInt lifts the
	// bound. Past it Append fails with ErrOutputLimit, having written at
	// most MaxOutput bytes plus one string's worth into dst's buffer.
	MaxOutput int
}

// Marshal returns the protocol 2 pickle of v.
func Marshal(v any) ([]byte, error) {
	e := Encoder{Protocol: 2}
	return e.Append(make([]byte, 0, 256), v)
}

// Append appends the pickle of v to dst and returns the extended buffer. On
// error it returns dst with its original length.
func (e *Encoder) Append(dst []byte, v any) ([]byte, error) {
	out, _, err := e.append(dst, v)
	return out, err
}

// append is Append, also returning one past the last memo index the
// pickle stores.
func (e *Encoder) append(dst []byte, v any) ([]byte, int, error) {
	if e.Protocol < 0 || e.Protocol > HighestProtocol {
		return dst, 0, encodeError(fmt.Sprintf("%T", v), fmt.Errorf("%w: protocol %d (want 0 to %d)", ErrUnsupportedValue, e.Protocol, HighestProtocol))
	}
	s := encStatePool.Get().(*encState)
	s.buf = dst
	s.proto = e.Protocol
	s.maxDepth = e.MaxDepth
	if s.maxDepth <= 0 {
		s.maxDepth = DefaultEncodeMaxDepth
	}
	s.floor = 0
	s.next = 1 // cPickle numbers memo entries from 1
	if s.proto >= 4 {
		s.next = 0 // MEMOIZE numbers them from 0
	}
	start := len(dst)
	maxOut := e.MaxOutput
	if maxOut <= 0 {
		maxOut = DefaultMaxOutput
	}
	s.maxOut = maxOut
	s.limit = start + min(maxOut, math.MaxInt-start)
	if s.proto >= 2 {
		s.buf = append(s.buf, opProto, byte(s.proto))
	}
	err := s.encode(v, 0)
	out := append(s.buf, opStop)
	if err == nil && len(out) > s.limit {
		err = s.overLimit(v)
	}
	next := s.next
	s.release()
	if err != nil {
		return dst[:start], 0, err
	}
	return out, next, nil
}

// overLimit is the error for a pickle that has grown past the limit by the
// time v is to be written.
func (s *encState) overLimit(v any) error {
	return encodeError(fmt.Sprintf("%T", v), fmt.Errorf("%w of %d bytes", ErrOutputLimit, s.maxOut))
}

// full reports whether the pickle has grown past the limit. Containers ask
// before each item and dict entry, so the pickle passes the limit by at most
// one scalar or string before encoding stops.
func (s *encState) full() bool { return len(s.buf) > s.limit }

// ident is the identity of a Go value that is memoized: its address and
// type (a struct and its first field share an address), and for slices and
// strings their length (a tuple and its prefix share an address).
type ident struct {
	p unsafe.Pointer
	t reflect.Type
	n int
}

// Types of the value-model pointers, for idents.
var (
	listPtrType      = reflect.TypeFor[*List]()
	dictType         = reflect.TypeFor[Dict]()
	setPtrType       = reflect.TypeFor[*Set]()
	frozenSetPtrType = reflect.TypeFor[*FrozenSet]()
	objectPtrType    = reflect.TypeFor[*Object]()
	tupleType        = reflect.TypeFor[Tuple]()
	stringType       = reflect.TypeFor[string]()
	byteStringType   = reflect.TypeFor[ByteString]()
	byteSliceType    = reflect.TypeFor[[]byte]()
	bytesType        = reflect.TypeFor[Bytes]()
	byteArrayType    = reflect.TypeFor[ByteArray]()
)

// leafID is the identity under which a string-like value str of type t,
// written at depth, is memoized; it is the zero ident when the value is too
// short to be worth it, or is the whole pickle (which nothing can reference
// again).
func leafID(str string, t reflect.Type, depth int) ident {
	if len(str) < minSharedLeaf || depth == 0 {
		return ident{}
	}
	return ident{p: unsafe.Pointer(unsafe.StringData(str)), t: t, n: len(str)}
}

// encodeSharedUnicode writes a long unicode string, memoized by identity.
func (s *encState) encodeSharedUnicode(str string) error {
	id := leafID(str, stringType, 1)
	if s.memoized(id) {
		return nil
	}
	if err := s.encodeUnicode(str); err != nil {
		return err
	}
	s.put(id)
	return nil
}

// encodeSharedStr writes a long str of Go type t, memoized by identity.
func (s *encState) encodeSharedStr(str string, t reflect.Type) {
	id := leafID(str, t, 1)
	if !s.memoized(id) {
		s.encodeStr(str)
		s.put(id)
	}
}

// memoEntry records the memo index of a value with identity.
type memoEntry struct {
	id  ident
	idx int
}

type classEntry struct {
	c   Class
	idx int
}

// encState is one encoding in progress; pooled so Append does not allocate.
type encState struct {
	buf      []byte
	proto    int
	maxDepth int
	next     int // next memo index
	floor    int // memo indexes below it were overwritten by a splice
	maxOut   int // the Encoder's MaxOutput, defaults applied
	limit    int // the length of buf past which encoding fails
	memo     []memoEntry
	table    memoTable // the memo once it outgrows memo
	hashed   bool      // the memo is in table
	addrs    uint64    // the addrBits of the idents in memo
	classes  []classEntry
	items    []dictItem // Dict items being written, nested dicts after outer ones
	strKeys  []string   // sorted keys of string-keyed maps being written
	keys     []reflect.Value
	state    StateWriter // the writer a StatePickler is given
}

var encStatePool = sync.Pool{New: func() any { return new(encState) }}

// memoTableThreshold is the memo size beyond which lookups use a table.
const memoTableThreshold = 16

func (s *encState) release() {
	s.buf = nil
	clear(s.memo)
	s.memo = s.memo[:0]
	s.table.reset()
	s.hashed = false
	s.addrs = 0
	s.classes = s.classes[:0]
	s.items = reuse(s.items)
	s.strKeys = reuse(s.strKeys)
	s.keys = reuse(s.keys)
	encStatePool.Put(s)
}

// maxPooledItems bounds the scratch slices a pooled state keeps, so that one
// huge value does not pin its scratch memory forever.
const maxPooledItems = 4096

// reuse empties a scratch slice for the next encoding, dropping it if large.
func reuse[T any](b []T) []T {
	if cap(b) > maxPooledItems {
		return nil
	}
	clear(b)
	return b[:0]
}

func (s *encState) lookup(id ident) (int, bool) {
	if s.hashed {
		idx, ok := s.table.lookup(id)
		return idx, ok && idx >= s.floor
	}
	if s.addrs&addrBit(id.p) == 0 {
		return 0, false
	}
	// Newest first: a value memoized again after a splice (see floor)
	// has a second entry, the valid one.
	for i := len(s.memo) - 1; i >= 0; i-- {
		if m := s.memo[i]; m.id.p == id.p && m.id == id {
			return m.idx, m.idx >= s.floor
		}
	}
	return 0, false
}

// addrBit is the bit of an address in encState.addrs: most values looked
// up in a short memo were never stored, and most of those miss its bits.
func addrBit(p unsafe.Pointer) uint64 {
	return 1 << (uint64(uintptr(p)) * 0x9e3779b97f4a7c15 >> 58)
}

// put writes a memo store for the value just built and, when id is not
// zero, remembers id so that later references become memo loads.
func (s *encState) put(id ident) {
	idx := s.next
	s.next++
	switch {
	case s.proto == 0:
		s.buf = append(s.buf, opPut)
		s.buf = strconv.AppendInt(s.buf, int64(idx), 10)
		s.buf = append(s.buf, '\n')
	case s.proto >= 4:
		s.buf = append(s.buf, opMemoize)
	case idx < 256:
		s.buf = append(s.buf, opBinput, byte(idx))
	default:
		s.buf = append(s.buf, opLongBinput)
		s.buf = binary.LittleEndian.AppendUint32(s.buf, uint32(idx))
	}
	if id.p == nil {
		return
	}
	if s.hashed {
		s.table.put(id, idx)
		return
	}
	s.addrs |= addrBit(id.p)
	s.memo = append(s.memo, memoEntry{id, idx})
	if len(s.memo) > memoTableThreshold {
		s.hashed = true
		for _, m := range s.memo {
			s.table.put(m.id, m.idx)
		}
	}
}

func (s *encState) get(idx int) {
	switch {
	case s.proto == 0:
		s.buf = append(s.buf, opGet)
		s.buf = strconv.AppendInt(s.buf, int64(idx), 10)
		s.buf = append(s.buf, '\n')
	case idx < 256:
		s.buf = append(s.buf, opBinget, byte(idx))
	default:
		s.buf = append(s.buf, opLongBinget)
		s.buf = binary.LittleEndian.AppendUint32(s.buf, uint32(idx))
	}
}

// memoized emits a memo load and reports true when id was encoded before.
func (s *encState) memoized(id ident) bool {
	if idx, ok := s.lookup(id); ok {
		s.get(idx)
		return true
	}
	return false
}

// putLeaf memoizes the leaf just written when its id is not zero; short
// leaves get no memo store, as cPickle gives none to unshared strings.
func (s *encState) putLeaf(id ident) {
	if id.p != nil {
		s.put(id)
	}
}

// dictPtr returns the identity of a Dict: og-rek's Dict is a single pointer.
func dictPtr(d Dict) unsafe.Pointer { return *(*unsafe.Pointer)(unsafe.Pointer(&d)) }

// The layout dictPtr relies on; compilation fails if og-rek changes it.
var _ [unsafe.Sizeof(Dict{}) - unsafe.Sizeof(uintptr(0))]struct{}
var _ [unsafe.Sizeof(uintptr(0)) - unsafe.Sizeof(Dict{})]struct{}

func (s *encState) encode(v any, depth int) error {
	switch x := v.(type) {
	case *Pickled:
		return s.splice(x)
	case nil:
		s.buf = append(s.buf, opNone)
	case None:
		s.buf = append(s.buf, opNone)
	case bool:
		s.encodeBool(x)
	case int:
		s.encodeInt(int64(x))
	case int64:
		s.encodeInt(x)
	case int32:
		s.encodeInt(int64(x))
	case int16:
		s.encodeInt(int64(x))
	case int8:
		s.encodeInt(int64(x))
	case uint:
		s.encodeUint(uint64(x))
	case uint64:
		s.encodeUint(x)
	case uint32:
		s.encodeInt(int64(x))
	case uint16:
		s.encodeInt(int64(x))
	case uint8:
		s.encodeInt(int64(x))
	case float64:
		s.encodeFloat(x)
	case float32:
		s.encodeFloat(float64(x))
	case string:
		if len(x) < minSharedLeaf || depth == 0 {
			return s.encodeUnicode(x)
		}
		return s.encodeSharedUnicode(x)
	case ByteString:
		if len(x) < minSharedLeaf || depth == 0 {
			s.encodeStr(string(x))
		} else {
			s.encodeSharedStr(string(x), byteStringType)
		}
	case []byte:
		str := unsafe.String(unsafe.SliceData(x), len(x))
		if len(x) < minSharedLeaf || depth == 0 {
			s.encodeStr(str)
		} else {
			s.encodeSharedStr(str, byteSliceType)
		}
	case Bytes:
		return s.encodeBytes(string(x), leafID(string(x), bytesType, depth))
	case ByteArray:
		return s.encodeByteArray(x)
	case *big.Int:
		if x == nil {
			s.buf = append(s.buf, opNone)
			return nil
		}
		if x.BitLen() < 8*minSharedLeaf || depth == 0 {
			s.encodeLong(x)
			return nil
		}
		id := ident{p: unsafe.Pointer(x), t: bigIntPtrType}
		if !s.memoized(id) {
			s.encodeLong(x)
			s.put(id)
		}
	case Tuple:
		return s.encodeTuple(x, depth, true)
	case *List:
		if x == nil {
			s.buf = append(s.buf, opNone)
			return nil
		}
		id := ident{p: unsafe.Pointer(x), t: listPtrType}
		if s.memoized(id) {
			return nil
		}
		s.startList(id)
		return s.appendItems(x.Items, depth)
	case []any:
		s.startList(ident{})
		return s.appendItems(x, depth)
	case []string:
		return encodeSlice(s, x, (*encState).encodeUnicode)
	case []ByteString:
		return encodeSlice(s, x, func(s *encState, b ByteString) error { s.encodeStr(string(b)); return nil })
	case []int:
		return encodeSlice(s, x, func(s *encState, i int) error { s.encodeInt(int64(i)); return nil })
	case []int64:
		return encodeSlice(s, x, func(s *encState, i int64) error { s.encodeInt(i); return nil })
	case []float64:
		return encodeSlice(s, x, func(s *encState, f float64) error { s.encodeFloat(f); return nil })
	case map[string]any:
		return encodeStringMap(s, x, depth, func(s *encState, v any, depth int) error { return s.encode(v, depth) })
	case map[string]string:
		return encodeStringMap(s, x, depth, func(s *encState, v string, _ int) error { return s.encodeUnicode(v) })
	case Dict:
		return s.encodeDict(x, depth)
	case *Set:
		if x == nil {
			s.buf = append(s.buf, opNone)
			return nil
		}
		return s.encodeSet("set", ident{p: unsafe.Pointer(x), t: setPtrType}, x.Items, depth)
	case *FrozenSet:
		if x == nil {
			s.buf = append(s.buf, opNone)
			return nil
		}
		return s.encodeSet("frozenset", ident{p: unsafe.Pointer(x), t: frozenSetPtrType}, x.Items, depth)
	case Class:
		return s.encodeClass(x)
	case *Object:
		if x == nil {
			s.buf = append(s.buf, opNone)
			return nil
		}
		return s.encodeObject(x, ident{p: unsafe.Pointer(x), t: objectPtrType}, depth)
	case Pickler:
		return s.encodePickler(x, depth)
	default:
		return s.encodeReflect(reflect.ValueOf(v), depth)
	}
	return nil
}

func (s *encState) encodeBool(b bool) {
	switch {
	case s.proto >= 2 && b:
		s.buf = append(s.buf, opNewtrue)
	case s.proto >= 2:
		s.buf = append(s.buf, opNewfalse)
	case b:
		s.buf = append(s.buf, "I01\n"...)
	default:
		s.buf = append(s.buf, "I00\n"...)
	}
}

// encodeInt writes a Python int as cPickle does: BININT1/BININT2/BININT when
// the value fits in 32 bits, else the text INT (which Python 2 reads as int on
// 64-bit builds).
func (s *encState) encodeInt(i int64) {
	if s.proto >= 1 {
		switch {
		case i >= 0 && i <= 0xff:
			s.buf = append(s.buf, opBinint1, byte(i))
			return
		case i >= 0 && i <= 0xffff:
			s.buf = append(s.buf, opBinint2, byte(i), byte(i>>8))
			return
		case i >= math.MinInt32 && i <= math.MaxInt32:
			s.buf = append(s.buf, opBinint)
			s.buf = binary.LittleEndian.AppendUint32(s.buf, uint32(i))
			return
		}
	}
	s.buf = append(s.buf, opInt)
	s.buf = strconv.AppendInt(s.buf, i, 10)
	s.buf = append(s.buf, '\n')
}

func (s *encState) encodeUint(u uint64) {
	if u <= math.MaxInt64 {
		s.encodeInt(int64(u))
		return
	}
	s.encodeLong(new(big.Int).SetUint64(u))
}

// encodeLong writes a Python long: LONG1/LONG4 with the minimal two's
// complement little-endian bytes at protocol 2, else the text form "L123L".
func (s *encState) encodeLong(x *big.Int) {
	if s.proto < 2 {
		s.buf = append(s.buf, opLong)
		s.buf = x.Append(s.buf, 10)
		s.buf = append(s.buf, 'L', '\n')
		return
	}
	if x.Sign() == 0 {
		s.buf = append(s.buf, opLong1, 0)
		return
	}
	// Minimal two's complement length: one more byte than the magnitude
	// needs for its sign bit.
	var n int
	mag := x
	if x.Sign() > 0 {
		n = x.BitLen()/8 + 1
	} else {
		m := new(big.Int).Not(x) // -x-1
		n = m.BitLen()/8 + 1
		mag = new(big.Int).Lsh(big.NewInt(1), uint(8*n))
		mag.Add(mag, x)
	}
	if n < 256 {
		s.buf = append(s.buf, opLong1, byte(n))
	} else {
		s.buf = append(s.buf, opLong4)
		s.buf = binary.LittleEndian.AppendUint32(s.buf, uint32(n))
	}
	start := len(s.buf)
	s.buf = append(s.buf, make([]byte, n)...)
	b := s.buf[start:]
	mag.FillBytes(b) // big-endian
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
}

// encodeFloat writes BINFLOAT, or at protocol 0 the text form cPickle writes
// ("%.17g", with inf and nan spelled as C does).
func (s *encState) encodeFloat(f float64) {
	if s.proto >= 1 {
		s.buf = append(s.buf, opBinfloat)
		s.buf = binary.BigEndian.AppendUint64(s.buf, math.Float64bits(f))
		return
	}
	s.buf = append(s.buf, opFloat)
	switch {
	case math.IsInf(f, 1):
		s.buf = append(s.buf, "inf"...)
	case math.IsInf(f, -1):
		s.buf = append(s.buf, "-inf"...)
	case math.IsNaN(f):
		s.buf = append(s.buf, "nan"...)
	default:
		s.buf = strconv.AppendFloat(s.buf, f, 'g', 17, 64)
	}
	s.buf = append(s.buf, '\n')
}

// encodeStr writes a Python 2 str.
func (s *encState) encodeStr(str string) {
	switch {
	case s.proto == 0:
		s.buf = append(s.buf, opString)
		s.buf = appendPyRepr(s.buf, str)
		s.buf = append(s.buf, '\n')
	case len(str) < 256:
		s.buf = append(s.buf, opShortBinstring, byte(len(str)))
		s.buf = append(s.buf, str...)
	default:
		s.buf = append(s.buf, opBinstring)
		s.buf = binary.LittleEndian.AppendUint32(s.buf, uint32(len(str)))
		s.buf = append(s.buf, str...)
	}
}

const hexDigits = "0123456789abcdef"

// appendPyRepr appends Python 2's repr of the str s, which protocol 0's
// STRING opcode carries.
func appendPyRepr(b []byte, s string) []byte {
	quote := byte('\'')
	for i := 0; i < len(s); i++ {
		if s[i] == '\'' {
			quote = '"'
		}
	}
	if quote == '"' {
		for i := 0; i < len(s); i++ {
			if s[i] == '"' {
				quote = '\''
				break
			}
		}
	}
	b = append(b, quote)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == quote || c == '\\':
			b = append(b, '\\', c)
		case c == '\t':
			b = append(b, '\\', 't')
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c < ' ' || c >= 0x7f:
			b = append(b, '\\', 'x', hexDigits[c>>4], hexDigits[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, quote)
}

// encodeUnicode writes a Go string as Python unicode.
func (s *encState) encodeUnicode(str string) error {
	if !wtf8.ValidString(str) {
		return encodeError("string", ErrInvalidUTF8)
	}
	if s.proto == 0 {
		s.buf = append(s.buf, opUnicode)
		s.buf = appendRawUnicodeEscape(s.buf, str)
		s.buf = append(s.buf, '\n')
		return nil
	}
	if s.proto >= 4 && len(str) < 256 {
		s.buf = append(s.buf, opShortBinunicode, byte(len(str)))
	} else {
		s.buf = append(s.buf, opBinunicode)
		s.buf = binary.LittleEndian.AppendUint32(s.buf, uint32(len(str)))
	}
	s.buf = append(s.buf, str...)
	return nil
}

// appendRawUnicodeEscape appends s in the raw-unicode-escape form of
// protocol 0's UNICODE opcode, escaping backslash and newline as cPickle does.
func appendRawUnicodeEscape(b []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c == '\\' || c == '\n' {
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			} else {
				b = append(b, c)
			}
			i++
			continue
		}
		r, n := wtf8.DecodeRune(s[i:])
		i += n
		switch {
		case r < 0x100:
			b = append(b, byte(r))
		case r < 0x10000:
			b = append(b, '\\', 'u')
			for sh := 12; sh >= 0; sh -= 4 {
				b = append(b, hexDigits[(r>>sh)&0xf])
			}
		default:
			b = append(b, '\\', 'U')
			for sh := 28; sh >= 0; sh -= 4 {
				b = append(b, hexDigits[(r>>sh)&0xf])
			}
		}
	}
	return b
}

// encodeBytes writes a Python 3 bytes: BINBYTES at protocol 3, else the form
// Python 3 itself uses for older protocols, _codecs.encode(latin1_text,
// 'latin1'), which Python 2 loads as a str. It is memoized under id (see
// putLeaf).
func (s *encState) encodeBytes(b string, id ident) error {
	if id.p != nil && s.memoized(id) {
		return nil
	}
	if s.proto >= 3 {
		if len(b) < 256 {
			s.buf = append(s.buf, opShortBinbytes, byte(len(b)))
		} else {
			s.buf = append(s.buf, opBinbytes)
			s.buf = binary.LittleEndian.AppendUint32(s.buf, uint32(len(b)))
		}
		s.buf = append(s.buf, b...)
		s.putLeaf(id)
		return nil
	}
	if err := s.encodeClass(Class{Module: "_codecs", Name: "encode"}); err != nil {
		return err
	}
	s.startTuple(2)
	s.encodeLatin1(b)
	s.encodeStr("latin1")
	s.endTuple(2)
	s.buf = append(s.buf, opReduce)
	s.put(id)
	return nil
}

// encodeLatin1 writes the bytes b decoded as latin-1 as a Python unicode.
func (s *encState) encodeLatin1(b string) {
	n := len(b)
	for i := 0; i < len(b); i++ {
		if b[i] >= 0x80 {
			n++
		}
	}
	if s.proto == 0 {
		s.buf = append(s.buf, opUnicode)
		for i := 0; i < len(b); i++ {
			c := b[i]
			if c == '\\' || c == '\n' {
				s.buf = append(s.buf, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			} else {
				s.buf = append(s.buf, c)
			}
		}
		s.buf = append(s.buf, '\n')
		return
	}
	s.buf = append(s.buf, opBinunicode)
	s.buf = binary.LittleEndian.AppendUint32(s.buf, uint32(n))
	for i := 0; i < len(b); i++ {
		s.buf = utf8.AppendRune(s.buf, rune(b[i]))
	}
}

// endTuple closes a tuple of n items that were written after a MARK (when
// n is not 1 to 3 at protocol 2) or directly.
func (s *encState) endTuple(n int) {
	if s.proto >= 2 && n >= 1 && n <= 3 {
		s.buf = append(s.buf, opTuple1+byte(n-1))
		return
	}
	s.buf = append(s.buf, opTuple)
}

// startTuple writes the MARK a tuple of n items needs, if any.
func (s *encState) startTuple(n int) {
	if s.proto < 2 || n < 1 || n > 3 {
		s.buf = append(s.buf, opMark)
	}
}

// encodeByteArray writes a bytearray as Python 2 reduces it:
// bytearray(latin1_text, 'latin-1'); at protocols 3 and 4, bytearray(bytes);
// at protocol 5, BYTEARRAY8. A bytearray is mutable, so one that is
// referenced twice is written once whatever its length, like a list.
func (s *encState) encodeByteArray(b ByteArray) error {
	var id ident
	if len(b) > 0 {
		id = ident{p: unsafe.Pointer(unsafe.SliceData(b)), t: byteArrayType, n: len(b)}
		if s.memoized(id) {
			return nil
		}
	}
	if s.proto >= 5 {
		s.buf = append(s.buf, opBytearray8)
		s.buf = binary.LittleEndian.AppendUint64(s.buf, uint64(len(b)))
		s.buf = append(s.buf, b...)
		s.put(id)
		return nil
	}
	if s.proto >= 3 {
		if err := s.encodeClass(Class{Module: "builtins", Name: "bytearray"}); err != nil {
			return err
		}
		if err := s.encodeBytes(string(b), ident{}); err != nil {
			return err
		}
		s.endTuple(1)
	} else {
		if err := s.encodeClass(Class{Module: "__builtin__", Name: "bytearray"}); err != nil {
			return err
		}
		s.startTuple(2)
		s.encodeLatin1(string(b))
		s.encodeStr("latin-1")
		s.endTuple(2)
	}
	s.buf = append(s.buf, opReduce)
	s.put(id)
	return nil
}

// encodeTuple writes a tuple. memo says whether to store it in the memo, as
// cPickle does for tuples that other objects also reference. A memoized
// tuple is known by its items' address and count: a tuple the decoder made
// once and referenced twice is one Go slice, so it is written once and then
// loaded from the memo, however often it is referenced (as cPickle does; a
// tuple holding the same tuple twice, forty deep, stays a few hundred bytes
// rather than 2^40 items).
func (s *encState) encodeTuple(t Tuple, depth int, memo bool) error {
	if len(t) == 0 {
		if s.proto >= 1 {
			s.buf = append(s.buf, opEmptyTuple)
		} else {
			s.buf = append(s.buf, opMark, opTuple)
		}
		return nil
	}
	var id ident
	if memo {
		id = ident{p: unsafe.Pointer(unsafe.SliceData(t)), t: tupleType, n: len(t)}
		if s.memoized(id) {
			return nil
		}
	}
	if depth >= s.maxDepth {
		return encodeError("pickle.Tuple", ErrEncodeDepth)
	}
	next := s.next
	s.startTuple(len(t))
	for i, item := range t {
		if s.full() {
			return codec.AtPath(s.overLimit(item), codec.IndexPath(i))
		}
		if err := s.encode(item, depth+1); err != nil {
			return codec.AtPath(err, codec.IndexPath(i))
		}
	}
	if memo && s.next != next {
		// The tuple may have been written while its items were: it
		// contains itself through a list, dict or instance. Then the
		// items on the stack are dropped and the memo's copy is used.
		if idx, ok := s.lookup(id); ok {
			s.popTuple(len(t))
			s.get(idx)
			return nil
		}
	}
	s.endTuple(len(t))
	s.put(id)
	return nil
}

// popTuple drops the items (and MARK) of a tuple of n items from the stack,
// as cPickle does for a tuple that turned out to be recursive.
func (s *encState) popTuple(n int) {
	switch {
	case s.proto >= 2 && n <= 3:
		for range n {
			s.buf = append(s.buf, opPop)
		}
	case s.proto >= 1:
		s.buf = append(s.buf, opPopMark)
	default:
		for range n + 1 {
			s.buf = append(s.buf, opPop)
		}
	}
}

// startList writes an empty list and stores it in the memo under p.
func (s *encState) startList(id ident) {
	if s.proto >= 1 {
		s.buf = append(s.buf, opEmptyList)
	} else {
		s.buf = append(s.buf, opMark, opList)
	}
	s.put(id)
}

// appendItems appends items to the list (or list-like object) on the stack in
// batches, as cPickle does.
func (s *encState) appendItems(items []any, depth int) error {
	if len(items) == 0 {
		return nil
	}
	if depth >= s.maxDepth {
		return encodeError("list", ErrEncodeDepth)
	}
	for start := 0; start < len(items); start += batchSize {
		batch := items[start:min(start+batchSize, len(items))]
		multi := s.proto >= 1 && len(batch) > 1
		if multi {
			s.buf = append(s.buf, opMark)
		}
		for i, item := range batch {
			if s.full() {
				return codec.AtPath(s.overLimit(item), codec.IndexPath(start+i))
			}
			if err := s.encode(item, depth+1); err != nil {
				return codec.AtPath(err, codec.IndexPath(start+i))
			}
			if !multi {
				s.buf = append(s.buf, opAppend)
			}
		}
		if multi {
			s.buf = append(s.buf, opAppends)
		}
	}
	return nil
}

// encodeSlice writes a slice of scalars as a list without boxing its items.
func encodeSlice[T any](s *encState, items []T, write func(*encState, T) error) error {
	s.startList(ident{})
	for start := 0; start < len(items); start += batchSize {
		batch := items[start:min(start+batchSize, len(items))]
		multi := s.proto >= 1 && len(batch) > 1
		if multi {
			s.buf = append(s.buf, opMark)
		}
		for i, item := range batch {
			if s.full() {
				return codec.AtPath(s.overLimit(item), codec.IndexPath(start+i))
			}
			if err := write(s, item); err != nil {
				return codec.AtPath(err, codec.IndexPath(start+i))
			}
			if !multi {
				s.buf = append(s.buf, opAppend)
			}
		}
		if multi {
			s.buf = append(s.buf, opAppends)
		}
	}
	return nil
}

// encodeStringMap writes a map with string keys as a dict, keys sorted,
// without reflection.
func encodeStringMap[V any](s *encState, m map[string]V, depth int, write func(*encState, V, int) error) error {
	s.startDict(ident{})
	if len(m) == 0 {
		return nil
	}
	if depth >= s.maxDepth {
		return encodeError("map", ErrEncodeDepth)
	}
	mark := len(s.strKeys)
	for k := range m {
		s.strKeys = append(s.strKeys, k)
	}
	slices.Sort(s.strKeys[mark:])
	defer func() {
		clear(s.strKeys[mark:])
		s.strKeys = s.strKeys[:mark]
	}()
	b := batcher{s: s, n: len(m)}
	for i := mark; i < mark+len(m); i++ {
		k := s.strKeys[i] // s.strKeys may grow while the values are written
		if s.full() {
			return codec.AtPath(s.overLimit(m[k]), "["+strconv.Quote(k)+"]")
		}
		b.before()
		if err := s.encodeUnicode(k); err != nil {
			return codec.AtPath(err, "{key}")
		}
		if err := write(s, m[k], depth+1); err != nil {
			return codec.AtPath(err, "["+strconv.Quote(k)+"]")
		}
		b.after()
	}
	return nil
}

// startDict writes an empty dict and stores it in the memo under p.
func (s *encState) startDict(id ident) {
	if s.proto >= 1 {
		s.buf = append(s.buf, opEmptyDict)
	} else {
		s.buf = append(s.buf, opMark, opDict)
	}
	s.put(id)
}

// batcher emits the MARK/SETITEMS framing for n key-value pairs.
type batcher struct {
	s     *encState
	n, i  int
	multi bool
}

func (b *batcher) before() {
	if b.i%batchSize == 0 {
		b.multi = b.s.proto >= 1 && min(batchSize, b.n-b.i) > 1
		if b.multi {
			b.s.buf = append(b.s.buf, opMark)
		}
	}
}

func (b *batcher) after() {
	b.i++
	if !b.multi {
		b.s.buf = append(b.s.buf, opSetitem)
	} else if b.i%batchSize == 0 || b.i == b.n {
		b.s.buf = append(b.s.buf, opSetitems)
	}
}

func (s *encState) encodeDict(d Dict, depth int) error {
	id := ident{p: dictPtr(d), t: dictType}
	if id.p == nil {
		s.startDict(ident{})
		return nil
	}
	if s.memoized(id) {
		return nil
	}
	s.startDict(id)
	n := d.Len()
	if n == 0 {
		return nil
	}
	if depth >= s.maxDepth {
		return encodeError("pickle.Dict", ErrEncodeDepth)
	}
	// Items are written in sorted key order so that output is deterministic
	// (og-rek's Dict iterates in random order). They are collected into a
	// buffer shared by nested dicts.
	mark := len(s.items)
	for k, v := range DictItems(d) {
		s.items = append(s.items, dictItem{k, v})
	}
	slices.SortStableFunc(s.items[mark:], func(a, b dictItem) int { return CompareKeys(a.k, b.k) })
	defer func() {
		clear(s.items[mark:])
		s.items = s.items[:mark]
	}()
	b := batcher{s: s, n: len(s.items) - mark}
	for i := mark; i < mark+b.n; i++ {
		it := s.items[i] // s.items may grow while the values are written
		if s.full() {
			return codec.AtPath(s.overLimit(it.v), "["+keyString(it.k)+"]")
		}
		b.before()
		if err := s.encode(it.k, depth+1); err != nil {
			return codec.AtPath(err, "{key}")
		}
		if err := s.encode(it.v, depth+1); err != nil {
			return codec.AtPath(err, "["+keyString(it.k)+"]")
		}
		b.after()
	}
	return nil
}

// dictItem is one key and value of a Dict being written.
type dictItem struct{ k, v any }

// CompareKeys orders dict keys: None, then bools, numbers by value, strings
// (str, unicode, bytes) by their bytes, tuples item by item, then the rest
// by type and printed form. A Dict has no order of its own; the encoders of
// every gopyro codec write its keys in this order, so that their output is
// deterministic (package serpent uses it for Dicts and Go maps).
func CompareKeys(a, b any) int {
	if x, ok := a.(string); ok { // the common case: str keys
		if y, ok := b.(string); ok {
			return strings.Compare(x, y)
		}
	}
	ra, rb := keyRank(a), keyRank(b)
	if ra != rb {
		return cmp.Compare(ra, rb)
	}
	switch ra {
	case 1:
		return cmp.Compare(boolInt(a.(bool)), boolInt(b.(bool)))
	case 2:
		return compareNumbers(a, b)
	case 3:
		return strings.Compare(keyBytes(a), keyBytes(b))
	case 4:
		ta, tb := a.(Tuple), b.(Tuple)
		for i := 0; i < len(ta) && i < len(tb); i++ {
			if c := CompareKeys(ta[i], tb[i]); c != 0 {
				return c
			}
		}
		return cmp.Compare(len(ta), len(tb))
	case 5:
		return strings.Compare(fmt.Sprintf("%T %v", a, a), fmt.Sprintf("%T %v", b, b))
	}
	return 0
}

func keyRank(v any) int {
	switch v.(type) {
	case nil, None:
		return 0
	case bool:
		return 1
	case int64, int, int32, int16, int8, uint, uint64, uint32, uint16, uint8, float64, float32, *big.Int:
		return 2
	case string, ByteString, Bytes:
		return 3
	case Tuple:
		return 4
	}
	return 5
}

func keyBytes(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case ByteString:
		return string(x)
	case Bytes:
		return string(x)
	}
	return ""
}

// compareNumbers compares two numbers of rank 2 by value.
func compareNumbers(a, b any) int {
	ia, aInt := a.(int64)
	ib, bInt := b.(int64)
	if aInt && bInt {
		return cmp.Compare(ia, ib)
	}
	return toBigFloat(a).Cmp(toBigFloat(b))
}

func toBigFloat(v any) *big.Float {
	switch x := v.(type) {
	case *big.Int:
		return new(big.Float).SetInt(x)
	case float64:
		if x != x { // nan sorts first
			return big.NewFloat(math.Inf(-1))
		}
		return big.NewFloat(x)
	case float32:
		return toBigFloat(float64(x))
	}
	rv := reflect.ValueOf(v)
	if rv.CanInt() {
		return new(big.Float).SetInt64(rv.Int())
	}
	return new(big.Float).SetUint64(rv.Uint())
}

// keyString renders a dict key for an error path.
func keyString(k any) string {
	switch x := k.(type) {
	case string:
		return strconv.Quote(x)
	case ByteString:
		return strconv.Quote(string(x))
	}
	return fmt.Sprint(k)
}

// setItemsPairs writes key, value pairs flattened in kv (Object.DictItems).
func (s *encState) setItemsPairs(kv []any, depth int) error {
	if len(kv)%2 != 0 {
		return encodeError("*pickle.Object", fmt.Errorf("%w: odd DictItems length %d", ErrUnsupportedValue, len(kv)))
	}
	b := batcher{s: s, n: len(kv) / 2}
	for i := 0; i < len(kv); i += 2 {
		if s.full() {
			return codec.AtPath(s.overLimit(kv[i]), ".DictItems"+codec.IndexPath(i))
		}
		b.before()
		if err := s.encode(kv[i], depth+1); err != nil {
			return codec.AtPath(err, ".DictItems"+codec.IndexPath(i))
		}
		if err := s.encode(kv[i+1], depth+1); err != nil {
			return codec.AtPath(err, ".DictItems"+codec.IndexPath(i+1))
		}
		b.after()
	}
	return nil
}

// encodeSet writes a set or frozenset as Python 2 reduces it, set([items]),
// or at protocol 4 with the set opcodes.
func (s *encState) encodeSet(name string, p ident, items []any, depth int) error {
	if s.memoized(p) {
		return nil
	}
	if s.proto >= 4 {
		return s.encodeSet4(name == "set", p, items, depth)
	}
	module := "__builtin__"
	if s.proto >= 3 {
		module = "builtins"
	}
	if err := s.encodeClass(Class{Module: module, Name: name}); err != nil {
		return err
	}
	s.startTuple(1)
	s.startList(ident{})
	if err := s.appendItems(items, depth); err != nil {
		return err
	}
	s.endTuple(1)
	s.buf = append(s.buf, opReduce)
	s.put(p)
	return nil
}

// encodeSet4 writes EMPTY_SET and ADDITEMS batches, or a FROZENSET.
func (s *encState) encodeSet4(mutable bool, p ident, items []any, depth int) error {
	if depth >= s.maxDepth {
		return encodeError("set", ErrEncodeDepth)
	}
	if mutable {
		s.buf = append(s.buf, opEmptySet)
		s.put(p)
	}
	for start := 0; start < len(items) || (start == 0 && !mutable); start += batchSize {
		s.buf = append(s.buf, opMark)
		for i, item := range items[start:min(start+batchSize, len(items))] {
			if s.full() {
				return codec.AtPath(s.overLimit(item), codec.IndexPath(start+i))
			}
			if err := s.encode(item, depth+1); err != nil {
				return codec.AtPath(err, codec.IndexPath(start+i))
			}
		}
		if mutable {
			s.buf = append(s.buf, opAdditems)
		} else {
			s.buf = append(s.buf, opFrozenset)
			s.put(p)
			break
		}
	}
	return nil
}

// encodeClass writes a GLOBAL, stored in the memo and reused like cPickle
// reuses a class object.
func (s *encState) encodeClass(c Class) error {
	for _, e := range s.classes {
		if e.c == c {
			s.get(e.idx)
			return nil
		}
	}
	if !validGlobalName(c.Module) || !validGlobalName(c.Name) {
		return encodeError("pickle.Class", fmt.Errorf("%w: bad global name %q %q", ErrUnsupportedValue, c.Module, c.Name))
	}
	if s.proto >= 4 {
		// Protocol 4 names globals with STACK_GLOBAL, as Python 3 does.
		if err := s.encodeUnicode(c.Module); err != nil {
			return err
		}
		if err := s.encodeUnicode(c.Name); err != nil {
			return err
		}
		s.buf = append(s.buf, opStackGlobal)
	} else {
		s.buf = append(s.buf, opGlobal)
		s.buf = append(s.buf, c.Module...)
		s.buf = append(s.buf, '\n')
		s.buf = append(s.buf, c.Name...)
		s.buf = append(s.buf, '\n')
	}
	s.classes = append(s.classes, classEntry{c, s.next})
	s.put(ident{})
	return nil
}

func validGlobalName(n string) bool {
	if n == "" {
		return false
	}
	for i := 0; i < len(n); i++ {
		if n[i] == '\n' || n[i] == '\r' {
			return false
		}
	}
	return true
}

var reconstructor = Class{Module: "copy_reg", Name: "_reconstructor"}
var builtinObject = Class{Module: "__builtin__", Name: "object"}

// encodeObject writes an instance the way its Build says it was built, then
// its list items, dict items and BUILD state, as CPython's save_reduce does.
// p is the identity under which the instance is memoized.
func (s *encState) encodeObject(o *Object, p ident, depth int) error {
	if s.memoized(p) {
		return nil
	}
	if depth >= s.maxDepth {
		return encodeError("*pickle.Object", ErrEncodeDepth)
	}
	wrap := func(err error, field string) error { return codec.AtPath(err, "."+field) }
	if len(o.Kwargs) > 0 && (s.proto < 4 || o.Build != BuildNewObj) {
		return encodeError("*pickle.Object", fmt.Errorf("%w: keyword arguments of %s.%s need protocol 4 and BuildNewObj", ErrUnsupportedValue, o.Class.Module, o.Class.Name))
	}
	build := o.Build
	if build == BuildNewObj && s.proto < 2 {
		if len(o.Args) > 0 {
			return encodeError("*pickle.Object", fmt.Errorf("%w: %s.%s with constructor arguments needs protocol 2", ErrUnsupportedValue, o.Class.Module, o.Class.Name))
		}
		build = BuildReconstructor
	}
	switch build {
	case BuildNewObj:
		if err := s.encodeClass(o.Class); err != nil {
			return wrap(err, "Class")
		}
		if err := s.encodeTuple(o.Args, depth, false); err != nil {
			return wrap(err, "Args")
		}
		if len(o.Kwargs) > 0 {
			if err := encodeStringMap(s, o.Kwargs, depth, func(s *encState, v any, depth int) error { return s.encode(v, depth) }); err != nil {
				return wrap(err, "Kwargs")
			}
			s.buf = append(s.buf, opNewobjEx)
		} else {
			s.buf = append(s.buf, opNewobj)
		}
	case BuildReduce:
		if err := s.encodeClass(o.Class); err != nil {
			return wrap(err, "Class")
		}
		if err := s.encodeTuple(o.Args, depth, true); err != nil {
			return wrap(err, "Args")
		}
		s.buf = append(s.buf, opReduce)
	case BuildOldStyle:
		s.buf = append(s.buf, opMark)
		if s.proto >= 1 {
			if err := s.encodeClass(o.Class); err != nil {
				return wrap(err, "Class")
			}
		}
		for i, a := range o.Args {
			if err := s.encode(a, depth+1); err != nil {
				return wrap(err, "Args"+codec.IndexPath(i))
			}
		}
		if s.proto >= 1 {
			s.buf = append(s.buf, opObj)
		} else {
			if !validGlobalName(o.Class.Module) || !validGlobalName(o.Class.Name) {
				return encodeError("*pickle.Object", fmt.Errorf("%w: bad class name %q %q", ErrUnsupportedValue, o.Class.Module, o.Class.Name))
			}
			s.buf = append(s.buf, opInst)
			s.buf = append(s.buf, o.Class.Module...)
			s.buf = append(s.buf, '\n')
			s.buf = append(s.buf, o.Class.Name...)
			s.buf = append(s.buf, '\n')
		}
	case BuildReconstructor:
		if err := s.reconstruct(o.Class, o.Base, o.BaseState, depth); err != nil {
			return err
		}
	default:
		return encodeError("*pickle.Object", fmt.Errorf("%w: unknown Build %d", ErrUnsupportedValue, o.Build))
	}
	s.put(p)
	if err := s.appendItems(o.ListItems, depth); err != nil {
		return wrap(err, "ListItems")
	}
	if err := s.setItemsPairs(o.DictItems, depth); err != nil {
		return err
	}
	if o.State != nil {
		if err := s.encode(o.State, depth+1); err != nil {
			return wrap(err, "State")
		}
		s.buf = append(s.buf, opBuild)
	}
	return nil
}

// reconstruct writes copy_reg._reconstructor(cls, base, baseState), the
// protocol 0 and 1 form of a new-style instance; a zero base is object.
func (s *encState) reconstruct(cls, base Class, baseState any, depth int) error {
	if err := s.encodeClass(reconstructor); err != nil {
		return err
	}
	if base == (Class{}) {
		base = builtinObject
	}
	s.startTuple(3)
	if err := s.encodeClass(cls); err != nil {
		return codec.AtPath(err, ".Class")
	}
	if err := s.encodeClass(base); err != nil {
		return codec.AtPath(err, ".Base")
	}
	if err := s.encode(baseState, depth+1); err != nil {
		return codec.AtPath(err, ".BaseState")
	}
	s.endTuple(3)
	s.buf = append(s.buf, opReduce)
	return nil
}

// encodePickler encodes the Object a Pickler returns, memoized under the
// Pickler's own pointer when it is one, so shared Go values stay shared.
func (s *encState) encodePickler(pk Pickler, depth int) error {
	rv := reflect.ValueOf(pk)
	var p ident
	if rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			s.buf = append(s.buf, opNone)
			return nil
		}
		p = ident{p: rv.UnsafePointer(), t: rv.Type()}
		if s.memoized(p) {
			return nil
		}
	}
	if sp, ok := pk.(StatePickler); ok {
		return s.encodeState(sp, p, depth)
	}
	o, err := pk.PickleObject()
	if err != nil {
		return encodeError(rv.Type().String(), err)
	}
	if o == nil {
		return encodeError(rv.Type().String(), fmt.Errorf("%w: PickleObject returned nil", ErrUnsupportedValue))
	}
	if p.p == nil {
		p = ident{p: unsafe.Pointer(o), t: objectPtrType}
	}
	return s.encodeObject(o, p, depth)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
