package core

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"math"
	"net"
	"slices"
	"sync"
	"time"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/config"
	"github.com/gopyro/gopyro/pickle"
	"github.com/gopyro/gopyro/protocol"
)

// Proxy is a client-side reference to a remote Pyro object, Go's
// counterpart of Pyro's DynamicProxy. It connects lazily on the first call,
// keeps one connection and serialises calls on it, so it is safe for
// concurrent use; use Clone for a proxy with its own connection to run
// calls in parallel. After a failed connection the next call reconnects
// transparently (at-most-once semantics: a call that failed is not
// repeated).
//
// A Proxy pickles as Pyro.core.DynamicProxy with its full adapter state, so
// it can be passed to or returned to a Python peer, which gets a usable
// proxy; a DynamicProxy sent by a Python peer binds to a *Proxy parameter.
type Proxy struct {
	// calls holds one token: a call (or Rebind) owns the connection while
	// it holds it. Waiting for it respects the caller's context.
	calls chan struct{}

	mu  sync.Mutex // guards the fields below; never held during I/O
	uri compat.URI // as given: PYRO, PYROLOC or PYRONAME
	// bound is the URI calls go to, once resolved: uri itself, or what a
	// Resolver made of a PYRONAME URI, then what the protocol resolved it
	// to when it connected (a PYROLOC URI becomes a PYRO one).
	bound     compat.URI
	resolved  bool
	codec     ClientCodec
	meta      *objectMeta // what the daemon told of the object on connect (Pyro 5), or nil
	oneway    map[string]bool
	timeout   time.Duration
	ident     []byte
	validator protocol.ClientValidator
	resolver  Resolver
	withAttrs bool
	closed    bool
	// passphrase is WithIdentification's argument until NewProxy munges it.
	passphrase *string
	connOpts   protocol.Options
	tls        *tls.Config // WithTLS; nil = PYROSSL_* at dial time
	serializer string      // WithSerializer; "" = the protocol's default
	gen        Generations // WithGeneration; 0 = Pyro 5 for PYRO: URIs
	hmacKey    []byte      // WithHMACKey (Pyro 4)

	// req and args are the request being sent and its arguments, owned by
	// the holder of the call token. The caller's request and arguments are
	// copied here, so that a call allocates neither.
	req  Request
	args []any
}

// ProxyOption configures a Proxy at creation.
type ProxyOption func(*Proxy)

// WithTimeout sets the proxy's default call timeout (Pyro's _setTimeout);
// a context deadline that is earlier wins.
func WithTimeout(d time.Duration) ProxyOption { return func(p *Proxy) { p.timeout = d } }

// WithIdentification sets the passphrase sent in the connection handshake
// (Pyro's _setIdentification).
func WithIdentification(passphrase string) ProxyOption {
	return func(p *Proxy) { p.passphrase = &passphrase }
}

// WithOneway marks methods as oneway (Pyro's _setOneway).
func WithOneway(methods ...string) ProxyOption {
	return func(p *Proxy) {
		for _, m := range methods {
			p.oneway[m] = true
		}
	}
}

// WithValidator sets the client side of the connection validator (token
// creation); nil means protocol.DefaultValidator.
func WithValidator(v protocol.ClientValidator) ProxyOption {
	return func(p *Proxy) {
		if v != nil {
			p.validator = v
		}
	}
}

// WithResolver sets the Resolver used for a PYRONAME URI instead of the
// default one.
func WithResolver(r Resolver) ProxyOption { return func(p *Proxy) { p.resolver = r } }

// WithAttrs makes the proxy pickle as Pyro.core.DynamicProxyWithAttrs, so a
// Python peer receiving it can use remote attributes.
func WithAttrs() ProxyOption { return func(p *Proxy) { p.withAttrs = true } }

// WithConnOptions sets the framing options (compression, checksum, size
// limit) of the proxy's connections; without it they are PYRO_COMPRESSION
// and PYRO_CHECKSUM.
func WithConnOptions(o protocol.Options) ProxyOption { return func(p *Proxy) { p.connOpts = o } }

// WithTLS sets the TLS configuration of PYROSSL connections (usually from
// protocol.TLSSettings.ClientConfig); an empty ServerName means the host of
// the URI. Without it, a PYROSSL or PYROLOCSSL proxy builds its
// configuration from the PYROSSL_* items of config.Current() when it
// connects, as Pyro does. Plain PYRO connections ignore it.
func WithTLS(cfg *tls.Config) ProxyOption { return func(p *Proxy) { p.tls = cfg } }

// WithSerializer sets the serializer of the proxy's calls where the
// protocol has a choice (Pyro's _pyroSerializer): for Pyro 5 "serpent" (the
// default, as in Pyro 5), "json", "marshal" or "msgpack", and for Pyro 4
// (WithGeneration) also "pickle". Pyro 3 always pickles and ignores it.
// NewProxy refuses a name the proxy's generation does not know.
func WithSerializer(name string) ProxyOption { return func(p *Proxy) { p.serializer = name } }

// WithGeneration makes the proxy dial PYRO:id@host:port URIs with the Pyro
// generation gen: Pyro5 (the default) or Pyro4 (protocol 48, where
// WithSerializer may also choose "pickle", when the daemon accepts it).
// It does not change how PYRONAME URIs are resolved.
func WithGeneration(gen Generations) ProxyOption { return func(p *Proxy) { p.gen = gen } }

// WithHMACKey sets the HMAC key of Pyro 4 connections (Pyro4's
// _pyroHmacKey): every message is signed with it and must be signed with
// it. Pyro 3 and Pyro 5 have no HMAC and ignore it.
func WithHMACKey(key []byte) ProxyOption { return func(p *Proxy) { p.hmacKey = key } }

// NewProxy returns a proxy for uri: a URI string (PYRO://, PYROSSL://,
// PYROLOC://, PYROLOCSSL://, PYRONAME://), a compat.URI, or a decoded
// *compat.DynamicProxy. It does not connect; PYROLOC and PYRONAME names are
// resolved on the first call.
//
// Options win over the process configuration (config.Current(): the
// environment, then Pyro.conf), which wins over Pyro's defaults:
// PYRO_COMPRESSION and PYRO_CHECKSUM set the framing unless
// WithConnOptions is given, PYROSSL_* the TLS of PYROSSL connections unless
// WithTLS is, PYRO_NS_HOSTNAME, PYRO_NS_PORT and PYRO_NS_DEFAULTGROUP the
// resolution of PYRONAME URIs (see DefaultResolver). PYRO_PICKLE_FORMAT and
// PYRO_SOCK_KEEPALIVE apply to every connection.
func NewProxy(uri any, opts ...ProxyOption) (*Proxy, error) {
	cfg := config.Current()
	p := &Proxy{
		calls: make(chan struct{}, 1), oneway: map[string]bool{}, validator: &protocol.DefaultValidator{},
		connOpts: protocol.Options{Compress: cfg.Compression, Checksum: cfg.Checksum},
	}
	switch u := uri.(type) {
	case string:
		parsed, err := compat.ParseURI(u)
		if err != nil {
			return nil, err
		}
		p.uri = parsed
	case compat.URI:
		p.uri = u
	case *compat.URI:
		p.uri = *u
	case *compat.DynamicProxy:
		p.uri = u.URI
		p.ident = []byte(u.Adapter.Ident)
		for _, m := range u.Adapter.OnewayMethods {
			p.oneway[m] = true
		}
		p.timeout = pyTimeout(u.Adapter.Timeout)
		p.withAttrs = u.WithAttrs
	case *compat.NameServerProxy:
		p.uri = u.URI
		p.ident = []byte(u.Adapter.Ident)
		for _, m := range u.Adapter.OnewayMethods {
			p.oneway[m] = true
		}
	case *Proxy:
		return u.Clone(), nil
	default:
		return nil, fmt.Errorf("core: NewProxy: unsupported URI type %T", uri)
	}
	if p.uri.Protocol != "PYRONAME" && !isPyro5Name(p.uri) {
		if _, err := protocolFor(p.uri); err != nil {
			return nil, compat.NewProtocolError("unsupported protocol")
		}
		p.bound, p.resolved = p.uri, true
	}
	for _, o := range opts {
		o(p)
	}
	if p.serializer != "" && !knownSerializer(p.serializer, p.gen) {
		// Pyro 5's text for an unknown SERIALIZER
		return nil, compat.NewException("builtins", "ValueError", "unknown serializer configured")
	}
	if p.passphrase != nil {
		// munged by the final validator, whatever the option order
		p.ident = p.validator.MungeIdent(*p.passphrase)
		p.passphrase = nil
	}
	return p, nil
}

func pyTimeout(v any) time.Duration {
	switch t := v.(type) {
	case float64:
		return time.Duration(t * float64(time.Second))
	case int64:
		return time.Duration(t) * time.Second
	}
	return 0
}

// proxyFromValue converts a decoded argument into a *Proxy.
func proxyFromValue(v any) (*Proxy, error) {
	switch x := v.(type) {
	case *Proxy:
		return x, nil
	case *compat.DynamicProxy, *compat.NameServerProxy, compat.URI:
		return NewProxy(x)
	case string:
		return NewProxy(x)
	case pickle.ByteString:
		return NewProxy(string(x))
	}
	return nil, errors.New("want a Pyro proxy or URI")
}

// URI returns the proxy's URI: the PYRO URI once resolved, else the URI as
// given.
func (p *Proxy) URI() compat.URI {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.resolved {
		return p.bound
	}
	return p.uri
}

func (p *Proxy) String() string { return "<core.Proxy for " + p.URI().String() + ">" }

// Clone returns an unconnected proxy with the same URI and settings, for
// calls in parallel with p's (Pyro's copy.copy(proxy)).
func (p *Proxy) Clone() *Proxy {
	p.mu.Lock()
	defer p.mu.Unlock()
	c := &Proxy{
		calls: make(chan struct{}, 1),
		uri:   p.uri, bound: p.bound, resolved: p.resolved, oneway: make(map[string]bool, len(p.oneway)),
		timeout: p.timeout, ident: p.ident, validator: p.validator, resolver: p.resolver,
		withAttrs: p.withAttrs, connOpts: p.connOpts, tls: p.tls, serializer: p.serializer,
		gen: p.gen, hmacKey: p.hmacKey,
	}
	for m := range p.oneway {
		c.oneway[m] = true
	}
	return c
}

// Close closes the proxy's connection, interrupting a call in progress;
// further calls fail with ErrClosed.
func (p *Proxy) Close() error {
	p.mu.Lock()
	p.closed = true
	c := p.codec
	p.codec = nil
	p.mu.Unlock()
	if c == nil {
		return nil
	}
	return c.Close()
}

// LocalAddr returns the local address of the proxy's connection, or nil
// when it is not connected (for mobile code, which sends it as Pyro sends
// getsockname()).
func (p *Proxy) LocalAddr() net.Addr {
	p.mu.Lock()
	c := p.codec
	p.mu.Unlock()
	if la, ok := c.(interface{ LocalAddr() net.Addr }); ok {
		return la.LocalAddr()
	}
	return nil
}

// Release closes the current connection; the next call reconnects (Pyro's
// _release).
func (p *Proxy) Release() error {
	p.mu.Lock()
	c := p.codec
	p.codec = nil
	p.mu.Unlock()
	if c == nil {
		return nil
	}
	return c.Close()
}

// drop closes c and forgets it if it is still the proxy's connection.
func (p *Proxy) drop(c ClientCodec) {
	p.mu.Lock()
	if p.codec == c {
		p.codec = nil
	}
	p.mu.Unlock()
	c.Close()
}

// acquire waits for the proxy's connection.
func (p *Proxy) acquire(ctx context.Context) error {
	select {
	case p.calls <- struct{}{}: // the usual case, without a select on ctx
		return nil
	default:
	}
	select {
	case p.calls <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (p *Proxy) release() { <-p.calls }

// Call calls method with positional arguments, as a Python DynamicProxy
// does (request flags 3, or oneway if the method is marked so), and
// returns the decoded result. A remote exception is returned as a
// *compat.Exception or typed Pyro error with the remote traceback; errors
// of the connection are *CommError values.
func (p *Proxy) Call(ctx context.Context, method string, args ...any) (any, error) {
	return p.do(ctx, Request{Call: Call{Method: method}}, args)
}

// CallKw calls method with positional and keyword arguments.
func (p *Proxy) CallKw(ctx context.Context, method string, args []any, kwargs map[string]any) (any, error) {
	return p.do(ctx, Request{Call: Call{Method: method, Kwargs: kwargs}}, args)
}

// CallPositional calls method with positional arguments only, sent as they
// are with no keyword dict (request flags 0), as Pyro's NameServerProxy and
// PYROLOC resolution do.
func (p *Proxy) CallPositional(ctx context.Context, method string, args ...any) (any, error) {
	return p.do(ctx, Request{Call: Call{Method: method}, Style: styleFlags0}, args)
}

// CallPacked calls method with the positional arguments packed into one
// trailing tuple, which the method receives as its *args (request flags 1,
// plus 4 if the method is oneway), as Pyro's NameServerProxy calls
// _synccall on its twin.
func (p *Proxy) CallPacked(ctx context.Context, method string, args ...any) (any, error) {
	return p.do(ctx, Request{Call: Call{Method: method}, Style: styleVarargs}, args)
}

// Oneway calls method without waiting for a result, whether or not it is
// marked oneway.
func (p *Proxy) Oneway(ctx context.Context, method string, args ...any) error {
	_, err := p.do(ctx, Request{Call: Call{Method: method, Oneway: true}}, args)
	return err
}

// OnewayAll calls method oneway once for each argument list of calls, in
// order, writing the requests together where the protocol can (Pyro 3: one
// write of consecutive messages), as an event service does for a batch of
// events to one subscriber.
func (p *Proxy) OnewayAll(ctx context.Context, method string, calls ...[]any) error {
	if len(calls) == 0 {
		return nil
	}
	if err := p.acquire(ctx); err != nil {
		return err
	}
	defer p.release()
	p.mu.Lock()
	closed, codec, timeout := p.closed, p.codec, p.timeout
	p.mu.Unlock()
	if closed {
		return ErrClosed
	}
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	if codec == nil {
		var err error
		if codec, err = p.bind(ctx); err != nil {
			return err
		}
	}
	p.mu.Lock()
	id := p.bound.ObjectID
	p.mu.Unlock()
	rs := make([]*Request, len(calls))
	for i, args := range calls {
		rs[i] = &Request{ObjectID: id, Call: Call{Method: method, Args: args, Oneway: true}}
	}
	var err error
	if w, ok := codec.(requestsWriter); ok {
		err = w.WriteRequests(ctx, rs)
	} else {
		for _, r := range rs {
			if err = codec.WriteRequest(ctx, r); err != nil {
				break
			}
		}
	}
	var ce *CommError
	if errors.As(err, &ce) {
		p.drop(codec)
	}
	return err
}

// CallInto calls method and stores the result in dst (a non-nil pointer)
// with the conversions of pickle.Assign.
func (p *Proxy) CallInto(ctx context.Context, dst any, method string, args ...any) error {
	res, err := p.Call(ctx, method, args...)
	if err != nil {
		return err
	}
	return pickle.Assign(dst, res)
}

// CallAs calls method on p and converts the result to T:
//
//	n, err := core.CallAs[int](ctx, p, "add", 3, 4)
func CallAs[T any](ctx context.Context, p *Proxy, method string, args ...any) (T, error) {
	var out T
	err := p.CallInto(ctx, &out, method, args...)
	return out, err
}

// GetAttr reads a remote attribute (Pyro 3's DynamicProxyWithAttrs: _r_ga).
func (p *Proxy) GetAttr(ctx context.Context, name string) (any, error) {
	return p.do(ctx, Request{Call: Call{Method: name}, Style: StyleGetAttr}, nil)
}

// SetAttr sets a remote attribute (_r_sa).
func (p *Proxy) SetAttr(ctx context.Context, name string, value any) error {
	_, err := p.do(ctx, Request{Call: Call{Method: name}, Style: StyleSetAttr}, []any{value})
	return err
}

// IsMethod reports whether the remote name is a method rather than an
// attribute (_r_ha; missing names count as attributes, as in Pyro).
func (p *Proxy) IsMethod(ctx context.Context, name string) (bool, error) {
	res, err := p.do(ctx, Request{Call: Call{Method: name}, Style: StyleHasMethod}, nil)
	if err != nil {
		return false, err
	}
	is, _ := res.(bool)
	return is, nil
}

// do makes the call req with the positional arguments args; req.Args is
// not used. (Passed apart and only copied, args does not escape, so the
// variadic arguments of Call and the like stay on the caller's stack.)
func (p *Proxy) do(ctx context.Context, req Request, args []any) (any, error) {
	if err := p.acquire(ctx); err != nil {
		return nil, err
	}
	defer p.release()
	r := &p.req
	*r = req
	r.Args = append(p.args[:0], args...)
	defer func() {
		clear(r.Args) // keep no argument alive after the call
		p.args, *r = r.Args[:0], Request{}
	}()
	p.mu.Lock()
	closed, codec, timeout := p.closed, p.codec, p.timeout
	if len(p.oneway) > 0 && p.oneway[r.Method] && r.Style < StyleGetAttr { // attribute requests are never oneway
		r.Oneway = true
	}
	p.mu.Unlock()
	if closed {
		return nil, ErrClosed
	}
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	if codec == nil {
		var err error
		if codec, err = p.bind(ctx); err != nil {
			return nil, err
		}
	}
	p.mu.Lock()
	r.ObjectID = p.bound.ObjectID
	meta, shown := p.meta, p.uri
	p.mu.Unlock()
	if r.Batch != nil {
		if _, ok := codec.(batchCodec); !ok {
			return nil, ErrNoBatch
		}
	} else if meta != nil {
		if r.Style == StyleHasMethod {
			return meta.methods[r.Method], nil
		}
		if err := meta.check(r, shown); err != nil {
			return nil, err
		}
	}
	return p.exchange(ctx, codec, r)
}

// exchange sends r on codec and reads its reply, unless it is oneway; it
// drops the connection after the errors that end it. The caller holds the
// call token.
func (p *Proxy) exchange(ctx context.Context, codec ClientCodec, r *Request) (any, error) {
	if err := codec.WriteRequest(ctx, r); err != nil {
		var ce *CommError
		if errors.As(err, &ce) {
			p.drop(codec)
		}
		return nil, err
	}
	if r.Oneway {
		return nil, nil
	}
	res, err := codec.ReadReply(ctx)
	if err != nil {
		var ce *CommError
		if errors.As(err, &ce) || codec.ClosesConnection(err) {
			p.drop(codec)
		}
	}
	if id, ok := res.(streamID); ok {
		return &Stream{p: p, codec: codec, id: string(id)}, nil
	}
	return res, err
}

// bind resolves a PYRONAME URI if needed and connects with the protocol
// registered for the URI's scheme, which may resolve the URI further
// (PYROLOC). The caller holds the call token.
func (p *Proxy) bind(ctx context.Context) (ClientCodec, error) {
	p.mu.Lock()
	uri, bound, resolved, r := p.uri, p.bound, p.resolved, p.resolver
	ds := DialSettings{Options: p.connOpts, Validator: p.validator, Ident: p.ident, TLS: p.tls, Serializer: p.serializer,
		HMACKey: p.hmacKey}
	gen := p.gen
	p.mu.Unlock()
	if !resolved || isPyro5Name(uri) {
		switch {
		case r != nil:
		case isPyro5Name(uri):
			r = ResolverFunc(func(ctx context.Context, u compat.URI) (compat.URI, error) {
				return ResolvePyro5(ctx, u, WithSerializer(ds.Serializer))
			})
		default:
			r = DefaultResolver()
		}
		u, err := r.Resolve(ctx, uri)
		if err != nil {
			return nil, err
		}
		bound = u
	}
	proto, err := protocolFor(bound)
	if err != nil {
		return nil, commError("dial", bound, err)
	}
	if gen == Pyro4 && bound.Style == compat.Pyro5Style {
		proto = pyro4Dialer
	}
	codec, bound, err := proto.Dial(ctx, bound, ds)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		codec.Close()
		return nil, ErrClosed
	}
	p.bound, p.resolved, p.codec = bound, true, codec
	p.meta = nil
	if mc, ok := codec.(metadataCodec); ok {
		p.meta = mc.metadata()
	}
	return codec, nil
}

// metadataCodec is a ClientCodec whose handshake tells the metadata of the
// object (Pyro 5's CONNECTOK).
type metadataCodec interface {
	metadata() *objectMeta
}

// objectMeta is the metadata of a remote object as sets.
type objectMeta struct {
	methods, oneway, attrs map[string]bool
}

// check refuses the request r for a name the object does not expose, as
// Pyro5's proxy does before sending, and makes the calls of oneway methods
// oneway; shown is the URI the errors name.
func (m *objectMeta) check(r *Request, shown compat.URI) error {
	switch r.Style {
	case StyleGetAttr:
		if !m.attrs[r.Method] {
			if m.methods[r.Method] {
				return compat.NewException("builtins", "AttributeError", "remote object '"+shown.String()+"' has no exposed attribute '"+r.Method+"'")
			}
			return compat.NewException("builtins", "AttributeError", "remote object '"+shown.String()+"' has no exposed attribute or method '"+r.Method+"'")
		}
	case StyleSetAttr:
		if !m.attrs[r.Method] {
			return compat.NewException("builtins", "AttributeError", "remote object '"+shown.String()+"' has no exposed attribute '"+r.Method+"'")
		}
	default:
		if !m.methods[r.Method] {
			return compat.NewException("builtins", "AttributeError", "remote object '"+shown.String()+"' has no exposed attribute or method '"+r.Method+"'")
		}
		if m.oneway[r.Method] {
			r.Oneway = true
		}
	}
	return nil
}

// Metadata is what a daemon tells of a remote object (Pyro 5's metadata):
// its exposed methods, those of them that are oneway, and its attributes,
// each sorted.
type Metadata struct {
	Methods, Oneway, Attrs []string
}

// Metadata connects if the proxy is not connected and returns the metadata
// of the remote object that the daemon sent on connect (Pyro5's
// _pyroMethods, _pyroOneway and _pyroAttrs). The proxy uses it as Pyro5's
// does: a call of a method that is not exposed fails before it is sent
// (AttributeError), the calls of oneway methods are sent oneway, and
// GetAttr and SetAttr work on the attributes only. Pyro 3 daemons send no
// metadata: then it returns ErrNoMetadata.
func (p *Proxy) Metadata(ctx context.Context) (Metadata, error) {
	if err := p.acquire(ctx); err != nil {
		return Metadata{}, err
	}
	defer p.release()
	p.mu.Lock()
	closed, codec, meta := p.closed, p.codec, p.meta
	p.mu.Unlock()
	if closed {
		return Metadata{}, ErrClosed
	}
	if codec == nil {
		if _, err := p.bind(ctx); err != nil {
			return Metadata{}, err
		}
		p.mu.Lock()
		meta = p.meta
		p.mu.Unlock()
	}
	if meta == nil {
		return Metadata{}, ErrNoMetadata
	}
	sorted := func(set map[string]bool) []string {
		l := make([]string, 0, len(set))
		for n := range set {
			l = append(l, n)
		}
		slices.Sort(l)
		return l
	}
	return Metadata{Methods: sorted(meta.methods), Oneway: sorted(meta.oneway), Attrs: sorted(meta.attrs)}, nil
}

// Rebind drops the connection and reconnects, trying up to tries times
// with wait in between (Pyro's adapter.rebindURI). When every try fails it
// returns a *compat.TimeoutError("connection lost") wrapping the last error.
func (p *Proxy) Rebind(ctx context.Context, tries int, wait time.Duration) error {
	last, exhausted := p.redial(ctx, tries, wait, func(error) bool { return true })
	if !exhausted {
		return last
	}
	return errors.Join(compat.NewTimeoutError("connection lost"), last)
}

// ReconnectWait is the pause between the attempts of Reconnect, Pyro5's.
const ReconnectWait = 2 * time.Second

// Reconnect drops the connection and connects again (Pyro5's
// _pyroReconnect, for instance after the daemon restarted): up to tries
// attempts (tries <= 0: until ctx ends) ReconnectWait apart, retrying only
// failures of the connection (*CommError). When none succeeds it returns
// a *compat.ConnectionClosedError("failed to reconnect") wrapping the last
// error. A call after a failed connection reconnects by itself; Reconnect
// waits for the daemon to come back.
func (p *Proxy) Reconnect(ctx context.Context, tries int) error {
	if tries <= 0 {
		tries = math.MaxInt
	}
	last, exhausted := p.redial(ctx, tries, ReconnectWait, func(err error) bool {
		var ce *CommError
		return errors.As(err, &ce)
	})
	if !exhausted {
		return last
	}
	return errors.Join(compat.NewConnectionClosedError("failed to reconnect"), last)
}

// redial drops the connection and binds again, up to tries times with wait
// in between while retry holds for the error. exhausted means every try
// failed and err is the last one's error; otherwise err is nil, or the
// error that stopped the attempts (ctx's, ErrClosed, one retry refused).
func (p *Proxy) redial(ctx context.Context, tries int, wait time.Duration, retry func(error) bool) (err error, exhausted bool) {
	if err := p.acquire(ctx); err != nil {
		return err, false
	}
	defer p.release()
	var last error
	for i := 0; i < tries; i++ {
		if i > 0 {
			select {
			case <-time.After(wait):
			case <-ctx.Done():
				return ctx.Err(), false
			}
		}
		p.mu.Lock()
		closed, old := p.closed, p.codec
		p.codec = nil
		p.mu.Unlock()
		if closed {
			return ErrClosed, false
		}
		if old != nil {
			old.Close()
		}
		if _, last = p.bind(ctx); last == nil {
			return nil, false
		}
		if !retry(last) {
			return last, false
		}
	}
	return last, true
}

// PickleObject makes a Proxy travel as Pyro.core.DynamicProxy (or
// DynamicProxyWithAttrs). A PYRONAME proxy must have been used (resolved)
// before it can be pickled.
func (p *Proxy) PickleObject() (*pickle.Object, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.resolved {
		return nil, fmt.Errorf("core: cannot pickle an unresolved %s proxy", p.uri.Protocol)
	}
	dp := compat.NewDynamicProxy(p.bound)
	dp.WithAttrs = p.withAttrs
	dp.Adapter.Ident = pickle.ByteString(p.ident)
	for m := range p.oneway {
		dp.Adapter.OnewayMethods = append(dp.Adapter.OnewayMethods, m)
	}
	slices.Sort(dp.Adapter.OnewayMethods)
	if p.timeout > 0 {
		dp.Adapter.Timeout = p.timeout.Seconds()
	}
	return dp.PickleObject()
}

var _ pickle.Pickler = (*Proxy)(nil)

// ErrNoBatch is returned by Batch.Run for a daemon whose protocol has no
// batch calls (Pyro 3).
var ErrNoBatch = errors.New("core: the daemon's protocol has no batch calls")

// batchCodec is a ClientCodec that sends Requests with Batch set as one
// batch request, and answers them with a *BatchResult (Pyro 5).
type batchCodec interface {
	writesBatches()
}

// Batch collects calls to one object that are sent together in one
// request and answered together, Pyro5's BatchProxy: the daemon makes the
// calls in order and stops at the first that fails. Make one with
// Proxy.Batch; it is not safe for concurrent use.
type Batch struct {
	p     *Proxy
	calls []Call
}

// Batch returns an empty batch of calls to p's object.
func (p *Proxy) Batch() *Batch { return &Batch{p: p} }

// Call adds a call of method with positional arguments to the batch.
func (b *Batch) Call(method string, args ...any) {
	b.calls = append(b.calls, Call{Method: method, Args: args})
}

// CallKw adds a call of method with positional and keyword arguments.
func (b *Batch) CallKw(method string, args []any, kwargs map[string]any) {
	b.calls = append(b.calls, Call{Method: method, Args: args, Kwargs: kwargs})
}

// Len is the number of calls in the batch.
func (b *Batch) Len() int { return len(b.calls) }

// Run sends the calls and returns their results in order; the batch is
// then empty, for reuse. When a call raises, the daemon makes none of the
// calls after it: Run returns the results of the calls before it and the
// remote exception (where Pyro5's results generator raises it).
func (b *Batch) Run(ctx context.Context) ([]any, error) {
	res, err := b.run(ctx, false)
	if err != nil {
		return nil, err
	}
	br, ok := res.(*BatchResult)
	if !ok {
		return nil, fmt.Errorf("core: invalid batch result: %T", res)
	}
	return br.Results, br.Err
}

// RunOneway sends the calls as a oneway batch: the daemon makes them and
// answers nothing (BatchProxy called with oneway=True).
func (b *Batch) RunOneway(ctx context.Context) error {
	_, err := b.run(ctx, true)
	return err
}

func (b *Batch) run(ctx context.Context, oneway bool) (any, error) {
	calls := b.calls
	b.calls = nil
	if calls == nil {
		calls = []Call{}
	}
	return b.p.do(ctx, Request{Call: Call{Oneway: oneway}, Batch: calls}, nil)
}

// ErrNoMetadata is returned by Proxy.Metadata for a daemon whose protocol
// sends no metadata (Pyro 3).
var ErrNoMetadata = errors.New("core: the daemon sent no metadata of the object")
