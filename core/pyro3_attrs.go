package core

import (
	"fmt"
	"time"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/pickle"
)

// Pyro 3's remote attribute protocol (DynamicProxyWithAttrs): the requests
// _r_ha, _r_ga and _r_sa, answered for objects bound by reflection and
// AttrInvokers; a plain Invoker receives them as calls.

// isAttrCall reports whether method is one of Pyro 3's remote attribute
// requests.
func isAttrCall(method string) bool {
	return method == "_r_ha" || method == "_r_ga" || method == "_r_sa"
}

// Pyro 3's answers to _r_ha: a method, or anything else (an attribute, or
// nothing by that name: Python's ObjBase does not tell them apart).
const (
	attrIsMethod = int64(1)
	attrIsOther  = int64(2)
)

// attrCall answers Pyro 3's remote attribute requests as Python's ObjBase
// does, for objects that have attributes (bound by reflection, or
// AttrInvokers): _r_ha(name) is 1 for a method and 2 otherwise, _r_ga(name) returns
// an attribute's value and _r_sa(name, value) sets a field of an object
// bound by reflection (holding the object's lock: the value's own when it
// is a sync.Locker). Other attributes are read-only, and names that are
// nothing are an AttributeError with Python's text.
func (*pyro3) attrCall(o *object, c *Call) (any, bool, error) {
	if !isAttrCall(c.Method) {
		return nil, false, nil
	}
	res, err := o.remoteAttr3(c)
	return res, true, err
}

func (o *object) remoteAttr3(c *Call) (any, error) {
	want := 1
	if c.Method == "_r_sa" {
		want = 2
	}
	for k := range c.Kwargs {
		return nil, typeErrorf("%s() got an unexpected keyword argument '%s'", c.Method, k)
	}
	if len(c.Args) != want {
		// Python counts self.
		return nil, typeErrorf("%s() takes exactly %d arguments (%d given)", c.Method, want+1, len(c.Args)+1)
	}
	name, isStr := pickle.Text(c.Args[0])
	switch {
	case c.Method == "_r_ha":
		// Python's getattr fails on a name that is not a string, and
		// _r_ha answers 2 for whatever fails.
		if isStr && o.hasMethod3(name) {
			return attrIsMethod, nil
		}
		return attrIsOther, nil
	case !isStr && c.Method == "_r_ga":
		return nil, typeErrorf("getattr(): attribute name must be string")
	case !isStr:
		return nil, typeErrorf("attribute name must be string, not '%s'", pickle.PythonType(c.Args[0]))
	case c.Method == "_r_ga":
		return o.getAttr3(name)
	}
	return nil, o.setAttr3(name, c.Args[1])
}

// hasMethod3 is hasMethod with the attribute requests themselves, which are
// methods of every Pyro object.
func (o *object) hasMethod3(name string) bool { return isAttrCall(name) || o.hasMethod(name) }

func (o *object) getAttr3(name string) (any, error) {
	if o.tbl != nil {
		if field, ok := o.field(name); ok {
			o.attrMu.Lock()
			defer o.attrMu.Unlock()
			return field.Interface(), nil
		}
	} else if o.attrs != nil && o.attrs.get != nil {
		if v, ok := o.attrs.get(name); ok {
			return v, nil
		}
	}
	if o.hasMethod3(name) {
		// What Python answers: it cannot pickle the bound method getattr
		// returns.
		return nil, compat.NewException("cPickle", "PicklingError",
			"Can't pickle <type 'instancemethod'>: attribute lookup __builtin__.instancemethod failed")
	}
	if v, ok, err := o.baseAttr3(name); ok {
		return v, err
	}
	return nil, o.noAttr3(name)
}

func (o *object) setAttr3(name string, value any) error {
	if o.tbl != nil {
		if field, ok := o.field(name); ok {
			o.attrMu.Lock()
			defer o.attrMu.Unlock()
			if !field.CanSet() {
				return &attributeError{msg: fmt.Sprintf("can't set attribute '%s' of '%s' (connect a pointer to make fields settable)", name, o.typeName)}
			}
			v, err := bindArg(value, field.Type())
			if err != nil {
				return typeErrorf("_r_sa(): %v", argumentError(err, 1, ""))
			}
			field.Set(v)
			return nil
		}
	}
	if o.hasMethod3(name) {
		return &attributeError{msg: "not an attribute"}
	}
	readable := false
	if o.attrs != nil && o.attrs.get != nil {
		_, readable = o.attrs.get(name)
	}
	if _, base, _ := o.baseAttr3(name); readable || base {
		return &attributeError{msg: "can't set attribute"}
	}
	return o.noAttr3(name)
}

// baseAttr returns the attributes every Pyro ObjBase has.
func (o *object) baseAttr3(name string) (v any, ok bool, err error) {
	switch name {
	case "objectGUID":
		return pickle.ByteString(o.guid), true, nil
	case "delegate":
		return nil, true, nil
	case "lastUsed":
		return float64(time.Now().UnixNano()) / 1e9, true, nil
	case "daemon":
		return nil, true, compat.NewException("pickle", "PicklingError", "no access to the daemon")
	}
	return nil, false, nil
}

func (o *object) noAttr3(name string) error {
	return &attributeError{msg: fmt.Sprintf("'%s' object has no attribute '%s'", o.typeName, name)}
}
