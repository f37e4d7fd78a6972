package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gopyro/gopyro/config"
	"github.com/gopyro/gopyro/ns"
	"github.com/gopyro/gopyro/ns/console"
)

const nsSpec = "hkmrvxn:p:b:c:d:s:i:1:2:"

func nsUsage(w io.Writer) {
	fmt.Fprint(w, `Usage: pyro-ns [-h] [-k] [-m] [-r] [-x] [-n hostname] [-p port] [-b bcport] [-c bcaddr]
          [-i identification] [-d [databaselocation]] [-s securitymodule]
          [-1 [host:port]] [-2 [host:port]] [-v]
  where -p = NS server port (0 for auto)
        -n = non-default hostname to bind on
        -b = NS broadcast port
        -c = NS broadcast address override (also starts the broadcast
             listener when the NS is bound to a loopback address)
        -x = do not start a broadcast listener
        -m = allow multiple instances in network segment
        -r = don't attempt to find already existing nameservers
        -k = keep running- do not respond to shutdown requests
        -d = use persistent database, provide optional storage location
             (an embedded database file; a Pyro 3 database directory there
             is imported into <location>.db)
        -s = (Python security plugins: not supported, see below)
        -i = specify the required authentication ID
        -1 = runs this NS as primary, opt. specify where secondary is
        -2 = runs this NS as secondary, opt. specify where primary is
        -v = verbose output
        -h = print this help
  Go additions:
        --idle-timeout=DURATION  drop idle connections after DURATION
                                 (default 20s, Pyro's; 0 = never)
        --allow-hosts=IP[/bits],...  only these hosts may connect (TCP and UDP)
        --deny-hosts=IP[/bits],...   these hosts may not connect
        --bcport=PORT            UDP port of Pyro 5's discovery (GET_NSURI);
                                 default PYRO_NS_BCPORT (9091), 0 = any
        --bchost=HOST            address Pyro 5's discovery binds to; default
                                 PYRO_NS_BCHOST, else all interfaces (also
                                 starts it when the NS is bound to loopback)
        --key=KEY                the HMAC key of Pyro 4 connections (Pyro4's
                                 -k/--key; or PYRO_HMAC_KEY, not both)
        --http=ADDR              serve the web console (/), /metrics,
                                 /healthz and /readyz on ADDR (host:port;
                                 127.0.0.1 without a host; default
                                 GOPYRO_HTTP, else off)
        --console-passphrase=PASS  let the console register, remove and
                                 set metadata for whoever gives PASS
                                 (default GOPYRO_CONSOLE_PASSPHRASE, else
                                 the console is read only)
        --store=STORE            memory, bolt:PATH (as -d PATH) or
                                 etcd://host:port[,host:port...]/prefix: the
                                 name space in etcd, shared by every pyro-ns
                                 on that prefix (default GOPYRO_NS_STORE)
        --fresh-if-damaged       with -d: if the database is damaged, move it
                                 aside to <file>.damaged-<UTC time> and start
                                 with an empty name space (without it, a
                                 damaged database stops pyro-ns with status 1)
`)
}

// securityModuleMessage answers -s: Python security plugins cannot run in
// the Go Name Server.
const securityModuleMessage = `pyro-ns: -s loads a Python module with NSGuard()/BCGuard() security plugins,
which the Go Name Server cannot run. Its equivalents:
  -i passphrase                 require connection authentication (Pyro's identification)
  --allow-hosts=IP[/bits],...   accept connections and broadcast requests only from these hosts
  --deny-hosts=IP[/bits],...    refuse connections and broadcast requests from these hosts
  -k                            refuse shutdown requests
Name Server was not started!`

// NameServerMain runs pyro-ns with args (without the program name), writing
// its messages to out, until ctx ends or the Name Server is shut down. It
// returns the process exit status.
func NameServerMain(ctx context.Context, args []string, out io.Writer) int {
	a := ParseArgs(args, nsSpec)
	if a.Has('h') {
		nsUsage(out)
		return 0
	}
	if a.Has('s') {
		fmt.Fprintln(out, securityModuleMessage)
		return 1
	}
	opts := ns.StartOptions{HTTP: config.Current().HTTP}
	consoleOpts := console.Options{Passphrase: os.Getenv("GOPYRO_CONSOLE_PASSPHRASE")}
	verbose := a.Has('v')
	opts.Notify = Printer(out, verbose)
	if verbose {
		opts.Logger = slog.New(slog.NewTextHandler(out, nil))
	}
	opts.Host, _ = a.Get('n')
	if v, ok := a.Get('p'); ok {
		p, err := strconv.Atoi(v)
		if err != nil {
			fmt.Fprintf(out, "invalid port %q\n", v)
			return 2
		}
		opts.Port = &p
	}
	if v, ok := a.Get('b'); ok {
		p, err := strconv.Atoi(v)
		if err != nil {
			fmt.Fprintf(out, "invalid broadcast port %q\n", v)
			return 2
		}
		opts.BCPort = p
	}
	opts.BCAddr, _ = a.Get('c')
	opts.NoBroadcast = a.Has('x')
	if a.Has('1') {
		opts.Role = ns.RolePrimary
		opts.Twin, _ = a.Get('1')
	}
	if a.Has('2') {
		opts.Role = ns.RoleSecondary
		opts.Twin, _ = a.Get('2')
	}
	opts.Identification, _ = a.Get('i')
	opts.KeepRunning = a.Has('k')
	opts.AllowMultiple = a.Has('m')
	opts.DontLookupOther = a.Has('r')
	if a.Has('d') {
		opts.Persistent = true
		opts.DBPath, _ = a.Get('d')
	}
	for name, val := range a.Long {
		switch name {
		case "idle-timeout":
			d, err := parseDuration(val)
			if err != nil {
				fmt.Fprintf(out, "invalid --idle-timeout %q: %v\n", val, err)
				return 2
			}
			opts.IdleTimeout = d
			if d == 0 {
				opts.IdleTimeout = -1
			}
		case "store":
			opts.Store = val
		case "allow-hosts":
			opts.AllowHosts = strings.Split(val, ",")
		case "deny-hosts":
			opts.DenyHosts = strings.Split(val, ",")
		case "bcport":
			p, err := strconv.Atoi(val)
			if err != nil {
				fmt.Fprintf(out, "invalid --bcport %q\n", val)
				return 2
			}
			opts.BCPort5 = &p
		case "bchost":
			opts.BCHost5 = val
		case "fresh-if-damaged":
			opts.FreshIfDamaged = true
		case "http":
			opts.HTTP = val
		case "console-passphrase":
			consoleOpts.Passphrase = val
		case "key":
			opts.Pyro4HMACKey = []byte(val)
		default:
			a.Ignored = append(a.Ignored, "-"+name)
		}
	}
	if env, ok := os.LookupEnv("PYRO_HMAC_KEY"); ok {
		if opts.Pyro4HMACKey != nil {
			fmt.Fprintln(out, "error: don't use --key and PYRO_HMAC_KEY at the same time")
			return 1
		}
		opts.Pyro4HMACKey = []byte(env)
	}
	a.PrintIgnored(out)
	if len(a.Args) > 0 {
		fmt.Fprintln(out, "Ignored arguments:", strings.Join(a.Args, " "))
	}
	fmt.Fprintln(out, "*** Pyro Name Server ***")
	in, err := ns.Start(ctx, opts)
	if err != nil {
		var damaged *ns.DamagedStoreError
		if errors.As(err, &damaged) {
			fmt.Fprintln(out, "(--fresh-if-damaged moves it aside and starts with an empty name space.)")
		}
		if verbose {
			fmt.Fprintln(out, err)
		}
		return 1
	}
	if h := in.Daemon().HTTP(); h != nil {
		console.Mount(h.Mux, in.Server(), consoleOpts)
		fmt.Fprintf(out, "HTTP on http://%s/ (console, metrics, health)\n", h.Addr())
	}
	if err := in.Serve(ctx); err != nil && ctx.Err() == nil {
		fmt.Fprintln(out, "Name Server stopped:", err)
		return 1
	}
	if ctx.Err() != nil {
		fmt.Fprintln(out, "Shutting down on user break signal.")
	}
	fmt.Fprintln(out, "Name Server gracefully stopped.")
	return 0
}

// parseDuration accepts Go durations ("20s") and plain seconds ("20").
func parseDuration(s string) (time.Duration, error) {
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return time.Duration(f * float64(time.Second)), nil
	}
	return time.ParseDuration(s)
}
