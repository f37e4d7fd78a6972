package core

import (
	"fmt"
	"math"
	"math/big"
	"reflect"
	"strings"
	"sync"

	"github.com/gopyro/gopyro/pickle"
)

// ArgumentError reports a decoded Python value that does not fit the Go type
// of a parameter or destination. It becomes a Python TypeError when returned
// to a remote caller.
type ArgumentError struct {
	Index int    // 0-based parameter position, -1 for keyword arguments and results
	Name  string // keyword name, or ""
	Want  reflect.Type
	Got   any
	Msg   string // extra detail, may be ""
}

func (e *ArgumentError) Error() string {
	where := "value"
	switch {
	case e.Name != "":
		where = "keyword argument '" + e.Name + "'"
	case e.Index >= 0:
		where = fmt.Sprintf("argument %d", e.Index+1)
	}
	msg := fmt.Sprintf("%s: cannot use %s as %s", where, pyTypeName(e.Got), e.Want)
	if e.Msg != "" {
		msg += " (" + e.Msg + ")"
	}
	return msg
}

// pyTypeName names the Python type of a decoded value, for error messages.
func pyTypeName(v any) string {
	switch v.(type) {
	case nil, pickle.None:
		return "None"
	case bool:
		return "bool"
	case int64:
		return "int"
	case *big.Int:
		return "long"
	case float64:
		return "float"
	case pickle.ByteString:
		return "str"
	case string:
		return "unicode"
	case pickle.Tuple:
		return "tuple"
	case *pickle.List:
		return "list"
	case pickle.Dict:
		return "dict"
	case *pickle.Set:
		return "set"
	case *pickle.FrozenSet:
		return "frozenset"
	case *pickle.Object:
		o := v.(*pickle.Object)
		return o.Class.Module + "." + o.Class.Name
	}
	return fmt.Sprintf("%T", v)
}

var (
	anyType    = reflect.TypeFor[any]()
	bigIntType = reflect.TypeFor[*big.Int]()
	proxyType  = reflect.TypeFor[*Proxy]()
)

// Assign converts a decoded Python value v into dst, which must be a non-nil
// pointer. It accepts what a Python caller would naturally send: str and
// unicode for strings, int/long/bool for integers (with range checks),
// int/long/float for floats, list/tuple/set for slices, dict for maps and
// structs (fields matched by `pyro:"name"` tag, Go name or Python-style name),
// None for nil pointers, slices, maps and interfaces, and a Pyro proxy for a
// *Proxy. A destination of type any receives v unchanged.
func Assign(dst any, v any) error {
	rv := reflect.ValueOf(dst)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("core: Assign destination must be a non-nil pointer, not %T", dst)
	}
	out, err := convert(v, rv.Type().Elem())
	if err != nil {
		return err
	}
	rv.Elem().Set(out)
	return nil
}

// convert returns v as a value of type t.
func convert(v any, t reflect.Type) (reflect.Value, error) {
	if t == anyType {
		if v == nil {
			return reflect.Zero(t), nil
		}
		// The concrete value is assignable to any; Call and Set accept it.
		return reflect.ValueOf(v), nil
	}
	if v != nil {
		if vt := reflect.TypeOf(v); vt == t || (vt.AssignableTo(t) && t.Kind() == reflect.Interface) {
			return reflect.ValueOf(v), nil
		}
	}
	if _, isNone := v.(pickle.None); isNone || v == nil {
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
			return reflect.Zero(t), nil
		}
		return reflect.Value{}, mismatch(v, t, "")
	}
	if t == proxyType {
		p, err := proxyFromValue(v)
		if err != nil {
			return reflect.Value{}, err
		}
		return reflect.ValueOf(p), nil
	}
	if t == bigIntType {
		switch x := v.(type) {
		case int64:
			return reflect.ValueOf(big.NewInt(x)), nil
		case bool:
			return reflect.ValueOf(big.NewInt(int64(b2i(x)))), nil
		}
		return reflect.Value{}, mismatch(v, t, "")
	}
	out := reflect.New(t).Elem()
	switch t.Kind() {
	case reflect.Bool:
		switch x := v.(type) {
		case bool:
			out.SetBool(x)
		case int64:
			out.SetBool(x != 0)
		default:
			return reflect.Value{}, mismatch(v, t, "")
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		i, ok := toInt64(v)
		if !ok || out.OverflowInt(i) {
			return reflect.Value{}, mismatch(v, t, rangeNote(ok))
		}
		out.SetInt(i)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		u, ok := toUint64(v)
		if !ok || out.OverflowUint(u) {
			return reflect.Value{}, mismatch(v, t, rangeNote(ok))
		}
		out.SetUint(u)
	case reflect.Float32, reflect.Float64:
		var f float64
		switch x := v.(type) {
		case float64:
			f = x
		case int64:
			f = float64(x)
		case bool:
			f = float64(b2i(x))
		case *big.Int:
			f, _ = new(big.Float).SetInt(x).Float64()
		default:
			return reflect.Value{}, mismatch(v, t, "")
		}
		if t.Kind() == reflect.Float32 && !math.IsInf(f, 0) && math.Abs(f) > math.MaxFloat32 {
			return reflect.Value{}, mismatch(v, t, "out of range")
		}
		out.SetFloat(f)
	case reflect.String:
		switch x := v.(type) {
		case string:
			out.SetString(x)
		case pickle.ByteString:
			out.SetString(string(x))
		case pickle.Bytes:
			out.SetString(string(x))
		default:
			return reflect.Value{}, mismatch(v, t, "")
		}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			var b []byte
			switch x := v.(type) {
			case pickle.ByteString:
				b = []byte(x)
			case pickle.Bytes:
				b = []byte(x)
			case pickle.ByteArray:
				b = []byte(x)
			case string:
				b = []byte(x)
			}
			if b != nil {
				out.Set(reflect.ValueOf(b).Convert(t))
				return out, nil
			}
		}
		items, ok := sequenceItems(v)
		if !ok {
			return reflect.Value{}, mismatch(v, t, "")
		}
		s := reflect.MakeSlice(t, len(items), len(items))
		for i, it := range items {
			ev, err := convert(it, t.Elem())
			if err != nil {
				return reflect.Value{}, fmt.Errorf("item %d: %w", i, err)
			}
			s.Index(i).Set(ev)
		}
		out.Set(s)
	case reflect.Array:
		items, ok := sequenceItems(v)
		if !ok || len(items) != t.Len() {
			return reflect.Value{}, mismatch(v, t, "wrong length")
		}
		for i, it := range items {
			ev, err := convert(it, t.Elem())
			if err != nil {
				return reflect.Value{}, fmt.Errorf("item %d: %w", i, err)
			}
			out.Index(i).Set(ev)
		}
	case reflect.Map:
		d, ok := v.(pickle.Dict)
		if !ok {
			return reflect.Value{}, mismatch(v, t, "")
		}
		m := reflect.MakeMapWithSize(t, dictLen(d))
		var err error
		if dictLen(d) > 0 {
			d.Iter()(func(k, val any) bool {
				var kv, vv reflect.Value
				if kv, err = convert(k, t.Key()); err != nil {
					err = fmt.Errorf("dict key: %w", err)
					return false
				}
				if vv, err = convert(val, t.Elem()); err != nil {
					err = fmt.Errorf("dict value: %w", err)
					return false
				}
				m.SetMapIndex(kv, vv)
				return true
			})
		}
		if err != nil {
			return reflect.Value{}, err
		}
		out.Set(m)
	case reflect.Struct:
		var d pickle.Dict
		switch x := v.(type) {
		case pickle.Dict:
			d = x
		case *pickle.Object:
			var ok bool
			if d, ok = x.State.(pickle.Dict); !ok {
				return reflect.Value{}, mismatch(v, t, "")
			}
		default:
			return reflect.Value{}, mismatch(v, t, "")
		}
		if err := fillStruct(out, d, false); err != nil {
			return reflect.Value{}, err
		}
	case reflect.Pointer:
		ev, err := convert(v, t.Elem())
		if err != nil {
			return reflect.Value{}, err
		}
		p := reflect.New(t.Elem())
		p.Elem().Set(ev)
		out.Set(p)
	case reflect.Interface:
		return reflect.Value{}, mismatch(v, t, "value does not implement the interface")
	default:
		return reflect.Value{}, mismatch(v, t, "unsupported parameter type")
	}
	return out, nil
}

func mismatch(v any, t reflect.Type, note string) error {
	return &ArgumentError{Index: -1, Want: t, Got: v, Msg: note}
}

func rangeNote(converted bool) string {
	if converted {
		return "out of range"
	}
	return ""
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func toInt64(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case bool:
		return int64(b2i(x)), true
	case *big.Int:
		if x.IsInt64() {
			return x.Int64(), true
		}
	}
	return 0, false
}

func toUint64(v any) (uint64, bool) {
	switch x := v.(type) {
	case int64:
		if x >= 0 {
			return uint64(x), true
		}
	case bool:
		return uint64(b2i(x)), true
	case *big.Int:
		if x.IsUint64() {
			return x.Uint64(), true
		}
	}
	return 0, false
}

func sequenceItems(v any) ([]any, bool) {
	switch x := v.(type) {
	case pickle.Tuple:
		return x, true
	case *pickle.List:
		return x.Items, true
	case *pickle.Set:
		return x.Items, true
	case *pickle.FrozenSet:
		return x.Items, true
	case []any:
		return x, true
	}
	return nil, false
}

func dictLen(d pickle.Dict) int {
	if d == (pickle.Dict{}) {
		return 0
	}
	return d.Len()
}

// structFields is the cached name → field index table of a struct type.
type structFields struct {
	byName map[string][]int
}

var fieldCache sync.Map // reflect.Type → *structFields

// fieldsOf returns the exported fields of struct type t under their Go name,
// Python-style name and `pyro:"name"` tag (fields tagged `pyro:"-"` are left
// out). Embedded structs contribute their fields.
func fieldsOf(t reflect.Type) *structFields {
	if f, ok := fieldCache.Load(t); ok {
		return f.(*structFields)
	}
	sf := &structFields{byName: map[string][]int{}}
	for _, f := range reflect.VisibleFields(t) {
		if !f.IsExported() || f.Anonymous && f.Type.Kind() == reflect.Struct {
			continue
		}
		tag := f.Tag.Get("pyro")
		if tag == "" {
			tag = f.Tag.Get("pickle")
		}
		tag, _, _ = strings.Cut(tag, ",")
		if tag == "-" {
			continue
		}
		if tag != "" {
			sf.byName[tag] = f.Index
			continue
		}
		sf.byName[f.Name] = f.Index
		if py := PythonName(f.Name); py != f.Name {
			if _, taken := sf.byName[py]; !taken {
				sf.byName[py] = f.Index
			}
		}
	}
	actual, _ := fieldCache.LoadOrStore(t, sf)
	return actual.(*structFields)
}

// fillStruct sets the fields of struct value out from dict d. With strict,
// keys naming no field are an error (keyword arguments); otherwise they are
// ignored.
func fillStruct(out reflect.Value, d pickle.Dict, strict bool) error {
	if dictLen(d) == 0 {
		return nil
	}
	fields := fieldsOf(out.Type())
	var err error
	d.Iter()(func(k, val any) bool {
		var name string
		switch x := k.(type) {
		case string:
			name = x
		case pickle.ByteString:
			name = string(x)
		default:
			if strict {
				err = mismatch(k, reflect.TypeFor[string](), "keyword names must be strings")
				return false
			}
			return true
		}
		idx, ok := fields.byName[name]
		if !ok {
			if strict {
				err = &ArgumentError{Index: -1, Name: name, Want: out.Type(), Got: val, Msg: "unexpected keyword argument"}
				return false
			}
			return true
		}
		f := out.FieldByIndex(idx)
		var fv reflect.Value
		if fv, err = convert(val, f.Type()); err != nil {
			err = fmt.Errorf("field %s: %w", name, err)
			return false
		}
		f.Set(fv)
		return true
	})
	return err
}
