package core

import (
	"fmt"
	"time"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/pickle"
)

// Attrs describes what an object that dispatches its own calls shows to
// remote attribute access (Pyro 3's attribute proxies, DynamicProxyWithAttrs):
// which names are methods and which attributes can be read. The daemon
// answers attribute requests for an AttrInvoker from its Attrs, the way it
// answers them for an object bound by reflection from its methods and
// exported fields.
type Attrs struct {
	// Class is the object's Python class name, which AttributeError texts
	// show ("" means the Go type name).
	Class string
	// Methods are the names of the remote methods Invoke answers.
	Methods []string
	// Get returns the value of the attribute called name, or false if the
	// object has none by that name; nil means it has none. It may be called
	// concurrently. Remote clients cannot set these attributes.
	Get func(name string) (any, bool)
}

// AttrInvoker is an Invoker whose remote attribute requests (Pyro 3's _r_ha,
// _r_ga and _r_sa) the daemon answers from PyroAttrs instead of passing them
// to Invoke. The daemon calls PyroAttrs once, when the object is connected.
//
// Besides the attributes of Attrs, every object connected to a Daemon has
// those each Pyro ObjBase has: objectGUID (its GUID), delegate (None),
// lastUsed (the time of the call, as Pyro sets it on each call) and daemon
// (which Pyro refuses to send: pickle.PicklingError('no access to the
// daemon')).
type AttrInvoker interface {
	Invoker
	PyroAttrs() Attrs
}

// InvokerWithAttrs returns inv as an AttrInvoker described by a.
func InvokerWithAttrs(inv Invoker, a Attrs) AttrInvoker { return attrInvoker{inv, a} }

type attrInvoker struct {
	Invoker
	attrs Attrs
}

func (a attrInvoker) PyroAttrs() Attrs { return a.attrs }

// declaredAttrs is the connected form of an AttrInvoker's Attrs.
type declaredAttrs struct {
	methods map[string]bool
	get     func(string) (any, bool)
}

func declare(a Attrs) *declaredAttrs {
	d := &declaredAttrs{methods: make(map[string]bool, len(a.Methods)), get: a.Get}
	for _, m := range a.Methods {
		d.methods[m] = true
	}
	return d
}

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

// remoteAttr answers Pyro 3's remote attribute requests as Python's ObjBase
// does: _r_ha(name) is 1 for a method and 2 otherwise, _r_ga(name) returns
// an attribute's value and _r_sa(name, value) sets a field of an object
// bound by reflection (holding the object's lock: the value's own when it
// is a sync.Locker). Other attributes are read-only, and names that are
// nothing are an AttributeError with Python's text.
func (o *object) remoteAttr(c *Call) (any, error) {
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
		if isStr && o.hasMethod(name) {
			return attrIsMethod, nil
		}
		return attrIsOther, nil
	case !isStr && c.Method == "_r_ga":
		return nil, typeErrorf("getattr(): attribute name must be string")
	case !isStr:
		return nil, typeErrorf("attribute name must be string, not '%s'", pickle.PythonType(c.Args[0]))
	case c.Method == "_r_ga":
		return o.getAttr(name)
	}
	return nil, o.setAttr(name, c.Args[1])
}

// hasMethod reports whether name is a remote method of o.
func (o *object) hasMethod(name string) bool {
	if isAttrCall(name) {
		return true
	}
	if o.tbl != nil {
		_, ok := o.tbl.methods[name]
		return ok
	}
	return o.attrs != nil && o.attrs.methods[name]
}

func (o *object) getAttr(name string) (any, error) {
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
	if o.hasMethod(name) {
		// What Python answers: it cannot pickle the bound method getattr
		// returns.
		return nil, compat.NewException("cPickle", "PicklingError",
			"Can't pickle <type 'instancemethod'>: attribute lookup __builtin__.instancemethod failed")
	}
	if v, ok, err := o.baseAttr(name); ok {
		return v, err
	}
	return nil, o.noAttr(name)
}

func (o *object) setAttr(name string, value any) error {
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
	if o.hasMethod(name) {
		return &attributeError{msg: "not an attribute"}
	}
	readable := false
	if o.attrs != nil && o.attrs.get != nil {
		_, readable = o.attrs.get(name)
	}
	if _, base, _ := o.baseAttr(name); readable || base {
		return &attributeError{msg: "can't set attribute"}
	}
	return o.noAttr(name)
}

// baseAttr returns the attributes every Pyro ObjBase has.
func (o *object) baseAttr(name string) (v any, ok bool, err error) {
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

func (o *object) noAttr(name string) error {
	return &attributeError{msg: fmt.Sprintf("'%s' object has no attribute '%s'", o.typeName, name)}
}
