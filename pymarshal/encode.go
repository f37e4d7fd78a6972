package pymarshal

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
	"sync"
	"time"

	"github.com/gopyro/gopyro/internal/pyval"
	"github.com/gopyro/gopyro/internal/wtf8"
	"github.com/gopyro/gopyro/serpent"
)

// DefaultEncodeMaxDepth is the container nesting beyond which encoding
// fails when Encoder.MaxDepth is zero, what the decoder reads by default.
const DefaultEncodeMaxDepth = 200

// An Encoder writes marshal data in the form of Python 3's marshal.dumps at
// version 4, without references (see the package doc). The zero Encoder is
// ready to use.
type Encoder struct {
	// MaxDepth bounds container nesting; zero means DefaultEncodeMaxDepth.
	MaxDepth int
}

// Marshal returns the marshal data of v, as Pyro's marshal serializer
// writes it.
func Marshal(v any) ([]byte, error) {
	var e Encoder
	return e.Append(nil, v)
}

// Append appends the marshal data of v to dst and returns the extended
// buffer; on error it returns dst with its original length. Append is
// safe for concurrent use.
func (e *Encoder) Append(dst []byte, v any) ([]byte, error) {
	w := writerPool.Get().(*writer)
	w.buf = dst
	depth := e.MaxDepth
	if depth <= 0 {
		depth = DefaultEncodeMaxDepth
	}
	err := pyval.Walk("marshal", w, v, depth)
	out := w.buf
	w.buf = nil
	writerPool.Put(w)
	if err != nil {
		return dst[:len(dst):len(dst)], err
	}
	return out, nil
}

var writerPool = sync.Pool{New: func() any { return new(writer) }}

// writer is the marshal pyval.Writer.
type writer struct{ buf []byte }

func (w *writer) code(c byte) { w.buf = append(w.buf, c) }

func (w *writer) int32(n int) { w.buf = binary.LittleEndian.AppendUint32(w.buf, uint32(n)) }

func (w *writer) None() error { w.code(typeNone); return nil }

func (w *writer) Bool(b bool) error {
	if b {
		w.code(typeTrue)
	} else {
		w.code(typeFalse)
	}
	return nil
}

func (w *writer) Int(i int64) error {
	if i >= math.MinInt32 && i <= math.MaxInt32 {
		w.code(typeInt)
		w.int32(int(i))
		return nil
	}
	return w.BigInt(big.NewInt(i))
}

func (w *writer) Uint(u uint64) error { return w.BigInt(new(big.Int).SetUint64(u)) }

// BigInt writes the long form: the signed count of 15-bit digits, then the
// digits, least significant first.
func (w *writer) BigInt(x *big.Int) error {
	w.code(typeLong)
	at := len(w.buf)
	w.int32(0)
	n := 0
	var acc uint64 // fewer than 15 bits between feeds
	nacc := 0
	for _, word := range x.Bits() { // |x|, least significant word first
		for shift := 0; shift < wordBits; shift += 32 {
			acc |= (uint64(word) >> shift & 0xffffffff) << nacc
			for nacc += 32; nacc >= 15; nacc -= 15 {
				w.buf = binary.LittleEndian.AppendUint16(w.buf, uint16(acc&0x7fff))
				acc >>= 15
				n++
			}
		}
	}
	if nacc > 0 {
		w.buf = binary.LittleEndian.AppendUint16(w.buf, uint16(acc))
		n++
	}
	for n > 0 && binary.LittleEndian.Uint16(w.buf[len(w.buf)-2:]) == 0 { // normalize
		w.buf = w.buf[:len(w.buf)-2]
		n--
	}
	if x.Sign() < 0 {
		n = -n
	}
	binary.LittleEndian.PutUint32(w.buf[at:], uint32(int32(n)))
	return nil
}

func (w *writer) Float(f float64) error {
	w.code(typeBinaryFloat)
	w.buf = binary.LittleEndian.AppendUint64(w.buf, pyval.FloatBits(f))
	return nil
}

func (w *writer) Complex(c complex128) error {
	w.code(typeBinaryComplex)
	w.buf = binary.LittleEndian.AppendUint64(w.buf, pyval.FloatBits(real(c)))
	w.buf = binary.LittleEndian.AppendUint64(w.buf, pyval.FloatBits(imag(c)))
	return nil
}

// Str writes an ASCII str with the ASCII codes (short below 256 bytes) and
// others as UTF-8 with surrogates passed, as marshal does.
func (w *writer) Str(s string) error {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	switch {
	case ascii && len(s) < 256:
		w.buf = append(w.buf, typeShortASCII, byte(len(s)))
	case ascii:
		w.code(typeASCII)
		w.int32(len(s))
	case !wtf8.ValidString(s):
		return fmt.Errorf("%w: a str must be UTF-8 (encoded surrogates pass)", ErrInvalidUTF8)
	default:
		w.code(typeUnicode)
		w.int32(len(s))
	}
	w.buf = append(w.buf, s...)
	return nil
}

func (w *writer) Bytes(b []byte) error {
	w.code(typeString)
	w.int32(len(b))
	w.buf = append(w.buf, b...)
	return nil
}

func (w *writer) Time(time.Time) error {
	return fmt.Errorf("%w: Pyro's marshal serializer cannot send datetimes", serpent.ErrUnsupportedType)
}

func (w *writer) BeginSeq(k pyval.SeqKind, n int) error {
	switch k {
	case pyval.Tuple:
		if n < 256 {
			w.buf = append(w.buf, typeSmallTuple, byte(n))
			return nil
		}
		w.code(typeTuple)
	case pyval.List:
		w.code(typeList)
	case pyval.Set:
		w.code(typeSet)
	case pyval.FrozenSet:
		w.code(typeFrozenSet)
	}
	w.int32(n)
	return nil
}

func (w *writer) Item(int) error             { return nil }
func (w *writer) EndSeq(pyval.SeqKind) error { return nil }
func (w *writer) BeginDict(int) error        { w.code(typeDict); return nil }
func (w *writer) Key(int) error              { return nil }
func (w *writer) Value(int) error            { return nil }
func (w *writer) EndDict() error             { w.code(typeNull); return nil }
