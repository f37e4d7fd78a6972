// Command pyro-es is a drop-in replacement for Pyro 3's event server
// (pyro-es / python -m Pyro.EventService.Server).
//
//	pyro-es [-h] [-n hostname] [-p port] [-N] [-i identification] [--http=ADDR]
//
// It registers the event service as :Pyro.EventService in the name server
// found as Pyro's locator finds it (PYRO_NS_HOSTNAME / PYRO_NS_PORT, else
// broadcast), unless -N, and serves it
// until interrupted, then unregisters it. PYRO_ES_QUEUESIZE and
// PYRO_ES_BLOCKQUEUE configure the per-subscriber queues as in Pyro.
// --http=ADDR (or GOPYRO_HTTP) serves a read-only web console (/: topics,
// subscribers, queue depths, event rates), metrics and health over HTTP
// on ADDR (127.0.0.1 when ADDR has no host).
package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/config"
	"github.com/gopyro/gopyro/es"
	"github.com/gopyro/gopyro/es/console"
	"github.com/gopyro/gopyro/internal/cli"
	"github.com/gopyro/gopyro/ns"
)

const usage = `Usage: pyro-es [-h] [-n hostname] [-p port] [-N] [-i identification]
  where -p = ES server port (0 for auto)
        -n = non-default hostname to bind on
        -N = do not use the name server
        -i = the required authentication ID for ES clients,
             also used to connect to other Pyro services
        -h = print this help
`

// args is the command line parsed the way Pyro's ArgParser does: options
// are single letters, an option's value may be attached (-p9000) or the
// next word, unknown options are ignored (and reported), "-" ends options.
type args struct {
	opts    map[byte]*string
	long    map[string]string // --name=value (Go additions)
	ignored []string
	rest    []string
}

func parseArgs(argv []string, withValue, flags string) args {
	a := args{opts: map[byte]*string{}}
	for i := 0; i < len(argv); i++ {
		arg := argv[i]
		switch {
		case arg == "-":
			a.rest = append(a.rest, argv[i+1:]...)
			return a
		case strings.HasPrefix(arg, "--") && len(arg) > 2:
			name, val, _ := strings.Cut(arg[2:], "=")
			if a.long == nil {
				a.long = map[string]string{}
			}
			a.long[name] = val
		case len(arg) >= 2 && arg[0] == '-':
			c := arg[1]
			switch {
			case strings.IndexByte(withValue, c) >= 0:
				var v *string
				if len(arg) >= 3 {
					s := arg[2:]
					v = &s
				} else if i+1 < len(argv) {
					i++
					v = &argv[i]
				}
				a.opts[c] = v
			case strings.IndexByte(flags, c) >= 0:
				a.opts[c] = nil
			default:
				a.ignored = append(a.ignored, "-"+string(c))
			}
		default:
			a.rest = append(a.rest, arg)
		}
	}
	return a
}

func (a args) has(c byte) bool { _, ok := a.opts[c]; return ok }

func (a args) get(c byte) string {
	if v := a.opts[c]; v != nil {
		return *v
	}
	return ""
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(argv []string, stdin io.Reader, stdout, stderr io.Writer) int {
	_, argv, status, ok := cli.Start("pyro-es", argv, stdout, stderr)
	if !ok {
		return status
	}
	a := parseArgs(argv, "npi", "hN")
	if a.has('h') {
		fmt.Fprint(stdout, usage)
		return 0
	}
	opts := es.ServerOptions{Host: a.get('n'), Identification: a.get('i'), HTTP: config.Current().HTTP}
	for name, val := range a.long {
		switch name {
		case "http":
			opts.HTTP = val
		default:
			a.ignored = append(a.ignored, "--"+name)
		}
	}
	if a.has('p') && a.get('p') != "" {
		port, err := strconv.Atoi(a.get('p'))
		if err != nil || port < 0 || port > 65535 {
			fmt.Fprintf(stderr, "pyro-es: invalid port %q\n", a.get('p'))
			return 1
		}
		opts.Port, opts.NoRange = port, port == 0
	}
	if len(a.ignored) > 0 {
		fmt.Fprintln(stdout, "Ignored options:", strings.Join(a.ignored, " "))
	}
	if len(a.rest) > 0 {
		fmt.Fprintln(stdout, "Ignored arguments:", strings.Join(a.rest, " "))
	}
	fmt.Fprintln(stdout, "*** Pyro Event Server ***")
	if opts.Identification != "" {
		fmt.Fprintln(stdout, "Requiring connection authentication.")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if !a.has('N') {
		reg, err := locateNS(ctx, opts.Identification)
		if err != nil {
			fmt.Fprintln(stderr, "pyro-es: cannot find the name server:", err)
			return 1
		}
		if ok, err := replaceRunning(ctx, reg, stdin, stdout); err != nil {
			fmt.Fprintln(stderr, "pyro-es:", err)
			return 1
		} else if !ok {
			return 0
		}
		opts.Registrar = reg
	}
	opts.Logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv, err := es.NewServer(opts)
	if err != nil {
		fmt.Fprintln(stderr, "pyro-es:", err)
		return 1
	}
	uri := srv.URI()
	fmt.Fprintln(stdout, "URI=", uri.String())
	if isLoopback(uri.Address) {
		fmt.Fprint(stdout, "\nWARNING: daemon bound on hostname that resolves to loopback address 127.0.x.x \n\n")
	}
	if h := srv.Daemon().HTTP(); h != nil {
		console.Mount(h.Mux, srv.Broker(), srv.Daemon().Metrics())
		fmt.Fprintf(stdout, "HTTP on http://%s/ (console, metrics, health)\n", h.Addr())
	}
	fmt.Fprintln(stdout, "Event Server started.")
	if f, ok := stdout.(*os.File); ok {
		_ = f.Sync()
	}
	serveErr := srv.Serve(ctx)
	if ctx.Err() != nil {
		fmt.Fprintln(stdout, "Shutting down on user break signal.")
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		fmt.Fprintln(stderr, "pyro-es: shutdown:", err)
	}
	if serveErr != nil && !errors.Is(serveErr, context.Canceled) {
		fmt.Fprintln(stderr, "pyro-es:", serveErr)
		return 1
	}
	fmt.Fprintln(stdout, "Event Server gracefully stopped.")
	return 0
}

// locateNS finds the name server as Pyro's locator does (PYRO_NS_HOSTNAME,
// else broadcast); the identification is also used for it, as Pyro's -i.
func locateNS(ctx context.Context, ident string) (*ns.Client, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	return ns.Locate(ctx, ns.LocateOptions{Identification: ident})
}

// replaceRunning does what Pyro's event server does when the name is
// already registered: ask whether to start anyway, and unregister the old
// one if so. It reports whether to go on.
func replaceRunning(ctx context.Context, reg *ns.Client, stdin io.Reader, stdout io.Writer) (bool, error) {
	_, err := reg.Resolve(ctx, es.Name)
	var ne *compat.NamingError
	switch {
	case errors.As(err, &ne):
		return true, nil
	case err != nil:
		return false, err
	}
	fmt.Fprintln(stdout, "The Event Server appears to be already running.")
	fmt.Fprintln(stdout, "You cannot start multiple Event Servers.")
	fmt.Fprint(stdout, "Start new Event Server anyway (y/n)? ")
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && line == "" {
		fmt.Fprintln(stdout)
		return false, errors.New("no answer on standard input")
	}
	if strings.TrimRight(line, "\r\n") != "y" {
		return false, nil
	}
	return true, reg.Unregister(ctx, es.Name)
}

// isLoopback is Pyro's validateHostnameAndIP test: "localhost" or 127.0.x.x.
func isLoopback(host string) bool {
	return host == "localhost" || strings.HasPrefix(host, "127.0.")
}
