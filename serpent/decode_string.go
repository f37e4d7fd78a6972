package serpent

import (
	"bytes"
	"unicode/utf8"

	"github.com/gopyro/gopyro/internal/codec"
	"github.com/gopyro/gopyro/internal/wtf8"
	"github.com/gopyro/gopyro/pickle"
)

// String literal prefix flags.
const (
	prefixRaw = 1 << iota
	prefixBytes
)

// parsePrefix reads a string prefix (r, u, b, br, rb in any case).
func parsePrefix(w []byte) (int, bool) {
	flags := 0
	for _, c := range w {
		switch c | 0x20 {
		case 'r':
			if flags&prefixRaw != 0 {
				return 0, false
			}
			flags |= prefixRaw
		case 'b':
			if flags&prefixBytes != 0 {
				return 0, false
			}
			flags |= prefixBytes
		case 'u':
			if len(w) != 1 {
				return 0, false
			}
		default:
			return 0, false
		}
	}
	return flags, true
}

// isFPrefix reports an f-string prefix: f, fr, rf.
func isFPrefix(w []byte) bool {
	switch len(w) {
	case 1:
		return w[0]|0x20 == 'f'
	case 2:
		a, b := w[0]|0x20, w[1]|0x20
		return a == 'f' && b == 'r' || a == 'r' && b == 'f'
	}
	return false
}

// strings parses one string literal or several adjacent ones, joined as
// Python joins them ('a' 'b' is 'ab'); str and bytes do not mix.
func (p *parser) strings() (any, error) {
	start := p.pos
	body, plain, flags, err := p.stringLit()
	if err != nil {
		return nil, err
	}
	isBytes := flags&prefixBytes != 0
	p.skip()
	if !p.atString() {
		switch {
		case isBytes && plain:
			return pickle.Bytes(body), nil
		case plain:
			return p.boxString(body), nil
		}
		s, err := p.unescape(body, p.bodyStart, flags)
		if err != nil {
			return nil, err
		}
		if isBytes {
			return pickle.Bytes(s), nil
		}
		return s, nil
	}
	var joined []byte
	for {
		if plain {
			joined = append(joined, body...)
		} else {
			s, err := p.unescape(body, p.bodyStart, flags)
			if err != nil {
				return nil, err
			}
			joined = append(joined, s...)
		}
		if len(joined) > p.lim.MaxStringLen {
			return nil, p.failf(start, ErrLimit, "string of more than %d bytes", p.lim.MaxStringLen)
		}
		if !p.atString() {
			break
		}
		pos := p.pos
		var nextFlags int
		body, plain, nextFlags, err = p.stringLit()
		if err != nil {
			return nil, err
		}
		if nextFlags&prefixBytes != flags&prefixBytes {
			return nil, p.failf(pos, ErrSyntax, "cannot mix bytes and nonbytes literals")
		}
		flags = nextFlags
		p.skip()
	}
	if isBytes {
		return pickle.Bytes(joined), nil
	}
	return string(joined), nil
}

// atString reports whether a string literal starts here.
func (p *parser) atString() bool {
	i := p.pos
	for j := i; j < len(p.data) && j < i+3; j++ {
		c := p.data[j]
		if c == '\'' || c == '"' {
			w := p.data[i:j]
			_, ok := parsePrefix(w)
			return ok || isFPrefix(w)
		}
		if !isIdentChar(c) {
			return false
		}
	}
	return false
}

// ordinaryInString marks the bytes that mean nothing special inside a
// string literal: not a quote, backslash, line end or non-ASCII byte.
var ordinaryInString = func() (t [256]bool) {
	for c := 0x00; c < 0x80; c++ {
		t[c] = c != '\'' && c != '"' && c != '\\' && c != '\n' && c != '\r'
	}
	return t
}()

// stringLit scans one literal with its prefix and quotes and returns its
// body (which starts at p.bodyStart), whether the body is its value as it
// is (no escapes, no CR), and the prefix flags.
func (p *parser) stringLit() ([]byte, bool, int, error) {
	start := p.pos
	i := start
	for p.data[i] != '\'' && p.data[i] != '"' {
		i++
	}
	if isFPrefix(p.data[start:i]) {
		return nil, false, 0, p.failf(start, ErrNotLiteral, "an f-string is not a literal")
	}
	flags, _ := parsePrefix(p.data[start:i])
	q := p.data[i]
	triple := i+2 < len(p.data) && p.data[i+1] == q && p.data[i+2] == q
	bodyStart := i + 1
	if triple {
		bodyStart = i + 3
	}
	// Find the end, noting whether anything needs rewriting.
	j := bodyStart
	plain := true
	for {
		for j < len(p.data) && ordinaryInString[p.data[j]] {
			j++
		}
		if j >= len(p.data) {
			return nil, false, 0, p.failf(start, ErrSyntax, "unterminated string literal")
		}
		c := p.data[j]
		if c == q && (!triple || j+2 < len(p.data) && p.data[j+1] == q && p.data[j+2] == q) {
			break
		}
		switch {
		case c == '\\':
			// The backslash protects the next byte from ending the literal;
			// a non-ASCII one still meets the bytes check below.
			plain = false
			j++
			if j < len(p.data) && p.data[j] < 0x80 {
				j++
			}
			continue
		case c == '\n' || c == '\r':
			if !triple {
				return nil, false, 0, p.failf(start, ErrSyntax, "unterminated string literal")
			}
			if c == '\r' {
				plain = false
			}
		case c >= 0x80 && flags&prefixBytes != 0:
			return nil, false, 0, p.failf(j, ErrSyntax, "bytes can only contain ASCII literal characters")
		}
		j++
	}
	body := p.data[bodyStart:j]
	p.bodyStart = bodyStart
	p.pos = j + 1
	if triple {
		p.pos = j + 3
	}
	if len(body) > p.lim.MaxStringLen {
		return nil, false, 0, p.failf(start, ErrLimit, "string of more than %d bytes", p.lim.MaxStringLen)
	}
	return body, plain, flags, nil
}

// unescape decodes the body of a literal with backslashes or CR bytes.
func (p *parser) unescape(body []byte, base int, flags int) (string, error) {
	out := make([]byte, 0, len(body))
	raw := flags&prefixRaw != 0
	isBytes := flags&prefixBytes != 0
	for i := 0; i < len(body); {
		c := body[i]
		if c == '\r' { // source line ends are \n to Python
			out = append(out, '\n')
			i++
			if i < len(body) && body[i] == '\n' {
				i++
			}
			continue
		}
		if c != '\\' {
			k := bytes.IndexAny(body[i:], "\\\r")
			if k < 0 {
				k = len(body) - i
			}
			out = append(out, body[i:i+k]...)
			i += k
			continue
		}
		if raw || i+1 >= len(body) {
			// In raw literals a backslash stays, and protects the next byte.
			out = append(out, c)
			if i+1 < len(body) && body[i+1] != '\r' {
				out = append(out, body[i+1])
				i++
			}
			i++
			continue
		}
		esc := body[i+1]
		pos := base + i
		i += 2
		switch esc {
		case '\n':
		case '\r':
			if i < len(body) && body[i] == '\n' {
				i++
			}
		case '0', '1', '2', '3', '4', '5', '6', '7':
			v := rune(esc - '0')
			for k := 0; k < 2 && i < len(body) && isOct(body[i]); k++ {
				v = v*8 + rune(body[i]-'0')
				i++
			}
			if isBytes {
				out = append(out, byte(v)) // Python 3.11 keeps the low byte of \400 and up
			} else {
				out = wtf8.AppendRune(out, v)
			}
		case 'x':
			v, ok := hexValue(body, i, 2)
			if !ok {
				return "", p.failf(pos, ErrSyntax, "truncated \\xXX escape")
			}
			i += 2
			if isBytes {
				out = append(out, byte(v))
			} else {
				out = wtf8.AppendRune(out, v)
			}
		case 'u', 'U', 'N':
			if isBytes { // not escapes in bytes: kept as they are
				out = append(out, '\\', esc)
				continue
			}
			if esc == 'N' {
				return "", p.failf(pos, ErrUnsupported, "\\N{...} escapes are not supported (no Unicode name table)")
			}
			n := 4
			if esc == 'U' {
				n = 8
			}
			v, ok := hexValue(body, i, n)
			if !ok {
				return "", p.failf(pos, ErrSyntax, "truncated \\%c escape", esc)
			}
			if v > utf8.MaxRune {
				return "", p.failf(pos, ErrSyntax, "illegal Unicode character in \\U escape")
			}
			i += n
			out = wtf8.AppendRune(out, v)
		default:
			if e, ok := codec.SimpleEscape(esc); ok {
				out = append(out, e)
			} else { // unknown escapes keep their backslash
				out = append(out, '\\', esc)
			}
		}
	}
	if len(out) > p.lim.MaxStringLen {
		return "", p.failf(base, ErrLimit, "string of more than %d bytes", p.lim.MaxStringLen)
	}
	return string(out), nil
}

// hexValue reads n hex digits at body[i:].
func hexValue(body []byte, i, n int) (rune, bool) {
	if i+n > len(body) {
		return 0, false
	}
	var v rune
	for _, c := range body[i : i+n] {
		var d byte
		switch {
		case isDigit(c):
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, false
		}
		v = v*16 + rune(d)
	}
	return v, true
}
