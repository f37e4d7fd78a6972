package config

import (
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
)

// Sentinel errors wrapped by *Error; test for them with errors.Is.
var (
	ErrSyntax       = errors.New("syntax error")                 // a config file line is not NAME=VALUE
	ErrUnknownItem  = errors.New("unknown config item")          // a config file names an item Pyro does not have
	ErrInvalidInt   = errors.New("invalid integer value")        // an integer item's value is not a decimal integer
	ErrInvalidFloat = errors.New("invalid floating point value") // a float item's value is not a number
)

// Error is a configuration error. It names the item (empty for syntax errors
// and unreadable files) and where the value came from: File and Line for a
// config file, File "" for the environment.
type Error struct {
	Item  string
	Value string // the offending text as written
	File  string // config file; "" = environment
	Line  int    // 1-based line in File; 0 when the whole file is concerned
	Err   error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("config: ")
	switch {
	case e.File != "" && e.Line > 0:
		fmt.Fprintf(&b, "%s:%d: ", e.File, e.Line)
	case e.File != "":
		fmt.Fprintf(&b, "config file %s: ", e.File)
	default:
		b.WriteString("environment variable ")
	}
	if e.Item != "" {
		fmt.Fprintf(&b, "%s: ", e.Item)
	}
	b.WriteString(e.Err.Error())
	if errors.Is(e.Err, ErrInvalidInt) || errors.Is(e.Err, ErrInvalidFloat) || errors.Is(e.Err, ErrSyntax) {
		fmt.Fprintf(&b, " %q", e.Value)
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// parseFile reads a Pyro.conf-style file into raw, recording origins. The
// syntax is Pyro's: after trailing white space is removed, empty lines and
// lines starting with '#' are skipped; other lines must start with
// NAME (letters, digits, '_'), optional blanks, '=', optional blanks, and
// VALUE is the run of non-blank characters that follows (the rest of the
// line is ignored). An empty VALUE keeps the default.
func parseFile(file string, raw map[string]string, origins map[string]origin) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return &Error{File: file, Err: err}
	}
	for n, line := range strings.Split(string(data), "\n") {
		line = strings.TrimRight(line, pyWhitespace)
		if line == "" || line[0] == '#' {
			continue
		}
		name, value, ok := splitLine(line)
		if !ok {
			return &Error{File: file, Line: n + 1, Value: line, Err: ErrSyntax}
		}
		if _, known := itemIndex[name]; !known {
			return &Error{File: file, Line: n + 1, Item: name, Err: ErrUnknownItem}
		}
		if value != "" {
			raw[name] = value
			origins[name] = origin{source: SourceFile, file: file, line: n + 1}
		}
	}
	return nil
}

// pyWhitespace is what Python 2's str.strip, int() and float() and the re
// module's \s treat as white space in a byte string.
const pyWhitespace = " \t\n\v\f\r"

// splitLine matches Pyro's regular expression ^(\w+)\s*=\s*(\S*).
func splitLine(line string) (name, value string, ok bool) {
	i := 0
	for i < len(line) && isWordByte(line[i]) {
		i++
	}
	if i == 0 {
		return "", "", false
	}
	name = line[:i]
	rest := strings.TrimLeft(line[i:], pyWhitespace)
	if rest == "" || rest[0] != '=' {
		return "", "", false
	}
	rest = strings.TrimLeft(rest[1:], pyWhitespace)
	if j := strings.IndexAny(rest, pyWhitespace); j >= 0 {
		rest = rest[:j]
	}
	return name, rest, true
}

func isWordByte(b byte) bool {
	return b == '_' || '0' <= b && b <= '9' || 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z'
}

// parseInt accepts what Python 2's int() accepts for base 10: optional
// surrounding white space, an optional sign and decimal digits.
func parseInt(s string) (int, error) {
	t := strings.Trim(s, pyWhitespace)
	digits := strings.TrimLeft(t, "+-")
	if len(t)-len(digits) > 1 || digits == "" || strings.Trim(digits, "0123456789") != "" {
		return 0, ErrInvalidInt
	}
	n, err := strconv.ParseInt(t, 10, strconv.IntSize)
	if err != nil {
		return 0, ErrInvalidInt // Python would make a long; no item needs one
	}
	return int(n), nil
}

// parseFloat accepts what Python 2's float() accepts: optional surrounding
// white space, a sign, a decimal number with optional exponent, or
// inf/infinity/nan in any case.
func parseFloat(s string) (float64, error) {
	t := strings.Trim(s, pyWhitespace)
	body := t
	if body != "" && (body[0] == '+' || body[0] == '-') {
		body = body[1:]
	}
	switch strings.ToLower(body) {
	case "inf", "infinity":
		return strconv.ParseFloat(t, 64)
	case "nan":
		return math.NaN(), nil
	}
	if !isDecimalFloat(body) {
		return 0, ErrInvalidFloat
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, ErrInvalidFloat
	}
	// Out of range: ParseFloat gives ±Inf or 0 like Python does.
	return f, nil
}

// isDecimalFloat reports whether s is digits[.digits][e[sign]digits] with at
// least one digit in the mantissa.
func isDecimalFloat(s string) bool {
	i, mant := 0, 0
	for i < len(s) && isDigit(s[i]) {
		i, mant = i+1, mant+1
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && isDigit(s[i]) {
			i, mant = i+1, mant+1
		}
	}
	if mant == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		exp := 0
		for i < len(s) && isDigit(s[i]) {
			i, exp = i+1, exp+1
		}
		if exp == 0 {
			return false
		}
	}
	return i == len(s)
}

func isDigit(b byte) bool { return '0' <= b && b <= '9' }
