package pymarshal

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/gopyro/gopyro/internal/pyval"
	"github.com/gopyro/gopyro/internal/wtf8"
	"github.com/gopyro/gopyro/pickle"
)

// The type codes of Python 3's marshal format (Python/marshal.c) that data
// may hold; flagRef on a code asks the reader to remember the object for
// later typeRef references.
const (
	typeNull              = '0'
	typeNone              = 'N'
	typeFalse             = 'F'
	typeTrue              = 'T'
	typeStopIter          = 'S'
	typeEllipsis          = '.'
	typeInt               = 'i'
	typeFloat             = 'f'
	typeBinaryFloat       = 'g'
	typeComplex           = 'x'
	typeBinaryComplex     = 'y'
	typeLong              = 'l'
	typeString            = 's'
	typeInterned          = 't'
	typeRef               = 'r'
	typeTuple             = '('
	typeList              = '['
	typeDict              = '{'
	typeCode              = 'c'
	typeUnicode           = 'u'
	typeSet               = '<'
	typeFrozenSet         = '>'
	typeASCII             = 'a'
	typeASCIIInterned     = 'A'
	typeSmallTuple        = ')'
	typeShortASCII        = 'z'
	typeShortASCIIInterne = 'Z'
	flagRef               = 0x80
)

// A Decoder reads marshal data as Python 3's marshal.loads does. The zero
// Decoder uses serpent.DefaultLimits.
type Decoder struct {
	// Limits bound what one Decode may allocate; zero fields take the
	// serpent.DefaultLimits values.
	Limits Limits
}

// Decode decodes data with the zero Decoder.
func Decode(data []byte) (any, error) {
	var d Decoder
	return d.Decode(data)
}

// Unmarshal decodes data and assigns the value to dst with pickle.Assign,
// the rule every gopyro codec fills Go destinations by.
func Unmarshal(data []byte, dst any) error {
	v, err := Decode(data)
	if err != nil {
		return err
	}
	return pickle.Assign(dst, v)
}

// Decode reads one value from the start of data; like marshal.loads it
// ignores what follows. On failure it returns an *Error; it never panics.
// Decode is safe for concurrent use.
func (d *Decoder) Decode(data []byte) (any, error) {
	r := readerPool.Get().(*reader)
	defer r.release()
	r.data, r.pos, r.depth, r.lim = data, 0, 0, d.Limits.WithDefaults()
	r.keys.Reset()
	if len(data) > r.lim.MaxSize {
		return nil, r.fail(0, ErrLimit, "data of %d bytes over the limit of %d", len(data), r.lim.MaxSize)
	}
	return r.value()
}

var readerPool = sync.Pool{New: func() any { return new(reader) }}

func (r *reader) release() {
	r.data = nil
	clear(r.refs)
	if cap(r.refs) > 4096 {
		r.refs = nil
	}
	r.refs = r.refs[:0]
	readerPool.Put(r)
}

type reader struct {
	data  []byte
	pos   int
	depth int
	lim   Limits
	refs  []any // objects flagged with flagRef, in the order they start
	names pyval.Interner
	keys  pyval.KeyCheck
}

// unfinished marks the reference slot of a tuple, set or frozenset that is
// still being read: Python can make a tuple that contains itself, a Go
// value cannot.
type unfinished struct{}

func (r *reader) fail(off int, kind error, format string, args ...any) error {
	return &Error{Codec: "marshal", Offset: off, Err: fmt.Errorf("%w: "+format, append([]any{kind}, args...)...)}
}

func (r *reader) short(what string) error {
	return r.fail(r.pos, ErrSyntax, "marshal data too short for %s", what)
}

func (r *reader) take(n int, what string) ([]byte, error) {
	if n > len(r.data)-r.pos {
		return nil, r.short(what)
	}
	b := r.data[r.pos : r.pos+n]
	r.pos += n
	return b, nil
}

func (r *reader) int32(what string) (int32, error) {
	b, err := r.take(4, what)
	if err != nil {
		return 0, err
	}
	return int32(binary.LittleEndian.Uint32(b)), nil
}

// size reads a 4-byte size of something whose units take at least unit
// bytes each, checking it against the data left and limit.
func (r *reader) size(what string, unit, limit int) (int, error) {
	at := r.pos
	n, err := r.int32(what + " size")
	if err != nil {
		return 0, err
	}
	if n < 0 {
		return 0, r.fail(at, ErrSyntax, "bad marshal data (%s size %d out of range)", what, n)
	}
	if int(n) > limit {
		return 0, r.fail(at, ErrLimit, "%s of %d over the limit of %d", what, n, limit)
	}
	if int(n) > (len(r.data)-r.pos)/unit {
		return 0, r.fail(at, ErrSyntax, "marshal data too short for a %s of %d", what, n)
	}
	return int(n), nil
}

func (r *reader) value() (any, error) {
	at := r.pos
	if r.pos >= len(r.data) {
		return nil, r.fail(at, ErrSyntax, "EOF read where object expected")
	}
	code := r.data[r.pos]
	r.pos++
	slot := -1
	if code&flagRef != 0 {
		code &^= flagRef
		slot = len(r.refs)
		r.refs = append(r.refs, unfinished{})
	}
	v, err := r.object(code, at, slot)
	if err != nil {
		return nil, err
	}
	if slot >= 0 {
		r.refs[slot] = v
	}
	return v, nil
}

// object reads the object of type code that started at offset at; slot is
// its reference slot, or -1.
func (r *reader) object(code byte, at, slot int) (any, error) {
	switch code {
	case typeNone:
		return pickle.None{}, nil
	case typeFalse:
		return false, nil
	case typeTrue:
		return true, nil
	case typeInt:
		n, err := r.int32("an int")
		return int64(n), err
	case typeLong:
		return r.long(at)
	case typeBinaryFloat:
		b, err := r.take(8, "a float")
		if err != nil {
			return nil, err
		}
		return math.Float64frombits(binary.LittleEndian.Uint64(b)), nil
	case typeFloat:
		return r.textFloat()
	case typeBinaryComplex:
		b, err := r.take(16, "a complex")
		if err != nil {
			return nil, err
		}
		return complex(math.Float64frombits(binary.LittleEndian.Uint64(b)), math.Float64frombits(binary.LittleEndian.Uint64(b[8:]))), nil
	case typeComplex:
		re, err := r.textFloat()
		if err != nil {
			return nil, err
		}
		im, err := r.textFloat()
		if err != nil {
			return nil, err
		}
		return complex(re, im), nil
	case typeString:
		n, err := r.size("bytes object", 1, r.lim.MaxStringLen)
		if err != nil {
			return nil, err
		}
		b, _ := r.take(n, "bytes")
		return pickle.Bytes(b), nil
	case typeUnicode, typeInterned:
		n, err := r.size("str", 1, r.lim.MaxStringLen)
		if err != nil {
			return nil, err
		}
		start := r.pos
		b, _ := r.take(n, "a str")
		if !utf8.Valid(b) && !wtf8.ValidString(string(b)) {
			return nil, r.fail(start, ErrEncoding, "str is not UTF-8 (Python: UnicodeDecodeError)")
		}
		return r.names.Box(b), nil
	case typeASCII, typeASCIIInterned:
		n, err := r.size("str", 1, r.lim.MaxStringLen)
		if err != nil {
			return nil, err
		}
		b, _ := r.take(n, "a str")
		return r.ascii(b), nil
	case typeShortASCII, typeShortASCIIInterne:
		nb, err := r.take(1, "a str size")
		if err != nil {
			return nil, err
		}
		b, err := r.take(int(nb[0]), "a str")
		if err != nil {
			return nil, err
		}
		return r.ascii(b), nil
	case typeSmallTuple:
		nb, err := r.take(1, "a tuple size")
		if err != nil {
			return nil, err
		}
		if int(nb[0]) > r.lim.MaxContainerLen {
			return nil, r.fail(at, ErrLimit, "tuple of %d items over the limit of %d", nb[0], r.lim.MaxContainerLen)
		}
		return r.tuple(int(nb[0]), at)
	case typeTuple:
		n, err := r.size("tuple", 1, r.lim.MaxContainerLen)
		if err != nil {
			return nil, err
		}
		return r.tuple(n, at)
	case typeList:
		n, err := r.size("list", 1, r.lim.MaxContainerLen)
		if err != nil {
			return nil, err
		}
		l := &pickle.List{}
		if slot >= 0 { // a list may contain itself
			r.refs[slot] = l
		}
		items, err := r.items(n, at, false)
		l.Items = items
		return l, err
	case typeSet, typeFrozenSet:
		n, err := r.size("set", 1, r.lim.MaxContainerLen)
		if err != nil {
			return nil, err
		}
		items, err := r.items(n, at, true)
		if err != nil {
			return nil, err
		}
		items = pyval.Dedup(items)
		if code == typeSet {
			return &pickle.Set{Items: items}, nil
		}
		return &pickle.FrozenSet{Items: items}, nil
	case typeDict:
		d := pickle.NewDict()
		if slot >= 0 { // a dict may contain itself
			r.refs[slot] = d
		}
		return d, r.dict(d, at)
	case typeRef:
		n, err := r.int32("a reference")
		if err != nil {
			return nil, err
		}
		if n < 0 || int(n) >= len(r.refs) {
			return nil, r.fail(at, ErrSyntax, "bad marshal data (invalid reference %d)", n)
		}
		if _, ok := r.refs[n].(unfinished); ok {
			return nil, r.fail(at, ErrUnsupported, "reference %d to a tuple or set that contains itself", n)
		}
		return r.refs[n], nil
	case typeNull:
		return nil, r.fail(at, ErrSyntax, "NULL object in marshal data")
	case typeEllipsis:
		return nil, r.fail(at, ErrUnsupported, "the Ellipsis has no Go value")
	case typeStopIter:
		return nil, r.fail(at, ErrUnsupported, "StopIteration has no Go value")
	case typeCode:
		return nil, r.fail(at, ErrUnsupported, "code objects are not data")
	}
	return nil, r.fail(at, ErrSyntax, "bad marshal data (unknown type code 0x%02x)", code)
}

// ascii returns the bytes of an ASCII-coded str as Python reads them:
// each byte one code point (so bytes above 0x7f are Latin-1).
func (r *reader) ascii(b []byte) any {
	for i, c := range b {
		if c >= utf8.RuneSelf {
			out := make([]byte, i, len(b)*2)
			copy(out, b[:i])
			for _, c := range b[i:] {
				out = utf8.AppendRune(out, rune(c))
			}
			return string(out)
		}
	}
	return r.names.Box(b)
}

func (r *reader) textFloat() (float64, error) {
	nb, err := r.take(1, "a float size")
	if err != nil {
		return 0, err
	}
	at := r.pos
	b, err := r.take(int(nb[0]), "a float")
	if err != nil {
		return 0, err
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil && !math.IsInf(f, 0) {
		return 0, r.fail(at, ErrSyntax, "bad marshal data (float text %q)", b)
	}
	return f, nil
}

// long reads an int in 15-bit digits, least significant first; the sign
// of the digit count is the sign of the int.
const wordBits = bits.UintSize

func (r *reader) long(at int) (any, error) {
	n, err := r.int32("an int size")
	if err != nil {
		return nil, err
	}
	neg := n < 0
	size := int(n)
	if neg {
		if n == math.MinInt32 {
			return nil, r.fail(at, ErrSyntax, "bad marshal data (long size out of range)")
		}
		size = -size
	}
	if size > r.lim.MaxIntDigits {
		return nil, r.fail(at, ErrLimit, "int of %d 15-bit digits over the limit of %d", size, r.lim.MaxIntDigits)
	}
	b, err := r.take(2*size, "an int")
	if err != nil {
		return nil, err
	}
	if size == 0 {
		return int64(0), nil
	}
	if size <= 4 { // at most 60 bits: fits an int64
		var x int64
		for i := size - 1; i >= 0; i-- {
			d := binary.LittleEndian.Uint16(b[2*i:])
			if d >= 1<<15 {
				return nil, r.fail(at, ErrSyntax, "bad marshal data (digit out of range in long)")
			}
			x = x<<15 | int64(d)
		}
		if binary.LittleEndian.Uint16(b[2*size-2:]) == 0 {
			return nil, r.fail(at, ErrSyntax, "bad marshal data (unnormalized long data)")
		}
		if neg {
			x = -x
		}
		return x, nil
	}
	words := make([]big.Word, 0, (size*15+wordBits-1)/wordBits+1)
	var acc big.Word
	nbits := 0
	for i := range size {
		d := binary.LittleEndian.Uint16(b[2*i:])
		if d >= 1<<15 {
			return nil, r.fail(at, ErrSyntax, "bad marshal data (digit out of range in long)")
		}
		acc |= big.Word(d) << nbits
		nbits += 15
		if nbits >= wordBits {
			words = append(words, acc)
			nbits -= wordBits
			acc = big.Word(d) >> (15 - nbits)
		}
	}
	if binary.LittleEndian.Uint16(b[2*size-2:]) == 0 {
		return nil, r.fail(at, ErrSyntax, "bad marshal data (unnormalized long data)")
	}
	words = append(words, acc)
	x := new(big.Int).SetBits(words)
	if neg {
		x.Neg(x)
	}
	if x.IsInt64() {
		return x.Int64(), nil
	}
	return x, nil
}

func (r *reader) open(at int) error {
	if r.depth >= r.lim.MaxDepth {
		return r.fail(at, ErrLimit, "more than %d nested containers", r.lim.MaxDepth)
	}
	r.depth++
	return nil
}

func (r *reader) tuple(n, at int) (any, error) {
	items, err := r.items(n, at, false)
	if err != nil {
		return nil, err
	}
	return pickle.Tuple(items), nil
}

// items reads n values; with hashed set each must be hashable (set items).
func (r *reader) items(n, at int, hashed bool) ([]any, error) {
	if err := r.open(at); err != nil {
		return nil, err
	}
	if n == 0 {
		r.depth--
		return nil, nil
	}
	// Grown as items arrive: sizes claimed by nested headers do not add up
	// to more than the data holds.
	items := make([]any, 0, min(n, 256))
	for range n {
		start := r.pos
		x, err := r.value()
		if err != nil {
			return nil, err
		}
		if hashed {
			if err := r.keys.Check(x, r.lim.MaxDepth); err != nil {
				return nil, &Error{Codec: "marshal", Offset: start, Err: fmt.Errorf("set element: %w", err)}
			}
		}
		items = append(items, x)
	}
	r.depth--
	return items, nil
}

func (r *reader) dict(d pickle.Dict, at int) error {
	if err := r.open(at); err != nil {
		return err
	}
	for n := 0; ; n++ {
		if r.pos < len(r.data) && r.data[r.pos] == typeNull {
			r.pos++
			r.depth--
			return nil
		}
		if n >= r.lim.MaxContainerLen {
			return r.fail(r.pos, ErrLimit, "dict of more than %d items", r.lim.MaxContainerLen)
		}
		start := r.pos
		k, err := r.value()
		if err != nil {
			return err
		}
		if err := r.keys.Check(k, r.lim.MaxDepth); err != nil {
			return &Error{Codec: "marshal", Offset: start, Err: fmt.Errorf("dict key: %w", err)}
		}
		v, err := r.value()
		if err != nil {
			return err
		}
		d.Set(k, v)
	}
}
