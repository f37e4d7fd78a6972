package codec

// SimpleEscape returns the byte that the one-character escape \c stands for
// in a Python string literal, the escapes that Python 2's string-escape
// codec (pickle's STRING) and Python 3's str and bytes literals (serpent)
// share: \\ \' \" \a \b \f \n \r \t \v. Octal, \x, \u and line-continuation
// escapes are the caller's, as is what an unknown escape means.
func SimpleEscape(c byte) (byte, bool) {
	switch c {
	case '\\', '\'', '"':
		return c, true
	case 'a':
		return '\a', true
	case 'b':
		return '\b', true
	case 'f':
		return '\f', true
	case 'n':
		return '\n', true
	case 'r':
		return '\r', true
	case 't':
		return '\t', true
	case 'v':
		return '\v', true
	}
	return 0, false
}
