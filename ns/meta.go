package ns

import (
	"math"
	"strconv"
	"strings"

	"github.com/gopyro/gopyro/pickle"
)

// Python classes of Pyro's name space model, as they travel in pickles.
var (
	sysMetaClass   = pickle.Class{Module: "Pyro.naming", Name: "NameSpaceSystemMeta"}
	namedTreeClass = pickle.Class{Module: "Pyro.naming", Name: "NamedTree"}
	nameValueClass = pickle.Class{Module: "Pyro.naming", Name: "NameValue"}
)

// newInstance returns a new-style instance of class with the given state
// (attribute name, value pairs), as Python 2 pickles it at protocol 2.
func newInstance(class pickle.Class, kv ...any) *pickle.Object {
	d := pickle.NewDict()
	for i := 0; i+1 < len(kv); i += 2 {
		d.Set(pickle.ByteString(kv[i].(string)), kv[i+1])
	}
	return &pickle.Object{Class: class, Build: pickle.BuildNewObj, Args: pickle.Tuple{}, State: d}
}

// systemMeta returns a Pyro.naming.NameSpaceSystemMeta for a node: type 0
// for a group, 1 for a name; the given timestamp; owner None.
func systemMeta(group bool, timestamp float64) *pickle.Object {
	typ := int64(1)
	if group {
		typ = 0
	}
	return newInstance(sysMetaClass, "timestamp", timestamp, "owner", pickle.None{}, "type", typ)
}

// asObject returns the generic form of a decoded instance: v itself when it
// is a *pickle.Object, its PickleObject() when it is a registered Go type.
func asObject(v any) (*pickle.Object, bool) {
	switch o := v.(type) {
	case *pickle.Object:
		return o, true
	case pickle.Pickler:
		obj, err := o.PickleObject()
		return obj, err == nil && obj != nil
	}
	return nil, false
}

// isSystemMeta reports whether v is a NameSpaceSystemMeta instance, the only
// thing _setSystemMeta accepts.
func isSystemMeta(v any) bool {
	o, ok := asObject(v)
	return ok && o.Class == sysMetaClass
}

// SystemMeta is the content of a NameSpaceSystemMeta: Type 0 for a group, 1
// for a name; Timestamp in seconds since the epoch; Owner (None in practice).
type SystemMeta struct {
	Type      int64
	Timestamp float64
	Owner     any
}

// ParseSystemMeta reads a NameSpaceSystemMeta instance as returned by
// _getSystemMeta.
func ParseSystemMeta(v any) (SystemMeta, bool) {
	o, ok := asObject(v)
	if !ok || o.Class != sysMetaClass {
		return SystemMeta{}, false
	}
	var m SystemMeta
	if t, ok := o.Attr("type"); ok {
		m.Type, _ = t.(int64)
	}
	if ts, ok := o.Attr("timestamp"); ok {
		switch x := ts.(type) {
		case float64:
			m.Timestamp = x
		case int64:
			m.Timestamp = float64(x)
		}
	}
	m.Owner, _ = o.Attr("owner")
	if m.Owner == nil {
		m.Owner = pickle.None{}
	}
	return m, true
}

// pyFloatStr formats f as Python 2's str(float): 12 significant digits.
func pyFloatStr(f float64) string {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		switch {
		case math.IsNaN(f):
			return "nan"
		case f > 0:
			return "inf"
		default:
			return "-inf"
		}
	}
	s := strconv.FormatFloat(f, 'g', 12, 64)
	if !strings.ContainsAny(s, ".e") {
		s += ".0"
	}
	return s
}
