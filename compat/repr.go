package compat

import (
	"fmt"
	"math/big"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gopyro/gopyro/internal/pyfloat"
	"github.com/gopyro/gopyro/pickle"
)

// Repr returns Python 2's repr() of a decoded value: 'str', u'unicode',
// 12L for longs, floats in Python's shortest form, (1,) for a one-tuple,
// set([...]), and for instances of classes the module path. Dict items are
// sorted by their repr so the output is deterministic; a container that
// contains itself is shown as [...] or {...}, as Python does.
//
// A repr longer than MaxRepr bytes is cut there and ends in "...": a value
// that shares its parts (a tuple holding the same tuple twice, doubled 40
// times, decodes from 154 bytes) can have a repr of terabytes.
func Repr(v any) string {
	var b strings.Builder
	r := reprState{seen: map[any]bool{}}
	r.repr(&b, v)
	if b.Len() > MaxRepr {
		s, cut := b.String(), MaxRepr
		for cut > 0 && !utf8.RuneStart(s[cut]) { // cut before a rune
			cut--
		}
		return s[:cut] + "..."
	}
	return b.String()
}

// MaxRepr is the longest repr Repr returns whole: 4 MiB, so that the repr of
// any value Pyro's own messages quote (a name of 1 MiB, as ns tests send) is
// Python's, while one built from shared parts stops.
const MaxRepr = 4 << 20

type reprState struct {
	seen map[any]bool
}

func (r reprState) enter(key any) bool {
	if r.seen[key] {
		return false
	}
	r.seen[key] = true
	return true
}

func (r reprState) repr(b *strings.Builder, v any) {
	if b.Len() > MaxRepr {
		return // Repr cuts here: the rest is never shown
	}
	switch x := v.(type) {
	case nil, pickle.None:
		b.WriteString("None")
	case bool:
		if x {
			b.WriteString("True")
		} else {
			b.WriteString("False")
		}
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case int:
		b.WriteString(strconv.Itoa(x))
	case *big.Int:
		b.WriteString(x.String())
		b.WriteByte('L')
	case float64:
		b.WriteString(FloatRepr(x))
	case pickle.ByteString:
		quoteBytes(b, string(x))
	case pickle.Bytes:
		b.WriteByte('b')
		quoteBytes(b, string(x))
	case pickle.ByteArray:
		b.WriteString("bytearray(b")
		quoteBytes(b, string(x))
		b.WriteByte(')')
	case string:
		quoteUnicode(b, x)
	case pickle.Tuple:
		b.WriteByte('(')
		r.items(b, x)
		if len(x) == 1 {
			b.WriteByte(',')
		}
		b.WriteByte(')')
	case *pickle.List:
		if !r.enter(x) {
			b.WriteString("[...]")
			return
		}
		defer delete(r.seen, x)
		b.WriteByte('[')
		r.items(b, x.Items)
		b.WriteByte(']')
	case pickle.Dict:
		if !r.enter(x) {
			b.WriteString("{...}")
			return
		}
		defer delete(r.seen, x)
		r.dict(b, x)
	case *pickle.Set:
		r.set(b, "set", x, x.Items)
	case *pickle.FrozenSet:
		r.set(b, "frozenset", x, x.Items)
	case pickle.Class:
		fmt.Fprintf(b, "<class '%s'>", className(x))
	case URI:
		b.WriteString("<PyroURI ")
		quoteBytes(b, x.String())
		b.WriteByte('>')
	case *DynamicProxy:
		name := "DynamicProxy"
		if x.WithAttrs {
			name = "DynamicProxyWithAttrs"
		}
		fmt.Fprintf(b, "<%s for %s>", name, x.URI)
	case interface{ exception() *Exception }:
		e := x.exception()
		b.WriteString(e.Class.Name)
		r.repr(b, e.Args)
	case *pickle.Object:
		if !r.enter(x) {
			b.WriteString("<...>")
			return
		}
		defer delete(r.seen, x)
		r.object(b, x)
	case pickle.Pickler:
		o, err := x.PickleObject()
		if err != nil {
			fmt.Fprintf(b, "<%T: %v>", v, err)
			return
		}
		r.object(b, o)
	default:
		fmt.Fprintf(b, "%#v", v)
	}
}

func (r reprState) items(b *strings.Builder, items []any) {
	for i, it := range items {
		if i > 0 {
			b.WriteString(", ")
		}
		r.repr(b, it)
	}
}

func (r reprState) dict(b *strings.Builder, d pickle.Dict) {
	type kv struct{ k, v string }
	var kvs []kv
	for k, v := range d.Iter() {
		kvs = append(kvs, kv{r.sub(k), r.sub(v)})
	}
	sort.Slice(kvs, func(i, j int) bool { return kvs[i].k < kvs[j].k })
	b.WriteByte('{')
	for i, e := range kvs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(e.k)
		b.WriteString(": ")
		b.WriteString(e.v)
	}
	b.WriteByte('}')
}

func (r reprState) sub(v any) string {
	var b strings.Builder
	r.repr(&b, v)
	return b.String()
}

func (r reprState) set(b *strings.Builder, name string, key any, items []any) {
	if !r.enter(key) {
		b.WriteString(name + "(...)")
		return
	}
	defer delete(r.seen, key)
	b.WriteString(name)
	b.WriteString("([")
	r.items(b, items)
	b.WriteString("])")
}

// object shows an instance as module.Class(args){state}, with the list and
// dict items of subclasses of list and dict when there are any.
func (r reprState) object(b *strings.Builder, o *pickle.Object) {
	b.WriteString("<")
	b.WriteString(className(o.Class))
	if len(o.Args) > 0 || o.Build == pickle.BuildReduce {
		r.repr(b, o.Args)
	}
	if o.State != nil {
		b.WriteByte(' ')
		r.state(b, o.State)
	}
	if len(o.ListItems) > 0 {
		b.WriteString(" list=[")
		r.items(b, o.ListItems)
		b.WriteByte(']')
	}
	if len(o.DictItems) > 0 {
		b.WriteString(" dict={")
		for i := 0; i+1 < len(o.DictItems); i += 2 {
			if i > 0 {
				b.WriteString(", ")
			}
			r.repr(b, o.DictItems[i])
			b.WriteString(": ")
			r.repr(b, o.DictItems[i+1])
		}
		b.WriteByte('}')
	}
	b.WriteByte('>')
}

// state shows an instance state; the ordered state structs of this
// package's types are shown as the dicts they pickle as.
func (r reprState) state(b *strings.Builder, st any) {
	rv := reflect.ValueOf(st)
	if rv.Kind() != reflect.Pointer || rv.Elem().Kind() != reflect.Struct {
		r.repr(b, st)
		return
	}
	rv = rv.Elem()
	b.WriteByte('{')
	n := 0
	for _, sf := range pickle.Fields(rv.Type()) {
		name := sf.Name
		f := rv.FieldByIndex(sf.Index)
		if sf.OmitEmpty && f.IsZero() {
			continue
		}
		if n > 0 {
			b.WriteString(", ")
		}
		n++
		quoteBytes(b, name)
		b.WriteString(": ")
		if f.Kind() == reflect.Pointer && f.IsNil() {
			b.WriteString("None")
			continue
		}
		r.repr(b, f.Interface())
	}
	b.WriteByte('}')
}

// FloatRepr formats f as Python 2.7's repr(float): the shortest digits that
// round-trip, exponent notation below 1e-4 and from 1e16 on, a ".0" on
// integral values, and inf, -inf, nan.
func FloatRepr(f float64) string { return pyfloat.Repr(f) }

// FloatStr formats f as Python 2.7's str(float), which print uses: 12
// significant digits without trailing zeros, exponent notation when the
// rounded value is below 1e-4 or from 1e11 on (Python's '%.12g' with its
// room for ".0"), a ".0" on integral values, and inf, -inf, nan. FloatRepr
// is repr's round-trip form.
func FloatStr(f float64) string { return pyfloat.Str(f) }

// pickQuote chooses Python's quote: ' unless the text has ' and no ".
func pickQuote(s string) byte {
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		return '"'
	}
	return '\''
}

// writeEscape writes the backslash escape Python's repr gives c, when c is
// the quote q, a backslash, a tab, a newline or a carriage return, and
// reports whether it is.
func writeEscape(b *strings.Builder, c rune, q byte) bool {
	switch c {
	case rune(q), '\\':
		b.WriteByte('\\')
		b.WriteRune(c)
	case '\t':
		b.WriteString(`\t`)
	case '\n':
		b.WriteString(`\n`)
	case '\r':
		b.WriteString(`\r`)
	default:
		return false
	}
	return true
}

func quoteBytes(b *strings.Builder, s string) {
	q := pickQuote(s)
	b.WriteByte(q)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case writeEscape(b, rune(c), q):
		case c < 0x20 || c >= 0x7f:
			fmt.Fprintf(b, `\x%02x`, c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte(q)
}

func quoteUnicode(b *strings.Builder, s string) {
	q := pickQuote(s)
	b.WriteByte('u')
	b.WriteByte(q)
	for i := 0; i < len(s); {
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 && i+2 < len(s) && s[i] == 0xed && s[i+1]&0xe0 == 0xa0 && s[i+2]&0xc0 == 0x80 {
			// A lone surrogate, kept by the decoder as its (WTF-8) bytes.
			fmt.Fprintf(b, `\u%04x`, rune(s[i]&0x0f)<<12|rune(s[i+1]&0x3f)<<6|rune(s[i+2]&0x3f))
			i += 3
			continue
		}
		if c == utf8.RuneError && size == 1 {
			fmt.Fprintf(b, `\x%02x`, s[i])
			i++
			continue
		}
		i += size
		switch {
		case writeEscape(b, c, q):
		case c < 0x20 || (c >= 0x7f && c < 0x100):
			fmt.Fprintf(b, `\x%02x`, c)
		case c >= 0x100 && c < 0x10000:
			fmt.Fprintf(b, `\u%04x`, c)
		case c >= 0x10000:
			fmt.Fprintf(b, `\U%08x`, c)
		default:
			b.WriteRune(c)
		}
	}
	b.WriteByte(q)
}
