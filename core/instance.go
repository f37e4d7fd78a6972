package core

import (
	"context"
	"fmt"
	"reflect"
	"sync"
)

// InstanceMode says which instance of a Factory's type serves a call, as
// Pyro 5's @behavior(instance_mode=...) does for a class registered with a
// daemon.
type InstanceMode uint8

const (
	// Session makes one instance per client connection, used by every
	// call on that connection and dropped when it closes (Pyro 5's
	// default, "session").
	Session InstanceMode = iota
	// Single makes one instance for the connected object, shared by every
	// connection ("single").
	Single
	// PerCall makes a new instance for every request; the calls of one
	// batch share it ("percall").
	PerCall
)

// String is the mode's name in Pyro 5.
func (m InstanceMode) String() string {
	switch m {
	case Session:
		return "session"
	case Single:
		return "single"
	case PerCall:
		return "percall"
	}
	return fmt.Sprintf("InstanceMode(%d)", uint8(m))
}

// Factory is a Go type connected to a Daemon in place of a value, as a
// Python class registered with Pyro 5's daemon: the daemon makes the
// instances that serve the calls as the Factory's InstanceMode says, with
// its creator (Pyro 5's instance_creator). Connect it like an object:
//
//	uri, _ := d.Connect(core.NewFactory[*Cart](core.Session, nil), "shop.cart")
//
// The remote names, attributes, metadata and oneway methods are those of a
// zero instance of the type; every protocol the daemon serves uses the
// same instances. A session instance that implements Reaped is told when
// its connection closes (a oneway call of that connection may still be
// running on it).
type Factory struct {
	mode   InstanceMode
	create func(context.Context) (any, error)
	proto  any // a zero instance: the type's methods and metadata
}

// NewFactory returns a Factory of instances of T made by create, which
// receives the context of the call the instance is made for (with its
// Caller). A nil create makes new zero instances: new(E) for T = *E, the
// zero T otherwise.
func NewFactory[T any](mode InstanceMode, create func(ctx context.Context) (T, error)) *Factory {
	if create == nil {
		create = func(context.Context) (T, error) { return zeroInstance[T](), nil }
	}
	return &Factory{
		mode:   mode,
		create: func(ctx context.Context) (any, error) { return create(ctx) },
		proto:  zeroInstance[T](),
	}
}

// Mode returns the factory's instance mode.
func (f *Factory) Mode() InstanceMode { return f.mode }

func zeroInstance[T any]() T {
	var zero T
	if t := reflect.TypeFor[T](); t.Kind() == reflect.Pointer {
		return reflect.New(t.Elem()).Interface().(T)
	}
	return zero
}

// newInstance makes an instance of o's factory as an object of its own
// (under o's GUID and name, for the attribute requests and tracebacks).
func (o *object) newInstance(ctx context.Context) (*object, error) {
	v, err := o.factory.create(ctx)
	if err != nil {
		return nil, err
	}
	if rv := reflect.ValueOf(v); !rv.IsValid() || rv.Kind() == reflect.Pointer && rv.IsNil() {
		return nil, fmt.Errorf("core: the instance creator of %s returned nil", o.typeName)
	}
	return newObject(v, o.guid, o.name)
}

// described is the value whose type describes o's methods and metadata.
func (o *object) described() any {
	if o.factory != nil {
		return o.factory.proto
	}
	return o.value
}

// sessions are the session instances of one connection, by connected
// object.
type sessions struct {
	mu sync.Mutex
	m  map[*object]*object
}

type sessionsKey struct{}

// instance returns the object that serves a request to o on connection c:
// o itself, or for a Factory the instance its mode chooses, made if need
// be. An instance that cannot be made fails the request with its
// creator's error.
func (c *serverConn) instance(o *object) (*object, error) {
	if o.factory == nil {
		return o, nil
	}
	switch o.factory.mode {
	case Single:
		o.singleMu.Lock()
		defer o.singleMu.Unlock()
		if o.single == nil {
			inst, err := o.newInstance(c.ctx)
			if err != nil {
				return nil, err
			}
			o.single = inst
		}
		return o.single, nil
	case Session:
		s := c.sessions()
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.m == nil {
			// the connection has closed under a oneway call
			return o.newInstance(c.ctx)
		}
		inst := s.m[o]
		if inst == nil {
			var err error
			if inst, err = o.newInstance(c.ctx); err != nil {
				return nil, err
			}
			s.m[o] = inst
		}
		return inst, nil
	}
	return o.newInstance(c.ctx)
}

// sessions returns the connection's session instances, in its Caller's
// values so that they live as long as the connection.
func (c *serverConn) sessions() *sessions {
	cl := c.caller
	cl.mu.Lock()
	defer cl.mu.Unlock()
	s, _ := cl.values[sessionsKey{}].(*sessions)
	if s == nil {
		s = &sessions{m: map[*object]*object{}}
		if cl.values == nil {
			cl.values = map[any]any{}
		}
		cl.values[sessionsKey{}] = s
	}
	return s
}

// endSessions drops the session instances of the closed connection c,
// telling those that implement Reaped.
func (c *serverConn) endSessions() {
	cl := c.caller
	cl.mu.Lock()
	s, _ := cl.values[sessionsKey{}].(*sessions)
	delete(cl.values, sessionsKey{})
	cl.mu.Unlock()
	if s == nil {
		return
	}
	s.mu.Lock()
	insts := s.m
	s.m = nil
	s.mu.Unlock()
	for _, inst := range insts {
		if r, ok := inst.value.(Reaped); ok {
			r.Reaped()
		}
	}
}
