package serpent

import (
	"fmt"
	"math/big"
	"reflect"
	"strconv"
	"time"

	"github.com/gopyro/gopyro/internal/codec"
	"github.com/gopyro/gopyro/pickle"
)

// encodeReflect encodes the Go values the type switch in encode does not
// know: named types, other int sizes, slices, arrays, maps, structs and
// pointers, by the rules the pickle encoder uses.
func (s *encState) encodeReflect(rv reflect.Value, depth int) error {
	if !rv.IsValid() {
		s.buf = append(s.buf, "None"...)
		return nil
	}
	t := rv.Type()
	if rv.Kind() == reflect.Struct && rv.CanInterface() && reflect.PointerTo(t).Implements(marshalerTyp) {
		p := reflect.New(t)
		p.Elem().Set(rv)
		return s.encodeMarshaler(p.Interface().(Marshaler), depth)
	}
	if t.Implements(errorType) {
		return encodeError(t.String(), fmt.Errorf("%w: error values cross the wire as Python exceptions, not data", ErrUnsupportedType))
	}
	switch rv.Kind() {
	case reflect.Bool:
		return s.encode(rv.Bool(), depth)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		s.buf = strconv.AppendInt(s.buf, rv.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		s.buf = strconv.AppendUint(s.buf, rv.Uint(), 10)
	case reflect.Float32, reflect.Float64:
		s.buf = appendFloat(s.buf, rv.Float())
	case reflect.Complex64, reflect.Complex128:
		s.appendComplex(rv.Complex())
	case reflect.String:
		return s.encode(rv.String(), depth)
	case reflect.Interface:
		if rv.IsNil() {
			s.buf = append(s.buf, "None"...)
			return nil
		}
		return s.encodeElem(rv.Elem(), depth)
	case reflect.Pointer:
		if rv.IsNil() {
			s.buf = append(s.buf, "None"...)
			return nil
		}
		ev := rv.Elem()
		if ev.CanInterface() {
			switch ev.Type() {
			case bigIntType:
				return s.appendBig(ev.Addr().Interface().(*big.Int))
			case objectType:
				return s.encode(ev.Addr().Interface(), depth)
			}
		}
		if err := s.open(depth, t.String()); err != nil { // pointer cycles end here
			return err
		}
		return s.encodeElem(ev, depth+1)
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			b := make([]byte, rv.Len())
			reflect.Copy(reflect.ValueOf(b), rv)
			s.appendBytes(string(b))
			return nil
		}
		return s.encodeList(rv, depth)
	case reflect.Map:
		return s.encodeMap(rv, depth)
	case reflect.Struct:
		return s.encodeStruct(rv, depth)
	default:
		return encodeError(t.String(), ErrUnsupportedType)
	}
	return nil
}

// encodeElem encodes a reflected value through the type switch when it can.
func (s *encState) encodeElem(v reflect.Value, depth int) error {
	if v.CanInterface() {
		return s.encode(v.Interface(), depth)
	}
	return s.encodeReflect(v, depth)
}

// encodeList writes a Go slice or array as a list (a nil slice is []).
func (s *encState) encodeList(rv reflect.Value, depth int) error {
	if err := s.open(depth, rv.Type().String()); err != nil {
		return err
	}
	s.buf = append(s.buf, '[')
	for i := range rv.Len() {
		if i > 0 {
			s.buf = append(s.buf, ',')
		}
		if err := s.encodeElem(rv.Index(i), depth+1); err != nil {
			return codec.AtPath(err, codec.IndexPath(i))
		}
	}
	s.buf = append(s.buf, ']')
	return nil
}

// encodeMap writes a Go map as a dict, keys sorted as pickle.Dict keys are.
func (s *encState) encodeMap(rv reflect.Value, depth int) error {
	if err := s.open(depth, rv.Type().String()); err != nil {
		return err
	}
	mark := len(s.items)
	defer s.truncate(mark)
	for k, v := range rv.Seq2() {
		if !k.CanInterface() || !v.CanInterface() {
			return encodeError(rv.Type().String(), ErrUnsupportedType)
		}
		s.items = append(s.items, item{k.Interface(), v.Interface()})
	}
	s.sortItems(mark)
	return s.encodeItems(mark, depth)
}

// encodeStruct writes a struct as a dict of its exported fields in
// declaration order, named by the one field rule of pickle.Fields
// (`pyro:"name"` tags, omitempty, flattened embedded structs). big.Int, time.Time and
// pickle.Object values keep their meaning.
func (s *encState) encodeStruct(rv reflect.Value, depth int) error {
	if rv.CanInterface() {
		switch rv.Type() {
		case bigIntType:
			x := rv.Interface().(big.Int)
			return s.appendBig(&x)
		case timeType:
			s.buf = appendISOTime(s.buf, rv.Interface().(time.Time))
			return nil
		case objectType:
			o := rv.Interface().(pickle.Object)
			return s.encodeObject(&o, depth)
		}
	}
	if err := s.open(depth, rv.Type().String()); err != nil {
		return err
	}
	s.buf = append(s.buf, '{')
	n := 0
	for _, f := range pickle.Fields(rv.Type()) {
		fv, err := rv.FieldByIndexErr(f.Index) // err: a nil embedded pointer, whose fields are left out
		if err != nil || f.OmitEmpty && fv.IsZero() {
			continue
		}
		if n > 0 {
			s.buf = append(s.buf, ',')
		}
		n++
		s.buf, _ = appendString(s.buf, f.Name)
		s.buf = append(s.buf, ':')
		if err := s.encodeElem(fv, depth+1); err != nil {
			return codec.AtPath(err, "."+f.Name)
		}
	}
	s.buf = append(s.buf, '}')
	return nil
}
