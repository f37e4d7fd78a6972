package core

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

// hasMethod reports whether name is a remote method of o.
func (o *object) hasMethod(name string) bool {
	if o.tbl != nil {
		_, ok := o.tbl.methods[name]
		return ok
	}
	return o.attrs != nil && o.attrs.methods[name]
}
