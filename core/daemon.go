package core

import (
	"container/list"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/netip"
	"os"
	"os/signal"
	"reflect"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/config"
	"github.com/gopyro/gopyro/metrics"
	"github.com/gopyro/gopyro/protocol"
	"github.com/gopyro/gopyro/pyrolog"
)

// DaemonOptions configures a Daemon. Zero fields take the process
// configuration (config.Current(), i.e. Pyro.conf and PYRO_* variables),
// like Pyro's Daemon() does. The precedence is: a field set here, then the
// environment variable, then the config file, then Pyro's default. Boolean
// items (DNSURI, Compression, Checksum) can only be switched on here: a
// true field or a true configuration item turns them on.
//
// Items read by every daemon, besides those named below: PYRO_PICKLE_FORMAT
// (pickle protocol of replies: 0, 1, or 2; negative means 2),
// PYRO_SOCK_KEEPALIVE (TCP keep-alive on accepted connections),
// PYRO_ONEWAY_THREADED (see the package documentation), and
// PYRO_TRACELEVEL / PYRO_LOGFILE through the default Logger.
type DaemonOptions struct {
	// Host is the address to listen on; "" means PYRO_HOST ("" = all
	// interfaces).
	Host string
	// Port is the first port tried; 0 means PYRO_PORT (7766), or with
	// NoRange an ephemeral port chosen by the system.
	Port int
	// NoRange listens on exactly Port; otherwise up to PortRange
	// consecutive ports are tried, as Pyro's norange=0.
	NoRange bool
	// PortRange is the number of ports scanned; 0 means PYRO_PORT_RANGE.
	PortRange int
	// PublishHost is the host put in URIs; "" means PYRO_PUBLISHHOST, else
	// Host, else the machine's host name. It is converted to a dotted IP
	// address unless DNSURI (or PYRO_DNS_URI) is set.
	PublishHost string
	DNSURI      bool
	// MaxConnections limits the connections served at once, counting the
	// new one as Pyro does (1 refuses every client); 0 means
	// PYRO_MAXCONNECTIONS. Only connections that have completed the
	// handshake count (see the package documentation, "Connections").
	// With a Validator, its AcceptHost decides alone, but MaxConnections
	// still sets the bound of pending handshakes (2×MaxConnections).
	MaxConnections int
	// Validator decides who may connect; nil means a
	// protocol.DefaultValidator with MaxConnections and Identifications.
	Validator protocol.ServerValidator
	// Identifications are the passphrases clients must identify with (Pyro's
	// setAllowedIdentifications); nil accepts every client.
	Identifications []string
	// IdleTimeout closes connections that stay idle (or stall in the middle
	// of a message) that long, as Pyro's Daemon.setTimeout; 0 means never.
	IdleTimeout time.Duration
	// HandshakeTimeout closes a new connection that has not completed the
	// handshake (TLS handshake, challenge, CONNECT, verdict) that long after
	// it was accepted; 0 means PYRO_HANDSHAKE_TIMEOUT (10 s), negative (or a
	// PYRO_HANDSHAKE_TIMEOUT <= 0) no limit but IdleTimeout, as in Pyro. On
	// a PYROSSL daemon it should exceed the TLSListener's HelloTimeout (5 s),
	// or plain clients are dropped instead of being told "DENIED3".
	HandshakeTimeout time.Duration
	// MaxConnectionsPerHost limits the connections (handshaking or served)
	// from one client IP address; a client over it is refused with "server
	// too busy" before the challenge. 0 means PYRO_MAXCONNECTIONS_PER_HOST
	// (0: no limit); negative means no limit.
	MaxConnectionsPerHost int
	// TransientsCleanupAge disconnects transient objects (connected without
	// a name) not called for that long; 0 never reaps. Objects with a
	// Reaped() method are told.
	TransientsCleanupAge time.Duration
	// Registrar registers named objects with a name server; nil registers
	// nothing (names then only serve PYROLOC lookups).
	Registrar Registrar
	// UnregisterOnShutdown makes Shutdown unregister every named object
	// that was not connected persistently (Pyro's shutdown(disconnect=1)).
	UnregisterOnShutdown bool
	// Compression and Checksum set the PYRO_COMPRESSION / PYRO_CHECKSUM
	// behaviour of replies; they are ORed with the configuration.
	Compression, Checksum bool
	// MaxMessageSize limits incoming messages (protocol.DefaultMaxMessageSize
	// when 0).
	MaxMessageSize int
	// MaxDecodeMemory bounds, in bytes, the memory that the requests the
	// daemon decodes at once may hold: each request of over 16 KiB
	// reserves twice its size plus its pickle budget
	// (pickle.Limits.Budget) while it is decoded. One that finds no room
	// within two seconds is answered with a PyroError ("server too busy")
	// and the connection goes on. 0 means DefaultMaxDecodeMemory.
	MaxDecodeMemory int64
	// InitConn, if set, is called at the start of every connection, like
	// Pyro's setInitTLS, to fill the connection-local storage.
	InitConn func(c *Caller)
	// ClientDisconnect, if set, is called when a client connection ends,
	// before the resources tracked for it are closed, like Pyro 5's
	// Daemon.clientDisconnect.
	ClientDisconnect func(c *Caller)
	// Logger receives connection-level diagnostics; nil means Pyro's system
	// log (pyrolog.System(), set up by PYRO_TRACELEVEL and PYRO_LOGFILE).
	Logger *slog.Logger
	// Listener, if set, is used instead of listening on Host/Port.
	Listener net.Listener
	// TLS, if set, makes the daemon a PYROSSL one: its connections speak
	// TLS with this configuration (usually from
	// protocol.TLSSettingsFromConfig(config.Current()).ServerConfig(), the
	// PYROSSL_* items), its URIs are PYROSSL:// URIs, and when Validator is
	// nil it uses a protocol.SSLValidator (Pyro's BasicSSLValidator: a client
	// without a certificate is refused for "security reasons") with
	// MaxConnections and Identifications. A Listener is wrapped too, unless
	// it is a *protocol.TLSListener already (for its HelloTimeout).
	TLS *tls.Config
	// Protocol is the one wire protocol the daemon serves, in place of
	// the Pyro generations of Generations. Validator, Identifications,
	// Checksum and the PYRO_PICKLE_FORMAT item configure Pyro 3 only, and
	// TLS is then only the listener's.
	Protocol Protocol
	// Generations are the Pyro generations the daemon serves on its one
	// port when Protocol is nil; 0 means Pyro3|Pyro4|Pyro5, or Pyro3 alone
	// for a TLS daemon (Pyro 4 and 5 over TLS are not served yet).
	// Compression, MaxMessageSize and IdleTimeout configure each.
	Generations Generations
	// DetectWait is how long a daemon serving Pyro 3 beside Pyro 5 waits
	// for a new client's first bytes before it takes the client for a Pyro
	// 3 one, whose server speaks first: what serving both adds to the
	// connect of a Pyro 3 client. 0 means the PYRO_DETECT_WAIT item
	// (DefaultDetectWait unless set).
	DetectWait time.Duration
	// Pyro5Handshake, if set, validates the handshake data of Pyro 5
	// clients (Pyro5's Daemon.validateHandshake).
	Pyro5Handshake HandshakeFunc
	// Pyro4Handshake, if set, validates the handshake data of Pyro 4
	// clients (Pyro4's Daemon.validateHandshake).
	Pyro4Handshake HandshakeFunc
	// Pyro4HMACKey is the HMAC key of Pyro 4 connections (Pyro4's
	// Daemon._pyroHmacKey): every message is signed with it and must come
	// signed with it. Empty means none, and then signed messages are
	// refused, as Pyro4 does.
	Pyro4HMACKey []byte
	// Pyro4Serializers are the serializers accepted from Pyro 4 clients by
	// name, as Pyro4's SERIALIZERS_ACCEPTED ("serpent", "json", "marshal",
	// "msgpack", "pickle"); nil means the PYRO_SERIALIZERS_ACCEPTED
	// variable (comma-separated) or else Pyro4DefaultSerializers (serpent,
	// marshal and json, as Pyro4).
	Pyro4Serializers []string
	// Metrics, if set, receives the daemon's figures (package metrics):
	// connections, calls and their latency, errors, oneway queue, bytes.
	// nil counts nothing, at no cost per call, unless HTTP is set.
	Metrics metrics.Registry
	// HTTP, if set, is the host:port of an HTTP listener for operators
	// (metrics.HTTP: /metrics, /healthz, /readyz, and what is added to
	// its Mux); an empty host means 127.0.0.1. Without Metrics the
	// daemon then counts into a registry of its own
	// (metrics.NewRegistry). Off by default.
	HTTP string
	// Ready, if set, adds a condition to /readyz, which otherwise reports
	// ready while Serve runs (a name server: its store is writable).
	Ready func() error
}

// Daemon serves Go objects to Pyro clients. Create it with NewDaemon,
// connect objects with Connect, then run Serve.
type Daemon struct {
	ln          net.Listener
	hostname    string // published host name as configured (Pyro's daemon.hostname)
	host        string // published host in URIs (dotted IP unless DNSURI)
	port        int
	opts        DaemonOptions
	protos      []*served // the protocols served, the one of URIFor's URIs first
	serverFirst *served   // the protocol whose server speaks first, if any
	detectWait  time.Duration
	pressure    atomic.Int64 // until when (unix ns) detection waits only pressureWait
	log         *slog.Logger
	regMu       sync.Mutex // serialises name registration with the name server
	mu          sync.RWMutex
	objects     map[string]*object // guid → object
	internal    map[string]*object // id → a protocol's internal daemon object (Pyro 3's DaemonServant)
	byValue     map[any]string     // comparable object value → guid
	names       map[string]string  // name → guid
	conns       map[*serverConn]struct{}
	pending     *list.List                 // connections in their handshake, oldest first (at most maxPending)
	handshaking map[net.Conn]*list.Element // pending connection → its element of pending
	maxPending  int
	perHost     map[netip.Addr]int // connections per client IP, with MaxConnectionsPerHost
	maxGranted  int                // MaxConnections checked at grant (with the Validator made here), 0 = none
	granted     atomic.Int64       // connections that completed the handshake
	closed      bool
	done        chan struct{} // closed when Shutdown starts
	finished    chan struct{} // closed when Shutdown has finished
	wg          sync.WaitGroup
	serveCalled atomic.Bool
	reaperStop  chan struct{}
	// onewayInline runs oneway calls in the connection's goroutine
	// (PYRO_ONEWAY_THREADED=0) instead of its oneway worker.
	onewayInline bool
	decodeMem    *decodeMemory
	metrics      *metrics.Daemon // nil without DaemonOptions.Metrics
	http         *metrics.HTTP   // nil without DaemonOptions.HTTP
}

// NewDaemon creates a daemon listening according to opts. It does not
// serve until Serve is called, but URIs are valid from now on.
func NewDaemon(opts DaemonOptions) (*Daemon, error) {
	cfg := config.Current()
	if opts.Host == "" {
		opts.Host = cfg.Host
	}
	if opts.PortRange <= 0 {
		opts.PortRange = cfg.PortRange
	}
	if opts.MaxConnections <= 0 {
		opts.MaxConnections = cfg.MaxConnections
	}
	if opts.HandshakeTimeout == 0 {
		opts.HandshakeTimeout = seconds(cfg.HandshakeTimeout)
	}
	if opts.MaxConnectionsPerHost == 0 {
		opts.MaxConnectionsPerHost = cfg.MaxConnectionsPerHost
	}
	opts.DNSURI = opts.DNSURI || cfg.DNSURI
	opts.Compression = opts.Compression || cfg.Compression
	opts.Checksum = opts.Checksum || cfg.Checksum
	d := &Daemon{
		opts:        opts,
		objects:     map[string]*object{},
		byValue:     map[any]string{},
		names:       map[string]string{},
		conns:       map[*serverConn]struct{}{},
		pending:     list.New(),
		handshaking: map[net.Conn]*list.Element{},
		maxPending:  pendingPerConnection * min(connectionLimit(opts.MaxConnections), math.MaxInt/pendingPerConnection),
		perHost:     map[netip.Addr]int{},
		done:        make(chan struct{}),
		finished:    make(chan struct{}),
		reaperStop:  make(chan struct{}),
		log:         opts.Logger,
		internal:    map[string]*object{},
	}
	if d.log == nil {
		d.log = pyrolog.System().With(pyrolog.Source("Daemon"))
	}
	if opts.MaxDecodeMemory <= 0 {
		opts.MaxDecodeMemory = DefaultMaxDecodeMemory
	}
	d.decodeMem = newDecodeMemory(opts.MaxDecodeMemory)
	d.onewayInline = !cfg.OnewayThreaded
	if opts.Validator == nil || opts.Protocol != nil {
		// A Validator of one's own decides alone (Pyro 3 only).
		d.maxGranted = connectionLimit(opts.MaxConnections)
	}
	if opts.HTTP != "" && opts.Metrics == nil {
		opts.Metrics = metrics.NewRegistry()
		d.opts.Metrics = opts.Metrics
	}
	if opts.Metrics != nil {
		m, err := metrics.NewDaemon(opts.Metrics)
		if err != nil {
			return nil, fmt.Errorf("core: metrics: %w", err)
		}
		d.metrics = m
	}
	protos, err := protocolsFor(opts, cfg)
	if err != nil {
		return nil, err
	}
	for _, p := range protos {
		sp := &served{p: p, label: protocolLabel(p)}
		sp.ap, _ = p.(attrProtocol)
		switch p.(type) {
		case *pyro3:
			sp.gen = Pyro3
		case *pyro5:
			sp.gen = Pyro5
		case *pyro4:
			sp.gen = Pyro4
		}
		if id, name, obj := p.DaemonObject(d); obj != nil {
			o, err := newObject(obj, id, name)
			if err != nil {
				return nil, err
			}
			sp.internalID, sp.internal = id, o
			if _, taken := d.internal[id]; !taken {
				// Pyro 4's and 5's share an id: each protocol's
				// requests reach its own (sp.internal).
				d.internal[id] = o
			}
		}
		if _, ok := p.(ClientFirst); !ok {
			d.serverFirst = sp
		}
		d.protos = append(d.protos, sp)
	}
	d.detectWait = opts.DetectWait
	if d.detectWait <= 0 {
		d.detectWait = DefaultDetectWait
		if cfg.DetectWait > 0 {
			d.detectWait = seconds(cfg.DetectWait)
		}
	}
	if err := d.listen(cfg); err != nil {
		return nil, err
	}
	if opts.HTTP != "" {
		h, err := metrics.ListenHTTP(metrics.HTTPOptions{Addr: opts.HTTP, Registry: opts.Metrics, Ready: d.ready})
		if err != nil {
			d.ln.Close()
			return nil, fmt.Errorf("core: %w", err)
		}
		d.http = h
	}
	publish := opts.PublishHost
	if publish == "" {
		publish = cfg.PublishHost
	}
	if publish == "" {
		publish = opts.Host
	}
	if publish == "" {
		publish, _ = os.Hostname()
	}
	d.hostname = publish
	d.host = publishedHost(publish, opts.DNSURI)
	if opts.TransientsCleanupAge > 0 {
		go d.reaper(opts.TransientsCleanupAge)
	}
	return d, nil
}

// protocolsFor returns the protocols a daemon with opts serves.
func protocolsFor(opts DaemonOptions, cfg *config.Config) ([]Protocol, error) {
	if opts.Protocol != nil {
		return []Protocol{opts.Protocol}, nil
	}
	gens := opts.Generations
	switch {
	case gens == 0 && opts.TLS != nil:
		gens = Pyro3
	case gens == 0:
		gens = Pyro3 | Pyro4 | Pyro5
	case gens&Pyro5 != 0 && opts.TLS != nil:
		return nil, errors.New("core: Pyro 5 over TLS is not served yet")
	case gens&Pyro4 != 0 && opts.TLS != nil:
		return nil, errors.New("core: Pyro 4 over TLS is not served yet")
	}
	if rest := gens &^ (Pyro3 | Pyro4 | Pyro5); rest != 0 {
		return nil, fmt.Errorf("core: no such Pyro generations: %#x", uint8(rest))
	}
	var protos []Protocol
	if gens&Pyro3 != 0 {
		p, err := pyro3For(opts, cfg)
		if err != nil {
			return nil, err
		}
		protos = append(protos, p)
	}
	if gens&Pyro5 != 0 {
		protos = append(protos, pyro5For(opts))
	}
	if gens&Pyro4 != 0 {
		p, err := pyro4For(opts)
		if err != nil {
			return nil, err
		}
		protos = append(protos, p)
	}
	return protos, nil
}

// pendingPerConnection is the bound of connections in their handshake per
// connection allowed by MaxConnections: with the granted ones, a daemon holds
// at most 3×MaxConnections descriptors for its clients (600 with Pyro's
// default, within the usual limit of 1024 open files).
const pendingPerConnection = 2

// connectionLimit is the connection limit that MaxConnections sets (<= 0
// meaning Pyro's default, as for protocol.DefaultValidator).
func connectionLimit(maxConnections int) int {
	if maxConnections <= 0 {
		return protocol.DefaultMaxConnections
	}
	return maxConnections
}

// seconds converts a configuration item in seconds; a value <= 0 (or not a
// number) gives -1, "no limit", as does one too large for a Duration.
func seconds(s float64) time.Duration {
	if !(s > 0) || s > math.MaxInt64/float64(time.Second) {
		return -1
	}
	return time.Duration(s * float64(time.Second))
}

func (d *Daemon) listen(cfg *config.Config) error {
	if d.opts.Listener != nil {
		d.ln = d.opts.Listener
		d.port = d.ln.Addr().(*net.TCPAddr).Port
		if _, ok := d.ln.(*protocol.TLSListener); !ok && d.opts.TLS != nil {
			d.ln = protocol.NewTLSListener(d.ln, d.opts.TLS)
		}
		return nil
	}
	lc := net.ListenConfig{KeepAlive: keepAlive(cfg.SockKeepalive)}
	port := d.opts.Port
	tries := 1
	if !d.opts.NoRange {
		if port == 0 {
			port = cfg.Port
		}
		tries = max(d.opts.PortRange, 1)
	}
	var lastErr error
	for i := 0; i < tries; i++ {
		ln, err := lc.Listen(context.Background(), "tcp", net.JoinHostPort(d.opts.Host, strconv.Itoa(port+i)))
		if err == nil {
			d.ln = ln
			d.port = ln.Addr().(*net.TCPAddr).Port
			if d.opts.TLS != nil {
				d.ln = protocol.NewTLSListener(ln, d.opts.TLS)
			}
			return nil
		}
		lastErr = err
		if !errors.Is(err, syscall.EADDRINUSE) {
			break
		}
	}
	return fmt.Errorf("core: %w", compat.NewDaemonError(fmt.Sprintf("Couldn't start Pyro daemon: %v", lastErr)))
}

// publishedHost converts host to the form URIs carry: a dotted IPv4 address
// (the first one the name resolves to), or the name itself with dnsURI.
func publishedHost(host string, dnsURI bool) string {
	if dnsURI {
		return host
	}
	if ip := net.ParseIP(host); ip != nil {
		return host
	}
	addrs, err := net.LookupIP(host)
	if err != nil {
		return host
	}
	for _, a := range addrs {
		if v4 := a.To4(); v4 != nil {
			return v4.String()
		}
	}
	if len(addrs) > 0 {
		return addrs[0].String()
	}
	return host
}

// ready is the daemon's /readyz: serving, and DaemonOptions.Ready.
func (d *Daemon) ready() error {
	d.mu.RLock()
	closed := d.closed
	d.mu.RUnlock()
	switch {
	case closed:
		return errors.New("shutting down")
	case !d.serveCalled.Load():
		return errors.New("not serving yet")
	case d.opts.Ready != nil:
		return d.opts.Ready()
	}
	return nil
}

// Metrics returns the registry the daemon counts into
// (DaemonOptions.Metrics, or its own with HTTP), or nil.
func (d *Daemon) Metrics() metrics.Registry { return d.opts.Metrics }

// HTTP returns the daemon's HTTP listener (DaemonOptions.HTTP), or nil.
func (d *Daemon) HTTP() *metrics.HTTP { return d.http }

// Addr returns the address the daemon listens on.
func (d *Daemon) Addr() net.Addr { return d.ln.Addr() }

// Host returns the host published in the daemon's URIs.
func (d *Daemon) Host() string { return d.host }

// Hostname returns the published host as configured, before the
// conversion to an IP address (Pyro's daemon.hostname).
func (d *Daemon) Hostname() string { return d.hostname }

// Port returns the port the daemon listens on.
func (d *Daemon) Port() int { return d.port }

// URIFor returns the URI of a connected object, given as the object or its
// GUID.
func (d *Daemon) URIFor(objOrGUID any) (compat.URI, error) {
	guid, ok := d.lookupGUID(objOrGUID)
	if !ok {
		return compat.URI{}, ErrNotRegistered
	}
	return d.uri(guid), nil
}

// URIsFor returns the URIs of a connected object, given as the object or
// its GUID, one for each protocol the daemon serves (URIFor's first) but
// without repeats: for a daemon of Pyro 3, 4 and 5, PYRO://host:port/guid
// and PYRO:guid@host:port (the URI of Pyro 4 and Pyro 5 alike).
func (d *Daemon) URIsFor(objOrGUID any) ([]compat.URI, error) {
	guid, ok := d.lookupGUID(objOrGUID)
	if !ok {
		return nil, ErrNotRegistered
	}
	uris := make([]compat.URI, 0, len(d.protos))
	for _, sp := range d.protos {
		if u := sp.p.URI(d.host, d.port, guid); !slices.Contains(uris, u) {
			uris = append(uris, u)
		}
	}
	return uris, nil
}

func (d *Daemon) uri(guid string) compat.URI { return d.protos[0].p.URI(d.host, d.port, guid) }

func (d *Daemon) lookupGUID(objOrGUID any) (string, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if s, ok := objOrGUID.(string); ok {
		if _, known := d.objects[s]; known {
			return s, true
		}
	}
	if objOrGUID != nil && reflect.TypeOf(objOrGUID).Comparable() {
		guid, ok := d.byValue[objOrGUID]
		return guid, ok
	}
	return "", false
}

// Connect makes obj callable remotely under a new GUID and returns its URI.
// obj is an Invoker or any Go value whose exported methods are to be
// called (see the package documentation for the binding rules). With a
// name, the object can be found by PYROLOC and, if the daemon has a
// Registrar, is registered with the name server; "" makes it transient.
func (d *Daemon) Connect(obj any, name string) (compat.URI, error) {
	return d.ConnectWithGUID(context.Background(), obj, compat.NewGUID(), name)
}

// ConnectWithGUID is Connect with a chosen GUID (Pyro's setGUID), so a
// restarted server on a fixed port keeps its URIs valid.
func (d *Daemon) ConnectWithGUID(ctx context.Context, obj any, guid, name string) (compat.URI, error) {
	return d.connect(ctx, obj, guid, name, false, true)
}

// ConnectPersistent connects obj like Connect, but if the name server
// already has name registered for this daemon's address and port, the old
// GUID is reused and the registration left alone, so URIs handed out
// before a restart stay valid; such names are not unregistered on
// Shutdown. An entry for another address is replaced.
func (d *Daemon) ConnectPersistent(ctx context.Context, obj any, name string) (compat.URI, error) {
	guid := compat.NewGUID()
	register := true
	if r := d.opts.Registrar; r != nil && name != "" {
		old, err := r.Resolve(ctx, name)
		switch {
		case err == nil && old.Protocol == d.uri("").Protocol && old.Address == d.host && old.Port == d.port:
			guid, register = old.ObjectID, false
		case err == nil:
			if err := r.Unregister(ctx, name); err != nil {
				return compat.URI{}, err
			}
		}
	}
	return d.connect(ctx, obj, guid, name, true, register)
}

func (d *Daemon) connect(ctx context.Context, obj any, guid, name string, persistent, register bool) (compat.URI, error) {
	if _, ok := d.internal[guid]; ok {
		return compat.URI{}, fmt.Errorf("core: GUID %s is reserved for the daemon", guid)
	}
	o, err := newObject(obj, guid, name)
	if err != nil {
		return compat.URI{}, err
	}
	o.persistent = persistent
	if name == "" && d.opts.TransientsCleanupAge > 0 {
		o.reaped = true
		o.lastUsed.Store(time.Now().UnixNano())
	}
	uri := d.uri(guid)
	if name != "" && register && d.opts.Registrar != nil {
		d.regMu.Lock()
		err := d.opts.Registrar.Register(ctx, name, uri)
		d.regMu.Unlock()
		if err != nil {
			return compat.URI{}, err
		}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return compat.URI{}, ErrClosed
	}
	if old, ok := d.objects[guid]; ok {
		d.forgetLocked(old)
	}
	d.objects[guid] = o
	if reflect.TypeOf(obj).Comparable() {
		d.byValue[obj] = guid
	}
	if name != "" {
		d.names[name] = guid
	}
	return uri, nil
}

// ConnectFor connects obj under the object id for the clients of the
// generations gens alone, as the name server serves Pyro 5's name server
// object (Pyro.NameServer) beside Pyro 3's on one daemon: the clients of
// the other generations can neither call it nor see it in their daemon
// object's listing, it is not among Registered, and it is registered with
// no name server. It returns the URI of the object in the syntax of the
// first of those generations the daemon serves.
func (d *Daemon) ConnectFor(gens Generations, obj any, id string) (compat.URI, error) {
	if _, ok := d.internal[id]; ok {
		return compat.URI{}, fmt.Errorf("core: object id %s is reserved for the daemon", id)
	}
	o, err := newObject(obj, id, "")
	if err != nil {
		return compat.URI{}, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return compat.URI{}, ErrClosed
	}
	var uri compat.URI
	found := false
	for _, sp := range d.protos {
		if sp.gen&gens == 0 {
			continue
		}
		if sp.own == nil {
			sp.own = map[string]*object{}
		}
		sp.own[id] = o
		if !found {
			uri, found = sp.p.URI(d.host, d.port, id), true
		}
	}
	if !found {
		return compat.URI{}, fmt.Errorf("core: the daemon serves none of the generations %#x", uint8(gens))
	}
	return uri, nil
}

// ownObjects returns the objects connected with ConnectFor for the clients
// of gen, by id.
func (d *Daemon) ownObjects(gen Generations) map[string]*object {
	d.mu.RLock()
	defer d.mu.RUnlock()
	m := map[string]*object{}
	for _, sp := range d.protos {
		if sp.gen == gen {
			for id, o := range sp.own {
				m[id] = o
			}
		}
	}
	return m
}

func (d *Daemon) forgetLocked(o *object) {
	delete(d.objects, o.guid)
	if reflect.TypeOf(o.value).Comparable() && d.byValue[o.value] == o.guid {
		delete(d.byValue, o.value)
	}
	if o.name != "" && d.names[o.name] == o.guid {
		delete(d.names, o.name)
	}
}

// Disconnect removes an object (given as the object or its GUID) from the
// daemon and, if it has a name and the daemon a Registrar, unregisters the
// name. Connections stay open; further calls to the object fail with
// "unknown object ID".
func (d *Daemon) Disconnect(objOrGUID any) error {
	return d.DisconnectContext(context.Background(), objOrGUID)
}

// DisconnectContext is Disconnect with a context for the name server call.
func (d *Daemon) DisconnectContext(ctx context.Context, objOrGUID any) error {
	if s, ok := objOrGUID.(string); ok && d.internal[s] != nil {
		return nil
	}
	guid, ok := d.lookupGUID(objOrGUID)
	if !ok {
		return ErrNotRegistered
	}
	d.mu.Lock()
	o := d.objects[guid]
	if o != nil {
		d.forgetLocked(o)
	}
	d.mu.Unlock()
	if o != nil && o.name != "" && d.opts.Registrar != nil {
		d.regMu.Lock()
		defer d.regMu.Unlock()
		return d.opts.Registrar.Unregister(ctx, o.name)
	}
	return nil
}

// Registered returns GUID → name of every connected object ("" for
// transient ones); the protocols' internal daemon objects are not among
// them.
func (d *Daemon) Registered() map[string]string {
	d.mu.RLock()
	defer d.mu.RUnlock()
	m := make(map[string]string, len(d.objects))
	for g, o := range d.objects {
		m[g] = o.name
	}
	return m
}

// ResolvePYROLOC returns the GUID of the object connected under name.
func (d *Daemon) ResolvePYROLOC(name string) (string, error) {
	d.mu.RLock()
	guid, ok := d.names[name]
	d.mu.RUnlock()
	if !ok {
		return "", compat.NewNamingError("no object found by this name", name)
	}
	return guid, nil
}

// ProxyFor returns a proxy for obj, connecting it as a transient object
// first if it is not connected yet. Returning the proxy from a remote method
// (or passing it as an argument) hands the object out by reference. The
// options apply to the proxy as in NewProxy: ProxyFor(obj, WithAttrs()) is
// Pyro's getAttrProxy, a proxy through which the receiver also reads and
// sets obj's fields.
func (d *Daemon) ProxyFor(obj any, opts ...ProxyOption) (*Proxy, error) {
	uri, err := d.URIFor(obj)
	if errors.Is(err, ErrNotRegistered) {
		uri, err = d.Connect(obj, "")
	}
	if err != nil {
		return nil, err
	}
	return NewProxy(uri, opts...)
}

// Reaped is implemented by transient objects that want to know when the
// daemon disconnected them for not being used (Pyro's _gotReaped).
type Reaped interface {
	Reaped()
}

func (d *Daemon) reaper(age time.Duration) {
	t := time.NewTicker(max(age/5, time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-d.reaperStop:
			return
		case <-t.C:
			d.reapTransients(age)
		}
	}
}

func (d *Daemon) reapTransients(age time.Duration) {
	limit := time.Now().Add(-age).UnixNano()
	var reaped []*object
	d.mu.Lock()
	for _, o := range d.objects {
		if o.reaped && o.lastUsed.Load() < limit {
			d.forgetLocked(o)
			reaped = append(reaped, o)
		}
	}
	d.mu.Unlock()
	for _, o := range reaped {
		if r, ok := o.value.(Reaped); ok {
			r.Reaped()
		}
	}
}

// object returns the object a request in protocol sp names: a connected
// one, or sp's internal daemon object.
func (d *Daemon) object(guid string, sp *served) (*object, bool) {
	d.mu.RLock()
	o, ok := d.objects[guid]
	if !ok {
		o, ok = sp.own[guid]
	}
	d.mu.RUnlock()
	if !ok && guid == sp.internalID && sp.internal != nil {
		return sp.internal, true
	}
	return o, ok
}

// Serve accepts connections until ctx is done or Shutdown is called, serving
// each in its own goroutine. It returns nil after Shutdown, ctx.Err() when
// ctx ended it, or the listener's error.
func (d *Daemon) Serve(ctx context.Context) error {
	if !d.serveCalled.CompareAndSwap(false, true) {
		return errors.New("core: Serve called twice")
	}
	stop := context.AfterFunc(ctx, func() { _ = d.Shutdown(context.Background()) })
	defer stop()
	var delay time.Duration
	for {
		nc, err := d.ln.Accept()
		if err != nil {
			select {
			case <-d.done:
				if ctx.Err() != nil {
					// ctx started the shutdown: let it finish (names
					// unregistered, connections closed) before returning.
					<-d.finished
					return ctx.Err()
				}
				return nil
			default:
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) {
				// Out of descriptors or a transient failure: back off.
				delay = min(max(2*delay, 5*time.Millisecond), time.Second)
				d.log.Warn("pyro daemon: accept", "err", err, "retry", delay)
				select {
				case <-time.After(delay):
				case <-d.done:
				}
				continue
			}
			return err
		}
		delay = 0
		d.startConn(ctx, nc)
	}
}

// Run is Serve for server programs: it serves until ctx is done or the
// process receives SIGINT or SIGTERM (Pyro's requestLoop ended with Ctrl-C),
// then shuts the daemon down as Serve does, unregistering names with
// UnregisterOnShutdown. While the shutdown waits for running calls, a
// second signal ends the process. Run returns nil after a signal, ctx.Err()
// when ctx ended it, else Serve's error.
func (d *Daemon) Run(ctx context.Context) error {
	sctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	context.AfterFunc(sctx, stop) // restore the default: a second signal kills
	err := d.Serve(sctx)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if sctx.Err() != nil {
		return nil
	}
	return err
}

// Shutdown stops accepting, closes every connection, waits (until ctx is
// done) for running calls to finish and, with UnregisterOnShutdown,
// unregisters the non-persistent names from the name server.
func (d *Daemon) Shutdown(ctx context.Context) error {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return nil
	}
	d.closed = true
	close(d.done)
	close(d.reaperStop)
	conns := make([]*serverConn, 0, len(d.conns))
	for c := range d.conns {
		conns = append(conns, c)
	}
	raw := make([]net.Conn, 0, len(d.handshaking))
	for nc := range d.handshaking {
		raw = append(raw, nc)
	}
	var names []string
	for _, o := range d.objects {
		if o.name != "" && !o.persistent {
			names = append(names, o.name)
		}
	}
	d.mu.Unlock()
	defer close(d.finished)
	err := d.ln.Close()
	if errors.Is(err, net.ErrClosed) {
		err = nil
	}
	if d.http != nil {
		if herr := d.http.Shutdown(ctx); err == nil {
			err = herr
		}
	}
	for _, c := range conns {
		c.codec.Close()
	}
	for _, nc := range raw {
		nc.Close()
	}
	if d.opts.UnregisterOnShutdown && d.opts.Registrar != nil {
		for _, n := range names {
			if uerr := d.opts.Registrar.Unregister(ctx, n); uerr != nil && err == nil {
				err = uerr
			}
		}
	}
	waited := make(chan struct{})
	go func() { d.wg.Wait(); close(waited) }()
	select {
	case <-waited:
	case <-ctx.Done():
		return ctx.Err()
	}
	return err
}
