package pickle

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/gopyro/gopyro/internal/codec"
)

// ErrOverflow is wrapped by an *AssignError when a number does not fit the
// destination type.
var ErrOverflow = errors.New("value out of range")

// ErrUnknownField is wrapped by the *AssignError of AssignKeywords for a
// keyword that names no field; the error's Path is "." and the keyword.
var ErrUnknownField = errors.New("no such field")

// AssignError reports a decoded value that does not fit a Go destination.
type AssignError struct {
	// Path locates the value inside the assigned one, like "[2].balance";
	// empty for the top-level value.
	Path string
	// Want is the Go type that could not take the value.
	Want reflect.Type
	// Got is the Python type of the value: str, unicode, int, long, float,
	// bool, list, tuple, dict, set, NoneType, "instance of module.Class", ...
	Got string
	// Err gives more detail (ErrOverflow, for instance); may be nil.
	Err error
}

func (e *AssignError) Error() string {
	var b strings.Builder
	b.WriteString("pickle: cannot assign ")
	b.WriteString(e.Got)
	b.WriteString(" to ")
	if e.Want != nil {
		b.WriteString(e.Want.String())
	} else {
		b.WriteString("nil")
	}
	if e.Path != "" {
		b.WriteString(" at ")
		b.WriteString(e.Path)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *AssignError) Unwrap() error { return e.Err }

// assignAt prefixes the path of an *AssignError with elem.
func assignAt(err error, elem string) error {
	if ae, ok := err.(*AssignError); ok {
		ae.Path = elem + ae.Path
	}
	return err
}

// PythonType names the Python type of a decoded value as error messages show
// it: str, unicode, int, long, float, bool, NoneType, tuple, list, dict, set,
// frozenset, bytearray, bytes, "instance of module.Class", "global
// module.name", or "Go T" for a registered Go value of type T.
func PythonType(v any) string {
	switch x := v.(type) {
	case nil, None:
		return "NoneType"
	case bool:
		return "bool"
	case int64, int, int32, int16, int8, uint, uint64, uint32, uint16, uint8:
		return "int"
	case *big.Int:
		return "long"
	case float64, float32:
		return "float"
	case string:
		return "unicode"
	case ByteString:
		return "str"
	case Bytes:
		return "bytes"
	case ByteArray:
		return "bytearray"
	case Tuple:
		return "tuple"
	case *List:
		return "list"
	case Dict:
		return "dict"
	case *Set:
		return "set"
	case *FrozenSet:
		return "frozenset"
	case Class:
		return "global " + x.Module + "." + x.Name
	case *Object:
		if x == nil {
			return "NoneType"
		}
		return "instance of " + x.Class.Module + "." + x.Class.Name
	}
	return fmt.Sprintf("Go %T", v)
}

// Unmarshal decodes the pickle data (with Decode's limits and registry) and
// assigns the value to the Go destination dst, as Assign does.
func Unmarshal(data []byte, dst any) error {
	v, err := Decode(data)
	if err != nil {
		return err
	}
	return Assign(dst, v)
}

// Assign stores the decoded value v into what dst points to, converting as
// encoding/json's Unmarshal does:
//
//   - *any takes v as it is; a destination whose type v already has takes it
//     as it is (*pickle.Tuple, *pickle.Dict, **pickle.List, **pickle.Object...).
//   - bool from bool; integers from int, long and bool (a Python bool is an
//     int), failing with ErrOverflow when the value does not fit; floats from
//     float, int, long and bool.
//   - string from unicode, str and bytes; []byte from str, bytes, bytearray
//     and unicode (UTF-8).
//   - slices and arrays from list, tuple, set and frozenset, item by item
//     (arrays take as many items as fit and zero the rest).
//   - maps from dict, keys and values converted (tuple keys need an array
//     key type such as [2]int: Go cannot hash a Tuple in an interface key).
//   - structs from dict, or from an instance's state dict, by the rule of
//     Field: a key matches the field tagged `pyro:"key"`, else the field
//     named key, else the field whose name equals key ignoring case and
//     underscores (balance_due fills BalanceDue). Keys without a field are
//     ignored (AssignKeywords refuses them).
//   - *big.Int from int, long and bool; pointers are allocated as needed.
//   - interfaces take v when its Go type implements them.
//   - None makes the destination its zero value (nil pointer, nil slice...).
//   - a type with a converter (RegisterConverter) is made by the converter
//     from any value but None, wherever it occurs in the destination.
//
// Anything else is an *AssignError naming the path, the Go type and the
// Python type.
func Assign(dst any, v any) error {
	// Fast paths for the destinations a Pyro server meets per argument.
	switch d := dst.(type) {
	case *any:
		if d != nil {
			*d = v
			return nil
		}
	case *string:
		if d != nil {
			switch x := v.(type) {
			case string:
				*d = x
				return nil
			case ByteString:
				*d = string(x)
				return nil
			}
		}
	case *int:
		if d != nil {
			if x, ok := intOf(v); ok {
				*d = x
				return nil
			}
		}
	case *int64:
		if d != nil {
			if x, ok := v.(int64); ok {
				*d = x
				return nil
			}
		}
	case *float64:
		if d != nil {
			switch x := v.(type) {
			case float64:
				*d = x
				return nil
			case int64:
				*d = float64(x)
				return nil
			}
		}
	case *bool:
		if d != nil {
			if x, ok := v.(bool); ok {
				*d = x
				return nil
			}
		}
	case *ByteString:
		if d != nil {
			if x, ok := v.(ByteString); ok {
				*d = x
				return nil
			}
		}
	case *[]any:
		if items, ok := Items(v); ok && d != nil {
			*d = append([]any(nil), items...)
			return nil
		}
	case *[]int:
		if d != nil && assignSlice(d, v, intOf) {
			return nil
		}
	case *[]int64:
		if d != nil && assignSlice(d, v, func(v any) (int64, bool) { x, ok := v.(int64); return x, ok }) {
			return nil
		}
	case *[]float64:
		if d != nil && assignSlice(d, v, floatOf) {
			return nil
		}
	case *[]string:
		if d != nil && assignSlice(d, v, Text) {
			return nil
		}
	}
	rv := reflect.ValueOf(dst)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return &AssignError{Want: reflect.TypeOf(dst), Got: PythonType(v), Err: errors.New("destination is not a non-nil pointer")}
	}
	return assignValue(rv.Elem(), v)
}

// assignSlice is the reflection-free path for slices of common scalars: it
// succeeds when v is a sequence whose items all convert, and otherwise
// leaves *d alone for the general path to report the error.
func assignSlice[T any](d *[]T, v any, conv func(any) (T, bool)) bool {
	items, ok := Items(v)
	if !ok {
		return false
	}
	out := make([]T, len(items))
	for i, item := range items {
		if out[i], ok = conv(item); !ok {
			return false
		}
	}
	*d = out
	return true
}

func intOf(v any) (int, bool) {
	x, ok := v.(int64)
	return int(x), ok && x >= math.MinInt && x <= math.MaxInt
}

func floatOf(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int64:
		return float64(x), true
	}
	return 0, false
}

// Text returns the text of a Python str or unicode value; ok is false for any
// other value.
func Text(v any) (s string, ok bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case ByteString:
		return string(x), true
	}
	return "", false
}

var (
	bigIntPtrType = reflect.TypeFor[*big.Int]()
	noneType      = reflect.TypeFor[None]()
)

// converters holds the functions of RegisterConverter by destination type,
// replaced whole on each registration; convKinds has a bit for the Kind of
// each such type, so that most destinations skip the map lookup.
var (
	converters atomic.Pointer[map[reflect.Type]func(any) (reflect.Value, error)]
	convKinds  atomic.Uint32
	convMu     sync.Mutex
)

// RegisterConverter makes Assign build every destination of type T with fn
// instead of its own rules, wherever T occurs (an argument, a slice item, a
// struct field), from any decoded value but None, which still zeroes it. It
// is for Go types that stand for several kinds of Python value: package core
// registers one that makes a *core.Proxy from a proxy, a URI or a URI
// string. An error from fn is wrapped in an *AssignError. Registering T again
// replaces fn.
func RegisterConverter[T any](fn func(v any) (T, error)) {
	t := reflect.TypeFor[T]()
	convMu.Lock()
	defer convMu.Unlock()
	m := map[reflect.Type]func(any) (reflect.Value, error){}
	if old := converters.Load(); old != nil {
		for k, f := range *old {
			m[k] = f
		}
	}
	m[t] = func(v any) (reflect.Value, error) {
		x, err := fn(v)
		if err != nil {
			return reflect.Value{}, err
		}
		return reflect.ValueOf(&x).Elem(), nil
	}
	converters.Store(&m)
	convKinds.Store(convKinds.Load() | 1<<t.Kind())
}

// converterFor returns the converter registered for t, if any.
func converterFor(t reflect.Type) func(any) (reflect.Value, error) {
	if convKinds.Load()&(1<<t.Kind()) == 0 {
		return nil
	}
	return (*converters.Load())[t]
}

func assignErr(rv reflect.Value, v any, err error) error {
	return &AssignError{Want: rv.Type(), Got: PythonType(v), Err: err}
}

// assignValue stores v into the settable rv.
func assignValue(rv reflect.Value, v any) error {
	if v == nil {
		v = None{}
	}
	vt := reflect.TypeOf(v)
	t := rv.Type()
	if vt == t || (t.Kind() == reflect.Interface && vt.Implements(t)) {
		rv.Set(reflect.ValueOf(v))
		return nil
	}
	if vt == noneType {
		rv.SetZero()
		return nil
	}
	if conv := converterFor(t); conv != nil {
		x, err := conv(v)
		if err != nil {
			return assignErr(rv, v, err)
		}
		rv.Set(x)
		return nil
	}
	if vt.Kind() == reflect.Pointer && vt.Elem() == t {
		// A registered class decoded to *T, assigned to a T.
		pv := reflect.ValueOf(v)
		if pv.IsNil() {
			rv.SetZero()
		} else {
			rv.Set(pv.Elem())
		}
		return nil
	}
	switch t.Kind() {
	case reflect.Bool:
		if x, ok := v.(bool); ok {
			rv.SetBool(x)
			return nil
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		switch x := v.(type) {
		case bool:
			rv.SetInt(int64(boolInt(x)))
			return nil
		case int64:
			if rv.OverflowInt(x) {
				return assignErr(rv, v, ErrOverflow)
			}
			rv.SetInt(x)
			return nil
		case *big.Int:
			if !x.IsInt64() || rv.OverflowInt(x.Int64()) {
				return assignErr(rv, v, ErrOverflow)
			}
			rv.SetInt(x.Int64())
			return nil
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		switch x := v.(type) {
		case bool:
			rv.SetUint(uint64(boolInt(x)))
			return nil
		case int64:
			if x < 0 || rv.OverflowUint(uint64(x)) {
				return assignErr(rv, v, ErrOverflow)
			}
			rv.SetUint(uint64(x))
			return nil
		case *big.Int:
			if !x.IsUint64() || rv.OverflowUint(x.Uint64()) {
				return assignErr(rv, v, ErrOverflow)
			}
			rv.SetUint(x.Uint64())
			return nil
		}
	case reflect.Float32, reflect.Float64:
		var f float64
		switch x := v.(type) {
		case float64:
			f = x
		case int64:
			f = float64(x)
		case bool:
			f = float64(boolInt(x))
		case *big.Int:
			f, _ = new(big.Float).SetInt(x).Float64()
		default:
			return assignErr(rv, v, nil)
		}
		if rv.OverflowFloat(f) && !math.IsInf(f, 0) {
			return assignErr(rv, v, ErrOverflow)
		}
		rv.SetFloat(f)
		return nil
	case reflect.String:
		switch x := v.(type) {
		case string:
			rv.SetString(x)
			return nil
		case ByteString:
			rv.SetString(string(x))
			return nil
		case Bytes:
			rv.SetString(string(x))
			return nil
		}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			if b, ok := byteContent(v); ok {
				rv.SetBytes(append(reflect.MakeSlice(t, 0, len(b)).Bytes(), b...))
				return nil
			}
		}
		items, ok := Items(v)
		if !ok {
			break
		}
		s := reflect.MakeSlice(t, len(items), len(items))
		for i, item := range items {
			if err := assignValue(s.Index(i), item); err != nil {
				return assignAt(err, codec.IndexPath(i))
			}
		}
		rv.Set(s)
		return nil
	case reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			if b, ok := byteContent(v); ok {
				rv.SetZero()
				reflect.Copy(rv, reflect.ValueOf(b))
				return nil
			}
		}
		items, ok := Items(v)
		if !ok {
			break
		}
		rv.SetZero()
		for i := 0; i < len(items) && i < rv.Len(); i++ {
			if err := assignValue(rv.Index(i), items[i]); err != nil {
				return assignAt(err, codec.IndexPath(i))
			}
		}
		return nil
	case reflect.Map:
		if d, ok := v.(Dict); ok {
			return assignMap(rv, d)
		}
	case reflect.Struct:
		if t == bigIntType {
			if x, ok := toBig(v); ok {
				rv.Set(reflect.ValueOf(*x))
				return nil
			}
			break
		}
		if o, ok := v.(*Object); ok && t == objectType && o != nil {
			rv.Set(reflect.ValueOf(*o))
			return nil
		}
		if d, ok := stateDict(v); ok {
			return assignStruct(rv, d)
		}
	case reflect.Pointer:
		if t == bigIntPtrType {
			if x, ok := toBig(v); ok {
				rv.Set(reflect.ValueOf(x))
				return nil
			}
			break
		}
		if rv.IsNil() {
			p := reflect.New(t.Elem())
			if err := assignValue(p.Elem(), v); err != nil {
				return err
			}
			rv.Set(p)
			return nil
		}
		return assignValue(rv.Elem(), v)
	}
	return assignErr(rv, v, nil)
}

// assignMap fills the map rv from d; it is apart from assignValue so that
// the iteration closure does not make every assignValue call allocate.
func assignMap(rv reflect.Value, d Dict) error {
	if dictPtr(d) == nil {
		rv.SetZero()
		return nil
	}
	t := rv.Type()
	if rv.IsNil() {
		rv.Set(reflect.MakeMapWithSize(t, d.Len()))
	}
	// SetMapIndex copies, so one key and one value serve every item.
	kv, ev := reflect.New(t.Key()).Elem(), reflect.New(t.Elem()).Elem()
	for k, val := range d.Iter() {
		kv.SetZero()
		if err := assignValue(kv, k); err != nil {
			return assignAt(err, "{"+keyString(k)+"}")
		}
		if !kv.Comparable() {
			// A tuple key in a map[any]V: Go cannot hash a slice.
			return &AssignError{Path: "{" + keyString(k) + "}", Want: kv.Type(), Got: PythonType(k), Err: errors.New("Go cannot use it as a map key")}
		}
		ev.SetZero()
		if err := assignValue(ev, val); err != nil {
			return assignAt(err, "["+keyString(k)+"]")
		}
		rv.SetMapIndex(kv, ev)
	}
	return nil
}

// toBig returns an int, long or bool as a new *big.Int.
func toBig(v any) (*big.Int, bool) {
	switch x := v.(type) {
	case bool:
		return big.NewInt(int64(boolInt(x))), true
	case int64:
		return big.NewInt(x), true
	case *big.Int:
		return new(big.Int).Set(x), true
	}
	return nil, false
}

// byteContent returns the bytes of a str, bytes, bytearray or unicode.
func byteContent(v any) ([]byte, bool) {
	switch x := v.(type) {
	case ByteString:
		return []byte(x), true
	case Bytes:
		return []byte(x), true
	case ByteArray:
		return x, true
	case string:
		return []byte(x), true
	}
	return nil, false
}

// Items returns the items of a list, tuple, set or frozenset (or of a []any);
// ok is false for any other value.
func Items(v any) (items []any, ok bool) {
	switch x := v.(type) {
	case *List:
		return x.Items, x != nil
	case Tuple:
		return x, true
	case *Set:
		return x.Items, x != nil
	case *FrozenSet:
		return x.Items, x != nil
	case []any:
		return x, true
	}
	return nil, false
}

// stateDict returns the dict a struct is filled from: a dict itself, or an
// instance's state dict.
func stateDict(v any) (Dict, bool) {
	switch x := v.(type) {
	case Dict:
		return x, true
	case *Object:
		if x == nil {
			return Dict{}, false
		}
		switch st := x.State.(type) {
		case Dict:
			return st, true
		case Tuple:
			if len(st) == 2 {
				if d, ok := st[0].(Dict); ok {
					return d, true
				}
			}
		case nil:
			return Dict{}, true
		}
	}
	return Dict{}, false
}

// fieldIndex finds struct fields by Python attribute name.
type fieldIndex struct {
	fields []Field
	exact  map[string]int // tag or field name
	folded map[string]int // lower case, underscores removed
}

var fieldIndexCache sync.Map // reflect.Type → *fieldIndex

func fieldsOf(t reflect.Type) *fieldIndex {
	if fi, ok := fieldIndexCache.Load(t); ok {
		return fi.(*fieldIndex)
	}
	fs := Fields(t)
	fi := &fieldIndex{fields: fs, exact: make(map[string]int, len(fs)), folded: make(map[string]int, len(fs))}
	for i, f := range fs {
		fi.exact[f.Name] = i
		if _, dup := fi.folded[foldName(f.Name)]; !dup {
			fi.folded[foldName(f.Name)] = i
		}
	}
	got, _ := fieldIndexCache.LoadOrStore(t, fi)
	return got.(*fieldIndex)
}

// foldName lowercases name and drops underscores, so balance_due, BalanceDue
// and balanceDue meet.
func foldName(name string) string {
	var b strings.Builder
	b.Grow(len(name))
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c == '_':
		case 'A' <= c && c <= 'Z':
			b.WriteByte(c + 'a' - 'A')
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func (fi *fieldIndex) lookup(key string) (Field, bool) {
	if i, ok := fi.exact[key]; ok {
		return fi.fields[i], true
	}
	if i, ok := fi.folded[foldName(key)]; ok {
		return fi.fields[i], true
	}
	return Field{}, false
}

// FieldByName finds the field of struct type t that Assign fills from the
// Python attribute name, by the rule of Field.
func FieldByName(t reflect.Type, name string) (Field, bool) {
	return fieldsOf(t).lookup(name)
}

// assignStruct fills the struct rv from the dict d.
func assignStruct(rv reflect.Value, d Dict) error {
	if dictPtr(d) == nil || d.Len() == 0 {
		return nil
	}
	fi := fieldsOf(rv.Type())
	for k, val := range d.Iter() {
		name, ok := Text(k)
		if !ok {
			continue
		}
		if f, ok := fi.lookup(name); ok {
			if err := assignField(rv, f, name, val); err != nil {
				return err
			}
		}
	}
	return nil
}

// AssignKeywords fills the struct dst points to from keyword arguments, by
// the rule of Field and with Assign's conversions. Unlike Assign it refuses
// a name that matches no field, as Python refuses an unexpected keyword
// argument: the *AssignError wraps ErrUnknownField, with Path "." and the
// name.
func AssignKeywords(dst any, kw map[string]any) error {
	rv := reflect.ValueOf(dst)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return &AssignError{Want: reflect.TypeOf(dst), Got: "dict", Err: errors.New("destination is not a non-nil pointer to a struct")}
	}
	rv = rv.Elem()
	fi := fieldsOf(rv.Type())
	for name, val := range kw {
		f, ok := fi.lookup(name)
		if !ok {
			return &AssignError{Path: "." + name, Want: rv.Type(), Got: PythonType(val), Err: ErrUnknownField}
		}
		if err := assignField(rv, f, name, val); err != nil {
			return err
		}
	}
	return nil
}

// assignField stores val, found under name, into the field f of struct rv.
func assignField(rv reflect.Value, f Field, name string, val any) error {
	fv, err := settableField(rv, f.Index)
	if err != nil {
		return assignAt(&AssignError{Want: rv.Type(), Got: PythonType(val), Err: err}, "."+name)
	}
	if err := assignValue(fv, val); err != nil {
		return assignAt(err, "."+name)
	}
	return nil
}

// settableField walks index, allocating nil embedded struct pointers.
func settableField(v reflect.Value, index []int) (reflect.Value, error) {
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				if !v.CanSet() {
					return reflect.Value{}, errors.New("nil pointer to unexported embedded struct")
				}
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v, nil
}
