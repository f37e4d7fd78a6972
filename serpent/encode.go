package serpent

import (
	"encoding/base64"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gopyro/gopyro/internal/codec"
	"github.com/gopyro/gopyro/internal/pyfloat"
	"github.com/gopyro/gopyro/internal/wtf8"
	"github.com/gopyro/gopyro/pickle"
)

// The header lines serpent writes before the literal. Serpent 1.43 always
// writes Header (set literals); writers without set literals (serpent before
// 1.7 on Python 2, Pyrolite with set literals off) write Header26 and sets
// as tuples. The decoder reads either, and any other comment.
const (
	Header   = "# serpent utf-8 python3.2\n"
	Header26 = "# serpent utf-8 python2.6\n"
)

// DefaultEncodeMaxDepth is the container nesting beyond which encoding fails
// when Encoder.MaxDepth is zero: the 200 brackets Python's parser reads.
const DefaultEncodeMaxDepth = 200

// maxIntDigits is the most digits Python converts an int literal of.
const maxIntDigits = 4300

// An Encoder writes serpent data. The zero Encoder writes what Pyro 4 and
// Pyro 5 write: serpent.dumps(v, module_in_classname=True).
type Encoder struct {
	// BytesRepr writes bytes as b'...' literals instead of base64 dicts
	// (serpent's bytes_repr, Pyro 5's SERPENT_BYTES_REPR).
	BytesRepr bool
	// SetsAsTuples writes Header26 and sets as tuples, for readers
	// without set literals.
	SetsAsTuples bool
	// ClassNameOnly writes the class of a *pickle.Object without its
	// module (serpent's default; Pyro passes module_in_classname=True).
	ClassNameOnly bool
	// MaxDepth bounds container nesting; zero means DefaultEncodeMaxDepth.
	MaxDepth int
}

// Marshaler is implemented by Go types that cross serpent as another value,
// such as the class dict of a Pyro class ({'__class__': 'Pyro5.core.URI',
// 'state': (...)}). MarshalSerpent returns that value, which is encoded in
// place of the receiver.
type Marshaler interface {
	MarshalSerpent() (any, error)
}

// Marshal returns the serpent data of v, as Pyro writes it.
func Marshal(v any) ([]byte, error) {
	var e Encoder
	return e.Append(nil, v)
}

// Append appends the serpent data of v (header line included) to dst and
// returns the extended buffer. On error it returns dst with its original
// length. Append is safe for concurrent use.
func (e *Encoder) Append(dst []byte, v any) ([]byte, error) {
	s := encPool.Get().(*encState)
	s.e = e
	s.maxDepth = e.MaxDepth
	if s.maxDepth <= 0 {
		s.maxDepth = DefaultEncodeMaxDepth
	}
	start := len(dst)
	if e.SetsAsTuples {
		dst = append(dst, Header26...)
	} else {
		dst = append(dst, Header...)
	}
	s.buf = dst
	err := s.encode(v, 0)
	out := s.buf
	s.release()
	if err != nil {
		return dst[:start], err
	}
	return out, nil
}

type encState struct {
	buf      []byte
	e        *Encoder
	maxDepth int
	items    []item // dict items being sorted, nested dicts after outer ones
}

type item struct{ k, v any }

var encPool = sync.Pool{New: func() any { return new(encState) }}

func (s *encState) release() {
	s.buf = nil
	s.e = nil
	if cap(s.items) > 4096 {
		s.items = nil
	}
	clear(s.items)
	s.items = s.items[:0]
	encPool.Put(s)
}

var (
	bigIntType   = reflect.TypeFor[big.Int]()
	timeType     = reflect.TypeFor[time.Time]()
	objectType   = reflect.TypeFor[pickle.Object]()
	marshalerTyp = reflect.TypeFor[Marshaler]()
	errorType    = reflect.TypeFor[error]()
)

func (s *encState) encode(v any, depth int) error {
	switch x := v.(type) {
	case nil, pickle.None:
		s.buf = append(s.buf, "None"...)
	case bool:
		if x {
			s.buf = append(s.buf, "True"...)
		} else {
			s.buf = append(s.buf, "False"...)
		}
	case int:
		s.buf = strconv.AppendInt(s.buf, int64(x), 10)
	case int64:
		s.buf = strconv.AppendInt(s.buf, x, 10)
	case int32:
		s.buf = strconv.AppendInt(s.buf, int64(x), 10)
	case uint64:
		s.buf = strconv.AppendUint(s.buf, x, 10)
	case uint32:
		s.buf = strconv.AppendUint(s.buf, uint64(x), 10)
	case float64:
		s.buf = appendFloat(s.buf, x)
	case float32:
		s.buf = appendFloat(s.buf, float64(x))
	case complex128:
		s.appendComplex(x)
	case complex64:
		s.appendComplex(complex128(x))
	case string:
		b, err := appendString(s.buf, x)
		if err != nil {
			return encodeError("string", err)
		}
		s.buf = b
	case pickle.Bytes:
		s.appendBytes(string(x))
	case pickle.ByteString:
		s.appendBytes(string(x))
	case []byte:
		s.appendBytes(string(x))
	case pickle.ByteArray:
		s.appendBytes(string(x))
	case *big.Int:
		if x == nil {
			s.buf = append(s.buf, "None"...)
			return nil
		}
		return s.appendBig(x)
	case pickle.Tuple:
		return s.encodeSeq(x, '(', ')', true, depth)
	case *pickle.List:
		if x == nil {
			s.buf = append(s.buf, "None"...)
			return nil
		}
		return s.encodeSeq(x.Items, '[', ']', false, depth)
	case []any:
		return s.encodeSeq(x, '[', ']', false, depth)
	case pickle.Dict:
		return s.encodeDict(x, depth)
	case map[string]any:
		return s.encodeStringMap(x, depth)
	case *pickle.Set:
		if x == nil {
			s.buf = append(s.buf, "None"...)
			return nil
		}
		return s.encodeSet(x.Items, depth)
	case *pickle.FrozenSet:
		if x == nil {
			s.buf = append(s.buf, "None"...)
			return nil
		}
		return s.encodeSet(x.Items, depth)
	case *pickle.Object:
		if x == nil {
			s.buf = append(s.buf, "None"...)
			return nil
		}
		return s.encodeObject(x, depth)
	case time.Time:
		s.buf = appendISOTime(s.buf, x)
	case time.Duration: // timedelta: total seconds as a float
		s.buf = appendFloat(s.buf, x.Seconds())
	case Marshaler:
		return s.encodeMarshaler(x, depth)
	case pickle.Class:
		return encodeError("pickle.Class", fmt.Errorf("%w: a Python class has no serpent form", ErrUnsupportedType))
	default:
		return s.encodeReflect(reflect.ValueOf(v), depth)
	}
	return nil
}

func (s *encState) encodeMarshaler(m Marshaler, depth int) error {
	v, err := m.MarshalSerpent()
	if err != nil {
		return encodeError(fmt.Sprintf("%T", m), err)
	}
	if _, again := v.(Marshaler); again {
		return encodeError(fmt.Sprintf("%T", m), fmt.Errorf("%w: MarshalSerpent returned a Marshaler", ErrUnsupportedValue))
	}
	return s.encode(v, depth)
}

// open checks the nesting before a container is written.
func (s *encState) open(depth int, what string) error {
	if depth >= s.maxDepth {
		return encodeError(what, fmt.Errorf("%w: more than %d nested containers", ErrEncodeDepth, s.maxDepth))
	}
	return nil
}

// encodeSeq writes a tuple or list; a 1-tuple gets its trailing comma.
func (s *encState) encodeSeq(items []any, open, close byte, tuple bool, depth int) error {
	if err := s.open(depth, "sequence"); err != nil {
		return err
	}
	s.buf = append(s.buf, open)
	for i, x := range items {
		if i > 0 {
			s.buf = append(s.buf, ',')
		}
		if err := s.encode(x, depth+1); err != nil {
			return codec.AtPath(err, codec.IndexPath(i))
		}
	}
	if tuple && len(items) == 1 {
		s.buf = append(s.buf, ',')
	}
	s.buf = append(s.buf, close)
	return nil
}

// encodeSet writes {a,b} in the items' order; an empty set is () as
// serpent writes it (Python has no empty set literal).
func (s *encState) encodeSet(items []any, depth int) error {
	if len(items) == 0 || s.e.SetsAsTuples {
		return s.encodeSeq(items, '(', ')', true, depth)
	}
	for i, x := range items {
		if err := s.checkKey(x); err != nil {
			return codec.AtPath(err, codec.IndexPath(i))
		}
	}
	return s.encodeSeq(items, '{', '}', false, depth)
}

// encodeItems writes the key, value pairs s.items[mark:] as a dict.
func (s *encState) encodeItems(mark, depth int) error {
	s.buf = append(s.buf, '{')
	for i := mark; i < len(s.items); i++ {
		if i > mark {
			s.buf = append(s.buf, ',')
		}
		it := s.items[i]
		if err := s.encodeKey(it.k, depth+1); err != nil {
			return err
		}
		s.buf = append(s.buf, ':')
		if err := s.encode(it.v, depth+1); err != nil {
			return codec.AtPath(err, "["+keyString(it.k)+"]")
		}
	}
	s.buf = append(s.buf, '}')
	return nil
}

// sortItems sorts s.items[mark:] by key as pickle.Dict keys sort
// (pickle.CompareKeys), so that output is deterministic.
func (s *encState) sortItems(mark int) {
	slices.SortFunc(s.items[mark:], func(a, b item) int { return pickle.CompareKeys(a.k, b.k) })
}

// encodeKey writes a dict key, refusing those Python could not read back
// as a key (see checkKey).
func (s *encState) encodeKey(k any, depth int) error {
	if err := s.checkKey(k); err != nil {
		return codec.AtPath(err, "{key}")
	}
	if err := s.encode(k, depth); err != nil {
		return codec.AtPath(err, "{key}")
	}
	return nil
}

// checkKey refuses a dict key or set element whose serpent form Python
// cannot hash. Serpent itself refuses keys that are not bool, bytes, str,
// tuple or numbers; and it writes bytes (unless BytesRepr), NaN and complex
// NaN as dicts, which serpent.loads then fails on ("unhashable type"), so
// those are refused here too.
func (s *encState) checkKey(k any) error {
	bad := func(why string) error {
		return encodeError(fmt.Sprintf("%T", k), fmt.Errorf("%w: %s", ErrUnsupportedValue, why))
	}
	switch x := k.(type) {
	case string, int64, int, bool:
		return nil
	case pickle.Tuple:
		for i, e := range x {
			if err := s.checkKey(e); err != nil {
				return codec.AtPath(err, codec.IndexPath(i))
			}
		}
		return nil
	case *big.Int, time.Time, time.Duration:
		return nil
	case pickle.Bytes, pickle.ByteString, []byte, pickle.ByteArray:
		if s.e.BytesRepr {
			return nil
		}
		return bad("bytes as a dict key or set element become a base64 dict, which Python cannot hash (BytesRepr writes them as b'' literals)")
	case nil, pickle.None:
		return bad("serpent refuses None as a dict key or set element")
	}
	rv := reflect.ValueOf(k)
	switch rv.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr, reflect.String:
		return nil
	case reflect.Float32, reflect.Float64:
		if math.IsNaN(rv.Float()) {
			return bad("NaN becomes a dict, which Python cannot hash")
		}
		return nil
	case reflect.Complex64, reflect.Complex128:
		if c := rv.Complex(); math.IsNaN(real(c)) || math.IsNaN(imag(c)) {
			return bad("a complex with NaN becomes a dict, which Python cannot hash")
		}
		return nil
	}
	return bad("a dict key or set element must be a bool, number, str, bytes or tuple")
}

func keyString(k any) string {
	if s, ok := k.(string); ok {
		return strconv.Quote(s)
	}
	return fmt.Sprint(k)
}

// encodeDict writes a pickle.Dict with its keys sorted (pickle.CompareKeys),
// so that output is deterministic.
func (s *encState) encodeDict(d pickle.Dict, depth int) error {
	if err := s.open(depth, "pickle.Dict"); err != nil {
		return err
	}
	mark := len(s.items)
	for k, v := range pickle.DictItems(d) {
		s.items = append(s.items, item{k, v})
	}
	defer s.truncate(mark)
	s.sortItems(mark)
	return s.encodeItems(mark, depth)
}

func (s *encState) truncate(mark int) {
	clear(s.items[mark:])
	s.items = s.items[:mark]
}

func (s *encState) encodeStringMap(m map[string]any, depth int) error {
	if err := s.open(depth, "map[string]any"); err != nil {
		return err
	}
	mark := len(s.items)
	for k, v := range m {
		s.items = append(s.items, item{k, v})
	}
	defer s.truncate(mark)
	slices.SortFunc(s.items[mark:], func(a, b item) int { return strings.Compare(a.k.(string), b.k.(string)) })
	return s.encodeItems(mark, depth)
}

// encodeObject writes an instance as serpent writes a class instance: its
// state dict (keys sorted) and then '__class__': 'module.Name'.
func (s *encState) encodeObject(o *pickle.Object, depth int) error {
	if err := s.open(depth, "*pickle.Object"); err != nil {
		return err
	}
	mark := len(s.items)
	defer s.truncate(mark)
	switch st := o.State.(type) {
	case nil:
	case pickle.Dict:
		for k, v := range pickle.DictItems(st) {
			if k != "__class__" {
				s.items = append(s.items, item{k, v})
			}
		}
	default:
		return encodeError("*pickle.Object", fmt.Errorf("%w: the state of %s.%s is a %s, not a dict", ErrUnsupportedValue, o.Class.Module, o.Class.Name, pickle.PythonType(st)))
	}
	s.sortItems(mark)
	name := o.Class.Name
	if !s.e.ClassNameOnly && o.Class.Module != "" {
		name = o.Class.Module + "." + name
	}
	s.items = append(s.items, item{"__class__", name})
	return s.encodeItems(mark, depth)
}

func (s *encState) appendBig(x *big.Int) error {
	start := len(s.buf)
	s.buf = x.Append(s.buf, 10)
	n := len(s.buf) - start
	if x.Sign() < 0 {
		n--
	}
	if n > maxIntDigits {
		s.buf = s.buf[:start]
		return encodeError("*big.Int", fmt.Errorf("%w: an int of %d digits (Python reads at most %d)", ErrUnsupportedValue, n, maxIntDigits))
	}
	return nil
}

// appendFloat writes f as serpent does: repr(f), with 1e30000 and -1e30000
// for the infinities and a class dict for NaN.
func appendFloat(b []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(b, "{'__class__':'float','value':'nan'}"...)
	case math.IsInf(f, 1):
		return append(b, "1e30000"...)
	case math.IsInf(f, -1):
		return append(b, "-1e30000"...)
	}
	return pyfloat.AppendRepr(b, f)
}

// appendComplex writes (re+imj), or a class dict when a part is NaN.
func (s *encState) appendComplex(c complex128) {
	re, im := real(c), imag(c)
	if math.IsNaN(re) || math.IsNaN(im) {
		s.buf = append(s.buf, "{'__class__':'complex','real':"...)
		s.buf = appendFloat(s.buf, re)
		s.buf = append(s.buf, ",'imag':"...)
		s.buf = appendFloat(s.buf, im)
		s.buf = append(s.buf, '}')
		return
	}
	s.buf = append(s.buf, '(')
	s.buf = appendFloat(s.buf, re)
	if !math.Signbit(im) {
		s.buf = append(s.buf, '+')
	}
	s.buf = appendFloat(s.buf, im)
	s.buf = append(s.buf, 'j', ')')
}

// appendBytes writes bytes as serpent does: a base64 dict, or with
// BytesRepr a b'...' literal.
func (s *encState) appendBytes(b string) {
	if s.e.BytesRepr {
		s.buf = appendBytesRepr(s.buf, b)
		return
	}
	s.buf = append(s.buf, "{'data': '"...)
	s.buf = base64.StdEncoding.AppendEncode(s.buf, []byte(b))
	s.buf = append(s.buf, "', 'encoding': 'base64'}"...)
}

// quoteFor picks Python repr's quote: ' unless the text holds ' and no ".
func quoteFor(s string) byte {
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		return '"'
	}
	return '\''
}

const hexDigits = "0123456789abcdef"

// plainASCII marks the printable ASCII bytes repr writes as they are
// (quotes and backslash aside).
var plainASCII = func() (t [256]bool) {
	for c := 0x20; c < 0x7f; c++ {
		t[c] = c != '\\' && c != '\'' && c != '"'
	}
	return t
}()

// appendASCIIEscape writes the repr escape of an ASCII byte that is not
// plain.
func appendASCIIEscape(b []byte, c, q byte) []byte {
	switch c {
	case '\\':
		return append(b, '\\', '\\')
	case '\t':
		return append(b, '\\', 't')
	case '\n':
		return append(b, '\\', 'n')
	case '\r':
		return append(b, '\\', 'r')
	case '\'', '"':
		if c == q {
			return append(b, '\\', c)
		}
		return append(b, c)
	}
	return append(b, '\\', 'x', hexDigits[c>>4], hexDigits[c&15])
}

// appendString writes Python's repr of a str. The string is UTF-8, in which
// the three-byte forms of lone surrogates are allowed (they are escaped).
func appendString(b []byte, s string) ([]byte, error) {
	i := 0
	for i < len(s) && plainASCII[s[i]] {
		i++
	}
	if i == len(s) { // the common case: printable ASCII without quotes
		b = append(b, '\'')
		b = append(b, s...)
		return append(b, '\''), nil
	}
	q := quoteFor(s)
	b = append(b, q)
	b = append(b, s[:i]...) // the plain prefix scanned above
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			j := i
			for j < len(s) && plainASCII[s[j]] {
				j++
			}
			if j > i {
				b = append(b, s[i:j]...)
				i = j
				continue
			}
			b = appendASCIIEscape(b, c, q)
			i++
			continue
		}
		r, n := wtf8.DecodeRune(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			return b, fmt.Errorf("%w: byte 0x%02x at %d", ErrInvalidUTF8, c, i)
		case unicode.IsPrint(r): // never a surrogate, which is escaped
			b = append(b, s[i:i+n]...)
		default:
			b = appendRuneEscape(b, r)
		}
		i += n
	}
	return append(b, q), nil
}

// appendRuneEscape writes \xhh, \uhhhh or \Uhhhhhhhh as repr does.
func appendRuneEscape(b []byte, r rune) []byte {
	switch {
	case r < 0x100:
		return append(b, '\\', 'x', hexDigits[r>>4], hexDigits[r&15])
	case r < 0x10000:
		return append(b, '\\', 'u', hexDigits[r>>12], hexDigits[r>>8&15], hexDigits[r>>4&15], hexDigits[r&15])
	}
	b = append(b, '\\', 'U')
	for shift := 28; shift >= 0; shift -= 4 {
		b = append(b, hexDigits[r>>shift&15])
	}
	return b
}

// appendBytesRepr writes Python's repr of bytes: b'...'.
func appendBytesRepr(b []byte, s string) []byte {
	q := quoteFor(s)
	b = append(b, 'b', q)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if plainASCII[c] {
			b = append(b, c)
			continue
		}
		b = appendASCIIEscape(b, c, q)
	}
	return append(b, q)
}

// appendISOTime writes t as the string datetime.isoformat() gives: with
// microseconds when not zero and the UTC offset (Go times always have one).
func appendISOTime(b []byte, t time.Time) []byte {
	b = append(b, '\'')
	b = AppendISOFormat(b, t)
	return append(b, '\'')
}
