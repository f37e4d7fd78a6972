package pickle

import (
	"unicode/utf8"

	"github.com/gopyro/gopyro/internal/codec"
	"github.com/gopyro/gopyro/internal/wtf8"
)

// textString decodes STRING: a Python 2 repr of a str in single or double
// quotes, unescaped as Python 2's string-escape codec does.
func (st *state) textString() error {
	l, err := st.line()
	if err != nil {
		return err
	}
	start := st.pos - len(l) - 1
	// cPickle ignores trailing spaces and control characters (a "\r" of a
	// pickle written on Windows in text mode).
	for len(l) > 0 && l[len(l)-1] <= ' ' {
		l = l[:len(l)-1]
	}
	if len(l) < 2 || (l[0] != '\'' && l[0] != '"') || l[len(l)-1] != l[0] {
		return codec.Errorf(ErrBadValue, "STRING argument is not a quoted string")
	}
	body := l[1 : len(l)-1]
	a := start + 1
	if indexByte(body, '\\') < 0 {
		st.stack = append(st.stack, ByteString(st.str(a, a+len(body))))
		return nil
	}
	out, err := unescapeString(body)
	if err != nil {
		return err
	}
	st.stack = append(st.stack, ByteString(out))
	return nil
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

// unescapeString implements Python 2's string-escape decoding.
func unescapeString(s []byte) (string, error) {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		c := s[i]
		i++
		if c != '\\' {
			out = append(out, c)
			continue
		}
		if i >= len(s) {
			return "", codec.Errorf(ErrBadValue, "STRING ends with a lone backslash")
		}
		c = s[i]
		i++
		switch c {
		case '\n':
		case '0', '1', '2', '3', '4', '5', '6', '7':
			v := int(c - '0')
			for k := 0; k < 2 && i < len(s) && s[i] >= '0' && s[i] <= '7'; k++ {
				v = v<<3 | int(s[i]-'0')
				i++
			}
			out = append(out, byte(v))
		case 'x':
			if i+2 > len(s) {
				return "", codec.Errorf(ErrBadValue, "STRING has an invalid \\x escape")
			}
			hi, ok1 := unhex(s[i])
			lo, ok2 := unhex(s[i+1])
			if !ok1 || !ok2 {
				return "", codec.Errorf(ErrBadValue, "STRING has an invalid \\x escape")
			}
			out = append(out, hi<<4|lo)
			i += 2
		default:
			if e, ok := codec.SimpleEscape(c); ok {
				out = append(out, e)
			} else {
				// Unknown escapes stay as written, backslash included.
				out = append(out, '\\', c)
			}
		}
	}
	return string(out), nil
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// textUnicode decodes UNICODE: raw-unicode-escape text, where only \uXXXX and
// \UXXXXXXXX after an odd number of backslashes are escapes and every other
// byte is a Latin-1 character.
func (st *state) textUnicode() error {
	l, err := st.line()
	if err != nil {
		return err
	}
	plain := true
	for _, c := range l {
		if c == '\\' || c >= utf8.RuneSelf {
			plain = false
			break
		}
	}
	if plain {
		a := st.pos - len(l) - 1
		st.stack = append(st.stack, st.str(a, a+len(l)))
		return nil
	}
	out, err := rawUnicodeEscape(l)
	if err != nil {
		return err
	}
	st.stack = append(st.stack, out)
	return nil
}

func rawUnicodeEscape(s []byte) (string, error) {
	out := make([]byte, 0, len(s)+8)
	pendingHigh := -1 // index in out of a high surrogate that a low one may join
	for i := 0; i < len(s); {
		c := s[i]
		if c != '\\' {
			out = wtf8.AppendRune(out, rune(c))
			pendingHigh = -1
			i++
			continue
		}
		j := i
		for j < len(s) && s[j] == '\\' {
			j++
		}
		nbs := j - i
		if nbs%2 == 0 || j >= len(s) || (s[j] != 'u' && s[j] != 'U') {
			for ; i < j; i++ {
				out = append(out, '\\')
			}
			pendingHigh = -1
			continue
		}
		for k := 0; k < nbs-1; k++ {
			out = append(out, '\\')
		}
		if nbs > 1 {
			pendingHigh = -1
		}
		count := 4
		if s[j] == 'U' {
			count = 8
		}
		j++
		if len(s)-j < count {
			return "", codec.Errorf(ErrBadValue, "UNICODE has a truncated \\uXXXX escape")
		}
		var r rune
		for k := 0; k < count; k++ {
			h, ok := unhex(s[j+k])
			if !ok {
				return "", codec.Errorf(ErrBadValue, "UNICODE has a truncated \\uXXXX escape")
			}
			r = r<<4 | rune(h)
		}
		i = j + count
		if r > utf8.MaxRune || r < 0 {
			return "", codec.Errorf(ErrBadValue, "UNICODE escape \\U%08x out of range", uint32(r))
		}
		if r >= 0xdc00 && r <= 0xdfff && pendingHigh >= 0 {
			hi := rune(out[pendingHigh]&0x0f)<<12 | rune(out[pendingHigh+1]&0x3f)<<6 | rune(out[pendingHigh+2]&0x3f)
			out = utf8.AppendRune(out[:pendingHigh], 0x10000+(hi-0xd800)<<10+(r-0xdc00))
			pendingHigh = -1
			continue
		}
		pendingHigh = -1
		if r >= 0xd800 && r <= 0xdbff {
			pendingHigh = len(out)
		}
		out = wtf8.AppendRune(out, r)
	}
	return string(out), nil
}
