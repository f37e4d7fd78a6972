package core

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gopyro/gopyro/pickle"
)

// object is a Go value connected to a Daemon.
type object struct {
	guid       string
	name       string // "" for transient objects
	persistent bool
	value      any
	inv        Invoker        // value as Invoker, or nil
	attrs      *declaredAttrs // an AttrInvoker's attributes, or nil
	tbl        *methodTable   // nil for Invokers
	recv       reflect.Value
	typeName   string
	reaped     bool         // transient, in a daemon that disconnects idle transients
	lastUsed   atomic.Int64 // unix nanoseconds of the last call, when reaped
	attrMu     sync.Locker  // held around remote attribute access: the value itself when a sync.Locker
	// a Factory's object (value is the Factory, the rest describes its
	// zero instance) is never invoked itself: calls go to its instances
	factory  *Factory
	singleMu sync.Mutex
	single   *object // the instance of mode Single, once made
}

func newObject(v any, guid, name string) (*object, error) {
	if v == nil {
		return nil, fmt.Errorf("core: cannot connect a nil object")
	}
	if f, ok := v.(*Factory); ok {
		if f.proto == nil {
			return nil, fmt.Errorf("core: a Factory needs a concrete type, not an interface")
		}
		o, err := newObject(f.proto, guid, name)
		if err != nil {
			return nil, err
		}
		o.value, o.factory = f, f
		return o, nil
	}
	o := &object{guid: guid, name: name, value: v, attrMu: new(sync.Mutex)}
	if l, ok := v.(sync.Locker); ok {
		o.attrMu = l
	}
	if inv, ok := v.(Invoker); ok {
		o.inv = inv
	} else {
		o.tbl = tableFor(v)
		o.recv = reflect.ValueOf(v)
	}
	t := reflect.TypeOf(v)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	o.typeName = t.Name()
	if o.typeName == "" {
		o.typeName = t.String()
	}
	if ai, ok := v.(AttrInvoker); ok {
		a := ai.PyroAttrs()
		o.attrs = declare(a)
		if a.Class != "" {
			o.typeName = a.Class
		}
	}
	return o, nil
}

// touch records a call, for the reaper only: reading the clock is a good
// part of a short call's cost.
func (o *object) touch() {
	if o.reaped {
		o.lastUsed.Store(time.Now().UnixNano())
	}
}

// attrProtocol is implemented by a Protocol with remote attribute
// requests; the daemon offers them the calls to objects that have
// attributes (bound by reflection, or AttrInvokers), after the methods of
// an object bound by reflection.
type attrProtocol interface {
	// attrCall answers c if it is one of the protocol's attribute
	// requests (ok true).
	attrCall(o *object, c *Call) (res any, ok bool, err error)
}

// invoke runs one call on the object, turning a panic into a *PanicError;
// ap, if not nil, answers the attribute requests of the caller's protocol.
func (o *object) invoke(ctx context.Context, c *Call, ap attrProtocol) (res any, err error) {
	o.touch()
	defer func() {
		if r := recover(); r != nil {
			res, err = nil, &PanicError{Value: r, Stack: panicStack(3)}
		}
	}()
	if o.inv != nil {
		if o.attrs != nil && ap != nil {
			if res, ok, err := ap.attrCall(o, c); ok {
				return res, err
			}
		}
		return o.inv.Invoke(ctx, c)
	}
	if m, ok := o.tbl.methods[c.Method]; ok {
		return m.call(ctx, o.recv, c, c.Method)
	}
	if ap != nil {
		if res, ok, err := ap.attrCall(o, c); ok {
			return res, err
		}
	}
	return nil, &attributeError{msg: fmt.Sprintf("'%s' object has no attribute '%s'", o.typeName, c.Method)}
}

// field returns the exported struct field called name.
func (o *object) field(name string) (reflect.Value, bool) {
	if o.tbl.structType == nil {
		return reflect.Value{}, false
	}
	sf, ok := pickle.FieldByName(o.tbl.structType, name)
	if !ok {
		return reflect.Value{}, false
	}
	v := o.recv
	if o.tbl.isPtr {
		if v.IsNil() {
			return reflect.Value{}, false
		}
		v = v.Elem()
	}
	f, err := v.FieldByIndexErr(sf.Index)
	if err != nil {
		return reflect.Value{}, false
	}
	return f, true
}
