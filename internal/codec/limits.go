package codec

import "reflect"

// WithDefaults returns l with every int field that is zero or negative set
// to that field of defaults. L is a codec's Limits struct, whose fields are
// all ints. A zero l, the common case, is returned as defaults without
// reflection, and so is defaults itself (Limits.Budget of DefaultLimits runs
// once per request).
func WithDefaults[L comparable](l, defaults L) L {
	var zero L
	if l == zero || l == defaults {
		return defaults
	}
	v := reflect.ValueOf(&l).Elem()
	d := reflect.ValueOf(defaults)
	for i := range v.NumField() {
		if f := v.Field(i); f.Kind() == reflect.Int && f.Int() <= 0 {
			f.SetInt(d.Field(i).Int())
		}
	}
	return l
}
