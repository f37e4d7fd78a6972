package serpent

import (
	"bytes"
	"math"
	"math/big"
	"strconv"
	"sync"
	"unicode/utf8"

	ogórek "github.com/kisielk/og-rek"

	"github.com/gopyro/gopyro/internal/codec"
	"github.com/gopyro/gopyro/pickle"
)

// A Decoder reads serpent data: one Python literal, as ast.literal_eval
// reads it, after an optional header comment. The zero Decoder uses
// DefaultLimits and returns what serpent.loads returns.
type Decoder struct {
	// Limits bound what one Decode may allocate; zero fields take the
	// DefaultLimits values.
	Limits Limits
	// Restore turns serpent's stand-ins back into the values they stand
	// for, as Pyro does on the Python side: a dict of exactly 'data' and
	// 'encoding': 'base64' becomes pickle.Bytes (serpent.tobytes), the
	// dict {'__class__': 'float', 'value': 'nan'} becomes NaN, and
	// {'__class__': 'complex', 'real': r, 'imag': i} becomes complex128.
	Restore bool
}

// Decode decodes data with the zero Decoder.
func Decode(data []byte) (any, error) {
	var d Decoder
	return d.Decode(data)
}

// Unmarshal decodes data with Restore set and assigns the value to dst with
// pickle.Assign, so that Go destinations are filled by the rules every gopyro
// codec shares (bytes arrive as pickle.Bytes and fill []byte).
func Unmarshal(data []byte, dst any) error {
	d := Decoder{Restore: true}
	v, err := d.Decode(data)
	if err != nil {
		return err
	}
	return pickle.Assign(dst, v)
}

// Decode parses data. On failure it returns an *Error with the position and
// a sentinel; it never panics. A Decoder is configuration only: Decode is
// safe for concurrent use.
func (d *Decoder) Decode(data []byte) (any, error) {
	lim := d.Limits.withDefaults()
	if len(data) > lim.MaxSize {
		return nil, newError(data, lim.MaxSize, codec.Errorf(ErrLimit, "data of %d bytes over the limit of %d", len(data), lim.MaxSize))
	}
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return nil, newError(data, i, codec.Errorf(ErrEncoding, "NUL byte in the data (Python cannot parse it)"))
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
		return nil, newError(data, i, codec.Errorf(ErrEncoding, "invalid UTF-8 byte 0x%02x", data[i]))
	}
	p := parserPool.Get().(*parser)
	p.data, p.pos, p.depth, p.lim, p.restore = data, 0, 0, lim, d.Restore
	v, err := p.top()
	if err != nil {
		err = newError(data, p.errPos, err)
		v = nil
	}
	p.release()
	return v, err
}

// Short strings recur from one Pyro message to the next (object ids, method
// names, dict keys): each pooled parser keeps them boxed, so that decoding
// one again allocates nothing. The values are immutable strings, safe to
// share between the values decodes return.
const (
	maxInterned    = 40   // longest string interned, in bytes
	maxInternCount = 1024 // entries before the cache starts over
)

var parserPool = sync.Pool{New: func() any { return &parser{intern: make(map[string]any)} }}

func (p *parser) release() {
	p.data = nil
	clear(p.stack)
	if cap(p.stack) > 4096 {
		p.stack = nil
	}
	p.stack = p.stack[:0]
	if cap(p.buf) > 4096 {
		p.buf = nil
	}
	parserPool.Put(p)
}

// boxString returns s as a value, interned when short.
func (p *parser) boxString(b []byte) any {
	if len(b) > maxInterned {
		return string(b)
	}
	if v, ok := p.intern[string(b)]; ok {
		return v
	}
	if len(p.intern) >= maxInternCount {
		clear(p.intern)
	}
	s := string(b)
	v := any(s)
	p.intern[s] = v
	return v
}

type parser struct {
	data    []byte
	pos     int
	depth   int // brackets open
	lim     Limits
	restore bool
	errPos  int
	// bodyStart is where the body of the last string literal scanned starts.
	bodyStart int
	buf       []byte         // scratch for numbers with underscores
	stack     []any          // items of the containers being parsed, inner after outer
	intern    map[string]any // boxed short strings, see boxString
}

// fail records the position of an error and returns it.
func (p *parser) fail(pos int, err error) error {
	p.errPos = pos
	return err
}

func (p *parser) failf(pos int, kind error, format string, args ...any) error {
	return p.fail(pos, codec.Errorf(kind, format, args...))
}

// top parses the whole data: blank and comment lines, one expression (a
// bare tuple too, as eval does), then only blanks and comments.
func (p *parser) top() (any, error) {
	if err := p.skipLeading(); err != nil {
		return nil, err
	}
	if p.pos >= len(p.data) {
		return nil, p.failf(p.pos, ErrSyntax, "no value: the data is empty or only comments")
	}
	v, _, err := p.expr()
	if err != nil {
		return nil, err
	}
	p.skip()
	if p.peek() == ',' { // a bare tuple: 1, 2
		mark := len(p.stack)
		p.stack = append(p.stack, v)
		for p.peek() == ',' {
			p.pos++
			p.skip()
			if p.atLineEnd() {
				break
			}
			x, _, err := p.expr()
			if err != nil {
				return nil, err
			}
			p.stack = append(p.stack, x)
			if len(p.stack)-mark > p.lim.MaxContainerLen {
				return nil, p.failf(p.pos, ErrLimit, "tuple of more than %d items", p.lim.MaxContainerLen)
			}
			p.skip()
		}
		v = pickle.Tuple(p.pop(mark))
	}
	p.depth = 1 // newlines are blanks from here on
	p.skip()
	if p.pos < len(p.data) {
		return nil, p.unexpected("end of data")
	}
	return v, nil
}

// atLineEnd reports whether only a line end, comment or the end follow.
func (p *parser) atLineEnd() bool {
	c := p.peek()
	return c == 0 || c == '\n' || c == '\r' || c == '#'
}

// skipLeading skips what may precede the value: blanks on the first line
// (ast.literal_eval strips them), blank lines and comment lines. A later
// line that starts with blanks is an indentation error, as in Python.
func (p *parser) skipLeading() error {
	first := true
	for {
		start := p.pos
		for p.pos < len(p.data) && (p.data[p.pos] == ' ' || p.data[p.pos] == '\t' || p.data[p.pos] == '\f') {
			p.pos++
		}
		indented := p.pos > start
		switch p.peek() {
		case '#':
			for p.pos < len(p.data) && p.data[p.pos] != '\n' && p.data[p.pos] != '\r' {
				p.pos++
			}
			continue
		case '\n', '\r':
			p.pos++
			first = false
			continue
		case 0:
			return nil
		}
		if indented && !first {
			return p.failf(p.pos, ErrSyntax, "unexpected indent")
		}
		return nil
	}
}

func (p *parser) peek() byte {
	if p.pos < len(p.data) {
		return p.data[p.pos]
	}
	return 0
}

// skip skips blanks, comments and backslash line continuations, and line
// ends inside brackets (Python's implicit line joining).
func (p *parser) skip() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\f':
			p.pos++
		case '\n', '\r':
			if p.depth == 0 {
				return
			}
			p.pos++
		case '#':
			for p.pos < len(p.data) && p.data[p.pos] != '\n' && p.data[p.pos] != '\r' {
				p.pos++
			}
		case '\\':
			rest := p.data[p.pos+1:]
			switch {
			case len(rest) > 0 && rest[0] == '\n':
				p.pos += 2
			case len(rest) > 1 && rest[0] == '\r' && rest[1] == '\n':
				p.pos += 3
			case len(rest) > 0 && rest[0] == '\r':
				p.pos += 2
			default:
				return
			}
		default:
			return
		}
	}
}

// unexpected reports the byte at the current position.
func (p *parser) unexpected(want string) error {
	if p.pos >= len(p.data) {
		return p.failf(p.pos, ErrSyntax, "unexpected end of data, expected %s", want)
	}
	r, _ := utf8.DecodeRune(p.data[p.pos:])
	if r == '\n' || r == '\r' {
		return p.failf(p.pos, ErrSyntax, "unexpected line end outside brackets, expected %s", want)
	}
	return p.failf(p.pos, ErrSyntax, "unexpected %q, expected %s", r, want)
}

// expr parses one value; h reports whether Python could hash it.
func (p *parser) expr() (v any, h bool, err error) {
	p.skip()
	if p.pos >= len(p.data) {
		return nil, false, p.unexpected("a value")
	}
	c := p.data[p.pos]
	switch {
	case c == '[':
		v, err = p.list()
		return v, false, err
	case c == '(':
		return p.paren()
	case c == '{':
		return p.brace()
	case c == '\'' || c == '"':
		v, err = p.strings()
		return v, true, err
	case c >= '0' && c <= '9' || c == '.' && p.pos+1 < len(p.data) && isDigit(p.data[p.pos+1]):
		v, err = p.numberExpr(0)
		return v, true, err
	case c == '-' || c == '+':
		v, err = p.numberExpr(c)
		return v, true, err
	case c == '.':
		if bytes.HasPrefix(p.data[p.pos:], []byte("...")) {
			return nil, false, p.failf(p.pos, ErrUnsupported, "the Ellipsis (...) has no Go value")
		}
	case isIdentStart(c):
		return p.name()
	}
	return nil, false, p.unexpected("a value")
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isIdentStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c >= 0x80
}

func isIdentChar(c byte) bool { return isIdentStart(c) || isDigit(c) }

// open enters a bracket, checking the nesting limit.
func (p *parser) open() error {
	if p.depth >= p.lim.MaxDepth {
		return p.failf(p.pos, ErrLimit, "more than %d nested brackets", p.lim.MaxDepth)
	}
	p.depth++
	p.pos++
	return nil
}

// items parses comma-separated values up to the closing byte, pushing them
// on p.stack; the opening bracket has been consumed. A trailing comma is
// allowed.
func (p *parser) items(close byte, kind string, mark int) (bool, error) {
	h := true
	for {
		p.skip()
		if p.peek() == close {
			p.pos++
			p.depth--
			return h, nil
		}
		x, hx, err := p.expr()
		if err != nil {
			return false, err
		}
		h = h && hx
		p.stack = append(p.stack, x)
		if len(p.stack)-mark > p.lim.MaxContainerLen {
			return false, p.failf(p.pos, ErrLimit, "%s of more than %d items", kind, p.lim.MaxContainerLen)
		}
		p.skip()
		switch p.peek() {
		case ',':
			p.pos++
		case close:
		default:
			return false, p.unexpected("',' or '" + string(close) + "'")
		}
	}
}

// pop returns the items above mark as a slice of their own.
func (p *parser) pop(mark int) []any {
	n := len(p.stack) - mark
	if n == 0 {
		return nil
	}
	items := make([]any, n)
	copy(items, p.stack[mark:])
	clear(p.stack[mark:])
	p.stack = p.stack[:mark]
	return items
}

func (p *parser) list() (any, error) {
	if err := p.open(); err != nil {
		return nil, err
	}
	mark := len(p.stack)
	if _, err := p.items(']', "list", mark); err != nil {
		return nil, err
	}
	return &pickle.List{Items: p.pop(mark)}, nil
}

// emptyTuple is the value of (), boxed once.
var emptyTuple any = pickle.Tuple{}

// paren parses (), (x,), (x, y) tuples and (x) grouping.
func (p *parser) paren() (any, bool, error) {
	if err := p.open(); err != nil {
		return nil, false, err
	}
	p.skip()
	if p.peek() == ')' {
		p.pos++
		p.depth--
		return emptyTuple, true, nil
	}
	first, h, err := p.expr()
	if err != nil {
		return nil, false, err
	}
	p.skip()
	switch p.peek() {
	case ')':
		p.pos++
		p.depth--
		return first, h, nil
	case ',':
		p.pos++
	default:
		return nil, false, p.unexpected("',' or ')'")
	}
	mark := len(p.stack)
	p.stack = append(p.stack, first)
	hr, err := p.items(')', "tuple", mark)
	if err != nil {
		return nil, false, err
	}
	return pickle.Tuple(p.pop(mark)), h && hr, nil
}

// brace parses {} (an empty dict), dicts and sets.
func (p *parser) brace() (any, bool, error) {
	if err := p.open(); err != nil {
		return nil, false, err
	}
	p.skip()
	if p.peek() == '}' {
		p.pos++
		p.depth--
		return pickle.NewDict(), false, nil
	}
	keyPos := p.pos
	first, h, err := p.expr()
	if err != nil {
		return nil, false, err
	}
	p.skip()
	if p.peek() == ':' {
		v, err := p.dict(first, h, keyPos)
		return v, false, err
	}
	if !h {
		return nil, false, p.failf(keyPos, ErrUnhashable, "unhashable type: '%s' as a set element", pickle.PythonType(first))
	}
	mark := len(p.stack)
	p.stack = append(p.stack, first)
	for {
		switch p.peek() {
		case ',':
			p.pos++
		case '}':
		default:
			return nil, false, p.unexpected("',' or '}'")
		}
		p.skip()
		if p.peek() == '}' {
			p.pos++
			p.depth--
			return &pickle.Set{Items: dedup(p.pop(mark))}, false, nil
		}
		pos := p.pos
		x, hx, err := p.expr()
		if err != nil {
			return nil, false, err
		}
		if !hx {
			return nil, false, p.failf(pos, ErrUnhashable, "unhashable type: '%s' as a set element", pickle.PythonType(x))
		}
		p.stack = append(p.stack, x)
		if len(p.stack)-mark > p.lim.MaxContainerLen {
			return nil, false, p.failf(p.pos, ErrLimit, "set of more than %d items", p.lim.MaxContainerLen)
		}
		p.skip()
	}
}

// dedup drops the items equal (by Python's rules: 1 == 1.0 == True) to an
// earlier one, as building a Python set does.
func dedup(items []any) []any {
	if len(items) < 2 {
		return items
	}
	seen := ogórek.NewDictWithSizeHint(len(items))
	out := items[:0]
	for _, x := range items {
		if _, dup := seen.Get_(x); !dup {
			seen.Set(x, nil)
			out = append(out, x)
		}
	}
	clear(items[len(out):])
	return out
}

// dict parses the rest of a dict whose first key has been read and whose
// ':' is next. Keys and values go on p.stack, so that the dict is made
// with room for all of them.
func (p *parser) dict(key any, hashable bool, keyPos int) (any, error) {
	mark := len(p.stack)
	for {
		if !hashable {
			return nil, p.failf(keyPos, ErrUnhashable, "unhashable type: '%s' as a dict key", pickle.PythonType(key))
		}
		p.pos++ // ':'
		v, _, err := p.expr()
		if err != nil {
			return nil, err
		}
		p.stack = append(p.stack, key, v)
		if (len(p.stack)-mark)/2 > p.lim.MaxContainerLen {
			return nil, p.failf(p.pos, ErrLimit, "dict of more than %d items", p.lim.MaxContainerLen)
		}
		p.skip()
		switch p.peek() {
		case ',':
			p.pos++
		case '}':
		default:
			return nil, p.unexpected("',' or '}'")
		}
		p.skip()
		if p.peek() == '}' {
			p.pos++
			p.depth--
			break
		}
		keyPos = p.pos
		key, hashable, err = p.expr()
		if err != nil {
			return nil, err
		}
		p.skip()
		if p.peek() != ':' {
			return nil, p.unexpected("':' after a dict key")
		}
	}
	kv := p.stack[mark:]
	d := ogórek.NewDictWithSizeHint(len(kv) / 2)
	for i := 0; i < len(kv); i += 2 {
		d.Set(kv[i], kv[i+1])
	}
	clear(kv)
	p.stack = p.stack[:mark]
	if p.restore && d.Len() <= 3 {
		return p.restored(d, keyPos)
	}
	return d, nil
}

// name parses True, False, None, set() and string prefixes.
func (p *parser) name() (any, bool, error) {
	start := p.pos
	end := start
	for end < len(p.data) && isIdentChar(p.data[end]) {
		end++
	}
	word := p.data[start:end]
	if end < len(p.data) && (p.data[end] == '\'' || p.data[end] == '"') && len(word) <= 2 {
		if _, ok := parsePrefix(word); ok || isFPrefix(word) {
			v, err := p.strings()
			return v, true, err
		}
	}
	switch string(word) {
	case "True":
		p.pos = end
		return true, true, nil
	case "False":
		p.pos = end
		return false, true, nil
	case "None":
		p.pos = end
		return pickle.None{}, true, nil
	case "set":
		p.pos = end
		p.skip()
		if p.peek() == '(' {
			p.pos++
			p.skip()
			if p.peek() == ')' {
				p.pos++
				return &pickle.Set{}, false, nil
			}
			return nil, false, p.failf(start, ErrNotLiteral, "set(...) with arguments is a call, not a literal (only set() is)")
		}
	}
	if word[0] >= 0x80 {
		r, _ := utf8.DecodeRune(word)
		return nil, false, p.failf(start, ErrSyntax, "unexpected %q", r)
	}
	return nil, false, p.failf(start, ErrNotLiteral, "name %q is not a literal", word)
}

// numberExpr parses a number with an optional sign, and the complex sums
// literal_eval accepts (1+2j, -1.5-0.5j: a real left and an imaginary right).
func (p *parser) numberExpr(sign byte) (any, error) {
	start := p.pos
	v, isImag, err := p.signed(sign)
	if err != nil {
		return nil, err
	}
	p.skip()
	op := p.peek()
	if op != '+' && op != '-' {
		return v, nil
	}
	opPos := p.pos
	if isImag {
		return nil, p.failf(opPos, ErrNotLiteral, "a complex literal has its real part first (like 1+2j)")
	}
	p.pos++
	p.skip()
	right, rimag, err := p.unsigned()
	if err != nil {
		return nil, err
	}
	if !rimag {
		return nil, p.failf(opPos, ErrNotLiteral, "'%c' between real numbers is an operation, not a literal", op)
	}
	re, err := p.toFloat(v, start)
	if err != nil {
		return nil, err
	}
	c := right.(complex128)
	if op == '-' {
		c = complex(re-real(c), 0-imag(c))
	} else {
		c = complex(re+real(c), 0+imag(c))
	}
	p.skip()
	if q := p.peek(); q == '+' || q == '-' {
		return nil, p.failf(p.pos, ErrNotLiteral, "'%c' after a complex literal is an operation, not a literal", q)
	}
	return c, nil
}

// toFloat converts the real part of a complex literal.
func (p *parser) toFloat(v any, pos int) (float64, error) {
	switch x := v.(type) {
	case int64:
		return float64(x), nil
	case float64:
		return x, nil
	case *big.Int:
		f, acc := new(big.Float).SetInt(x).Float64()
		if math.IsInf(f, 0) && acc != big.Exact {
			return 0, p.failf(pos, ErrLimit, "int too large to convert to float")
		}
		return f, nil
	}
	return 0, p.failf(pos, ErrNotLiteral, "not a number")
}

// signed parses an optional sign and a number: -1, - 2.5, -(1), -2j.
func (p *parser) signed(sign byte) (any, bool, error) {
	if sign == 0 {
		return p.unsigned()
	}
	signPos := p.pos
	p.pos++
	p.skip()
	c := p.peek()
	if c == '-' || c == '+' {
		return nil, false, p.failf(p.pos, ErrNotLiteral, "a sign applies to a number only once")
	}
	if !(isDigit(c) || c == '.' || c == '(') {
		if c == 0 || c == '\n' || c == '\r' {
			return nil, false, p.unexpected("a number after the sign")
		}
		return nil, false, p.failf(signPos, ErrNotLiteral, "a sign applies to numbers only")
	}
	if isDigit(c) {
		if v, ok := p.shortNumber(sign == '-'); ok {
			return v, false, nil
		}
	}
	v, imag, err := p.unsigned()
	if err != nil || sign == '+' {
		return v, imag, err
	}
	switch x := v.(type) {
	case int64:
		return -x, false, nil
	case *big.Int:
		x.Neg(x)
		if x.IsInt64() {
			return x.Int64(), false, nil
		}
		return x, false, nil
	case float64:
		return -x, false, nil
	case complex128:
		return -x, true, nil
	}
	return v, imag, nil
}

// unsigned parses a number token, or one inside grouping parentheses.
func (p *parser) unsigned() (any, bool, error) {
	if p.peek() == '(' {
		if err := p.open(); err != nil {
			return nil, false, err
		}
		p.skip()
		v, imag, err := p.unsigned()
		if err != nil {
			return nil, false, err
		}
		p.skip()
		if p.peek() != ')' {
			return nil, false, p.unexpected("')'")
		}
		p.pos++
		p.depth--
		return v, imag, nil
	}
	c := p.peek()
	if !(isDigit(c) || c == '.' && p.pos+1 < len(p.data) && isDigit(p.data[p.pos+1])) {
		return nil, false, p.failf(p.pos, ErrNotLiteral, "a sign applies to numbers only")
	}
	return p.number()
}

// digits scans digits of a base with single underscores between them and
// returns where they end; at least one digit is required.
func (p *parser) digits(i int, isDig func(byte) bool, allowLeadingUnderscore bool) (int, error) {
	start := i
	if allowLeadingUnderscore && i < len(p.data) && p.data[i] == '_' {
		i++
	}
	if i >= len(p.data) || !isDig(p.data[i]) {
		return i, codec.Errorf(ErrSyntax, "digits expected")
	}
	for i < len(p.data) {
		c := p.data[i]
		if isDig(c) {
			i++
			continue
		}
		if c == '_' && i+1 < len(p.data) && isDig(p.data[i+1]) && i > start {
			i += 2
			continue
		}
		break
	}
	return i, nil
}

func isHex(c byte) bool { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }
func isOct(c byte) bool { return c >= '0' && c <= '7' }
func isBin(c byte) bool { return c == '0' || c == '1' }

// number parses one number token: int (decimal, 0x, 0o, 0b), float or
// imaginary. The bool reports an imaginary number (a complex128).
func (p *parser) number() (any, bool, error) {
	if v, ok := p.shortNumber(false); ok {
		return v, false, nil
	}
	start := p.pos
	d := p.data
	if d[start] == '0' && start+1 < len(d) {
		var isDig func(byte) bool
		base := 0
		switch d[start+1] | 0x20 {
		case 'x':
			isDig, base = isHex, 16
		case 'o':
			isDig, base = isOct, 8
		case 'b':
			isDig, base = isBin, 2
		}
		if base != 0 {
			end, err := p.digits(start+2, isDig, true)
			if err != nil || end < len(d) && isIdentChar(d[end]) {
				what := map[int]string{16: "hexadecimal", 8: "octal", 2: "binary"}[base]
				return nil, false, p.failf(start, ErrSyntax, "invalid %s literal", what)
			}
			v, err := p.intValue(d[start+2:end], base, start)
			p.pos = end
			return v, false, err
		}
	}
	i := start
	intEnd := i
	var err error
	if isDigit(d[i]) {
		if intEnd, err = p.digits(i, isDigit, false); err != nil {
			return nil, false, p.failf(start, ErrSyntax, "invalid decimal literal")
		}
	}
	i = intEnd
	isFloat := false
	if i < len(d) && d[i] == '.' {
		isFloat = true
		i++
		if i < len(d) && isDigit(d[i]) {
			if i, err = p.digits(i, isDigit, false); err != nil {
				return nil, false, p.failf(start, ErrSyntax, "invalid decimal literal")
			}
		}
	}
	if i < len(d) && d[i]|0x20 == 'e' {
		j := i + 1
		if j < len(d) && (d[j] == '+' || d[j] == '-') {
			j++
		}
		end, err := p.digits(j, isDigit, false)
		if err != nil {
			return nil, false, p.failf(start, ErrSyntax, "invalid decimal literal")
		}
		isFloat = true
		i = end
	}
	imag := false
	if i < len(d) && d[i]|0x20 == 'j' {
		imag = true
		i++
	}
	if i < len(d) && (isIdentChar(d[i]) || d[i] == '.' && !isFloat) {
		return nil, false, p.failf(start, ErrSyntax, "invalid decimal literal")
	}
	p.pos = i
	text := d[start:i]
	if imag {
		text = text[:len(text)-1]
	}
	if !isFloat && !imag {
		if text[0] == '0' {
			for _, c := range text {
				if c != '0' && c != '_' {
					return nil, false, p.failf(start, ErrSyntax, "leading zeros in decimal integer literals are not permitted")
				}
			}
			return int64(0), false, nil
		}
		v, err := p.intValue(text, 10, start)
		return v, false, err
	}
	f, err := p.floatValue(text, start)
	if err != nil {
		return nil, false, err
	}
	if imag {
		return complex(0, f), true, nil
	}
	return f, false, nil
}

// pow10 holds the powers of ten float64 represents exactly.
var pow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15}

// shortNumber reads the common short forms at once: an int of at most 18
// digits (no leading zero) or digits.digits with at most 15 digits in all,
// neither followed by anything that would make a longer token (an exponent,
// j, an underscore, a letter or another dot). Such a float is its digits as
// an integer, exact in a float64, divided by an exact power of ten, which
// IEEE division rounds correctly, as Python's float() does. Anything else is
// left to number. With neg the value is negated (a sign was read), so that
// it is boxed once.
func (p *parser) shortNumber(neg bool) (any, bool) {
	d := p.data
	i := p.pos
	var m int64
	for i < len(d) && isDigit(d[i]) {
		m = m*10 + int64(d[i]-'0')
		if i-p.pos >= 18 || d[p.pos] == '0' && i > p.pos {
			return nil, false
		}
		i++
	}
	intDigits := i - p.pos
	if intDigits == 0 {
		return nil, false
	}
	if i == len(d) || d[i] != '.' {
		if i < len(d) && isIdentChar(d[i]) || intDigits > p.lim.MaxIntDigits {
			return nil, false
		}
		p.pos = i
		if neg {
			return -m, true
		}
		return m, true
	}
	i++
	fracStart := i
	for i < len(d) && isDigit(d[i]) {
		m = m*10 + int64(d[i]-'0')
		i++
		if intDigits+i-fracStart > 15 {
			return nil, false
		}
	}
	if i < len(d) && (isIdentChar(d[i]) || d[i] == '.') {
		return nil, false
	}
	p.pos = i
	f := float64(m) / pow10[i-fracStart]
	if neg {
		return -f, true
	}
	return f, true
}

// stripUnderscores returns text without '_', in the scratch buffer if needed.
func (p *parser) stripUnderscores(text []byte) []byte {
	if bytes.IndexByte(text, '_') < 0 {
		return text
	}
	p.buf = p.buf[:0]
	for _, c := range text {
		if c != '_' {
			p.buf = append(p.buf, c)
		}
	}
	return p.buf
}

func (p *parser) intValue(text []byte, base, pos int) (any, error) {
	text = p.stripUnderscores(text)
	if len(text) > p.lim.MaxIntDigits {
		return nil, p.failf(pos, ErrLimit, "int of %d digits over the limit of %d", len(text), p.lim.MaxIntDigits)
	}
	if base == 10 && len(text) <= 18 {
		var n int64
		for _, c := range text {
			n = n*10 + int64(c-'0')
		}
		return n, nil
	}
	x, ok := new(big.Int).SetString(string(text), base)
	if !ok {
		return nil, p.failf(pos, ErrSyntax, "invalid int literal")
	}
	if x.IsInt64() {
		return x.Int64(), nil
	}
	return x, nil
}

func (p *parser) floatValue(text []byte, pos int) (float64, error) {
	text = p.stripUnderscores(text)
	f, err := strconv.ParseFloat(string(text), 64)
	if err != nil && !math.IsInf(f, 0) { // out of range: Python gives inf too
		return 0, p.failf(pos, ErrSyntax, "invalid float literal")
	}
	return f, nil
}
