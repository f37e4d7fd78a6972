package pymsgpack

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"math/big"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/vmihailenco/msgpack/v5"
	"github.com/vmihailenco/msgpack/v5/msgpcode"

	"github.com/gopyro/gopyro/internal/pyval"
	"github.com/gopyro/gopyro/pickle"
)

// Pyro's ext types (Pyro5/serializers.py MsgpackSerializer, the same in
// Pyro4), in native byte order, which is little-endian on every platform
// Pyro runs on in practice (struct "dd", "d", "l" with an 8-byte long).
const (
	extComplex   = 0x30 // real and imaginary float64
	extBigInt    = 0x31 // decimal ASCII digits
	extDatetime  = 0x32 // POSIX timestamp, float64
	extDate      = 0x33 // proleptic Gregorian ordinal, int64
	extTimestamp = -1   // msgpack's own timestamp type, which Pyro does not use
)

// A Decoder reads msgpack data as Pyro's msgpack serializer does
// (msgpack.unpackb with raw=False and Pyro's ext hook). The zero Decoder
// uses serpent.DefaultLimits.
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

// Decode reads the one value data holds. On failure it returns an *Error;
// it never panics. Decode is safe for concurrent use.
func (d *Decoder) Decode(data []byte) (any, error) {
	r := readerPool.Get().(*reader)
	defer r.release()
	r.data, r.depth, r.lim = data, 0, d.Limits.WithDefaults()
	r.keys.Reset()
	if len(data) > r.lim.MaxSize {
		return nil, r.fail(0, ErrLimit, "data of %d bytes over the limit of %d", len(data), r.lim.MaxSize)
	}
	r.src.Reset(data)
	r.dec.Reset(&r.src)
	v, err := r.value()
	if err != nil {
		return nil, err
	}
	if r.src.Len() > 0 {
		return nil, r.fail(r.pos(), ErrSyntax, "extra data after the value")
	}
	return v, nil
}

var readerPool = sync.Pool{New: func() any {
	r := new(reader)
	r.dec = msgpack.NewDecoder(&r.src)
	return r
}}

func (r *reader) release() {
	r.data = nil
	r.src.Reset(nil)
	readerPool.Put(r)
}

type reader struct {
	data  []byte
	src   bytes.Reader // the library reads from it directly (an io.ByteScanner)
	dec   *msgpack.Decoder
	depth int
	lim   Limits
	names pyval.Interner
	keys  pyval.KeyCheck
}

func (r *reader) pos() int { return len(r.data) - r.src.Len() }

func (r *reader) fail(off int, kind error, format string, args ...any) error {
	return &Error{Codec: "msgpack", Offset: off, Err: fmt.Errorf("%w: "+format, append([]any{kind}, args...)...)}
}

// libFail reports an error of the msgpack library (truncated data, mostly).
func (r *reader) libFail(at int, err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return r.fail(at, ErrSyntax, "incomplete data")
	}
	return r.fail(at, ErrSyntax, "%v", err)
}

// payload returns the next n bytes of the data, which the library's
// header reads have led up to.
func (r *reader) payload(at, n int, what string) ([]byte, error) {
	if n < 0 || n > r.src.Len() {
		return nil, r.fail(at, ErrSyntax, "incomplete data for %s of %d bytes", what, n)
	}
	p := r.pos()
	if _, err := r.src.Seek(int64(n), io.SeekCurrent); err != nil {
		return nil, r.libFail(at, err)
	}
	return r.data[p : p+n], nil
}

func (r *reader) value() (any, error) {
	at := r.pos()
	c, err := r.dec.PeekCode()
	if err != nil {
		return nil, r.libFail(at, err)
	}
	switch {
	case c == msgpcode.Nil:
		r.src.Seek(1, io.SeekCurrent)
		return pickle.None{}, nil
	case c == msgpcode.True || c == msgpcode.False:
		r.src.Seek(1, io.SeekCurrent)
		return c == msgpcode.True, nil
	case c == msgpcode.Uint64:
		u, err := r.dec.DecodeUint64()
		if err != nil {
			return nil, r.libFail(at, err)
		}
		if u > math.MaxInt64 {
			return new(big.Int).SetUint64(u), nil
		}
		return int64(u), nil
	case msgpcode.IsFixedNum(c) || c >= msgpcode.Uint8 && c <= msgpcode.Int64:
		i, err := r.dec.DecodeInt64()
		if err != nil {
			return nil, r.libFail(at, err)
		}
		return i, nil
	case c == msgpcode.Float || c == msgpcode.Double:
		f, err := r.dec.DecodeFloat64()
		if err != nil {
			return nil, r.libFail(at, err)
		}
		return f, nil
	case msgpcode.IsString(c), msgpcode.IsBin(c):
		n, err := r.dec.DecodeBytesLen()
		if err != nil {
			return nil, r.libFail(at, err)
		}
		if n > r.lim.MaxStringLen {
			return nil, r.fail(at, ErrLimit, "%d bytes over the limit of %d", n, r.lim.MaxStringLen)
		}
		b, err := r.payload(at, n, "a str or bytes")
		if err != nil {
			return nil, err
		}
		if msgpcode.IsBin(c) {
			return pickle.Bytes(b), nil
		}
		if !utf8.Valid(b) {
			return nil, r.fail(at, ErrEncoding, "str is not UTF-8 (Python: UnicodeDecodeError)")
		}
		return r.names.Box(b), nil
	case msgpcode.IsFixedArray(c) || c == msgpcode.Array16 || c == msgpcode.Array32:
		n, err := r.dec.DecodeArrayLen()
		if err != nil {
			return nil, r.libFail(at, err)
		}
		return r.array(at, n)
	case msgpcode.IsFixedMap(c) || c == msgpcode.Map16 || c == msgpcode.Map32:
		n, err := r.dec.DecodeMapLen()
		if err != nil {
			return nil, r.libFail(at, err)
		}
		return r.dict(at, n)
	case msgpcode.IsExt(c):
		id, n, err := r.dec.DecodeExtHeader()
		if err != nil {
			return nil, r.libFail(at, err)
		}
		b, err := r.payload(at, n, "an ext")
		if err != nil {
			return nil, err
		}
		return r.ext(at, id, b)
	}
	return nil, r.fail(at, ErrSyntax, "invalid code 0x%02x", c)
}

// count checks a container's item count against the limit and against
// the data left (each item takes at least unit bytes).
func (r *reader) count(at, n, unit int, what string) error {
	if n > r.lim.MaxContainerLen {
		return r.fail(at, ErrLimit, "%s of %d items over the limit of %d", what, n, r.lim.MaxContainerLen)
	}
	if n > r.src.Len()/unit {
		return r.fail(at, ErrSyntax, "incomplete data for %s of %d items", what, n)
	}
	if r.depth >= r.lim.MaxDepth {
		return r.fail(at, ErrLimit, "more than %d nested arrays and maps", r.lim.MaxDepth)
	}
	return nil
}

// array reads n items into a list, as Python's unpackb (use_list) does:
// Pyro's tuples and sets arrive as lists.
func (r *reader) array(at, n int) (any, error) {
	if err := r.count(at, n, 1, "array"); err != nil {
		return nil, err
	}
	r.depth++
	var items []any
	if n > 0 {
		// Grown as items arrive: sizes claimed by nested headers do not
		// add up to more than the data holds.
		items = make([]any, 0, min(n, 256))
	}
	for range n {
		x, err := r.value()
		if err != nil {
			return nil, err
		}
		items = append(items, x)
	}
	r.depth--
	return &pickle.List{Items: items}, nil
}

func (r *reader) dict(at, n int) (any, error) {
	if err := r.count(at, n, 2, "map"); err != nil {
		return nil, err
	}
	r.depth++
	d := pickle.NewDict()
	for range n {
		kat := r.pos()
		k, err := r.value()
		if err != nil {
			return nil, err
		}
		if _, isTime := k.(time.Time); isTime {
			return nil, r.fail(kat, ErrUnsupported, "a datetime as a map key (pickle.Dict cannot hold time.Time keys)")
		}
		if err := r.keys.Check(k, r.lim.MaxDepth); err != nil {
			return nil, &Error{Codec: "msgpack", Offset: kat, Err: fmt.Errorf("map key: %w", err)}
		}
		v, err := r.value()
		if err != nil {
			return nil, err
		}
		d.Set(k, v)
	}
	r.depth--
	return d, nil
}

// Python's datetime holds years 1 to 9999: date.fromordinal and
// datetime.fromtimestamp refuse the rest.
var (
	minTime = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	maxTime = time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC)
)

func (r *reader) ext(at int, id int8, b []byte) (any, error) {
	switch id {
	case extComplex:
		if len(b) != 16 {
			return nil, r.fail(at, ErrSyntax, "complex ext of %d bytes, not 16", len(b))
		}
		return complex(math.Float64frombits(binary.LittleEndian.Uint64(b)), math.Float64frombits(binary.LittleEndian.Uint64(b[8:]))), nil
	case extBigInt:
		return r.bigInt(at, b)
	case extDatetime:
		if len(b) != 8 {
			return nil, r.fail(at, ErrSyntax, "datetime ext of %d bytes, not 8", len(b))
		}
		f := math.Float64frombits(binary.LittleEndian.Uint64(b))
		if !(f >= float64(minTime.Unix()) && f < float64(maxTime.Unix()+1)) {
			return nil, r.fail(at, ErrSyntax, "datetime timestamp %v out of range", f)
		}
		sec := math.Floor(f)
		us := math.RoundToEven((f - sec) * 1e6) // fromtimestamp rounds half to even
		return time.Unix(int64(sec), int64(us)*1000).UTC(), nil
	case extDate:
		if len(b) != 8 {
			return nil, r.fail(at, ErrSyntax, "date ext of %d bytes, not 8", len(b))
		}
		n := int64(binary.LittleEndian.Uint64(b))
		if n < 1 || n > 3652059 {
			return nil, r.fail(at, ErrSyntax, "date ordinal %d out of range", n)
		}
		return minTime.AddDate(0, 0, int(n-1)), nil
	case extTimestamp:
		return nil, r.fail(at, ErrUnsupported, "msgpack's timestamp ext (Python gives a msgpack.Timestamp, not a datetime)")
	}
	return nil, r.fail(at, ErrSyntax, "invalid ext code for msgpack: %d", id)
}

// bigInt reads ext 0x31: an optional sign and decimal digits.
func (r *reader) bigInt(at int, b []byte) (any, error) {
	digits := b
	if len(digits) > 0 && (digits[0] == '-' || digits[0] == '+') {
		digits = digits[1:]
	}
	if len(digits) > r.lim.MaxIntDigits {
		return nil, r.fail(at, ErrLimit, "int of %d digits over the limit of %d", len(digits), r.lim.MaxIntDigits)
	}
	if len(digits) == 0 {
		return nil, r.fail(at, ErrSyntax, "big int ext without digits")
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return nil, r.fail(at, ErrSyntax, "big int ext %q is not decimal digits", b)
		}
	}
	x, _ := new(big.Int).SetString(string(b), 10)
	if x.IsInt64() {
		return x.Int64(), nil
	}
	return x, nil
}
