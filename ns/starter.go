package ns

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/config"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/metrics"
)

// DefaultIdleTimeout is how long the Name Server keeps an idle client
// connection: Pyro's fixed 20 seconds.
const DefaultIdleTimeout = 20 * time.Second

// guidSetting is the store setting holding the Name Server's GUID.
const guidSetting = "guid"

// StartOptions configure a Name Server started with Start. They mirror the
// options of pyro-ns.
type StartOptions struct {
	// Host to listen on (-n); "" = PYRO_HOST.
	Host string
	// Port (-p): nil means PYRO_NS_PORT (PYRO_NS2_PORT for a secondary);
	// 0 chooses a free port.
	Port *int
	// BCPort is the UDP broadcast port (-b); 0 means PYRO_NS_BC_PORT
	// (PYRO_NS2_BC_PORT for a secondary).
	BCPort int
	// BCAddr is the broadcast listener's bind address (-c); "" means the
	// configured one, else all interfaces.
	BCAddr string
	// BCPort5 is the UDP port of Pyro 5's discovery (pyro-ns --bcport,
	// Pyro5's option); nil means PYRO_NS_BCPORT (9091), 0 a free port.
	BCPort5 *int
	// BCHost5 is the address Pyro 5's discovery listener binds to
	// (--bchost); "" means PYRO_NS_BCHOST, else all interfaces. On a
	// Name Server bound to a loopback address the listener starts only
	// when one of them is set.
	BCHost5 string
	// Pyro4HMACKey is the HMAC key of Pyro 4 connections (pyro-ns --key
	// or PYRO_HMAC_KEY, as Pyro4's name server's -k/--key); nil for none.
	// Pyro 3 and Pyro 5 have no HMAC: their clients are served without.
	Pyro4HMACKey []byte
	// NoBroadcast disables the broadcast listeners, Pyro 3's and Pyro
	// 5's (-x).
	NoBroadcast bool
	// KeepRunning refuses shutdown requests (-k).
	KeepRunning bool
	// AllowMultiple starts even if another Name Server answers (-m).
	AllowMultiple bool
	// DontLookupOther skips looking for another Name Server (-r).
	DontLookupOther bool
	// Persistent keeps the name space in a database (-d); DBPath is the
	// database (relative to PYRO_STORAGE; "" = Pyro_NS_database). A
	// directory there is a Pyro 3 database, imported into DBPath+".db".
	Persistent bool
	DBPath     string
	// Store names the store: "memory", "bolt:PATH" (as -d PATH) or
	// etcd://host:port[,host:port...]/prefix (an EtcdStore shared by every
	// front end on that prefix); "" means GOPYRO_NS_STORE, else as
	// Persistent says.
	Store string
	// FreshIfDamaged starts with an empty name space (or the Pyro 3
	// database imported afresh) when the database is damaged, after moving
	// the damaged file aside to <file>.damaged-<UTC time>. Without it a
	// damaged database stops Start with a *DamagedStoreError.
	FreshIfDamaged bool
	// Identification is the passphrase required from clients (-i).
	Identification string
	// Role and Twin (-1/-2 [host:port]) set paired mode.
	Role Role
	Twin string
	// IdleTimeout closes idle connections; 0 means DefaultIdleTimeout,
	// negative never.
	IdleTimeout time.Duration
	// AllowHosts and DenyHosts restrict who may connect (TCP and UDP):
	// IP addresses or CIDR prefixes. Empty AllowHosts allows all.
	AllowHosts, DenyHosts []string
	// Config supplies defaults; nil means config.Current().
	Config *config.Config
	// Notify, if set, is told what Start finds and does (see Notice);
	// ns/cli prints Pyro's messages for them.
	Notify func(Notice)
	// Logger, if set, receives the daemon's and the name server's log
	// (pyro-ns -v).
	Logger *slog.Logger
	// Metrics, if set, receives the daemon's and the name server's
	// figures (package metrics).
	Metrics metrics.Registry
	// HTTP, if set, is the address of the operator's HTTP listener
	// (core.DaemonOptions.HTTP); its /readyz also checks that the name
	// space can still be changed (no store commit has failed).
	HTTP string
}

// Instance is a running Name Server: daemon, name space, broadcast
// listener and URI file.
type Instance struct {
	opts    StartOptions
	cfg     *config.Config
	daemon  *core.Daemon
	store   Store
	ns      *Namespace
	server  *Server
	bc      *BroadcastServer
	bc5     *BroadcastServer // Pyro 5's discovery, nil when not started
	uri     compat.URI
	uri5    compat.URI // Pyro 5's name server object, zero when Pyro 5 is not served
	dbfile  string
	stop    chan struct{}
	stopped sync.Once
}

// ErrAlreadyRunning is returned by Start when another Name Server answers
// and neither AllowMultiple nor paired mode is set.
var ErrAlreadyRunning = errors.New("Cannot start multiple Name Servers in the same network segment.")

// Start starts a Name Server as Pyro's NameServerStarter.initialize: it
// looks for another one (unless DontLookupOther), opens the store and
// loads the name space, then listens and serves the name server object, registers it as :Pyro.NameServer, writes the URI
// file and starts the broadcast listener. Call Serve to run it.
func Start(ctx context.Context, opts StartOptions) (*Instance, error) {
	cfg := opts.Config
	if cfg == nil {
		cfg = config.Current()
	}
	if opts.HTTP != "" && opts.Metrics == nil {
		opts.Metrics = metrics.NewRegistry()
	}
	in := &Instance{opts: opts, cfg: cfg, stop: make(chan struct{})}
	if err := cfg.EnsureStorage(); err != nil {
		in.notify(Notice{Kind: NoticeStorageError, Err: err})
		return nil, err
	}
	port := cfg.NSPort
	bcport, bcaddr := cfg.NSBCPort, cfg.NSBCAddr
	if opts.Role == RoleSecondary {
		port, bcport, bcaddr = cfg.NS2Port, cfg.NS2BCPort, cfg.NS2BCAddr
	}
	if opts.Port != nil {
		port = *opts.Port
	}
	if opts.BCPort != 0 {
		bcport = opts.BCPort
	}
	if opts.BCAddr != "" {
		bcaddr = opts.BCAddr
	}

	var twinURI *compat.URI
	if !opts.DontLookupOther {
		quick := *cfg
		quick.BCRetries, quick.BCTimeout = 1, 0.7
		other, err := LocateURI(ctx, LocateOptions{BCAddr: bcaddr, Config: &quick, Identification: opts.Identification})
		if err == nil {
			in.notify(Notice{Kind: NoticeOtherRunning, URI: other})
			switch {
			case opts.AllowMultiple:
				in.notify(Notice{Kind: NoticeStartingAnother})
			case opts.Role != RoleSingle:
			default:
				in.notify(Notice{Kind: NoticeAlreadyRunning, Err: ErrAlreadyRunning})
				return nil, ErrAlreadyRunning
			}
			twinURI = &other
		}
	}
	var twin TwinClient
	if opts.Role != RoleSingle {
		in.notify(Notice{Kind: NoticeLocatingTwin})
		twin = in.locateTwin(ctx, twinURI)
		if twin != nil {
			in.notify(Notice{Kind: NoticeFoundTwin, URI: twin.URI()})
		}
	}

	idle := opts.IdleTimeout
	if idle == 0 {
		idle = DefaultIdleTimeout
	} else if idle < 0 {
		idle = 0
	}
	dopts := core.DaemonOptions{Host: opts.Host, Port: port, NoRange: true, IdleTimeout: idle}
	dopts.Logger = opts.Logger
	dopts.Metrics = opts.Metrics
	dopts.HTTP = opts.HTTP
	dopts.Pyro4HMACKey = opts.Pyro4HMACKey
	if opts.Identification != "" {
		dopts.Identifications = []string{opts.Identification}
	}
	if len(opts.AllowHosts) > 0 || len(opts.DenyHosts) > 0 {
		hv, err := newHostValidator(opts.AllowHosts, opts.DenyHosts, dopts.Identifications)
		if err != nil {
			return nil, err
		}
		dopts.Validator = hv
	}
	if !opts.servesPyro5() {
		dopts.Generations = core.Pyro3
	}
	// The store first: nobody may connect to a Name Server that then
	// finds it cannot read its database.
	if err := in.openStore(); err != nil {
		return nil, err
	}
	dopts.Ready = in.ns.Healthy
	d, err := core.NewDaemon(dopts)
	if err != nil {
		if in.store != nil {
			in.store.Close()
		}
		in.notify(Notice{Kind: NoticePortTaken, Host: opts.Host, Port: port, Err: err})
		return nil, err
	}
	in.daemon = d
	if opts.Identification != "" {
		in.notify(Notice{Kind: NoticeAuthentication})
	}
	if err := in.serveObject(ctx); err != nil {
		in.closeAll()
		return nil, err
	}
	if err := in.startBroadcast(bcaddr, bcport); err != nil {
		in.closeAll()
		return nil, err
	}
	if opts.KeepRunning {
		in.notify(Notice{Kind: NoticeIgnoreShutdown})
	} else {
		in.notify(Notice{Kind: NoticeAcceptShutdown})
		in.notify(Notice{Kind: NoticeListening, Addr: d.Addr()})
		if in.bc != nil {
			in.notify(Notice{Kind: NoticeBroadcastListening, Addr: in.bc.Addr()})
		}
		if in.bc5 != nil {
			in.notify(Notice{Kind: NoticeBroadcast5Listening, Addr: in.bc5.Addr()})
		}
	}
	in.publishURI()
	if opts.Persistent {
		in.notify(Notice{Kind: NoticePersistent, Path: in.dbfile})
	}
	in.notify(Notice{Kind: NoticeStarted, Role: opts.Role})
	if opts.Role != RoleSingle {
		if twin == nil {
			in.notify(Notice{Kind: NoticeLocatingTwinAgain})
			twin = in.locateTwin(ctx, twinURI)
		}
		if twin != nil {
			in.notify(Notice{Kind: NoticeFoundTwin, URI: twin.URI()})
			in.notify(Notice{Kind: NoticeResyncing, URI: twin.URI()})
			if err := in.server.ResyncWith(ctx, twin); err != nil {
				in.notify(Notice{Kind: NoticeResyncFailed, Err: err})
				twin.Close()
			} else {
				in.notify(Notice{Kind: NoticeSynchronized})
			}
		}
	}
	return in, nil
}

// servesPyro5 reports whether the Name Server serves Pyro 4 and Pyro 5
// clients too: not with an identification or host rules, which are Pyro
// 3's and which a Pyro 4 or 5 client would pass by.
func (o StartOptions) servesPyro5() bool {
	return o.Identification == "" && len(o.AllowHosts) == 0 && len(o.DenyHosts) == 0
}

// locateTwin finds the other Name Server of a pair as Pyro's locateTwinNS:
// at the given host:port, else where the look-up found one, else by
// broadcast on the twin's broadcast port.
func (in *Instance) locateTwin(ctx context.Context, found *compat.URI) TwinClient {
	quick := *in.cfg
	quick.BCRetries, quick.BCTimeout = 1, 1
	lo := LocateOptions{Config: &quick, Identification: in.opts.Identification, NoFallback: true}
	switch {
	case in.opts.Twin != "":
		host, port, _ := strings.Cut(in.opts.Twin+":", ":")
		lo.Host = host
		lo.Port, _ = strconv.Atoi(strings.TrimSuffix(port, ":"))
	case found != nil:
		lo.Host, lo.Port = found.Address, found.Port
	case in.opts.Role == RolePrimary:
		lo.Port = in.cfg.NS2BCPort
	default:
		lo.Port = in.cfg.NSBCPort
	}
	uri, err := LocateURI(ctx, lo)
	if err != nil {
		in.notify(Notice{Kind: NoticeTwinNotFound, Err: err})
		return nil
	}
	c, err := ProxyTwinDialer(in.opts.Identification)(ctx, uri)
	if err != nil {
		in.notify(Notice{Kind: NoticeTwinNotFound, Err: err})
		return nil
	}
	return c
}

// openStore opens the store (with Persistent) and loads the name space
// from it. A damaged database is moved aside and replaced by a fresh one
// with FreshIfDamaged, else reported.
func (in *Instance) openStore() error {
	nsOpts := Options{DefaultGroup: in.cfg.NSDefaultGroup, ResolveHost: resolveHost(in.cfg.DNSURI), Metrics: in.opts.Metrics}
	if done, err := in.openNamedStore(nsOpts); done {
		return err
	}
	if !in.opts.Persistent {
		nsp, err := NewNamespace(nsOpts)
		in.ns = nsp
		return err
	}
	path := in.opts.DBPath
	if path == "" {
		path = "Pyro_NS_database"
	}
	if !filepath.IsAbs(path) {
		path = filepath.Join(in.cfg.Storage, path)
	}
	start := time.Now()
	err := in.loadStore(path, nsOpts)
	var damaged *DamagedStoreError
	if errors.As(err, &damaged) && in.opts.FreshIfDamaged {
		aside, merr := moveAside(damaged.Path)
		if merr != nil {
			in.notify(Notice{Kind: NoticeCannotMoveAside, Err: merr})
			return merr
		}
		in.notify(Notice{Kind: NoticeMovedAside, Path: aside, Err: damaged.Err})
		err = in.loadStore(path, nsOpts)
	}
	if err != nil {
		if errors.As(err, &damaged) {
			err = damaged // without the wrapping that says where it was found
		}
		in.notify(Notice{Kind: NoticeCannotOpenDatabase, Err: err})
		return err
	}
	in.notify(Notice{Kind: NoticeDatabaseOpened, Path: in.dbfile, Took: time.Since(start)})
	return nil
}

// loadStore opens the persistent store at path and loads the name space.
func (in *Instance) loadStore(path string, nsOpts Options) error {
	st, dbfile, imported, err := OpenPersistentStore(path)
	if err != nil {
		return err
	}
	if imported > 0 {
		in.notify(Notice{Kind: NoticeImported, Count: imported, From: path, Path: dbfile})
	}
	nsOpts.Store = st
	nsp, err := NewNamespace(nsOpts)
	if err != nil {
		st.Close()
		return err
	}
	in.store, in.dbfile, in.ns = st, dbfile, nsp
	return nil
}

// moveAside renames the damaged file at path to path.damaged-<UTC time>
// (with a counter if that exists) and returns the new name.
func moveAside(path string) (string, error) {
	base := path + ".damaged-" + time.Now().UTC().Format("20060102T150405Z")
	aside := base
	for i := 2; ; i++ {
		if _, err := os.Lstat(aside); errors.Is(err, os.ErrNotExist) {
			break
		}
		aside = fmt.Sprintf("%s-%d", base, i)
	}
	if err := os.Rename(path, aside); err != nil {
		return "", err
	}
	return aside, nil
}

// guid returns the Name Server's GUID: the stored one, else the object id
// of an imported :Pyro.NameServer registration, else a new one (stored).
func (in *Instance) guid() (string, error) {
	if in.store == nil {
		return compat.NewGUID(), nil
	}
	if g, ok, err := in.store.Setting(guidSetting); err != nil || ok {
		return g, err
	}
	g := compat.NewGUID()
	if u, err := in.ns.Resolve(NameServerName); err == nil && in.opts.Persistent && u.ObjectID != "" {
		g = u.ObjectID
	}
	return g, in.store.SetSetting(guidSetting, g)
}

func (in *Instance) serveObject(ctx context.Context) error {
	nsp := in.ns
	in.server = NewServer(nsp, ServerOptions{
		KeepRunning: in.opts.KeepRunning, Shutdown: in.Shutdown, Role: in.opts.Role,
		Identification: in.opts.Identification, SelfURI: func() compat.URI { return in.uri },
		PersistentDump: in.opts.Persistent,
	})
	in.server.SetTwinDialer(ProxyTwinDialer(in.opts.Identification))
	if in.opts.Logger != nil {
		in.server.SetLogger(in.opts.Logger)
	}
	guid, err := in.guid()
	if err != nil {
		return err
	}
	uri, err := in.daemon.ConnectWithGUID(ctx, in.server.Invoker(), guid, NameServerName)
	if err != nil {
		return err
	}
	in.uri = uri
	if in.opts.servesPyro5() {
		self := compat.URI{Protocol: "PYRO", Address: in.daemon.Host(), Port: in.daemon.Port(), ObjectID: Pyro5ObjectID, Style: compat.Pyro5Style}
		if in.uri5, err = in.daemon.ConnectFor(core.Pyro5, NewServer5(nsp, self), Pyro5ObjectID); err != nil {
			return err
		}
		if _, err = in.daemon.ConnectFor(core.Pyro4, NewServer4(nsp, self), Pyro5ObjectID); err != nil {
			return err
		}
	}
	if old, err := nsp.Resolve(NameServerName); err == nil {
		if old == uri {
			return nil
		}
		if err := nsp.Unregister(NameServerName); err != nil {
			return err
		}
	}
	if err := nsp.CreateGroup(PyroGroup); err != nil && !isNamingError(err) {
		return err
	}
	return nsp.Register(NameServerName, uri)
}

// resolveHost turns host names in registered URI strings into IPv4
// addresses, as Pyro does unless PYRO_DNS_URI is set.
func resolveHost(dnsURI bool) func(string) (string, error) {
	if dnsURI {
		return nil
	}
	return func(host string) (string, error) {
		if ip := net.ParseIP(host); ip != nil {
			return host, nil
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		ips, err := net.DefaultResolver.LookupIP(ctx, "ip4", host)
		if err != nil || len(ips) == 0 {
			return "", fmt.Errorf("unknown host %s", host)
		}
		return ips[0].String(), nil
	}
}

func isLoopbackHost(h string) bool {
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// startBroadcast starts the broadcast listeners: Pyro 3's, and Pyro 5's
// when Pyro 5 clients are served.
func (in *Instance) startBroadcast(bcaddr string, bcport int) error {
	if in.opts.NoBroadcast {
		in.notify(Notice{Kind: NoticeNoBroadcast})
		return nil
	}
	var allow func(string, net.Addr) bool
	if len(in.opts.AllowHosts) > 0 || len(in.opts.DenyHosts) > 0 {
		hv, err := newHostValidator(in.opts.AllowHosts, in.opts.DenyHosts, nil)
		if err != nil {
			return err
		}
		allow = func(_ string, from net.Addr) bool { return hv.allowed(from) }
	}
	if err := in.startBroadcast3(bcaddr, bcport, allow); err != nil {
		return err
	}
	return in.startBroadcast5()
}

// startBroadcast5 starts Pyro 5's discovery listener (GET_NSURI), as
// Pyro5's name server does: not on a loopback address unless told where.
func (in *Instance) startBroadcast5() error {
	uri5, ok := in.URI5()
	if !ok {
		return nil
	}
	host := in.opts.BCHost5
	if host == "" {
		host = in.cfg.NS5BCHost
	}
	if host == "" && isLoopbackHost(in.daemon.Host()) {
		return nil
	}
	port := in.cfg.NS5BCPort
	if in.opts.BCPort5 != nil {
		port = *in.opts.BCPort5
	}
	bc, err := ListenBroadcast5(host, port, uri5.String())
	if err != nil {
		in.notify(Notice{Kind: NoticeBroadcastFailed, Err: err})
		return compat.NewNamingError("cannot start broadcast server")
	}
	in.bc5 = bc
	return nil
}

func (in *Instance) startBroadcast3(bcaddr string, bcport int, allow func(string, net.Addr) bool) error {
	if isLoopbackHost(in.daemon.Host()) && in.opts.BCAddr == "" {
		in.notify(Notice{Kind: NoticeLoopbackNoBroadcast})
		return nil
	}
	if isLoopbackHost(in.daemon.Host()) {
		in.notify(Notice{Kind: NoticeLoopbackBroadcast, Host: bcaddr})
	}
	bc, err := ListenBroadcast(bcaddr, bcport, BroadcastOptions{
		URI: in.uri.String(), KeepRunning: in.opts.KeepRunning, Shutdown: in.Shutdown, Allow: allow,
	})
	if err != nil {
		in.notify(Notice{Kind: NoticeBroadcastFailed, Err: err})
		return compat.NewNamingError("cannot start broadcast server")
	}
	in.bc = bc
	return nil
}

// publishURI tells the URI and writes it to PYRO_NS_URIFILE.
func (in *Instance) publishURI() {
	s := in.uri.String()
	in.notify(Notice{Kind: NoticeURI, URI: in.uri})
	if u, ok := in.URI5(); ok {
		in.notify(Notice{Kind: NoticeURI5, URI: u})
	}
	if err := os.WriteFile(in.cfg.NSURIFile, []byte(s+"\n"), 0o644); err != nil {
		in.notify(Notice{Kind: NoticeURIFileFailed, Path: in.cfg.NSURIFile, Err: err})
		return
	}
	in.notify(Notice{Kind: NoticeURIWritten, Path: in.cfg.NSURIFile})
}

// URI returns the Name Server's URI.
func (in *Instance) URI() compat.URI { return in.uri }

// URI5 returns the URI of Pyro 5's name server object
// (PYRO:Pyro.NameServer@host:port), and false when Pyro 5 clients are not
// served (with Identification, AllowHosts or DenyHosts, which bind Pyro 3
// clients only).
func (in *Instance) URI5() (compat.URI, bool) { return in.uri5, in.uri5.Protocol != "" }

// Namespace returns the served name space.
func (in *Instance) Namespace() *Namespace { return in.ns }

// Daemon returns the daemon serving the Name Server object.
func (in *Instance) Daemon() *core.Daemon { return in.daemon }

// Server returns the remote Name Server object.
func (in *Instance) Server() *Server { return in.server }

// Broadcast5Addr returns the address of Pyro 5's discovery listener (nil
// if none).
func (in *Instance) Broadcast5Addr() net.Addr {
	if in.bc5 == nil {
		return nil
	}
	return in.bc5.Addr()
}

// BroadcastAddr returns the broadcast listener's address (nil if none).
func (in *Instance) BroadcastAddr() net.Addr {
	if in.bc == nil {
		return nil
	}
	return in.bc.Addr()
}

// Shutdown makes Serve return (also called by accepted shutdown requests).
func (in *Instance) Shutdown() { in.stopped.Do(func() { close(in.stop) }) }

// Serve runs the Name Server until ctx ends or Shutdown is called, then
// stops the daemon and closes the store.
func (in *Instance) Serve(ctx context.Context) error {
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 3)
	go func() { errc <- in.daemon.Serve(sctx) }()
	for _, bc := range []*BroadcastServer{in.bc, in.bc5} {
		if bc != nil {
			go func() { errc <- bc.Serve(sctx) }()
		}
	}
	var err error
	select {
	case <-ctx.Done():
	case <-in.stop:
	case err = <-errc:
	}
	cancel()
	if cerr := in.closeAll(); err == nil {
		err = cerr
	}
	return err
}

func (in *Instance) closeAll() error {
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, bc := range []*BroadcastServer{in.bc, in.bc5} {
		if bc != nil {
			bc.Close()
		}
	}
	err := in.daemon.Shutdown(sctx)
	in.ns.Close()
	if in.store != nil {
		if cerr := in.store.Close(); err == nil {
			err = cerr
		}
	}
	return err
}
