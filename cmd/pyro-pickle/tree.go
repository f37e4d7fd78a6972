package main

import (
	"fmt"
	"io"
	"reflect"
	"sort"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/pickle"
)

// inlineWidth is the longest Python repr printed on one line; bigger
// containers and every instance are printed as an indented tree.
const inlineWidth = 72

// printTree writes v as an indented tree: containers and instances name their
// kind and list their items below, other values are their Python repr.
func printTree(w io.Writer, v any) {
	t := treePrinter{w: w, open: map[any]bool{}}
	t.node(v, "")
	fmt.Fprintln(w)
}

type treePrinter struct {
	w    io.Writer
	open map[any]bool // containers being printed, to show cycles
}

// identity returns a comparable identity for values that can be shared or
// recursive in a pickle.
func identity(v any) (any, bool) {
	switch x := v.(type) {
	case *pickle.List, *pickle.Set, *pickle.FrozenSet, *pickle.Object:
		return x, true
	case pickle.Dict:
		return x, true
	}
	return nil, false
}

func (t treePrinter) line(indent, format string, args ...any) {
	fmt.Fprintf(t.w, "\n"+indent+format, args...)
}

// node prints v at the current position; continuation lines use indent.
func (t treePrinter) node(v any, indent string) {
	if id, ok := identity(v); ok {
		if t.open[id] {
			fmt.Fprintf(t.w, "<recursive reference to an enclosing %s>", kind(v))
			return
		}
		t.open[id] = true
		defer delete(t.open, id)
	}
	if !hasInstance(v, 0) {
		if r := compat.Repr(v); len(r) <= inlineWidth {
			fmt.Fprint(t.w, r)
			return
		}
	}
	in := indent + "    "
	switch x := v.(type) {
	case pickle.Tuple:
		fmt.Fprintf(t.w, "tuple, %d items", len(x))
		t.items(x, in)
	case *pickle.List:
		fmt.Fprintf(t.w, "list, %d items", len(x.Items))
		t.items(x.Items, in)
	case *pickle.Set:
		fmt.Fprintf(t.w, "set, %d items", len(x.Items))
		t.items(x.Items, in)
	case *pickle.FrozenSet:
		fmt.Fprintf(t.w, "frozenset, %d items", len(x.Items))
		t.items(x.Items, in)
	case pickle.Dict:
		fmt.Fprintf(t.w, "dict, %d items", x.Len())
		t.dict(x, in)
	case pickle.ByteString:
		fmt.Fprintf(t.w, "str, %d bytes: %s", len(x), compat.Repr(x))
	case string:
		fmt.Fprintf(t.w, "unicode: %s", compat.Repr(x))
	case *pickle.Object:
		t.object(x, "", in)
	case compat.URI:
		fmt.Fprintf(t.w, "Pyro.core.PyroURI %s", x)
	case interface{ Error() string }:
		if e, ok := compat.AsException(x); ok {
			t.exception(e, in)
			return
		}
		t.pickler(v, in)
	case pickle.Pickler:
		t.pickler(x, in)
	default:
		fmt.Fprint(t.w, compat.Repr(v))
	}
}

func (t treePrinter) items(items []any, indent string) {
	if !hasContainer(items) {
		// Scalars only: wrap their reprs instead of one per line.
		line := ""
		for i, it := range items {
			r := compat.Repr(it)
			if i < len(items)-1 {
				r += ","
			}
			if line != "" && len(line)+1+len(r) > inlineWidth {
				t.line(indent, "%s", line)
				line = ""
			}
			if line != "" {
				line += " "
			}
			line += r
		}
		t.line(indent, "%s", line)
		return
	}
	for i, it := range items {
		t.line(indent, "[%d] ", i)
		t.node(it, indent)
	}
}

func (t treePrinter) dict(d pickle.Dict, indent string) {
	type kv struct {
		k string
		v any
	}
	var kvs []kv
	for k, v := range d.Iter() {
		kvs = append(kvs, kv{compat.Repr(k), v})
	}
	sort.Slice(kvs, func(i, j int) bool { return kvs[i].k < kvs[j].k })
	for _, e := range kvs {
		t.line(indent, "%s: ", e.k)
		t.node(e.v, indent)
	}
}

var buildNames = map[pickle.Build]string{
	pickle.BuildNewObj:        "new-style, NEWOBJ",
	pickle.BuildReduce:        "REDUCE",
	pickle.BuildOldStyle:      "old-style",
	pickle.BuildReconstructor: "new-style, copy_reg._reconstructor",
}

// object prints an instance; goType names the Go type it decodes to.
func (t treePrinter) object(o *pickle.Object, goType, indent string) {
	fmt.Fprintf(t.w, "instance of %s.%s (%s)", o.Class.Module, o.Class.Name, buildNames[o.Build])
	if goType != "" {
		fmt.Fprintf(t.w, " as Go %s", goType)
	}
	if len(o.Args) > 0 {
		t.line(indent, "args: ")
		t.node(o.Args, indent)
	}
	if o.Build == pickle.BuildReconstructor {
		t.line(indent, "base: %s.%s, base state: ", o.Base.Module, o.Base.Name)
		t.node(o.BaseState, indent)
	}
	if len(o.ListItems) > 0 {
		t.line(indent, "list items:")
		t.items(o.ListItems, indent+"    ")
	}
	for i := 0; i+1 < len(o.DictItems); i += 2 {
		if i == 0 {
			t.line(indent, "dict items:")
		}
		t.line(indent+"    ", "%s: ", compat.Repr(o.DictItems[i]))
		t.node(o.DictItems[i+1], indent+"    ")
	}
	if o.State != nil {
		t.line(indent, "state: ")
		t.state(o.State, indent)
	}
}

// pickler prints a Go value of a wire class as the instance it pickles as.
func (t treePrinter) pickler(v any, indent string) {
	p, ok := v.(pickle.Pickler)
	if !ok {
		fmt.Fprint(t.w, compat.Repr(v))
		return
	}
	o, err := p.PickleObject()
	if err != nil {
		fmt.Fprintf(t.w, "<%T: %v>", v, err)
		return
	}
	t.object(o, fmt.Sprintf("%T", v), indent)
}

func (t treePrinter) exception(e *compat.Exception, indent string) {
	fmt.Fprintf(t.w, "exception %s.%s%s", e.Class.Module, e.Class.Name, compat.Repr(e.Args))
	if e.Attrs.Len() > 0 {
		t.line(indent, "attributes: ")
		t.node(e.Attrs, indent)
	}
}

// state prints an instance state: a dict, or one of compat's ordered state
// structs, shown as the dict it pickles as.
func (t treePrinter) state(st any, indent string) {
	rv := reflect.ValueOf(st)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		t.node(st, indent)
		return
	}
	rv = rv.Elem()
	in := indent + "    "
	fmt.Fprint(t.w, "dict")
	for _, sf := range pickle.Fields(rv.Type()) {
		name := sf.Name
		f := rv.FieldByIndex(sf.Index)
		if sf.OmitEmpty && f.IsZero() {
			continue
		}
		t.line(in, "%s: ", compat.Repr(pickle.ByteString(name)))
		if f.Kind() == reflect.Pointer && f.IsNil() {
			fmt.Fprint(t.w, "None")
			continue
		}
		t.node(f.Interface(), in)
	}
}

// hasContainer reports whether any item is a container or an instance.
func hasContainer(items []any) bool {
	for _, it := range items {
		switch it.(type) {
		case nil, pickle.None, bool, int64, float64, pickle.ByteString, string, pickle.Bytes, pickle.ByteArray, pickle.Class:
		default:
			if _, isBig := it.(interface{ BitLen() int }); !isBig {
				return true
			}
		}
	}
	return false
}

func kind(v any) string {
	switch v.(type) {
	case *pickle.List:
		return "list"
	case pickle.Dict:
		return "dict"
	case *pickle.Set:
		return "set"
	case *pickle.FrozenSet:
		return "frozenset"
	}
	return "instance"
}

// hasInstance reports whether v is or contains a class instance (looking a
// few levels deep), which is always printed as a tree.
func hasInstance(v any, depth int) bool {
	if depth > 3 {
		return true
	}
	var items []any
	switch x := v.(type) {
	case *pickle.Object, pickle.Pickler, error:
		return true
	case pickle.Tuple:
		items = x
	case *pickle.List:
		items = x.Items
	case *pickle.Set:
		items = x.Items
	case *pickle.FrozenSet:
		items = x.Items
	case pickle.Dict:
		for k, v := range x.Iter() {
			items = append(items, k, v)
		}
	}
	for _, it := range items {
		if hasInstance(it, depth+1) {
			return true
		}
	}
	return false
}
