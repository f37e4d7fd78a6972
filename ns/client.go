package ns

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/config"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/pickle"
)

// Client is a client of a Pyro Name Server, Go's counterpart of Pyro's
// NameServerProxy: every name that does not start with ':' is expanded with
// the default group before it is sent, and calls are plain (request flags
// 0). It implements core.Registrar and core.Resolver and is safe for
// concurrent use (calls share one connection, one at a time; open several
// Clients for parallel calls).
type Client struct {
	mu    sync.Mutex // guards p, replaced after relocation
	p     *core.Proxy
	group string
	// relocate finds the Name Server again after a broken connection.
	relocate func(ctx context.Context) (compat.URI, error)
	popts    []core.ProxyOption
	// lastName is the last name passed to a call and its argument (the
	// expanded name as a str): clients mostly resolve the same names again.
	lastName atomic.Pointer[nameArgument]
}

type nameArgument struct {
	name string
	arg  any
}

// LocationURI returns PYROLOC://host:port/:Pyro.NameServer, the URI by which
// Pyro reaches a Name Server at a known address; port 0 means PYRO_NS_PORT.
func LocationURI(host string, port int) compat.URI {
	if port == 0 {
		port = config.Current().NSPort
	}
	return compat.URI{Protocol: "PYROLOC", Address: host, Port: port, ObjectID: NameServerName}
}

// NewClient returns a client for the Name Server at uri (a PYRO URI,
// or PYROLOC://host:port/:Pyro.NameServer). defaultGroup "" means
// PYRO_NS_DEFAULTGROUP.
func NewClient(uri compat.URI, defaultGroup string, opts ...core.ProxyOption) (*Client, error) {
	if defaultGroup == "" {
		defaultGroup = config.Current().NSDefaultGroup
	}
	p, err := core.NewProxy(uri, opts...)
	if err != nil {
		return nil, err
	}
	return &Client{p: p, group: defaultGroup, popts: opts}, nil
}

// URI returns the Name Server's URI.
func (c *Client) URI() compat.URI { return c.proxy().URI() }

// Proxy returns the underlying proxy.
func (c *Client) Proxy() *core.Proxy { return c.proxy() }

func (c *Client) proxy() *core.Proxy {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.p
}

// Close closes the connection.
func (c *Client) Close() error { return c.proxy().Close() }

// FullName returns name made absolute with the default group (Pyro's
// NameServerProxy.fullName).
func (c *Client) FullName(name string) (string, error) { return ExpandName(name, c.group) }

// call makes a plain call; on a broken connection it reconnects (finding
// the Name Server again when it was located) and retries once, as Pyro's
// NameServerProxy does.
func (c *Client) call(ctx context.Context, method string, args ...any) (any, error) {
	p := c.proxy()
	res, err := p.CallPositional(ctx, method, args...)
	if err == nil {
		return res, nil
	}
	var ce *core.CommError
	if !errors.As(err, &ce) || ctx.Err() != nil {
		return res, err
	}
	if c.relocate != nil {
		if uri, lerr := c.relocate(ctx); lerr == nil {
			if np, perr := core.NewProxy(uri, c.popts...); perr == nil {
				c.mu.Lock()
				old := c.p
				c.p = np
				c.mu.Unlock()
				old.Close()
			}
		}
	}
	return c.proxy().CallPositional(ctx, method, args...)
}

func (c *Client) named(ctx context.Context, method, name string, extra ...any) (any, error) {
	last := c.lastName.Load()
	if last == nil || last.name != name {
		full, err := ExpandName(name, c.group)
		if err != nil {
			return nil, err
		}
		last = &nameArgument{name, pickle.ByteString(full)}
		c.lastName.Store(last)
	}
	if len(extra) == 0 {
		return c.call(ctx, method, last.arg)
	}
	return c.call(ctx, method, append([]any{last.arg}, extra...)...)
}

// Ping checks that the Name Server answers.
func (c *Client) Ping(ctx context.Context) error {
	_, err := c.call(ctx, "ping")
	return err
}

// Register binds name to uri.
func (c *Client) Register(ctx context.Context, name string, uri compat.URI) error {
	_, err := c.named(ctx, "register", name, uri)
	return err
}

// Unregister removes the binding of name.
func (c *Client) Unregister(ctx context.Context, name string) error {
	_, err := c.named(ctx, "unregister", name)
	return err
}

// Resolve returns the URI bound to name. With a PYRONAME URI (as
// core.Resolver) it resolves the URI's name.
func (c *Client) Resolve(ctx context.Context, name string) (compat.URI, error) {
	res, err := c.named(ctx, "resolve", name)
	if err != nil {
		return compat.URI{}, err
	}
	u, ok := res.(compat.URI)
	if !ok {
		return compat.URI{}, compat.NewNamingError("resolve returned no PyroURI", pickle.PythonType(res))
	}
	return u, nil
}

// Flatlist returns every name with its URI.
func (c *Client) Flatlist(ctx context.Context) ([]Binding, error) {
	res, err := c.call(ctx, "flatlist")
	if err != nil {
		return nil, err
	}
	items, err := listItems(res)
	if err != nil {
		return nil, err
	}
	out := make([]Binding, 0, len(items))
	for _, it := range items {
		t, ok := it.(pickle.Tuple)
		if !ok || len(t) != 2 {
			return nil, fmt.Errorf("ns: flatlist entry %v", it)
		}
		name, _ := pickle.Text(t[0])
		u, _ := t[1].(compat.URI)
		out = append(out, Binding{Name: name, URI: u})
	}
	return out, nil
}

// CreateGroup creates a group.
func (c *Client) CreateGroup(ctx context.Context, name string) error {
	_, err := c.named(ctx, "createGroup", name)
	return err
}

// DeleteGroup deletes a group and everything in it.
func (c *Client) DeleteGroup(ctx context.Context, name string) error {
	_, err := c.named(ctx, "deleteGroup", name)
	return err
}

// List lists a group ("" = the default group, as Pyro's proxy does).
func (c *Client) List(ctx context.Context, group string) ([]Child, error) {
	res, err := c.named(ctx, "list", group)
	if err != nil {
		return nil, err
	}
	items, err := listItems(res)
	if err != nil {
		return nil, err
	}
	out := make([]Child, 0, len(items))
	for _, it := range items {
		t, ok := it.(pickle.Tuple)
		if !ok || len(t) != 2 {
			return nil, fmt.Errorf("ns: list entry %v", it)
		}
		name, _ := pickle.Text(t[0])
		typ, _ := t[1].(int64)
		out = append(out, Child{Name: name, Type: int(typ)})
	}
	return out, nil
}

// SetMeta sets the user meta data of a group or name.
func (c *Client) SetMeta(ctx context.Context, name string, meta any) error {
	_, err := c.named(ctx, "setMeta", name, meta)
	return err
}

// GetMeta returns the user meta data of a group or name.
func (c *Client) GetMeta(ctx context.Context, name string) (any, error) {
	return c.named(ctx, "getMeta", name)
}

// SystemMeta returns the system meta data of a group or name.
func (c *Client) SystemMeta(ctx context.Context, name string) (any, error) {
	return c.named(ctx, "_getSystemMeta", name)
}

// Resync asks a paired Name Server to resynchronise with its twin.
func (c *Client) Resync(ctx context.Context) error {
	_, err := c.call(ctx, "resync")
	return err
}

// Shutdown asks the Name Server to stop; it returns the answer text.
func (c *Client) Shutdown(ctx context.Context) (string, error) {
	res, err := c.call(ctx, "_shutdown")
	s, _ := pickle.Text(res)
	return s, err
}

func listItems(v any) ([]any, error) {
	switch l := v.(type) {
	case *pickle.List:
		return l.Items, nil
	case pickle.Tuple:
		return l, nil
	}
	return nil, fmt.Errorf("ns: expected a list, got %s", pickle.PythonType(v))
}

// LocateOptions say where to look for a Name Server. Zero fields take the
// configuration (PYRO_NS_HOSTNAME, PYRO_NS_PORT, PYRO_NS_BC_*, PYRO_NS2_*,
// PYRO_BC_RETRIES, PYRO_BC_TIMEOUT) from Config, or config.Current().
type LocateOptions struct {
	// Host is the Name Server host: contacted directly, no broadcast.
	Host string
	// Port is the TCP port with Host, the UDP broadcast port without it.
	Port int
	// BCAddr overrides the broadcast address.
	BCAddr string
	// Identification is the passphrase for the Name Server connection.
	Identification string
	// DefaultGroup for the returned client; "" = PYRO_NS_DEFAULTGROUP.
	DefaultGroup string
	// Config supplies the defaults; nil means config.Current().
	Config *config.Config
	// NoFallback skips the last resort of Pyro's locator (direct attempts
	// to this host's name and localhost).
	NoFallback bool
	// Trace, if set, receives the progress messages Pyro's locator prints
	// with trace=1 (as pyro-nsc shows them).
	Trace io.Writer
}

func (o LocateOptions) trace(a ...any) {
	if o.Trace != nil {
		fmt.Fprintln(o.Trace, a...)
	}
}

func (o LocateOptions) cfg() *config.Config {
	if o.Config != nil {
		return o.Config
	}
	return config.Current()
}

func (o LocateOptions) proxyOpts() []core.ProxyOption {
	if o.Identification == "" {
		return nil
	}
	return []core.ProxyOption{core.WithIdentification(o.Identification)}
}

// Locate finds the Name Server as Pyro's NameServerLocator.getNS does and
// returns a client for it.
func Locate(ctx context.Context, opts LocateOptions) (*Client, error) {
	uri, err := LocateURI(ctx, opts)
	if err != nil {
		return nil, err
	}
	c, err := NewClient(uri, opts.DefaultGroup, opts.proxyOpts()...)
	if err != nil {
		return nil, err
	}
	c.relocate = func(ctx context.Context) (compat.URI, error) { return LocateURI(ctx, opts) }
	return c, nil
}

// LocateURI finds the Name Server's URI (Pyro's detectNS).
func LocateURI(ctx context.Context, opts LocateOptions) (compat.URI, error) {
	reply, err := SendSysCommand(ctx, CmdLocation, opts)
	if err != nil {
		return compat.URI{}, err
	}
	return compat.ParseURI(reply)
}

// SendSysCommand sends "location" or "shutdown" to the Name Server with
// Pyro's algorithm: directly over TCP when a host is known (argument or
// PYRO_NS_HOSTNAME), else by UDP broadcast to the primary and secondary
// broadcast ports; if that fails and no port was given, the secondary's
// settings are tried; finally, without host and port, this machine's host
// name and localhost. The result is the URI string or the shutdown answer.
func SendSysCommand(ctx context.Context, cmd string, opts LocateOptions) (string, error) {
	res, err := sendSysCommand(ctx, cmd, opts, false)
	if err == nil || opts.Port != 0 || ctx.Err() != nil {
		return res, err
	}
	var denied *compat.ConnectionDeniedError
	if errors.As(err, &denied) {
		return "", err
	}
	if res, err = sendSysCommand(ctx, cmd, opts, true); err == nil || ctx.Err() != nil {
		return res, err
	}
	if errors.As(err, &denied) {
		return "", err
	}
	if opts.Host != "" {
		return "", compat.NewNamingError("could not find NameServer on host " + opts.Host)
	}
	if !opts.NoFallback {
		hn, _ := os.Hostname()
		for _, h := range []string{hn, "localhost"} {
			if h == "" {
				continue
			}
			opts.trace("Trying host", h)
			o := opts
			o.Host = h
			res, err := sendSysCommand(ctx, cmd, o, false)
			if err == nil {
				return res, nil
			}
			if errors.As(err, &denied) {
				return "", err
			}
		}
	}
	return "", compat.NewNamingError("could not find NameServer")
}

func sendSysCommand(ctx context.Context, cmd string, opts LocateOptions, secondary bool) (string, error) {
	cfg := opts.cfg()
	host, nsPort := cfg.NSHostname, cfg.NSPort
	if secondary {
		host, nsPort = cfg.NS2Hostname, cfg.NS2Port
	}
	if opts.Host != "" {
		host = opts.Host
	}
	if host != "" {
		port := nsPort
		if opts.Port != 0 {
			port = opts.Port
		}
		return directCommand(ctx, cmd, host, port, opts)
	}
	port1, port2 := cfg.NSBCPort, cfg.NS2BCPort
	if opts.Port != 0 {
		port1, port2 = opts.Port, opts.Port
	}
	addr1, addr2 := cfg.NSBCAddr, cfg.NS2BCAddr
	if opts.BCAddr != "" {
		addr1, addr2 = opts.BCAddr, opts.BCAddr
	}
	if addr1 == "" {
		addr1 = "<broadcast>"
	}
	if addr2 == "" {
		addr2 = "<broadcast>"
	}
	timeout := time.Duration(cfg.BCTimeout * float64(time.Second))
	dests := []string{net.JoinHostPort(addr1, strconv.Itoa(port1)), net.JoinHostPort(addr2, strconv.Itoa(port2))}
	opts.trace("Locator: searching Pyro Name Server...")
	for i := 0; cfg.BCRetries < 0 || i <= cfg.BCRetries; i++ {
		reply, err := SendBroadcast(ctx, cmd, dests, timeout, 0)
		if err == nil {
			return reply, nil
		}
		if !errors.Is(err, ErrNoReply) {
			opts.trace("Locator: network error:", err)
			return "", err
		}
		if i < cfg.BCRetries {
			opts.trace("Locator: retry", i+1)
		}
	}
	return "", compat.NewPyroError("Name Server not responding")
}

// directCommand contacts PYROLOC://host:port/:Pyro.NameServer.
func directCommand(ctx context.Context, cmd, host string, port int, opts LocateOptions) (string, error) {
	opts.trace("Locator: contacting Pyro Name Server...")
	p, err := core.NewProxy(LocationURI(host, port), opts.proxyOpts()...)
	if err != nil {
		return "", err
	}
	defer p.Close()
	switch cmd {
	case CmdLocation:
		if _, err := p.Call(ctx, "ping"); err != nil {
			return "", err
		}
		return p.URI().String(), nil
	case CmdShutdown:
		res, err := p.Call(ctx, "_shutdown")
		if err != nil {
			return "", err
		}
		s, _ := pickle.Text(res)
		return s, nil
	}
	return "", compat.ValueError("invalid command specified")
}

// Resolver returns a core.Resolver for PYRONAME URIs: the name is resolved
// by the Name Server at the URI's host:port if it names one, else by the
// one Locate finds with opts.
func Resolver(opts LocateOptions) core.Resolver {
	return core.ResolverFunc(func(ctx context.Context, uri compat.URI) (compat.URI, error) {
		o := opts
		if uri.Address != "" {
			o.Host, o.Port = uri.Address, uri.Port
		}
		c, err := Locate(ctx, o)
		if err != nil {
			return compat.URI{}, err
		}
		defer c.Close()
		return c.Resolve(ctx, uri.ObjectID)
	})
}

// Invoker returns the Server as a core.Invoker, to connect it to a
// core.Daemon. Attribute proxies see it as Pyro's NameServer: its remote
// methods, and the attributes role, ignoreShutdown and otherNS.
func (s *Server) Invoker() core.Invoker {
	return core.InvokerWithAttrs(core.InvokerFunc(func(ctx context.Context, c *core.Call) (any, error) {
		return s.Call(ctx, c.Method, c.Args, c.Kwargs)
	}), core.Attrs{Class: pyClass, Methods: methodNames(), Get: s.attr})
}

// proxyTwin is a TwinClient over a core.Proxy.
type proxyTwin struct {
	p   *core.Proxy
	uri compat.URI
}

// ProxyTwinDialer returns a DialTwin that reaches the twin with core
// proxies, identifying with ident.
func ProxyTwinDialer(ident string) DialTwin {
	return func(ctx context.Context, uri compat.URI) (TwinClient, error) {
		opts := []core.ProxyOption{core.WithOneway("_synccall")}
		if ident != "" {
			opts = append(opts, core.WithIdentification(ident))
		}
		p, err := core.NewProxy(uri, opts...)
		if err != nil {
			return nil, err
		}
		return &proxyTwin{p: p, uri: uri}, nil
	}
}

func (t *proxyTwin) URI() compat.URI { return t.uri }

func (t *proxyTwin) Resync(ctx context.Context, me *compat.NameServerProxy) (any, error) {
	return t.p.CallPositional(ctx, "_resync", me)
}

func (t *proxyTwin) SyncCall(ctx context.Context, method string, args []any) error {
	_, err := t.p.CallPacked(ctx, "_synccall", append([]any{pickle.ByteString(method)}, args...)...)
	return err
}

func (t *proxyTwin) Close() error { return t.p.Close() }
