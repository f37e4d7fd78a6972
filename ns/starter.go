package ns

import (
	"context"
	"errors"
	"fmt"
	"io"
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
	// NoBroadcast disables the broadcast listener (-x).
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
	// Out receives Pyro's start-up messages; nil discards them.
	Out io.Writer
	// Verbose prints more (-v).
	Verbose bool
}

// Instance is a running Name Server: daemon, name space, broadcast
// listener and URI file.
type Instance struct {
	opts    StartOptions
	cfg     *config.Config
	out     io.Writer
	daemon  *core.Daemon
	store   Store
	ns      *Namespace
	server  *Server
	bc      *BroadcastServer
	uri     compat.URI
	dbfile  string
	log     *slog.Logger // with -v
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
	out := opts.Out
	if out == nil {
		out = io.Discard
	}
	in := &Instance{opts: opts, cfg: cfg, out: out, stop: make(chan struct{})}
	if err := cfg.EnsureStorage(); err != nil {
		fmt.Fprintln(out, err)
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
			fmt.Fprintln(out, "The Name Server appears to be already running on this segment.")
			fmt.Fprintf(out, "(host: %s  port: %d)\n", other.Address, other.Port)
			switch {
			case opts.AllowMultiple:
				fmt.Fprintln(out, "WARNING: starting another Name Server in the same segment!")
			case opts.Role != RoleSingle:
			default:
				fmt.Fprintln(out, ErrAlreadyRunning.Error())
				return nil, ErrAlreadyRunning
			}
			twinURI = &other
		}
	}
	var twin TwinClient
	if opts.Role != RoleSingle {
		fmt.Fprintln(out, "Locating twin NameServer.")
		twin = in.locateTwin(ctx, twinURI)
		if twin != nil {
			fmt.Fprintf(out, "Found twin NameServer at %s port %d\n", twin.URI().Address, twin.URI().Port)
		}
	}

	idle := opts.IdleTimeout
	if idle == 0 {
		idle = DefaultIdleTimeout
	} else if idle < 0 {
		idle = 0
	}
	dopts := core.DaemonOptions{Host: opts.Host, Port: port, NoRange: true, IdleTimeout: idle}
	if opts.Verbose {
		in.log = slog.New(slog.NewTextHandler(out, nil))
		dopts.Logger = in.log
	}
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
	// The store first: nobody may connect to a Name Server that then
	// finds it cannot read its database.
	if err := in.openStore(); err != nil {
		return nil, err
	}
	d, err := core.NewDaemon(dopts)
	if err != nil {
		if in.store != nil {
			in.store.Close()
		}
		fmt.Fprintln(out, "The Name Server appears to be already running on this host.")
		fmt.Fprintf(out, "(or somebody else occupies our port, %d)\n", port)
		if opts.Host != "" {
			fmt.Fprintf(out, "It could also be that the address '%s' is not correct.\n", opts.Host)
		}
		fmt.Fprintln(out, "Name Server was not started!")
		return nil, err
	}
	in.daemon = d
	if opts.Identification != "" {
		fmt.Fprintln(out, "Requiring connection authentication.")
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
		if opts.Verbose {
			fmt.Fprintln(out, "Will ignore shutdown requests.")
		}
	} else {
		if opts.Verbose {
			fmt.Fprintln(out, "Will accept shutdown requests.")
		}
		fmt.Fprintf(out, "Name server listening on: ('%s', %d)\n", addrHost(d.Addr()), d.Port())
		if in.bc != nil {
			a := in.bc.Addr().(*net.UDPAddr)
			fmt.Fprintf(out, "Broadcast server listening on: ('%s', %d)\n", a.IP, a.Port)
		}
	}
	in.publishURI()
	if opts.Persistent && opts.Verbose {
		fmt.Fprintln(out, "Persistent mode, database is in", in.dbfile)
	}
	switch opts.Role {
	case RolePrimary:
		fmt.Fprint(out, "Primary ")
	case RoleSecondary:
		fmt.Fprint(out, "Secondary ")
	}
	fmt.Fprintln(out, "Name Server started.")
	if opts.Role != RoleSingle {
		if twin == nil {
			fmt.Fprintln(out, "Locating twin NameServer again.")
			twin = in.locateTwin(ctx, twinURI)
		}
		if twin != nil {
			fmt.Fprintf(out, "Found twin NameServer at %s port %d\n", twin.URI().Address, twin.URI().Port)
			fmt.Fprintf(out, "Initial Resync with other NS at %s port %d\n", twin.URI().Address, twin.URI().Port)
			if err := in.server.ResyncWith(ctx, twin); err != nil {
				fmt.Fprintln(out, err)
				twin.Close()
			} else {
				fmt.Fprintln(out, "Database synchronized.")
			}
		}
	}
	return in, nil
}

func addrHost(a net.Addr) string {
	if t, ok := a.(*net.TCPAddr); ok {
		return t.IP.String()
	}
	h, _, _ := net.SplitHostPort(a.String())
	return h
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
		fmt.Fprintln(in.out, "WARNING: Cannot find twin NS yet: ", err)
		return nil
	}
	c, err := ProxyTwinDialer(in.opts.Identification)(ctx, uri)
	if err != nil {
		fmt.Fprintln(in.out, "WARNING: Cannot find twin NS yet: ", err)
		return nil
	}
	return c
}

// openStore opens the store (with Persistent) and loads the name space
// from it. A damaged database is moved aside and replaced by a fresh one
// with FreshIfDamaged, else reported.
func (in *Instance) openStore() error {
	nsOpts := Options{DefaultGroup: in.cfg.NSDefaultGroup, ResolveHost: resolveHost(in.cfg.DNSURI)}
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
			fmt.Fprintln(in.out, "Cannot move the damaged name server database aside:", merr)
			return merr
		}
		fmt.Fprintf(in.out, "The name server database was damaged (%v); it was moved to %s, starting afresh.\n", damaged.Err, aside)
		err = in.loadStore(path, nsOpts)
	}
	if err != nil {
		if errors.As(err, &damaged) {
			err = damaged // without the wrapping that says where it was found
		}
		fmt.Fprintln(in.out, "Cannot open the name server database:", err)
		return err
	}
	if in.opts.Verbose {
		fmt.Fprintf(in.out, "Database %s opened in %v\n", in.dbfile, time.Since(start).Round(time.Millisecond))
	}
	return nil
}

// loadStore opens the persistent store at path and loads the name space.
func (in *Instance) loadStore(path string, nsOpts Options) error {
	st, dbfile, imported, err := OpenPersistentStore(path)
	if err != nil {
		return err
	}
	if imported > 0 {
		fmt.Fprintf(in.out, "Imported %d groups and names from the Pyro 3 database %s into %s\n", imported, path, dbfile)
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
	if in.log != nil {
		in.server.SetLogger(in.log)
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

func (in *Instance) startBroadcast(bcaddr string, bcport int) error {
	if in.opts.NoBroadcast {
		if in.opts.Verbose {
			fmt.Fprintln(in.out, "Not starting broadcast server.")
		}
		return nil
	}
	if isLoopbackHost(in.daemon.Host()) && in.opts.BCAddr == "" {
		fmt.Fprintln(in.out, "Not starting broadcast server: the Name Server is bound to a loopback address.")
		fmt.Fprintln(in.out, "(Give -c <broadcast address>, e.g. -c 127.255.255.255, to start it anyway.)")
		return nil
	}
	if isLoopbackHost(in.daemon.Host()) {
		fmt.Fprintf(in.out, "Starting broadcast server on %s although the Name Server is bound to a loopback address (asked with -c).\n", bcaddr)
	}
	var allow func(string, net.Addr) bool
	if len(in.opts.AllowHosts) > 0 || len(in.opts.DenyHosts) > 0 {
		hv, err := newHostValidator(in.opts.AllowHosts, in.opts.DenyHosts, nil)
		if err != nil {
			return err
		}
		allow = func(_ string, from net.Addr) bool { return hv.allowed(from) }
	}
	bc, err := ListenBroadcast(bcaddr, bcport, BroadcastOptions{
		URI: in.uri.String(), KeepRunning: in.opts.KeepRunning, Shutdown: in.Shutdown, Allow: allow,
	})
	if err != nil {
		fmt.Fprintln(in.out, "Cannot start broadcast server. Is somebody else occupying our broadcast port?")
		fmt.Fprintln(in.out, "The error(s) were:", err)
		fmt.Fprintln(in.out, "\nName Server was not started!")
		return compat.NewNamingError("cannot start broadcast server")
	}
	in.bc = bc
	return nil
}

// publishURI prints the URI and writes it to PYRO_NS_URIFILE.
func (in *Instance) publishURI() {
	s := in.uri.String()
	fmt.Fprintln(in.out, "URI is:", s)
	if err := os.WriteFile(in.cfg.NSURIFile, []byte(s+"\n"), 0o644); err != nil {
		fmt.Fprintln(in.out, "Couldn't write URI to", in.cfg.NSURIFile)
		return
	}
	fmt.Fprintln(in.out, "URI written to:", in.cfg.NSURIFile)
}

// URI returns the Name Server's URI.
func (in *Instance) URI() compat.URI { return in.uri }

// Namespace returns the served name space.
func (in *Instance) Namespace() *Namespace { return in.ns }

// Server returns the remote Name Server object.
func (in *Instance) Server() *Server { return in.server }

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
	errc := make(chan error, 2)
	go func() { errc <- in.daemon.Serve(sctx) }()
	if in.bc != nil {
		go func() { errc <- in.bc.Serve(sctx) }()
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
	if in.bc != nil {
		in.bc.Close()
	}
	err := in.daemon.Shutdown(sctx)
	if in.store != nil {
		if cerr := in.store.Close(); err == nil {
			err = cerr
		}
	}
	return err
}
