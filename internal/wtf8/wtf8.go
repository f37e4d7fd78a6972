// Package wtf8 handles the strings Python holds and Go's UTF-8 functions
// refuse: str values with lone surrogates (U+D800 to U+DFFF), which gopyro
// keeps in their three-byte UTF-8 form, as Python's surrogatepass error
// handler writes them (WTF-8). The pickle and serpent codecs share it.
package wtf8

import "unicode/utf8"

// AppendRune appends r as UTF-8, a surrogate code point in its three-byte
// form, where utf8.AppendRune would write U+FFFD.
func AppendRune(b []byte, r rune) []byte {
	if r >= 0xD800 && r <= 0xDFFF {
		return append(b, 0xED, byte(0x80|(r>>6)&0x3F), byte(0x80|r&0x3F))
	}
	return utf8.AppendRune(b, r)
}

// DecodeRune is utf8.DecodeRuneInString that also accepts the three-byte
// form of a surrogate and returns the surrogate. Other invalid bytes give
// (utf8.RuneError, 1), as utf8 does.
func DecodeRune(s string) (rune, int) {
	r, n := utf8.DecodeRuneInString(s)
	if r != utf8.RuneError || n != 1 {
		return r, n
	}
	if len(s) >= 3 && s[0] == 0xED && s[1] >= 0xA0 && s[1] <= 0xBF && s[2]&0xC0 == 0x80 {
		return rune(s[0]&0x0F)<<12 | rune(s[1]&0x3F)<<6 | rune(s[2]&0x3F), 3
	}
	return utf8.RuneError, 1
}

// ValidString reports whether s is UTF-8 in which surrogates may appear in
// their three-byte form.
func ValidString(s string) bool {
	if utf8.ValidString(s) {
		return true
	}
	for i := 0; i < len(s); {
		r, n := DecodeRune(s[i:])
		if r == utf8.RuneError && n == 1 {
			return false
		}
		i += n
	}
	return true
}
