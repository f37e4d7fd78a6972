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
	inv        Invoker      // value as Invoker, or nil
	tbl        *methodTable // nil for Invokers
	recv       reflect.Value
	typeName   string
	reaped     bool         // transient, in a daemon that disconnects idle transients
	lastUsed   atomic.Int64 // unix nanoseconds of the last call, when reaped
	attrMu     sync.Locker  // held around remote attribute access: the value itself when a sync.Locker
}

func newObject(v any, guid, name string) (*object, error) {
	if v == nil {
		return nil, fmt.Errorf("core: cannot connect a nil object")
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
	return o, nil
}

// touch records a call, for the reaper only: reading the clock is a good
// part of a short call's cost.
func (o *object) touch() {
	if o.reaped {
		o.lastUsed.Store(time.Now().UnixNano())
	}
}

// invoke runs one call on the object, turning a panic into a *PanicError.
func (o *object) invoke(ctx context.Context, c *Call) (res any, err error) {
	o.touch()
	defer func() {
		if r := recover(); r != nil {
			res, err = nil, &PanicError{Value: r, Stack: panicStack(3)}
		}
	}()
	if o.inv != nil {
		return o.inv.Invoke(ctx, c)
	}
	if m, ok := o.tbl.methods[c.Method]; ok {
		return m.call(ctx, o.recv, c, c.Method)
	}
	switch c.Method {
	case "_r_ha", "_r_ga", "_r_sa":
		return o.remoteAttr(c)
	}
	return nil, &attributeError{msg: fmt.Sprintf("'%s' object has no attribute '%s'", o.typeName, c.Method)}
}

// remoteAttr serves Pyro's DynamicProxyWithAttrs helpers: _r_ha(name) is 1
// for a method and 2 otherwise, _r_ga(name) returns a field's value and
// _r_sa(name, value) sets it, holding the object's lock (the value's own
// when it is a sync.Locker).
func (o *object) remoteAttr(c *Call) (any, error) {
	want := 1
	if c.Method == "_r_sa" {
		want = 2
	}
	if len(c.Args) != want || len(c.Kwargs) != 0 {
		return nil, typeErrorf("%s() takes exactly %d argument%s (%d given)", c.Method, want, plural(want), len(c.Args))
	}
	name, ok := pickle.Text(c.Args[0])
	if !ok {
		return nil, typeErrorf("attribute name must be string")
	}
	if c.Method == "_r_ha" {
		if _, isMethod := o.tbl.methods[name]; isMethod {
			return int64(1), nil
		}
		return int64(2), nil
	}
	field, ok := o.field(name)
	if !ok {
		if _, isMethod := o.tbl.methods[name]; isMethod && c.Method == "_r_sa" {
			return nil, &attributeError{msg: "not an attribute"}
		}
		return nil, &attributeError{msg: fmt.Sprintf("'%s' object has no attribute '%s'", o.typeName, name)}
	}
	o.attrMu.Lock()
	defer o.attrMu.Unlock()
	if c.Method == "_r_ga" {
		return field.Interface(), nil
	}
	if !field.CanSet() {
		return nil, &attributeError{msg: fmt.Sprintf("can't set attribute '%s' of '%s' (connect a pointer to make fields settable)", name, o.typeName)}
	}
	v, err := bindArg(c.Args[1], field.Type())
	if err != nil {
		return nil, typeErrorf("_r_sa(): %v", argumentError(err, 1, ""))
	}
	field.Set(v)
	return nil, nil
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
