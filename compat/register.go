package compat

import "github.com/gopyro/gopyro/pickle"

func init() {
	Register(pickle.DefaultRegistry)
}

// Register registers decoders for every class of this package in r.
// pickle.DefaultRegistry gets them when the package is initialised.
func Register(r *pickle.Registry) {
	reg := func(c pickle.Class, fn pickle.DecodeFunc) { r.Register(c.Module, c.Name, fn) }
	// decodeURI copies the state out: it may see it as StateItems.
	r.RegisterItems(uriClass.Module, uriClass.Name, func(o *pickle.Object) (any, error) {
		if u, ok := decodeURI(o); ok {
			return u, nil
		}
		return o, nil
	})
	reg(proxyClass, decodeProxy)
	reg(attrProxyClass, decodeProxy)
	reg(nsProxyClass, decodeNSProxy)
	reg(adapterClass, decodeAdapter)
	reg(sslAdapterClass, decodeAdapter)
	reg(validatorClass, decodeValidator)
	reg(systemMetaClass, decodeSystemMeta)
	reg(namedTreeClass, decodeNamedTree)
	reg(nameValueClass, decodeNameValue)
	reg(eventClass, decodeEvent)
	reg(capsuleClass, decodeCapsule)
	for _, name := range builtinExceptions {
		for _, module := range []string{"exceptions", "builtins"} {
			reg(pickle.Class{Module: module, Name: name}, func(o *pickle.Object) (any, error) {
				if e, ok := decodeException(o); ok {
					return e, nil
				}
				return o, nil
			})
		}
	}
	for name := range pyro3ErrorParent {
		mk := pyroErrorTypes[name]
		reg(pickle.Class{Module: pyroErrors, Name: name}, func(o *pickle.Object) (any, error) {
			if e, ok := decodeException(o); ok {
				return mk(*e), nil
			}
			return o, nil
		})
	}
}
