// Command server is the Go counterpart of Pyro's "attributes" example
// server: an object, ":test.attributes", whose attributes the Python client
// reads and sets directly through a DynamicProxyWithAttrs, including
// attributes it creates on the fly and a nested Person object that travels
// by value as an instance of the client's own Person.Person class.
//
// Because clients may add attributes, the object keeps them in a map and
// dispatches the remote-attribute calls itself (core.Invoker) instead of
// exposing struct fields.
//
// The Name Server is found with PYRO_NS_HOSTNAME and PYRO_NS_PORT.
package main

import (
	"context"
	"fmt"
	"sync"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/examples/internal/example"
	"github.com/gopyro/gopyro/ns"
	"github.com/gopyro/gopyro/pickle"
)

// Person pickles as an instance of the Python class Person.Person, which
// the client imports from the example's Person.py to unpickle it.
type Person struct {
	Name, Age string
}

// PickleObject makes a Person travel as Person.Person with its name and age
// attributes (both str, as in the Python example).
func (p Person) PickleObject() (*pickle.Object, error) {
	state := pickle.NewDict()
	state.Set(pickle.ByteString("name"), pickle.ByteString(p.Name))
	state.Set(pickle.ByteString("age"), pickle.ByteString(p.Age))
	return &pickle.Object{
		Class: pickle.Class{Module: "Person", Name: "Person"},
		Build: pickle.BuildNewObj, Args: pickle.Tuple{}, State: state,
	}, nil
}

// Attributes is a remote object made of attributes only.
type Attributes struct {
	mu    sync.Mutex
	attrs map[string]any
}

// Invoke serves Pyro's remote attribute protocol: _r_ha(name) answers 2
// ("an attribute, not a method"), _r_ga(name) reads an attribute and
// _r_sa(name, value) sets (or creates) one.
func (a *Attributes) Invoke(ctx context.Context, c *core.Call) (any, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	name := ""
	if len(c.Args) > 0 {
		name = compat.Str(c.Args[0])
	}
	switch {
	case c.Method == "_r_ha" && len(c.Args) == 1:
		return 2, nil
	case c.Method == "_r_ga" && len(c.Args) == 1:
		v, ok := a.attrs[name]
		if !ok {
			return nil, compat.AttributeError(fmt.Sprintf("'testclass' object has no attribute '%s'", name))
		}
		return v, nil
	case c.Method == "_r_sa" && len(c.Args) == 2:
		a.attrs[name] = c.Args[1]
		return nil, nil
	}
	return nil, compat.AttributeError(fmt.Sprintf("'testclass' object has no attribute '%s'", c.Method))
}

func main() {
	ctx := context.Background()
	nameServer := example.NameServer(ctx, ns.LocateOptions{}, ":test")
	d := example.Daemon(core.DaemonOptions{Registrar: nameServer, UnregisterOnShutdown: true})
	obj := &Attributes{attrs: map[string]any{
		"sum":       0,
		"changedby": pickle.ByteString(""),
		"person":    Person{Name: "Irmen de Jong", Age: "30"},
	}}
	example.ConnectFresh(ctx, nameServer, d, obj, ":test.attributes")
	example.Serve(ctx, d, `Server object "attributes" ready.`)
}
