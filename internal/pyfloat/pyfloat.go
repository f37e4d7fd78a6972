// Package pyfloat formats a float64 as Python does: repr, the shortest
// digits that read back as the same float (Python 2.7 and 3 alike), and
// Python 2's str, 12 significant digits. compat (Repr, Str), serpent (the
// floats it writes) and config (the values it prints) format floats here.
package pyfloat

import (
	"math"
	"slices"
	"strconv"
	"strings"
)

// Repr is Python's repr(f): the shortest digits that round-trip,
// positional with at least one fractional digit when the decimal exponent
// is from -4 to 15, else d.ddde±XX; inf, -inf and nan.
func Repr(f float64) string {
	if s, ok := special(f); ok {
		return s
	}
	return string(AppendRepr(make([]byte, 0, 24), f))
}

// AppendRepr appends Repr of a finite f to b, the positional form through
// a fast path for the few decimals most values on the wire have.
func AppendRepr(b []byte, f float64) []byte {
	a := math.Abs(f)
	switch {
	case f == 0:
		if math.Signbit(f) {
			return append(b, "-0.0"...)
		}
		return append(b, "0.0"...)
	case a < 1e-4 || a >= 1e16:
		// strconv's 'e' format with the shortest precision is Python's.
		return strconv.AppendFloat(b, f, 'e', -1, 64)
	case a < 1e15 && f == math.Trunc(f):
		b = strconv.AppendInt(b, int64(f), 10)
		return append(b, '.', '0')
	case a < 1e9:
		if out, ok := appendShort(b, f, a); ok {
			return out
		}
	}
	n := len(b)
	b = strconv.AppendFloat(b, f, 'f', -1, 64)
	if slices.Index(b[n:], '.') < 0 {
		b = append(b, '.', '0')
	}
	return b
}

// pow10 holds the powers of ten appendShort scales by.
var pow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6}

// appendShort writes the repr of f (with a = |f| from 1e-4 to 1e9) when it
// has at most 6 decimals, found as the fewest decimals d for which
// round(a·10^d)/10^d gives a back. Below 1e9 a float's spacing is under
// 1e-6, so at most one d-decimal number rounds to a, and it is the one
// Python's repr writes; a·10^d stays under 2^53, so the integer digits and
// the power of ten are exact and the division rounds as parsing would.
func appendShort(b []byte, f, a float64) ([]byte, bool) {
	for d := 1; d < len(pow10); d++ {
		m := math.Round(a * pow10[d])
		if m/pow10[d] != a {
			continue
		}
		if f < 0 {
			b = append(b, '-')
		}
		n := int64(m)
		p := int64(pow10[d])
		b = strconv.AppendInt(b, n/p, 10)
		b = append(b, '.')
		frac := n % p
		for q := p / 10; q > 0; q /= 10 {
			b = append(b, byte('0'+frac/q))
			frac %= q
		}
		return b, true
	}
	return b, false
}

// Str is Python 2's str(f), which print uses: 12 significant digits
// without trailing zeros, exponent notation when the rounded value is below
// 1e-4 or from 1e11 on (Python's '%.12g' with its room for ".0"), a ".0" on
// integral values; inf, -inf and nan.
func Str(f float64) string {
	if s, ok := special(f); ok {
		return s
	}
	e := strconv.FormatFloat(f, 'e', 11, 64) // d.ddddddddddde±XX, rounded to 12 digits
	i := strings.IndexByte(e, 'e')
	exp, _ := strconv.Atoi(e[i+1:])
	if exp < -4 || exp >= 11 {
		mant := strings.TrimRight(strings.TrimRight(e[:i], "0"), ".")
		return mant + e[i:]
	}
	s := strconv.FormatFloat(f, 'g', 12, 64)
	if !strings.ContainsRune(s, '.') {
		s += ".0"
	}
	return s
}

// special is Python 2's text of the infinities and NaN.
func special(f float64) (string, bool) {
	switch {
	case math.IsInf(f, 1):
		return "inf", true
	case math.IsInf(f, -1):
		return "-inf", true
	case math.IsNaN(f):
		return "nan", true
	}
	return "", false
}
