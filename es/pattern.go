package es

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Pattern is a subscribeMatch pattern: a Python 2 re regular expression
// compiled with re.IGNORECASE and tested with re.match, that is anchored at
// the start of the subject only. It is translated to an equivalent Go RE2
// expression; Python syntax that RE2 cannot express is refused with a
// *PatternError whose Unsupported field is set.
//
// Patterns and subjects are sequences of code points: a Python 2 str is
// taken byte by byte (see PyText). Case folding and the classes \d \w \s \b
// follow Python 2 without re.UNICODE: ASCII only.
type Pattern struct {
	src string
	re  *regexp.Regexp
}

// PatternError says why a pattern was not compiled.
type PatternError struct {
	Pattern string
	// Pos is the code point offset in Pattern where the problem was found.
	Pos int
	Msg string
	// Unsupported is set for valid Python syntax that Go's RE2 engine cannot
	// express (backreferences, lookaround, conditionals, re.LOCALE and
	// re.UNICODE, very large repeats); unset for patterns that Python itself
	// rejects.
	Unsupported bool
}

func (e *PatternError) Error() string {
	if e.Unsupported {
		return fmt.Sprintf("pattern %q not supported by this event service (Go RE2 engine): %s at position %d", e.Pattern, e.Msg, e.Pos)
	}
	return fmt.Sprintf("invalid pattern %q: %s at position %d", e.Pattern, e.Msg, e.Pos)
}

// CompilePattern translates a Python re pattern (code points, see PyText)
// into a Pattern.
func CompilePattern(pattern string) (*Pattern, error) {
	t := &translator{src: []rune(pattern)}
	body, err := t.translate()
	if err != nil {
		return nil, err
	}
	re, err := regexp.Compile(`\A(?:` + body + `)`)
	if err != nil {
		return nil, &PatternError{Pattern: pattern, Msg: err.Error(), Unsupported: true}
	}
	return &Pattern{src: pattern, re: re}, nil
}

// String returns the pattern as given to CompilePattern.
func (p *Pattern) String() string { return p.src }

// Match reports whether the pattern matches at the start of subject, as
// Python's compiled.match(subject) would.
func (p *Pattern) Match(subject string) bool { return p.re.MatchString(subject) }

// PyText turns a Python 2 str (bytes) into the code point string that
// CompilePattern and Match take: each byte becomes the code point of the same
// value, as Python's re sees it. ASCII input is returned unchanged.
func PyText(b []byte) string {
	ascii := true
	for _, c := range b {
		if c >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return string(b)
	}
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}

// item kinds, for Python's "nothing to repeat" and "multiple repeat" rules.
const (
	kindNone = iota
	kindAtom
	kindAssert
	kindRepeat
)

type flagSet struct {
	dotall, multiline, verbose bool
}

type openGroup struct {
	// dollarInAlt records that some finished alternative of this group ended
	// with a pending non-multiline "$" (see translator.dollar).
	dollarInAlt bool
}

type translator struct {
	src   []rune
	pos   int
	flags flagSet
	out   strings.Builder
	// last is the kind of the previous item of the current sequence.
	last   int
	groups []openGroup
	names  map[string]bool
	// dollar is set after a non-multiline "$" until the end of its branch.
	// Python's "$" matches before a final newline without consuming it; RE2
	// has no lookahead, so it is emitted as `\n?\z`, which is exact only when
	// nothing else is matched after it. Anything else after it is refused.
	dollar bool
}

func (t *translator) fail(msg string) error {
	return &PatternError{Pattern: string(t.src), Pos: t.pos, Msg: msg}
}

func (t *translator) unsupported(msg string) error {
	return &PatternError{Pattern: string(t.src), Pos: t.pos, Msg: msg, Unsupported: true}
}

// translate converts the whole pattern. Python 2 inline flags apply to the
// whole pattern wherever they appear, so a pattern that sets flags is
// translated a second time with the final flags.
func (t *translator) translate() (string, error) {
	for range 2 {
		before := t.flags
		t.pos, t.last, t.groups, t.names, t.dollar = 0, kindNone, nil, map[string]bool{}, false
		t.out.Reset()
		if err := t.run(); err != nil {
			return "", err
		}
		if t.flags == before {
			break
		}
	}
	return t.out.String(), nil
}

func (t *translator) peek() (rune, bool) {
	if t.pos < len(t.src) {
		return t.src[t.pos], true
	}
	return 0, false
}

func (t *translator) run() error {
	for t.pos < len(t.src) {
		c := t.src[t.pos]
		if t.flags.verbose {
			if isPyWhitespace(c) {
				t.pos++
				continue
			}
			if c == '#' {
				for t.pos < len(t.src) && t.src[t.pos] != '\n' {
					t.pos++
				}
				continue
			}
		}
		var err error
		switch c {
		case '|':
			t.pos++
			if n := len(t.groups); n > 0 && t.dollar {
				t.groups[n-1].dollarInAlt = true
			}
			t.dollar = false
			t.last = kindNone
			t.out.WriteByte('|')
		case ')':
			if len(t.groups) == 0 {
				return t.fail("unbalanced parenthesis")
			}
			t.pos++
			g := t.groups[len(t.groups)-1]
			t.groups = t.groups[:len(t.groups)-1]
			t.dollar = t.dollar || g.dollarInAlt
			t.last = kindAtom
			t.out.WriteByte(')')
		case '(':
			err = t.group()
		case '[':
			err = t.class()
		case '.':
			t.pos++
			if t.flags.dotall {
				err = t.emit(kindAtom, `(?s:.)`)
			} else {
				err = t.emit(kindAtom, `[^\n]`)
			}
		case '^':
			t.pos++
			if t.flags.multiline {
				err = t.emit(kindAssert, `(?m:^)`)
			} else {
				err = t.emit(kindAssert, `\A`)
			}
		case '$':
			t.pos++
			if t.flags.multiline {
				err = t.emit(kindAssert, `(?m:$)`)
			} else {
				// A second "$" right after the first is harmless.
				if !t.dollar {
					err = t.emit(kindAssert, `(?:\n?\z)`)
				}
				t.last = kindAssert
				t.dollar = true
			}
		case '*', '+', '?':
			t.pos++
			err = t.repeat(string(c))
		case '{':
			err = t.brace()
		case '\\':
			err = t.escape()
		default:
			t.pos++
			err = t.emit(kindAtom, literal(c))
		}
		if err != nil {
			return err
		}
	}
	if len(t.groups) > 0 {
		return t.fail("unbalanced parenthesis")
	}
	return nil
}

// emit writes one item of the given kind.
func (t *translator) emit(kind int, s string) error {
	if t.dollar {
		return t.unsupported(`"$" followed by more pattern (Python's "$" can match before a final newline without consuming it)`)
	}
	t.out.WriteString(s)
	t.last = kind
	return nil
}

// repeat handles a quantifier whose Go spelling is q.
func (t *translator) repeat(q string) error {
	switch t.last {
	case kindNone, kindAssert:
		return t.fail("nothing to repeat")
	case kindRepeat:
		return t.fail("multiple repeat")
	}
	if t.dollar {
		return t.unsupported(`repeat of a group ending in "$"`)
	}
	if c, ok := t.peek(); ok && c == '?' {
		t.pos++
		q += "?"
	}
	t.out.WriteString(q)
	t.last = kindRepeat
	return nil
}

// brace handles "{": a {m,n} repeat, or a literal "{" when what follows is
// not one, as in Python.
func (t *translator) brace() error {
	start := t.pos
	t.pos++
	if c, ok := t.peek(); ok && c == '}' {
		return t.emit(kindAtom, literal('{'))
	}
	digits := func() string {
		b := t.pos
		for t.pos < len(t.src) && t.src[t.pos] >= '0' && t.src[t.pos] <= '9' {
			t.pos++
		}
		return string(t.src[b:t.pos])
	}
	lo, hi := digits(), ""
	comma := false
	if c, ok := t.peek(); ok && c == ',' {
		comma = true
		t.pos++
		hi = digits()
	} else {
		hi = lo
	}
	if c, ok := t.peek(); !ok || c != '}' {
		t.pos = start + 1
		return t.emit(kindAtom, literal('{'))
	}
	t.pos++
	const maxRepeat = 1<<32 - 1 // Python 2.7.18's MAXREPEAT
	min, max := 0, -1
	var err error
	if lo != "" {
		if min, err = strconv.Atoi(lo); err != nil || min >= maxRepeat {
			return t.fail("the repetition number is too large")
		}
	}
	if hi != "" {
		if max, err = strconv.Atoi(hi); err != nil || max >= maxRepeat {
			return t.fail("the repetition number is too large")
		}
		if max < min {
			return t.fail("bad repeat interval")
		}
	}
	if min > 1000 || max > 1000 {
		return t.unsupported("repeat count above 1000")
	}
	var q string
	switch {
	case !comma:
		q = fmt.Sprintf("{%d}", min)
	case max < 0:
		q = fmt.Sprintf("{%d,}", min)
	default:
		q = fmt.Sprintf("{%d,%d}", min, max)
	}
	return t.repeat(q)
}

func (t *translator) group() error {
	t.pos++ // "("
	c, ok := t.peek()
	if !ok || c != '?' {
		return t.openGroup()
	}
	t.pos++
	c, ok = t.peek()
	if !ok {
		return t.fail("unexpected end of pattern")
	}
	switch c {
	case 'P':
		t.pos++
		c, ok = t.peek()
		switch {
		case ok && c == '<':
			t.pos++
			name, err := t.name('>')
			if err != nil {
				return err
			}
			if t.names[name] {
				return t.fail("redefinition of group name " + strconv.Quote(name))
			}
			t.names[name] = true
			return t.openGroup()
		case ok && c == '=':
			t.pos++
			if _, err := t.name(')'); err != nil {
				return err
			}
			return t.unsupported("backreference (?P=name)")
		case !ok:
			return t.fail("unexpected end of pattern")
		default:
			return t.fail("unknown specifier: ?P" + string(c))
		}
	case ':':
		t.pos++
		return t.openGroup()
	case '#':
		for t.pos < len(t.src) && t.src[t.pos] != ')' {
			t.pos++
		}
		if t.pos == len(t.src) {
			return t.fail("unbalanced parenthesis")
		}
		t.pos++
		return nil
	case '=', '!':
		return t.unsupported("lookahead assertion (?" + string(c) + "...)")
	case '<':
		t.pos++
		if c, ok := t.peek(); ok && (c == '=' || c == '!') {
			return t.unsupported("lookbehind assertion (?<" + string(c) + "...)")
		}
		return t.fail("syntax error")
	case '(':
		return t.unsupported("conditional group (?(id)yes|no)")
	}
	// Inline flags: one or more of iLmsux, then ")".
	n := 0
	for ; t.pos < len(t.src) && strings.ContainsRune("iLmsux", t.src[t.pos]); t.pos++ {
		n++
		switch t.src[t.pos] {
		case 'L':
			return t.unsupported("re.LOCALE flag (?L)")
		case 'u':
			return t.unsupported("re.UNICODE flag (?u)")
		case 'm':
			t.flags.multiline = true
		case 's':
			t.flags.dotall = true
		case 'x':
			t.flags.verbose = true
		}
	}
	if n == 0 {
		return t.fail("unexpected end of pattern")
	}
	if c, ok := t.peek(); !ok || c != ')' {
		if !ok {
			return t.fail("unexpected end of pattern")
		}
		return t.fail("unknown extension")
	}
	t.pos++
	return nil
}

func (t *translator) openGroup() error {
	if err := t.emit(kindNone, "(?:"); err != nil {
		return err
	}
	t.groups = append(t.groups, openGroup{})
	return nil
}

// name reads a group name up to end, checking Python's identifier rule.
func (t *translator) name(end rune) (string, error) {
	b := t.pos
	for t.pos < len(t.src) && t.src[t.pos] != end {
		t.pos++
	}
	if t.pos == len(t.src) {
		return "", t.fail("unterminated name")
	}
	name := string(t.src[b:t.pos])
	t.pos++
	if name == "" {
		return "", t.fail("missing group name")
	}
	for i, c := range name {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return "", t.fail("bad character in group name " + strconv.Quote(name))
		}
	}
	return name, nil
}

// Go spellings of Python 2's ASCII classes (Go's \s lacks \v; [:space:] has it).
var categories = map[rune]struct{ in, out string }{
	'd': {`0-9`, `[0-9]`},
	'D': {`[:^digit:]`, `[^0-9]`},
	's': {`[:space:]`, `[[:space:]]`},
	'S': {`[:^space:]`, `[[:^space:]]`},
	'w': {`[:word:]`, `[[:word:]]`},
	'W': {`[:^word:]`, `[[:^word:]]`},
}

// Python's single-character escapes.
var charEscapes = map[rune]rune{'a': 7, 'f': 12, 'n': 10, 'r': 13, 't': 9, 'v': 11, '\\': '\\'}

func (t *translator) escape() error {
	t.pos++ // "\"
	c, ok := t.peek()
	if !ok {
		return t.fail("bogus escape (end of line)")
	}
	t.pos++
	switch c {
	case 'A':
		return t.emit(kindAssert, `\A`)
	case 'Z':
		return t.emit(kindAssert, `\z`)
	case 'b':
		return t.emit(kindAssert, `\b`)
	case 'B':
		return t.emit(kindAssert, `\B`)
	}
	if cat, ok := categories[c]; ok {
		return t.emit(kindAtom, cat.out)
	}
	if r, ok := charEscapes[c]; ok {
		return t.emit(kindAtom, literal(r))
	}
	switch {
	case c == 'x':
		v, n := t.digits(16, 2)
		if n != 2 {
			return t.fail(`bogus escape: '\x'`)
		}
		return t.emit(kindAtom, literal(v))
	case c == '0':
		v, _ := t.digits(8, 2)
		return t.emit(kindAtom, literal(v))
	case c >= '1' && c <= '9':
		// Three octal digits make an octal escape, anything else a group
		// reference.
		if t.pos+1 < len(t.src) && c <= '7' && isOct(t.src[t.pos]) && isOct(t.src[t.pos+1]) {
			v := (c-'0')*64 + (t.src[t.pos]-'0')*8 + (t.src[t.pos+1] - '0')
			t.pos += 2
			return t.emit(kindAtom, literal(v&0xff))
		}
		if t.pos < len(t.src) && t.src[t.pos] >= '0' && t.src[t.pos] <= '9' {
			t.pos++
		}
		return t.unsupported(`backreference \` + string(t.src[t.pos-1]))
	}
	return t.emit(kindAtom, literal(c))
}

// digits reads up to max digits of the given base; returns value and count.
func (t *translator) digits(base, max int) (rune, int) {
	var v rune
	n := 0
	for n < max && t.pos < len(t.src) {
		d := digitVal(t.src[t.pos])
		if d < 0 || d >= base {
			break
		}
		v = v*rune(base) + rune(d)
		t.pos++
		n++
	}
	return v & 0xff, n
}

func digitVal(c rune) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

func isOct(c rune) bool { return c >= '0' && c <= '7' }

// class translates a character set "[...]". Its letters are folded to
// both ASCII cases, which is what Python's IGNORECASE does for sets.
func (t *translator) class() error {
	t.pos++ // "["
	negate := false
	if c, ok := t.peek(); ok && c == '^' {
		negate = true
		t.pos++
	}
	type rng struct{ lo, hi rune }
	var ranges []rng
	var cats []string
	// item reads one set member: a code point, or a category (cat != "").
	item := func() (r rune, cat string, err error) {
		c := t.src[t.pos]
		t.pos++
		if c != '\\' {
			return c, "", nil
		}
		if t.pos == len(t.src) {
			return 0, "", t.fail("bogus escape (end of line)")
		}
		c = t.src[t.pos]
		t.pos++
		if cat, ok := categories[c]; ok {
			return 0, cat.in, nil
		}
		if c == 'b' {
			return 8, "", nil
		}
		if r, ok := charEscapes[c]; ok {
			return r, "", nil
		}
		switch {
		case c == 'x':
			v, n := t.digits(16, 2)
			if n != 2 {
				return 0, "", t.fail(`bogus escape: '\x'`)
			}
			return v, "", nil
		case isOct(c):
			t.pos--
			v, _ := t.digits(8, 3)
			return v, "", nil
		case c == '8' || c == '9':
			return 0, "", t.fail(`bogus escape: '\` + string(c) + `'`)
		}
		return c, "", nil
	}
	first := true
	for {
		if t.pos == len(t.src) {
			return t.fail("unexpected end of regular expression")
		}
		if t.src[t.pos] == ']' && !first {
			t.pos++
			break
		}
		first = false
		lo, cat, err := item()
		if err != nil {
			return err
		}
		if t.pos < len(t.src) && t.src[t.pos] == '-' {
			t.pos++
			if t.pos == len(t.src) {
				return t.fail("unexpected end of regular expression")
			}
			if t.src[t.pos] == ']' {
				t.pos++
				if cat != "" {
					cats = append(cats, cat)
				} else {
					ranges = append(ranges, rng{lo, lo})
				}
				ranges = append(ranges, rng{'-', '-'})
				break
			}
			hi, cat2, err := item()
			if err != nil {
				return err
			}
			if cat != "" || cat2 != "" || hi < lo {
				return t.fail("bad character range")
			}
			ranges = append(ranges, rng{lo, hi})
			continue
		}
		if cat != "" {
			cats = append(cats, cat)
		} else {
			ranges = append(ranges, rng{lo, lo})
		}
	}
	// IGNORECASE: add the other ASCII case of every letter in the set.
	var folded []rng
	for _, r := range ranges {
		for _, span := range [2]struct{ a, z, delta rune }{{'a', 'z', 'A' - 'a'}, {'A', 'Z', 'a' - 'A'}} {
			lo, hi := max(r.lo, span.a), min(r.hi, span.z)
			if lo <= hi {
				folded = append(folded, rng{lo + span.delta, hi + span.delta})
			}
		}
	}
	ranges = append(ranges, folded...)
	var b strings.Builder
	b.WriteByte('[')
	if negate {
		b.WriteByte('^')
	}
	for _, r := range ranges {
		b.WriteString(hexRune(r.lo))
		if r.hi != r.lo {
			b.WriteByte('-')
			b.WriteString(hexRune(r.hi))
		}
	}
	for _, c := range cats {
		b.WriteString(c)
	}
	b.WriteByte(']')
	return t.emit(kindAtom, b.String())
}

// literal returns the Go expression for code point c under IGNORECASE.
func literal(c rune) string {
	switch {
	case c >= 'a' && c <= 'z':
		return "[" + string(c) + string(c-'a'+'A') + "]"
	case c >= 'A' && c <= 'Z':
		return "[" + string(c) + string(c-'A'+'a') + "]"
	case c >= '0' && c <= '9' || c == '_':
		return string(c)
	}
	return hexRune(c)
}

func hexRune(c rune) string { return fmt.Sprintf(`\x{%x}`, c) }

func isPyWhitespace(c rune) bool {
	switch c {
	case ' ', '\t', '\n', '\r', '\v', '\f':
		return true
	}
	return false
}
