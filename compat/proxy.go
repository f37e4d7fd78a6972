package compat

import (
	"github.com/gopyro/gopyro/pickle"
)

// ConnValidator is Pyro.protocol.DefaultConnValidator as it travels inside
// a proxy's adapter. AllowedIDs is ['all'] for a validator that accepts every
// client (Pyro's default), else the MD5 digests of the allowed passphrases.
type ConnValidator struct {
	AllowedIDs []pickle.ByteString
}

// DefaultValidator returns the validator of a fresh Pyro adapter, which
// allows all identifications.
func DefaultValidator() *ConnValidator {
	return &ConnValidator{AllowedIDs: []pickle.ByteString{"all"}}
}

var validatorClass = pickle.Class{Module: "Pyro.protocol", Name: "DefaultConnValidator"}

// PickleObject returns the new-style instance with state {'allowedIDs': [...]}.
func (v *ConnValidator) PickleObject() (*pickle.Object, error) {
	items := make([]any, len(v.AllowedIDs))
	for i, id := range v.AllowedIDs {
		items[i] = id
	}
	return &pickle.Object{
		Class: validatorClass, Build: pickle.BuildNewObj, Args: pickle.Tuple{},
		State: &validatorState{&pickle.List{Items: items}},
	}, nil
}

type validatorState struct {
	AllowedIDs *pickle.List `pyro:"allowedIDs"`
}

func decodeValidator(o *pickle.Object) (any, error) {
	st, ok := newInstanceState(o, 1)
	if !ok {
		return o, nil
	}
	v, _ := st.get("allowedIDs")
	l, ok := v.(*pickle.List)
	if !ok {
		return o, nil
	}
	ids := make([]pickle.ByteString, len(l.Items))
	for i, it := range l.Items {
		if ids[i], ok = it.(pickle.ByteString); !ok {
			return o, nil
		}
	}
	return &ConnValidator{AllowedIDs: ids}, nil
}

// Adapter is the protocol adapter inside a proxy, Pyro.protocol.PYROAdapter
// (Pyro.protocol.PYROSSLAdapter when SSL is set). Its state must be complete
// for a Python peer to use a proxy it receives.
type Adapter struct {
	// SSL selects the class PYROSSLAdapter.
	SSL bool
	// Ident is the connection identification: "" or the 16-byte MD5 digest
	// of the passphrase.
	Ident pickle.ByteString
	// OnewayMethods are the names of methods called one-way.
	OnewayMethods []string
	// Timeout is the socket timeout: nil for None, or a number.
	Timeout any
	// Validator is the connection validator; nil means DefaultValidator().
	// A decoded validator of another class stays a *pickle.Object.
	Validator any
	// URI is set when the adapter has been bound (NameServerProxy's is);
	// nil leaves the 'URI' key out.
	URI *URI
}

var (
	adapterClass    = pickle.Class{Module: "Pyro.protocol", Name: "PYROAdapter"}
	sslAdapterClass = pickle.Class{Module: "Pyro.protocol", Name: "PYROSSLAdapter"}
)

// PickleObject returns the new-style instance with Pyro's adapter state:
// ident, onewayMethods, timeout, newConnValidator and, when bound, URI.
func (a *Adapter) PickleObject() (*pickle.Object, error) {
	cls := adapterClass
	if a.SSL {
		cls = sslAdapterClass
	}
	var validator any = a.Validator
	if validator == nil {
		validator = DefaultValidator()
	}
	oneway := a.OnewayMethods
	if oneway == nil {
		oneway = []string{}
	}
	return &pickle.Object{Class: cls, Build: pickle.BuildNewObj, Args: pickle.Tuple{}, State: &adapterState{
		Ident: a.Ident, OnewayMethods: strList(oneway), Timeout: noneIfNil(a.Timeout), Validator: validator, URI: a.URI,
	}}, nil
}

// adapterState is PYROAdapter's pickled __dict__ (its __getstate__ drops the
// lock), in the order cPickle writes it.
type adapterState struct {
	Ident         pickle.ByteString `pyro:"ident"`
	OnewayMethods *pickle.List      `pyro:"onewayMethods"`
	Timeout       any               `pyro:"timeout"`
	Validator     any               `pyro:"newConnValidator"`
	URI           *URI              `pyro:"URI,omitempty"`
}

func decodeAdapter(o *pickle.Object) (any, error) {
	if a, ok := adapterFromObject(o); ok {
		return a, nil
	}
	return o, nil
}

func adapterFromObject(o *pickle.Object) (*Adapter, bool) {
	n := 4
	if d, ok := o.State.(pickle.Dict); ok {
		if _, hasURI := d.Get_("URI"); hasURI {
			n = 5
		}
	}
	st, ok := newInstanceState(o, n)
	if !ok {
		return nil, false
	}
	a := &Adapter{SSL: o.Class == sslAdapterClass}
	ident, _ := st.get("ident")
	if a.Ident, ok = ident.(pickle.ByteString); !ok {
		return nil, false
	}
	oneway, _ := st.get("onewayMethods")
	if a.OnewayMethods, ok = stringList(oneway); !ok {
		return nil, false
	}
	timeout, _ := st.get("timeout")
	if !isNone(timeout) {
		switch timeout.(type) {
		case int64, float64:
			a.Timeout = timeout
		default:
			return nil, false
		}
	}
	if a.Validator, ok = st.get("newConnValidator"); !ok {
		return nil, false
	}
	if n == 5 {
		v, _ := st.get("URI")
		u, ok := toURI(v)
		if !ok {
			return nil, false
		}
		a.URI = &u
	}
	return a, true
}

// toAdapter accepts a decoded adapter in either form.
func toAdapter(v any) (*Adapter, bool) {
	switch a := v.(type) {
	case *Adapter:
		return a, true
	case *pickle.Object:
		if a.Class == adapterClass || a.Class == sslAdapterClass {
			return adapterFromObject(a)
		}
	}
	return nil, false
}

// toURI accepts a decoded URI in either form.
func toURI(v any) (URI, bool) {
	switch u := v.(type) {
	case URI:
		return u, true
	case *URI:
		if u != nil {
			return *u, true
		}
	case *pickle.Object:
		if u.Class == uriClass {
			return decodeURI(u)
		}
	}
	return URI{}, false
}

// DynamicProxy is a Pyro proxy as it travels in a pickle,
// Pyro.core.DynamicProxy or, with WithAttrs, Pyro.core.DynamicProxyWithAttrs.
// A Python peer that receives it gets an unconnected proxy for URI.
type DynamicProxy struct {
	URI URI
	// ObjectID is URI.ObjectID, or the name for a PYROLOC URI.
	ObjectID string
	Adapter  Adapter
	// WithAttrs selects DynamicProxyWithAttrs (remote attribute access).
	WithAttrs bool
}

// NewDynamicProxy returns the proxy Pyro's DynamicProxy(uri) pickles as:
// a fresh adapter (PYROSSLAdapter for PYROSSL and PYROLOCSSL URIs) with no
// identification, no oneway methods, no timeout and the default validator.
func NewDynamicProxy(uri URI) *DynamicProxy {
	return &DynamicProxy{
		URI: uri, ObjectID: uri.ObjectID,
		Adapter: Adapter{SSL: uri.Protocol == "PYROSSL" || uri.Protocol == "PYROLOCSSL", OnewayMethods: []string{}, Validator: DefaultValidator()},
	}
}

var (
	proxyClass      = pickle.Class{Module: "Pyro.core", Name: "DynamicProxy"}
	attrProxyClass  = pickle.Class{Module: "Pyro.core", Name: "DynamicProxyWithAttrs"}
	nsProxyClass    = pickle.Class{Module: "Pyro.naming", Name: "NameServerProxy"}
	attrCacheKey    = "_attr_cache"
	proxyStateNames = []string{"URI", "objectID", "adapter"}
)

// PickleObject returns the proxy with state {'URI', 'objectID', 'adapter'}
// (+ '_attr_cache': {} for DynamicProxyWithAttrs).
func (p *DynamicProxy) PickleObject() (*pickle.Object, error) {
	cls := proxyClass
	st := &proxyState{Adapter: &p.Adapter, URI: sharedURI(p.URI, &p.Adapter), ObjectID: pickle.ByteString(p.ObjectID)}
	if p.WithAttrs {
		cls = attrProxyClass
		st.AttrCache = pickle.NewDict()
	}
	return &pickle.Object{Class: cls, Build: pickle.BuildNewObj, Args: pickle.Tuple{}, State: st}, nil
}

// sharedURI returns the proxy's URI for pickling: the adapter's own *URI
// when it is the same, so that the pickle shares one PyroURI object between
// proxy and adapter, as Python's NameServerProxy does.
func sharedURI(u URI, a *Adapter) any {
	if a.URI != nil && *a.URI == u {
		return a.URI
	}
	return u
}

// proxyState is a proxy's pickled __dict__, in the order cPickle writes it.
type proxyState struct {
	Adapter   *Adapter          `pyro:"adapter"`
	URI       any               `pyro:"URI"`
	ObjectID  pickle.ByteString `pyro:"objectID"`
	AttrCache any               `pyro:"_attr_cache,omitempty"`
}

// proxyFields reads the state shared by DynamicProxy and NameServerProxy.
func proxyFields(o *pickle.Object, extra int) (st instanceState, uri URI, id string, ad *Adapter, ok bool) {
	if st, ok = newInstanceState(o, len(proxyStateNames)+extra); !ok {
		return
	}
	u, _ := st.get("URI")
	a, _ := st.get("adapter")
	if uri, ok = toURI(u); !ok {
		return
	}
	if ad, ok = toAdapter(a); !ok {
		return
	}
	ok = st.str("objectID", &id)
	return
}

func decodeProxy(o *pickle.Object) (any, error) {
	withAttrs := o.Class == attrProxyClass
	extra := 0
	if withAttrs {
		extra = 1
	}
	st, uri, id, ad, ok := proxyFields(o, extra)
	if !ok {
		return o, nil
	}
	if withAttrs {
		c, _ := st.get(attrCacheKey)
		if d, isDict := c.(pickle.Dict); !isDict || d.Len() != 0 {
			return o, nil
		}
	}
	return &DynamicProxy{URI: uri, ObjectID: id, Adapter: *ad, WithAttrs: withAttrs}, nil
}

// NameServerProxy is Pyro.naming.NameServerProxy as it travels in a pickle
// (a twin Name Server sends one in _resync): state {'URI', 'objectID',
// 'adapter'}, the adapter bound to URI with oneway method _synccall.
type NameServerProxy struct {
	URI      URI
	ObjectID string
	Adapter  Adapter
}

// NewNameServerProxy returns the proxy Pyro's NameServerProxy(uri) pickles
// as: adapter bound to uri, onewayMethods ['_synccall'], no identification.
func NewNameServerProxy(uri URI) *NameServerProxy {
	u := uri
	return &NameServerProxy{
		URI: uri, ObjectID: uri.ObjectID,
		Adapter: Adapter{OnewayMethods: []string{"_synccall"}, Validator: DefaultValidator(), URI: &u},
	}
}

// PickleObject returns the proxy with state {'URI', 'objectID', 'adapter'}.
func (p *NameServerProxy) PickleObject() (*pickle.Object, error) {
	return &pickle.Object{
		Class: nsProxyClass, Build: pickle.BuildNewObj, Args: pickle.Tuple{},
		State: &proxyState{Adapter: &p.Adapter, URI: sharedURI(p.URI, &p.Adapter), ObjectID: pickle.ByteString(p.ObjectID)},
	}, nil
}

func decodeNSProxy(o *pickle.Object) (any, error) {
	_, uri, id, ad, ok := proxyFields(o, 0)
	if !ok {
		return o, nil
	}
	return &NameServerProxy{URI: uri, ObjectID: id, Adapter: *ad}, nil
}
