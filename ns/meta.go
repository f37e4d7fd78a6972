package ns

import (
	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/pickle"
)

// Python classes of Pyro's name space model, as they travel in pickles.
var (
	sysMetaClass   = pickle.Class{Module: "Pyro.naming", Name: "NameSpaceSystemMeta"}
	namedTreeClass = pickle.Class{Module: "Pyro.naming", Name: "NamedTree"}
	nameValueClass = pickle.Class{Module: "Pyro.naming", Name: "NameValue"}
)

// systemMeta returns the system meta data Pyro synthesises for a node: type
// 0 for a group, 1 for a name; the creation timestamp; owner None.
func systemMeta(group bool, timestamp float64) *compat.NameSpaceSystemMeta {
	typ := compat.NodeLeaf
	if group {
		typ = compat.NodeGroup
	}
	return &compat.NameSpaceSystemMeta{Type: typ, Timestamp: timestamp}
}

// isSystemMeta reports whether v is a NameSpaceSystemMeta instance, the only
// thing _setSystemMeta accepts.
func isSystemMeta(v any) bool {
	switch x := v.(type) {
	case *compat.NameSpaceSystemMeta:
		return x != nil
	case *pickle.Object:
		return x.Class == sysMetaClass
	}
	return false
}

// SystemMeta is the content of a NameSpaceSystemMeta: Type 0 for a group, 1
// for a name; Timestamp in seconds since the epoch; Owner (nil for None).
type SystemMeta struct {
	Type      int
	Timestamp float64
	Owner     any
}

// ParseSystemMeta reads a NameSpaceSystemMeta instance as returned by
// _getSystemMeta, also one whose state differs from Pyro's usual shape.
func ParseSystemMeta(v any) (SystemMeta, bool) {
	switch x := v.(type) {
	case *compat.NameSpaceSystemMeta:
		if x == nil {
			return SystemMeta{}, false
		}
		return SystemMeta{Type: x.Type, Timestamp: x.Timestamp, Owner: x.Owner}, true
	case *pickle.Object:
		if x.Class != sysMetaClass {
			return SystemMeta{}, false
		}
		var m SystemMeta
		if t, ok := x.Attr("type"); ok {
			if i, ok := t.(int64); ok {
				m.Type = int(i)
			}
		}
		if ts, ok := x.Attr("timestamp"); ok {
			switch f := ts.(type) {
			case float64:
				m.Timestamp = f
			case int64:
				m.Timestamp = float64(f)
			}
		}
		m.Owner, _ = x.Attr("owner")
		if _, none := m.Owner.(pickle.None); none {
			m.Owner = nil
		}
		return m, true
	}
	return SystemMeta{}, false
}
