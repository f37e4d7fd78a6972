package pymsgpack

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/gopyro/gopyro/internal/pyval"
)

// DefaultEncodeMaxDepth is the container nesting beyond which encoding
// fails when Encoder.MaxDepth is zero, what the decoder reads by default.
const DefaultEncodeMaxDepth = 200

// maxIntDigits is the most digits Python converts an int to text with
// (Pyro writes a big int as str(obj)).
const maxIntDigits = 4300

// An Encoder writes msgpack as Pyro's msgpack serializer does:
// msgpack.packb(v, use_bin_type=True) with Pyro's default hook. The zero
// Encoder is ready to use.
type Encoder struct {
	// MaxDepth bounds container nesting; zero means DefaultEncodeMaxDepth.
	MaxDepth int
}

// Marshal returns the msgpack data of v, as Pyro's msgpack serializer
// writes it.
func Marshal(v any) ([]byte, error) {
	var e Encoder
	return e.Append(nil, v)
}

// Append appends the msgpack data of v to dst and returns the extended
// buffer; on error it returns dst with its original length. Append is
// safe for concurrent use.
func (e *Encoder) Append(dst []byte, v any) ([]byte, error) {
	w := writerPool.Get().(*writer)
	w.sink.b = dst
	depth := e.MaxDepth
	if depth <= 0 {
		depth = DefaultEncodeMaxDepth
	}
	err := pyval.Walk("msgpack", w, v, depth)
	out := w.sink.b
	w.sink.b = nil
	writerPool.Put(w)
	if err != nil {
		return dst[:len(dst):len(dst)], err
	}
	return out, nil
}

// sink is the io.Writer and io.ByteWriter the library writes to: an
// append buffer.
type sink struct{ b []byte }

func (s *sink) Write(p []byte) (int, error) { s.b = append(s.b, p...); return len(p), nil }
func (s *sink) WriteByte(c byte) error      { s.b = append(s.b, c); return nil }

// writer is the msgpack pyval.Writer, on the library's low-level encoder.
type writer struct {
	sink sink
	enc  *msgpack.Encoder
}

var writerPool = sync.Pool{New: func() any {
	w := new(writer)
	w.enc = msgpack.NewEncoder(&w.sink)
	return w
}}

func (w *writer) None() error         { return w.enc.EncodeNil() }
func (w *writer) Bool(b bool) error   { return w.enc.EncodeBool(b) }
func (w *writer) Int(i int64) error   { return w.enc.EncodeInt(i) }
func (w *writer) Uint(u uint64) error { return w.enc.EncodeUint(u) }

// BigInt writes a uint64 as msgpack does and larger ints as Pyro does:
// ext 0x31 with the decimal digits.
func (w *writer) BigInt(x *big.Int) error {
	if x.IsUint64() {
		return w.enc.EncodeUint(x.Uint64())
	}
	text := x.Append(nil, 10)
	if n := len(text) - x.Sign()>>1&1; n > maxIntDigits {
		return fmt.Errorf("%w: an int of %d digits (Python converts at most %d)", ErrUnsupportedValue, n, maxIntDigits)
	}
	return w.ext(extBigInt, text)
}

func (w *writer) ext(id int8, payload []byte) error {
	if err := w.enc.EncodeExtHeader(id, len(payload)); err != nil {
		return err
	}
	w.sink.b = append(w.sink.b, payload...)
	return nil
}

func (w *writer) Float(f float64) error {
	return w.enc.EncodeFloat64(math.Float64frombits(pyval.FloatBits(f)))
}

// Complex writes ext 0x30: the two parts as little-endian float64.
func (w *writer) Complex(c complex128) error {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:], pyval.FloatBits(real(c)))
	binary.LittleEndian.PutUint64(b[8:], pyval.FloatBits(imag(c)))
	return w.ext(extComplex, b[:])
}

func (w *writer) Str(s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("%w: Python's msgpack writes UTF-8 only (no lone surrogates)", ErrInvalidUTF8)
	}
	return w.enc.EncodeString(s)
}

func (w *writer) Bytes(b []byte) error {
	if err := w.enc.EncodeBytesLen(len(b)); err != nil {
		return err
	}
	w.sink.b = append(w.sink.b, b...)
	return nil
}

// Time writes ext 0x32, the POSIX timestamp as datetime.timestamp() gives
// it: whole seconds plus microseconds / 1e6. Pyro writes naive datetimes
// so (and refuses aware ones); a Go time is an instant, written as such.
func (w *writer) Time(t time.Time) error {
	f := float64(t.Unix()) + float64(t.Nanosecond()/1000)/1e6
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], math.Float64bits(f))
	return w.ext(extDatetime, b[:])
}

// BeginSeq writes tuples, lists and sets as arrays, as Pyro does (its
// default hook turns a set into a tuple); frozensets fail, as in Pyro.
func (w *writer) BeginSeq(k pyval.SeqKind, n int) error {
	if k == pyval.FrozenSet {
		return fmt.Errorf("%w: Pyro's msgpack serializer cannot send frozensets", ErrUnsupportedType)
	}
	return w.enc.EncodeArrayLen(n)
}

func (w *writer) Item(int) error             { return nil }
func (w *writer) EndSeq(pyval.SeqKind) error { return nil }
func (w *writer) BeginDict(n int) error      { return w.enc.EncodeMapLen(n) }
func (w *writer) Key(int) error              { return nil }
func (w *writer) Value(int) error            { return nil }
func (w *writer) EndDict() error             { return nil }
