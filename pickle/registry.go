package pickle

import (
	"fmt"
	"sync"
	"sync/atomic"
)

// A Decoder turns the generic form of an instance of a registered Python class
// into its Go value. Returning an error fails the whole decode with it.
type DecodeFunc func(o *Object) (any, error)

// Registry maps Python class paths to Go types, both ways: decoding consults
// it for every instance built from a pickle, and encoding needs nothing from
// it because Go types that pickle as Python classes implement Pickler.
//
// The zero Registry is empty and ready to use; it is safe for concurrent use.
type Registry struct {
	mu      sync.RWMutex
	classes map[Class]registered
	parent  *Registry
}

// registrations counts Register calls in every registry, so that a
// decoder's remembered lookup knows when it may be stale.
var registrations atomic.Uint64

type registered struct {
	fn    DecodeFunc
	items bool // fn accepts *StateItems
}

// DefaultRegistry is used by Decode, Unmarshal and decoders that name no
// registry. Package compat registers Pyro's wire classes in it.
var DefaultRegistry = &Registry{}

// NewRegistry returns an empty registry that falls back to parent (which may
// be nil) for classes it does not know itself.
func NewRegistry(parent *Registry) *Registry {
	return &Registry{parent: parent}
}

// Register makes decoders produce fn's result for instances of the class
// module.name. Registering a class twice replaces the earlier function.
func (r *Registry) Register(module, name string, fn DecodeFunc) {
	r.register(module, name, registered{fn: fn})
}

// RegisterItems is Register for a DecodeFunc that also accepts an instance
// whose State is a *StateItems rather than a Dict: the decoder then skips
// making the state Dict when the pickle allows (see StateItems). fn must
// keep neither the *StateItems nor, unless it returns o itself, the
// *Object o after it returns: both belong to the decoder.
func (r *Registry) RegisterItems(module, name string, fn DecodeFunc) {
	r.register(module, name, registered{fn: fn, items: true})
}

func (r *Registry) register(module, name string, e registered) {
	if e.fn == nil {
		panic(fmt.Sprintf("pickle: Register %s.%s with nil DecodeFunc", module, name))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.classes == nil {
		r.classes = make(map[Class]registered)
	}
	r.classes[Class{Module: module, Name: name}] = e
	registrations.Add(1)
}

// Lookup returns the function registered for c, searching parents.
func (r *Registry) Lookup(c Class) (DecodeFunc, bool) {
	e, ok := r.lookup(c)
	return e.fn, ok
}

func (r *Registry) lookup(c Class) (registered, bool) {
	for reg := r; reg != nil; reg = reg.parent {
		reg.mu.RLock()
		e, ok := reg.classes[c]
		reg.mu.RUnlock()
		if ok {
			return e, true
		}
	}
	return registered{}, false
}
