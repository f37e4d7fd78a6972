package pyjson

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gopyro/gopyro/internal/pyfloat"
	"github.com/gopyro/gopyro/internal/pyval"
	"github.com/gopyro/gopyro/internal/wtf8"
	"github.com/gopyro/gopyro/serpent"
)

// DefaultEncodeMaxDepth is the container nesting beyond which encoding
// fails when Encoder.MaxDepth is zero, what the decoder reads by default.
const DefaultEncodeMaxDepth = 200

// maxIntDigits is the most digits Python converts an int to text with.
const maxIntDigits = 4300

// An Encoder writes JSON as Pyro's json serializer does:
// json.dumps(v, ensure_ascii=False) encoded as UTF-8. The zero Encoder is
// ready to use.
type Encoder struct {
	// MaxDepth bounds container nesting; zero means DefaultEncodeMaxDepth.
	MaxDepth int
}

// Marshal returns the JSON of v, as Pyro's json serializer writes it.
func Marshal(v any) ([]byte, error) {
	var e Encoder
	return e.Append(nil, v)
}

// Append appends the JSON of v to dst and returns the extended buffer; on
// error it returns dst with its original length. Append is safe for
// concurrent use.
func (e *Encoder) Append(dst []byte, v any) ([]byte, error) {
	w := writerPool.Get().(*writer)
	w.buf, w.inKey = dst, false
	depth := e.MaxDepth
	if depth <= 0 {
		depth = DefaultEncodeMaxDepth
	}
	err := pyval.Walk("json", w, v, depth)
	out := w.buf
	w.buf = nil
	writerPool.Put(w)
	if err != nil {
		return dst[:len(dst):len(dst)], err
	}
	return out, nil
}

var writerPool = sync.Pool{New: func() any { return new(writer) }}

// writer is the JSON pyval.Writer. Between Key and Value it writes the key
// as Python's json does: str as it is, numbers, bools and None as their
// JSON text in quotes; other keys fail, as in Python.
type writer struct {
	buf   []byte
	inKey bool
}

// scalar writes the JSON text of a scalar, quoted when it is a dict key.
func (w *writer) scalar(text string) {
	if w.inKey {
		w.buf = append(w.buf, '"')
		w.buf = append(w.buf, text...)
		w.buf = append(w.buf, '"')
		return
	}
	w.buf = append(w.buf, text...)
}

func (w *writer) None() error { w.scalar("null"); return nil }

func (w *writer) Bool(b bool) error {
	if b {
		w.scalar("true")
	} else {
		w.scalar("false")
	}
	return nil
}

func (w *writer) Int(i int64) error {
	if w.inKey {
		w.buf = append(w.buf, '"')
	}
	w.buf = strconv.AppendInt(w.buf, i, 10)
	w.endKey()
	return nil
}

func (w *writer) endKey() {
	if w.inKey {
		w.buf = append(w.buf, '"')
	}
}

func (w *writer) Uint(u uint64) error {
	if w.inKey {
		w.buf = append(w.buf, '"')
	}
	w.buf = strconv.AppendUint(w.buf, u, 10)
	w.endKey()
	return nil
}

func (w *writer) BigInt(x *big.Int) error {
	start := len(w.buf)
	if w.inKey {
		w.buf = append(w.buf, '"')
	}
	w.buf = x.Append(w.buf, 10)
	n := len(w.buf) - start
	if x.Sign() < 0 {
		n--
	}
	if w.inKey {
		n--
	}
	if n > maxIntDigits {
		w.buf = w.buf[:start]
		return fmt.Errorf("%w: an int of %d digits (Python converts at most %d)", ErrUnsupportedValue, n, maxIntDigits)
	}
	w.endKey()
	return nil
}

// Float writes repr(f), and NaN, Infinity and -Infinity as Python's json
// does (allow_nan).
func (w *writer) Float(f float64) error {
	switch {
	case math.IsNaN(f):
		w.scalar("NaN")
	case math.IsInf(f, 1):
		w.scalar("Infinity")
	case math.IsInf(f, -1):
		w.scalar("-Infinity")
	default:
		if w.inKey {
			w.buf = append(w.buf, '"')
		}
		w.buf = pyfloat.AppendRepr(w.buf, f)
		w.endKey()
	}
	return nil
}

func (w *writer) Complex(complex128) error {
	return fmt.Errorf("%w: Pyro's json serializer cannot send complex numbers", ErrUnsupportedType)
}

func (w *writer) Bytes([]byte) error {
	return fmt.Errorf("%w: Pyro's json serializer cannot send bytes", ErrUnsupportedType)
}

// Time writes the isoformat string, as Pyro's json serializer writes a
// datetime.
func (w *writer) Time(t time.Time) error {
	if w.inKey {
		return w.badKey("datetime")
	}
	w.buf = append(w.buf, '"')
	w.buf = serpent.AppendISOFormat(w.buf, t)
	w.buf = append(w.buf, '"')
	return nil
}

func (w *writer) badKey(what string) error {
	return fmt.Errorf("%w: keys must be str, int, float, bool or None, not %s", ErrUnsupportedValue, what)
}

const hexDigits = "0123456789abcdef"

// Str writes a JSON string as Python's json.dumps with ensure_ascii=False:
// the quote, backslash and control characters escaped, the rest as it is;
// lone surrogates (which Pyro could not encode as UTF-8) as \u escapes,
// which Python reads back as the same str.
func (w *writer) Str(s string) error {
	b := append(w.buf, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, n := wtf8.DecodeRune(s[i:])
			switch {
			case r == utf8.RuneError && n == 1:
				return fmt.Errorf("%w: byte 0x%02x at %d", ErrInvalidUTF8, c, i)
			case r >= 0xd800 && r <= 0xdfff:
				b = append(b, s[start:i]...)
				b = append(b, '\\', 'u', hexDigits[r>>12], hexDigits[r>>8&15], hexDigits[r>>4&15], hexDigits[r&15])
				i += n
				start = i
			default:
				i += n
			}
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		case '\b':
			b = append(b, '\\', 'b')
		case '\f':
			b = append(b, '\\', 'f')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&15])
		}
		i++
		start = i
	}
	b = append(b, s[start:]...)
	w.buf = append(b, '"')
	return nil
}

func (w *writer) BeginSeq(k pyval.SeqKind, _ int) error {
	if w.inKey {
		return w.badKey("tuple")
	}
	if k == pyval.FrozenSet {
		return fmt.Errorf("%w: Pyro's json serializer cannot send frozensets", ErrUnsupportedType)
	}
	w.buf = append(w.buf, '[')
	return nil
}

func (w *writer) Item(i int) error {
	if i > 0 {
		w.buf = append(w.buf, ',', ' ')
	}
	return nil
}

func (w *writer) EndSeq(pyval.SeqKind) error { w.buf = append(w.buf, ']'); return nil }

func (w *writer) BeginDict(int) error {
	if w.inKey {
		return w.badKey("dict")
	}
	w.buf = append(w.buf, '{')
	return nil
}

func (w *writer) Key(i int) error {
	if i > 0 {
		w.buf = append(w.buf, ',', ' ')
	}
	w.inKey = true
	return nil
}

func (w *writer) Value(int) error {
	w.inKey = false
	w.buf = append(w.buf, ':', ' ')
	return nil
}

func (w *writer) EndDict() error { w.buf = append(w.buf, '}'); return nil }
