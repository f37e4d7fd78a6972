package pickle

import (
	"cmp"
	"fmt"
	"math/big"
	"reflect"
	"slices"
	"strings"
	"sync"
	"unsafe"

	"github.com/gopyro/gopyro/internal/codec"
)

var (
	bigIntType  = reflect.TypeFor[big.Int]()
	objectType  = reflect.TypeFor[Object]()
	picklerType = reflect.TypeFor[Pickler]()
	errorType   = reflect.TypeFor[error]()
)

// encodeReflect encodes the Go values the fast type switch in encode does not
// know: named types, slices, arrays, maps, structs and pointers.
func (s *encState) encodeReflect(rv reflect.Value, depth int) error {
	if !rv.IsValid() {
		s.buf = append(s.buf, opNone)
		return nil
	}
	t := rv.Type()
	if t.Implements(picklerType) && rv.CanInterface() {
		if rv.Kind() == reflect.Pointer && rv.IsNil() {
			s.buf = append(s.buf, opNone)
			return nil
		}
		return s.encodePickler(rv.Interface().(Pickler), depth)
	}
	if rv.Kind() == reflect.Struct && rv.CanInterface() && reflect.PointerTo(t).Implements(picklerType) {
		// A struct value whose pointer is the Pickler (compat.Event{...}
		// rather than &compat.Event{...}) still crosses as its class.
		p := reflect.New(t)
		p.Elem().Set(rv)
		return s.encodePickler(p.Interface().(Pickler), depth)
	}
	if t.Implements(errorType) {
		return encodeError(t.String(), fmt.Errorf("%w: error values cross the wire as Python exceptions, not data", ErrUnsupportedType))
	}
	if depth >= s.maxDepth {
		return encodeError(t.String(), ErrEncodeDepth)
	}
	switch rv.Kind() {
	case reflect.Bool:
		s.encodeBool(rv.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		s.encodeInt(rv.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		s.encodeUint(rv.Uint())
	case reflect.Float32, reflect.Float64:
		s.encodeFloat(rv.Float())
	case reflect.String:
		return s.encodeUnicode(rv.String())
	case reflect.Interface:
		if rv.IsNil() {
			s.buf = append(s.buf, opNone)
			return nil
		}
		return s.encodeElem(rv.Elem(), depth)
	case reflect.Pointer:
		if rv.IsNil() {
			s.buf = append(s.buf, opNone)
			return nil
		}
		return s.encodePointee(rv.Elem(), depth)
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			s.encodeStr(string(rv.Bytes()))
			return nil
		}
		return s.encodeSeq(rv, depth)
	case reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			b := make([]byte, rv.Len())
			reflect.Copy(reflect.ValueOf(b), rv)
			s.encodeStr(string(b))
			return nil
		}
		return s.encodeSeq(rv, depth)
	case reflect.Map:
		return s.encodeMap(rv, depth)
	case reflect.Struct:
		return s.encodeStruct(rv, depth)
	default:
		return encodeError(t.String(), ErrUnsupportedType)
	}
	return nil
}

// encodePointee encodes what a non-nil pointer points to. Pointers to the
// package's value types (big.Int, Object) keep their meaning.
func (s *encState) encodePointee(ev reflect.Value, depth int) error {
	if !ev.CanInterface() {
		return s.encodeReflect(ev, depth+1)
	}
	switch ev.Type() {
	case bigIntType:
		s.encodeLong(ev.Addr().Interface().(*big.Int))
		return nil
	case objectType:
		return s.encode(ev.Addr().Interface(), depth)
	}
	return s.encode(ev.Interface(), depth+1)
}

// encodeSeq writes a Go slice or array as a list.
func (s *encState) encodeSeq(rv reflect.Value, depth int) error {
	s.startList(ident{})
	n := rv.Len()
	for start := 0; start < n; start += batchSize {
		end := min(start+batchSize, n)
		multi := s.proto >= 1 && end-start > 1
		if multi {
			s.buf = append(s.buf, opMark)
		}
		for i := start; i < end; i++ {
			if s.full() {
				return codec.AtPath(s.overLimit(valueOrNil(rv.Index(i))), codec.IndexPath(i))
			}
			if err := s.encodeElem(rv.Index(i), depth+1); err != nil {
				return codec.AtPath(err, codec.IndexPath(i))
			}
			if !multi {
				s.buf = append(s.buf, opAppend)
			}
		}
		if multi {
			s.buf = append(s.buf, opAppends)
		}
	}
	return nil
}

// encodeElem encodes a reflected element, going through the fast type
// switch when the element can be turned into an interface.
func (s *encState) encodeElem(ev reflect.Value, depth int) error {
	if ev.CanInterface() {
		return s.encode(ev.Interface(), depth)
	}
	return s.encodeReflect(ev, depth)
}

// encodeMap writes a Go map as a dict, keys sorted so output is deterministic.
func (s *encState) encodeMap(rv reflect.Value, depth int) error {
	s.startDict(ident{})
	n := rv.Len()
	if n == 0 {
		return nil
	}
	mark := len(s.keys)
	for k := range rv.Seq() {
		s.keys = append(s.keys, k)
	}
	keys := s.keys[mark:]
	slices.SortFunc(keys, compareMapKeys)
	defer func() {
		clear(s.keys[mark:])
		s.keys = s.keys[:mark]
	}()
	b := batcher{s: s, n: n}
	for _, k := range keys {
		if s.full() {
			return codec.AtPath(s.overLimit(valueOrNil(k)), "{key}")
		}
		b.before()
		if err := s.encodeElem(k, depth+1); err != nil {
			return codec.AtPath(err, "{key}")
		}
		if err := s.encodeElem(rv.MapIndex(k), depth+1); err != nil {
			return codec.AtPath(err, "["+keyString(valueOrNil(k))+"]")
		}
		b.after()
	}
	return nil
}

func valueOrNil(v reflect.Value) any {
	if v.CanInterface() {
		return v.Interface()
	}
	return nil
}

// compareMapKeys orders Go map keys: numbers by value, strings by bytes, anything
// else by type name and then printed form.
func compareMapKeys(a, b reflect.Value) int {
	if a.Kind() == reflect.Interface {
		a = a.Elem()
	}
	if b.Kind() == reflect.Interface {
		b = b.Elem()
	}
	if a.IsValid() && b.IsValid() && a.Kind() == b.Kind() {
		switch a.Kind() {
		case reflect.String:
			return strings.Compare(a.String(), b.String())
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			return cmp.Compare(a.Int(), b.Int())
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
			return cmp.Compare(a.Uint(), b.Uint())
		case reflect.Float32, reflect.Float64:
			return cmp.Compare(a.Float(), b.Float())
		case reflect.Bool:
			return cmp.Compare(boolInt(a.Bool()), boolInt(b.Bool()))
		}
	}
	return strings.Compare(fmt.Sprintf("%T %v", valueOrNil(a), valueOrNil(a)), fmt.Sprintf("%T %v", valueOrNil(b), valueOrNil(b)))
}

// Field is a struct field as every codec and Assign see it. This is the one
// rule that maps Go fields to Python attribute names, in both directions:
//
//   - `pyro:"name"` gives the Python name; without a tag it is the Go name;
//   - `pyro:"-"` leaves the field out, `pyro:",omitempty"` leaves a zero
//     value out when encoding;
//   - untagged embedded structs are flattened, unexported fields left out,
//     and the first of several fields with one name wins.
//
// Encoding writes a field under Name. Decoding (Assign) matches a key to the
// Name, else to the Name compared ignoring case and underscores, so that
// Python's balance_due fills BalanceDue.
type Field struct {
	Name      string // the Python attribute name (a str key)
	Index     []int  // as reflect.Value.FieldByIndex takes it
	OmitEmpty bool
}

var structFieldsCache sync.Map // reflect.Type → []Field

// Fields lists the fields of the struct type t by the rule of Field.
func Fields(t reflect.Type) []Field {
	if f, ok := structFieldsCache.Load(t); ok {
		return f.([]Field)
	}
	var fields []Field
	seen := map[string]bool{}
	var walk func(t reflect.Type, index []int)
	walk = func(t reflect.Type, index []int) {
		for i := range t.NumField() {
			f := t.Field(i)
			tag := f.Tag.Get("pyro")
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			idx := append(slices.Clone(index), i)
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if f.Anonymous && name == "" && ft.Kind() == reflect.Struct && ft != bigIntType && ft != objectType {
				if f.IsExported() || f.Type.Kind() != reflect.Pointer {
					walk(ft, idx)
				}
				continue
			}
			if !f.IsExported() {
				continue
			}
			if name == "" {
				name = f.Name
			}
			if seen[name] {
				continue
			}
			seen[name] = true
			fields = append(fields, Field{Name: name, Index: idx, OmitEmpty: opts == "omitempty"})
		}
	}
	walk(t, nil)
	f, _ := structFieldsCache.LoadOrStore(t, fields)
	return f.([]Field)
}

// fieldByIndex is reflect.Value.FieldByIndex that reports a nil embedded
// pointer instead of panicking.
func fieldByIndex(v reflect.Value, index []int) (reflect.Value, bool) {
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return reflect.Value{}, false
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v, true
}

// encodeStruct writes a Go struct as a dict of its fields keyed by str, the
// type Python 2 attribute and keyword names have. A pickle.Object value and
// big.Int value keep their meaning.
func (s *encState) encodeStruct(rv reflect.Value, depth int) error {
	switch rv.Type() {
	case bigIntType:
		x := new(big.Int)
		if rv.CanInterface() {
			v := rv.Interface().(big.Int)
			x.Set(&v)
		}
		s.encodeLong(x)
		return nil
	case objectType:
		if rv.CanInterface() {
			o := new(Object)
			*o = rv.Interface().(Object)
			return s.encodeObject(o, ident{p: unsafe.Pointer(o), t: objectPtrType}, depth)
		}
	}
	fields := Fields(rv.Type())
	s.startDict(ident{})
	var live [16]int
	use := live[:0]
	for i, f := range fields {
		fv, ok := fieldByIndex(rv, f.Index)
		if !ok || (f.OmitEmpty && fv.IsZero()) {
			continue
		}
		use = append(use, i)
	}
	b := batcher{s: s, n: len(use)}
	for _, i := range use {
		f := fields[i]
		fv, _ := fieldByIndex(rv, f.Index)
		if s.full() {
			return codec.AtPath(s.overLimit(valueOrNil(fv)), "."+f.Name)
		}
		b.before()
		s.encodeStr(f.Name)
		if err := s.encodeElem(fv, depth+1); err != nil {
			return codec.AtPath(err, "."+f.Name)
		}
		b.after()
	}
	return nil
}
