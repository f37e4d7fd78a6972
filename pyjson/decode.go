package pyjson

import (
	"bytes"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/gopyro/gopyro/internal/pyval"
	"github.com/gopyro/gopyro/internal/wtf8"
	"github.com/gopyro/gopyro/pickle"
)

// A Decoder reads JSON as Python's json.loads reads it after Pyro decodes
// the bytes as UTF-8. The zero Decoder uses serpent.DefaultLimits.
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

// Decode parses data, one JSON value with blanks around it. On failure it
// returns an *Error; it never panics. Decode is safe for concurrent use.
func (d *Decoder) Decode(data []byte) (any, error) {
	p := parserPool.Get().(*parser)
	defer p.release()
	p.data, p.pos, p.depth, p.lim = data, 0, 0, d.Limits.WithDefaults()
	if len(data) > p.lim.MaxSize {
		return nil, p.fail(0, ErrLimit, "data of %d bytes over the limit of %d", len(data), p.lim.MaxSize)
	}
	if !utf8.Valid(data) {
		i := 0
		for i < len(data) {
			r, n := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			i += n
		}
		return nil, p.fail(i, ErrEncoding, "invalid UTF-8 byte 0x%02x", data[i])
	}
	if bytes.HasPrefix(data, []byte("\ufeff")) {
		return nil, p.fail(0, ErrEncoding, "unexpected UTF-8 byte order mark")
	}
	p.skip()
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	p.skip()
	if p.pos < len(data) {
		return nil, p.fail(p.pos, ErrSyntax, "extra data after the value")
	}
	return v, nil
}

var parserPool = sync.Pool{New: func() any { return new(parser) }}

func (p *parser) release() {
	p.data = nil
	if cap(p.buf) > 4096 {
		p.buf = nil
	}
	parserPool.Put(p)
}

type parser struct {
	data  []byte
	pos   int
	depth int
	lim   Limits
	buf   []byte // scratch for strings with escapes
	names pyval.Interner
}

func (p *parser) fail(off int, kind error, format string, args ...any) error {
	return &Error{Codec: "json", Offset: off, Err: fmt.Errorf("%w: "+format, append([]any{kind}, args...)...)}
}

func (p *parser) skip() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

// word consumes w if the data has it at the current position.
func (p *parser) word(w string) bool {
	if bytes.HasPrefix(p.data[p.pos:], []byte(w)) {
		p.pos += len(w)
		return true
	}
	return false
}

func (p *parser) value() (any, error) {
	if p.pos >= len(p.data) {
		return nil, p.fail(p.pos, ErrSyntax, "expecting a value")
	}
	switch c := p.data[p.pos]; {
	case c == '"':
		return p.str()
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '-' || c >= '0' && c <= '9':
		if v, ok, err := p.number(); ok || err != nil {
			return v, err
		}
		if p.word("-Infinity") {
			return math.Inf(-1), nil
		}
	case p.word("null"):
		return pickle.None{}, nil
	case p.word("true"):
		return true, nil
	case p.word("false"):
		return false, nil
	case p.word("NaN"):
		return math.NaN(), nil
	case p.word("Infinity"):
		return math.Inf(1), nil
	}
	return nil, p.fail(p.pos, ErrSyntax, "expecting a value")
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// number reads -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?, as Python's
// scanner does; ok is false when no number starts here.
func (p *parser) number() (v any, ok bool, err error) {
	d, start := p.data, p.pos
	i := start
	if d[i] == '-' {
		i++
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case i < len(d) && isDigit(d[i]):
		for i < len(d) && isDigit(d[i]) {
			i++
		}
	default:
		return nil, false, nil
	}
	intEnd := i
	if i+1 < len(d) && d[i] == '.' && isDigit(d[i+1]) {
		for i += 2; i < len(d) && isDigit(d[i]); i++ {
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		j := i + 1
		if j < len(d) && (d[j] == '+' || d[j] == '-') {
			j++
		}
		if j < len(d) && isDigit(d[j]) {
			for i = j; i < len(d) && isDigit(d[i]); i++ {
			}
		}
	}
	p.pos = i
	text := d[start:i]
	if i != intEnd {
		f, err := strconv.ParseFloat(string(text), 64)
		if err != nil && !math.IsInf(f, 0) { // out of range: Python gives inf too
			return nil, true, p.fail(start, ErrSyntax, "invalid number %q", text)
		}
		return f, true, nil
	}
	digits := len(text)
	if text[0] == '-' {
		digits--
	}
	if digits > p.lim.MaxIntDigits {
		return nil, true, p.fail(start, ErrLimit, "int of %d digits over the limit of %d", digits, p.lim.MaxIntDigits)
	}
	if digits <= 18 {
		var n int64
		for _, c := range text[len(text)-digits:] {
			n = n*10 + int64(c-'0')
		}
		if text[0] == '-' {
			n = -n
		}
		return n, true, nil
	}
	x, _ := new(big.Int).SetString(string(text), 10)
	if x.IsInt64() {
		return x.Int64(), true, nil
	}
	return x, true, nil
}

// str reads a string; the opening quote is at p.pos.
func (p *parser) str() (any, error) {
	start := p.pos
	p.pos++
	d := p.data
	i := p.pos
	for i < len(d) && d[i] != '"' && d[i] != '\\' && d[i] >= 0x20 {
		i++
	}
	if i < len(d) && d[i] == '"' { // no escapes: the common case
		if i-p.pos > p.lim.MaxStringLen {
			return nil, p.fail(start, ErrLimit, "string of %d bytes over the limit of %d", i-p.pos, p.lim.MaxStringLen)
		}
		s := p.names.Box(d[p.pos:i])
		p.pos = i + 1
		return s, nil
	}
	b := append(p.buf[:0], d[p.pos:i]...)
	for {
		if len(b) > p.lim.MaxStringLen {
			return nil, p.fail(start, ErrLimit, "string of over %d bytes", p.lim.MaxStringLen)
		}
		if i >= len(d) {
			return nil, p.fail(start, ErrSyntax, "unterminated string")
		}
		c := d[i]
		switch {
		case c == '"':
			p.pos = i + 1
			p.buf = b
			return p.names.Box(b), nil
		case c < 0x20:
			return nil, p.fail(i, ErrSyntax, "invalid control character 0x%02x in a string", c)
		case c != '\\':
			b = append(b, c)
			i++
			continue
		}
		if i+1 >= len(d) {
			return nil, p.fail(start, ErrSyntax, "unterminated string")
		}
		esc := d[i+1]
		i += 2
		switch esc {
		case '"', '\\', '/':
			b = append(b, esc)
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, ok := hex4(d, i)
			if !ok {
				return nil, p.fail(i-1, ErrSyntax, "invalid \\uXXXX escape")
			}
			i += 4
			if r >= 0xd800 && r <= 0xdbff && i+1 < len(d) && d[i] == '\\' && d[i+1] == 'u' {
				if lo, ok := hex4(d, i+2); ok && lo >= 0xdc00 && lo <= 0xdfff {
					r = 0x10000 + (r-0xd800)<<10 + (lo - 0xdc00)
					i += 6
				}
			}
			b = wtf8.AppendRune(b, r) // a lone surrogate stays one, as in Python
		default:
			return nil, p.fail(i-2, ErrSyntax, "invalid escape \\%c", esc)
		}
	}
}

func hex4(d []byte, i int) (rune, bool) {
	if i+4 > len(d) {
		return 0, false
	}
	var r rune
	for _, c := range d[i : i+4] {
		switch {
		case isDigit(c):
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

func (p *parser) open() error {
	if p.depth >= p.lim.MaxDepth {
		return p.fail(p.pos, ErrLimit, "more than %d nested arrays and objects", p.lim.MaxDepth)
	}
	p.depth++
	p.pos++
	return nil
}

func (p *parser) array() (any, error) {
	if err := p.open(); err != nil {
		return nil, err
	}
	l := &pickle.List{}
	p.skip()
	if p.pos < len(p.data) && p.data[p.pos] == ']' {
		p.pos++
		p.depth--
		return l, nil
	}
	for {
		p.skip()
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		if len(l.Items) >= p.lim.MaxContainerLen {
			return nil, p.fail(p.pos, ErrLimit, "array of more than %d items", p.lim.MaxContainerLen)
		}
		l.Items = append(l.Items, v)
		p.skip()
		if p.pos >= len(p.data) {
			return nil, p.fail(p.pos, ErrSyntax, "expecting ',' or ']'")
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case ']':
			p.pos++
			p.depth--
			return l, nil
		default:
			return nil, p.fail(p.pos, ErrSyntax, "expecting ',' or ']'")
		}
	}
}

func (p *parser) object() (any, error) {
	if err := p.open(); err != nil {
		return nil, err
	}
	m := pickle.NewDict()
	p.skip()
	if p.pos < len(p.data) && p.data[p.pos] == '}' {
		p.pos++
		p.depth--
		return m, nil
	}
	for n := 0; ; n++ {
		p.skip()
		if p.pos >= len(p.data) || p.data[p.pos] != '"' {
			return nil, p.fail(p.pos, ErrSyntax, "expecting a property name in double quotes")
		}
		k, err := p.str()
		if err != nil {
			return nil, err
		}
		p.skip()
		if p.pos >= len(p.data) || p.data[p.pos] != ':' {
			return nil, p.fail(p.pos, ErrSyntax, "expecting ':'")
		}
		p.pos++
		p.skip()
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		if n >= p.lim.MaxContainerLen {
			return nil, p.fail(p.pos, ErrLimit, "object of more than %d items", p.lim.MaxContainerLen)
		}
		m.Set(k, v)
		p.skip()
		if p.pos >= len(p.data) {
			return nil, p.fail(p.pos, ErrSyntax, "expecting ',' or '}'")
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case '}':
			p.pos++
			p.depth--
			return m, nil
		default:
			return nil, p.fail(p.pos, ErrSyntax, "expecting ',' or '}'")
		}
	}
}
