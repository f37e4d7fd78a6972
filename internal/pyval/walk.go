// Package pyval holds what the Pyro 5 codecs pyjson, pymarshal and
// pymsgpack share: the walk that turns a Go value (the value model of
// package pickle, or plain Go kinds) into calls on a codec's Writer, the
// error types of decoding and encoding, and the test of which decoded
// values Python could hash. Each codec writes only its own bytes.
package pyval

import (
	"fmt"
	"math"
	"math/big"
	"reflect"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/gopyro/gopyro/pickle"
	"github.com/gopyro/gopyro/serpent"
)

// SeqKind says which Python container a sequence is.
type SeqKind uint8

// The sequence kinds a Writer is given.
const (
	Tuple SeqKind = iota
	List
	Set
	FrozenSet
)

// Writer receives the parts of one value in order. Scalars are single
// calls; a sequence is BeginSeq, then Item before each element's calls,
// then EndSeq; a dict is BeginDict, then Key before each key's calls and
// Value before each value's calls, then EndDict. Dict keys arrive sorted by
// pickle.CompareKeys, an Object's state keys then "__class__" last (Pyro's
// class dict). A method's error is returned by Walk inside an *EncodeError
// with the path of the value.
type Writer interface {
	None() error
	Bool(b bool) error
	Int(i int64) error
	// Uint is called for unsigned values above math.MaxInt64 only.
	Uint(u uint64) error
	// BigInt is called for *big.Int values outside the int64 range only.
	BigInt(x *big.Int) error
	Float(f float64) error
	Complex(c complex128) error
	// Str gets Go strings as they are: UTF-8, possibly with the three-byte
	// forms of lone surrogates (internal/wtf8); the Writer checks them.
	Str(s string) error
	Bytes(b []byte) error
	Time(t time.Time) error
	BeginSeq(k SeqKind, n int) error
	Item(i int) error
	EndSeq(k SeqKind) error
	BeginDict(n int) error
	Key(i int) error
	Value(i int) error
	EndDict() error
}

// Walk writes v to w, failing with an *EncodeError (Codec set to codec)
// wrapping serpent's encode sentinels, or the error a Writer method
// returned. Containers nested deeper than maxDepth fail with
// serpent.ErrEncodeDepth (pointer cycles end there too).
func Walk(codec string, w Writer, v any, maxDepth int) error {
	s := walkPool.Get().(*walker)
	s.w, s.maxDepth = w, maxDepth
	err := s.walk(v, 0)
	s.w = nil
	clear(s.items)
	if cap(s.items) > 4096 {
		s.items = nil
	}
	s.items = s.items[:0]
	walkPool.Put(s)
	if err != nil {
		var ee *EncodeError
		if !asEncodeError(err, &ee) {
			ee = &EncodeError{Type: fmt.Sprintf("%T", v), Err: err}
			err = ee
		}
		ee.Codec = codec
	}
	return err
}

type item struct{ k, v any }

type walker struct {
	w        Writer
	maxDepth int
	items    []item // dict items being sorted, inner dicts after outer ones
}

var walkPool = sync.Pool{New: func() any { return new(walker) }}

var (
	bigIntType    = reflect.TypeFor[big.Int]()
	timeType      = reflect.TypeFor[time.Time]()
	objectType    = reflect.TypeFor[pickle.Object]()
	marshalerType = reflect.TypeFor[serpent.Marshaler]()
	errorType     = reflect.TypeFor[error]()
)

// scalar wraps a Writer error for a value with no path of its own. Callers
// box a value for it on the error path only, so that walking allocates
// nothing.
func scalar(v any, err error) error {
	if err == nil {
		return nil
	}
	var ee *EncodeError
	if asEncodeError(err, &ee) {
		return err
	}
	return &EncodeError{Type: fmt.Sprintf("%T", v), Err: err}
}

func (s *walker) walk(v any, depth int) error {
	w := s.w
	switch x := v.(type) {
	case nil, pickle.None:
		return scalar(v, w.None())
	case bool:
		return scalar(v, w.Bool(x))
	case int:
		return scalar(v, w.Int(int64(x)))
	case int64:
		return scalar(v, w.Int(x))
	case int32:
		return scalar(v, w.Int(int64(x)))
	case uint64:
		return s.uint(x)
	case float64:
		return scalar(v, w.Float(x))
	case float32:
		return scalar(v, w.Float(float64(x)))
	case complex128:
		return scalar(v, w.Complex(x))
	case complex64:
		return scalar(v, w.Complex(complex128(x)))
	case string:
		return scalar(v, w.Str(x))
	case pickle.Bytes:
		return scalar(v, w.Bytes([]byte(x)))
	case pickle.ByteString:
		return scalar(v, w.Bytes([]byte(x)))
	case []byte:
		return scalar(v, w.Bytes(x))
	case pickle.ByteArray:
		return scalar(v, w.Bytes(x))
	case *big.Int:
		if x == nil {
			return scalar(v, w.None())
		}
		return s.big(x)
	case pickle.Tuple:
		return s.seq(Tuple, x, depth)
	case *pickle.List:
		if x == nil {
			return scalar(v, w.None())
		}
		return s.seq(List, x.Items, depth)
	case []any:
		return s.seq(List, x, depth)
	case *pickle.Set:
		if x == nil {
			return scalar(v, w.None())
		}
		return s.seq(Set, x.Items, depth)
	case *pickle.FrozenSet:
		if x == nil {
			return scalar(v, w.None())
		}
		return s.seq(FrozenSet, x.Items, depth)
	case pickle.Dict:
		if err := s.open(depth, "pickle.Dict"); err != nil {
			return err
		}
		mark := len(s.items)
		for k, e := range pickle.DictItems(x) {
			s.items = append(s.items, item{k, e})
		}
		return s.dict(mark, depth, true)
	case map[string]any:
		if err := s.open(depth, "map[string]any"); err != nil {
			return err
		}
		mark := len(s.items)
		for k, e := range x {
			s.items = append(s.items, item{k, e})
		}
		return s.dict(mark, depth, true)
	case *pickle.Object:
		if x == nil {
			return scalar(v, w.None())
		}
		return s.object(x, depth)
	case time.Time:
		return scalar(v, w.Time(x))
	case time.Duration: // a timedelta's total seconds, as serpent writes it
		return scalar(v, w.Float(x.Seconds()))
	case serpent.Marshaler:
		return s.marshaler(x, depth)
	case reflect.Value: // a struct field, see structure
		return s.elem(x, depth)
	case pickle.Class:
		return &EncodeError{Type: "pickle.Class", Err: fmt.Errorf("%w: a Python class has no serialized form", serpent.ErrUnsupportedType)}
	}
	return s.reflect(reflect.ValueOf(v), depth)
}

func (s *walker) uint(u uint64) error {
	if u <= math.MaxInt64 {
		return scalar(u, s.w.Int(int64(u)))
	}
	return scalar(u, s.w.Uint(u))
}

func (s *walker) big(x *big.Int) error {
	if x.IsInt64() {
		return scalar(x, s.w.Int(x.Int64()))
	}
	return scalar(x, s.w.BigInt(x))
}

func (s *walker) marshaler(m serpent.Marshaler, depth int) error {
	v, err := m.MarshalSerpent()
	if err != nil {
		return &EncodeError{Type: fmt.Sprintf("%T", m), Err: err}
	}
	if _, again := v.(serpent.Marshaler); again {
		return &EncodeError{Type: fmt.Sprintf("%T", m), Err: fmt.Errorf("%w: MarshalSerpent returned a Marshaler", serpent.ErrUnsupportedValue)}
	}
	return s.walk(v, depth)
}

// open checks the nesting before a container is written.
func (s *walker) open(depth int, what string) error {
	if depth >= s.maxDepth {
		return &EncodeError{Type: what, Err: fmt.Errorf("%w: more than %d nested containers", serpent.ErrEncodeDepth, s.maxDepth)}
	}
	return nil
}

func (s *walker) seq(k SeqKind, items []any, depth int) error {
	if err := s.open(depth, "sequence"); err != nil {
		return err
	}
	if err := s.w.BeginSeq(k, len(items)); err != nil {
		return scalar(items, err)
	}
	for i, x := range items {
		if err := s.w.Item(i); err != nil {
			return scalar(items, err)
		}
		if err := s.walk(x, depth+1); err != nil {
			return atPath(err, "["+strconv.Itoa(i)+"]")
		}
	}
	if err := s.w.EndSeq(k); err != nil {
		return scalar(items, err)
	}
	return nil
}

// dict writes s.items[mark:] as a dict, sorted when sorted is set, and
// drops them from s.items.
func (s *walker) dict(mark, depth int, sorted bool) error {
	defer func() {
		clear(s.items[mark:])
		s.items = s.items[:mark]
	}()
	if sorted {
		slices.SortFunc(s.items[mark:], func(a, b item) int { return pickle.CompareKeys(a.k, b.k) })
	}
	if err := s.w.BeginDict(len(s.items) - mark); err != nil {
		return scalar(pickle.Dict{}, err)
	}
	for i := mark; i < len(s.items); i++ {
		it := s.items[i]
		if err := s.w.Key(i - mark); err != nil {
			return atPath(scalar(it.k, err), "{key}")
		}
		if err := s.walk(it.k, depth+1); err != nil {
			return atPath(err, "{key}")
		}
		if err := s.w.Value(i - mark); err != nil {
			return scalar(it.v, err)
		}
		if err := s.walk(it.v, depth+1); err != nil {
			return atPath(err, "["+keyString(it.k)+"]")
		}
	}
	if err := s.w.EndDict(); err != nil {
		return scalar(pickle.Dict{}, err)
	}
	return nil
}

func keyString(k any) string {
	if s, ok := k.(string); ok {
		return strconv.Quote(s)
	}
	return fmt.Sprint(k)
}

// object writes an instance as Pyro's class_to_dict makes it: the state
// dict, keys sorted, then "__class__": "module.Name".
func (s *walker) object(o *pickle.Object, depth int) error {
	if err := s.open(depth, "*pickle.Object"); err != nil {
		return err
	}
	mark := len(s.items)
	switch st := o.State.(type) {
	case nil:
	case pickle.Dict:
		for k, v := range pickle.DictItems(st) {
			if k != "__class__" {
				s.items = append(s.items, item{k, v})
			}
		}
	default:
		return &EncodeError{Type: "*pickle.Object", Err: fmt.Errorf("%w: the state of %s.%s is a %s, not a dict", serpent.ErrUnsupportedValue, o.Class.Module, o.Class.Name, pickle.PythonType(st))}
	}
	slices.SortFunc(s.items[mark:], func(a, b item) int { return pickle.CompareKeys(a.k, b.k) })
	name := o.Class.Name
	if o.Class.Module != "" {
		name = o.Class.Module + "." + name
	}
	s.items = append(s.items, item{"__class__", name})
	return s.dict(mark, depth, false)
}

// reflect walks the Go values the type switch does not know: named types,
// other int sizes, slices, arrays, maps, structs (by pickle.Fields) and
// pointers.
func (s *walker) reflect(rv reflect.Value, depth int) error {
	if !rv.IsValid() {
		return scalar(nil, s.w.None())
	}
	t := rv.Type()
	if rv.Kind() == reflect.Struct && rv.CanInterface() && reflect.PointerTo(t).Implements(marshalerType) {
		p := reflect.New(t)
		p.Elem().Set(rv)
		return s.marshaler(p.Interface().(serpent.Marshaler), depth)
	}
	if t.Implements(errorType) {
		return &EncodeError{Type: t.String(), Err: fmt.Errorf("%w: error values cross the wire as Python exceptions, not data", serpent.ErrUnsupportedType)}
	}
	w := s.w
	switch rv.Kind() {
	case reflect.Bool:
		return scalar(t, w.Bool(rv.Bool()))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return scalar(t, w.Int(rv.Int()))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return s.uint(rv.Uint())
	case reflect.Float32, reflect.Float64:
		return scalar(t, w.Float(rv.Float()))
	case reflect.Complex64, reflect.Complex128:
		return scalar(t, w.Complex(rv.Complex()))
	case reflect.String:
		return scalar(t, w.Str(rv.String()))
	case reflect.Interface:
		if rv.IsNil() {
			return scalar(t, w.None())
		}
		return s.elem(rv.Elem(), depth)
	case reflect.Pointer:
		if rv.IsNil() {
			return scalar(t, w.None())
		}
		ev := rv.Elem()
		if ev.CanInterface() {
			switch ev.Type() {
			case bigIntType, objectType:
				return s.walk(ev.Addr().Interface(), depth)
			}
		}
		if err := s.open(depth, t.String()); err != nil { // pointer cycles end here
			return err
		}
		return s.elem(ev, depth+1)
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			b := make([]byte, rv.Len())
			reflect.Copy(reflect.ValueOf(b), rv)
			return scalar(t, w.Bytes(b))
		}
		return s.list(rv, depth)
	case reflect.Map:
		if err := s.open(depth, t.String()); err != nil {
			return err
		}
		mark := len(s.items)
		for k, v := range rv.Seq2() {
			if !k.CanInterface() || !v.CanInterface() {
				s.items = s.items[:mark]
				return &EncodeError{Type: t.String(), Err: serpent.ErrUnsupportedType}
			}
			s.items = append(s.items, item{k.Interface(), v.Interface()})
		}
		return s.dict(mark, depth, true)
	case reflect.Struct:
		return s.structure(rv, depth)
	}
	return &EncodeError{Type: t.String(), Err: serpent.ErrUnsupportedType}
}

func (s *walker) elem(v reflect.Value, depth int) error {
	if v.CanInterface() {
		return s.walk(v.Interface(), depth)
	}
	return s.reflect(v, depth)
}

func (s *walker) list(rv reflect.Value, depth int) error {
	if err := s.open(depth, rv.Type().String()); err != nil {
		return err
	}
	n := rv.Len()
	if err := s.w.BeginSeq(List, n); err != nil {
		return scalar(rv.Type(), err)
	}
	for i := range n {
		if err := s.w.Item(i); err != nil {
			return scalar(rv.Type(), err)
		}
		if err := s.elem(rv.Index(i), depth+1); err != nil {
			return atPath(err, "["+strconv.Itoa(i)+"]")
		}
	}
	if err := s.w.EndSeq(List); err != nil {
		return scalar(rv.Type(), err)
	}
	return nil
}

// structure writes a struct as a dict of its exported fields in declaration
// order, by pickle.Fields; big.Int, time.Time and pickle.Object values keep
// their meaning.
func (s *walker) structure(rv reflect.Value, depth int) error {
	if rv.CanInterface() {
		switch rv.Type() {
		case bigIntType:
			x := rv.Interface().(big.Int)
			return s.big(&x)
		case timeType:
			return s.walk(rv.Interface(), depth)
		case objectType:
			o := rv.Interface().(pickle.Object)
			return s.object(&o, depth)
		}
	}
	if err := s.open(depth, rv.Type().String()); err != nil {
		return err
	}
	mark := len(s.items)
	for _, f := range pickle.Fields(rv.Type()) {
		fv, err := rv.FieldByIndexErr(f.Index) // err: a nil embedded pointer, whose fields are left out
		if err != nil || f.OmitEmpty && fv.IsZero() {
			continue
		}
		s.items = append(s.items, item{f.Name, fv})
	}
	return s.dict(mark, depth, false)
}
