// Command pyro-echo is the Go counterpart of Pyro 3's built-in test echo
// server (python -m Pyro.test.echoserver): it serves the object
// ":Pyro.test.echoserver" with echo(x), which returns its argument, and
// error(), which raises ZeroDivisionError; and beside it, on the same port,
// what Pyro 5's test echo server (python -m Pyro5.utils.echoserver) serves
// to Pyro 5 clients as "test.echoserver": echo, error, error_with_text,
// oneway_echo, slow, oneway_slow, generator, nan, inf, shutdown and the
// verbose attribute. Pyro 4 clients reach the same object, as Pyro4's test
// echo server (python -m Pyro4.test.echoserver) serves it, with the
// serializers of PYRO_SERIALIZERS_ACCEPTED (Pyro4's default: serpent,
// marshal, json; add pickle or msgpack there) and Pyro4's HMAC key.
//
// Usage:
//
//	pyro-echo [-H host] [-p port] [-n] [-N] [-v] [-k key]
//	pyro-echo --print-config
//
//	-H host  host to bind the server on (default localhost)
//	-p port  port to bind the server on (default 0: any free port)
//	-n       register the object with the name server
//	-N       also start a name server (implies -n)
//	-v       verbose output
//	-k key   the HMAC key of Pyro 4 connections (as Pyro4's echo server's
//	         -k, or its PYRO_HMAC_KEY variable; not both)
//
// It prints the object name and its PYRO and PYROLOC URIs, then serves until
// interrupted, unregistering its name on the way out.
//
// The Pyro configuration (PYRO_CONFIG_FILE or ./Pyro.conf, then PYRO_*
// environment variables) applies as to Pyro's echo server: for example
// PYRO_PUBLISHHOST, PYRO_MAXCONNECTIONS, PYRO_COMPRESSION, PYRO_NS_HOSTNAME
// and PYRO_TRACELEVEL. --print-config prints it and exits; an invalid
// configuration stops the program with status 1 and a message naming the
// file, line and item; items without effect in Go are reported on stderr.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"iter"
	"math"
	"os"
	"os/signal"
	"slices"
	"syscall"
	"time"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/internal/cli"
	"github.com/gopyro/gopyro/ns"
	nscli "github.com/gopyro/gopyro/ns/cli"
)

const objectName = ":Pyro.test.echoserver"

// EchoServer is the echo object.
type EchoServer struct {
	out     io.Writer
	verbose bool
}

// Echo returns its argument.
func (e *EchoServer) Echo(arg any) any {
	if e.verbose {
		fmt.Fprintf(e.out, "%s - echo: %s\n", asctime(), compat.Repr(arg))
	}
	return arg
}

// Error raises ZeroDivisionError as Python's 1//0 does.
func (e *EchoServer) Error() error {
	if e.verbose {
		fmt.Fprintf(e.out, "%s - error: generating exception\n", asctime())
	}
	return compat.ZeroDivisionError("integer division or modulo by zero")
}

// objectID5 is the object id of Pyro 5's echo server.
const objectID5 = "test.echoserver"

// EchoServer5 is the echo object of Pyro 5's test echo server
// (python -m Pyro5.utils.echoserver), which Pyro 5 clients reach as
// PYRO:test.echoserver@host:port.
type EchoServer5 struct {
	out      io.Writer
	Verbose  bool `pyro:"verbose"`
	shutdown func()
}

func (e *EchoServer5) log(format string, args ...any) {
	if e.Verbose {
		fmt.Fprintf(e.out, "%s - "+format+"\n", append([]any{asctime()}, args...)...)
	}
}

// PyroOneway declares the oneway methods, as Pyro 5's @oneway.
func (e *EchoServer5) PyroOneway() []string { return []string{"oneway_echo", "oneway_slow"} }

// Echo returns its argument.
func (e *EchoServer5) Echo(message any) any {
	e.log("echo: %s", compat.Repr(message))
	return message
}

// Error raises a ValueError.
func (e *EchoServer5) Error() error {
	e.log("error: generating exception")
	return compat.ValueError("this is the generated error from echoserver echo() method")
}

// ErrorWithText raises a ValueError with a message.
func (e *EchoServer5) ErrorWithText() error {
	e.log("error: generating exception")
	return compat.ValueError("the message of the error")
}

// OnewayEcho is Echo called oneway.
func (e *EchoServer5) OnewayEcho(message any) string {
	e.log("oneway_echo: %s", compat.Repr(message))
	return "bogus return value"
}

// Slow answers after 5 seconds.
func (e *EchoServer5) Slow() string {
	e.log("slow: waiting a bit...")
	time.Sleep(5 * time.Second)
	e.log("slow: returning result")
	return "Finally, an answer!"
}

// OnewaySlow is Slow called oneway.
func (e *EchoServer5) OnewaySlow() string {
	e.log("oneway_slow: waiting a bit...")
	time.Sleep(5 * time.Second)
	e.log("oneway_slow: returning result")
	return "bogus return value"
}

// Generator returns an item stream of three strings.
func (e *EchoServer5) Generator() iter.Seq[string] {
	return slices.Values([]string{"one", "two", "three"})
}

// Nan returns a float NaN.
func (e *EchoServer5) Nan() float64 { return math.NaN() }

// Inf returns a float infinity.
func (e *EchoServer5) Inf() float64 { return math.Inf(1) }

// Shutdown stops the server.
func (e *EchoServer5) Shutdown() {
	e.log("shutting down")
	go e.shutdown()
}

func asctime() string { return time.Now().Format("Mon Jan _2 15:04:05 2006") }

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	_, args, status, ok := cli.Start("pyro-echo", args, stdout, stderr)
	if !ok {
		return status
	}
	fs := flag.NewFlagSet("pyro-echo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	host := fs.String("H", "localhost", "hostname to bind server on")
	port := fs.Int("p", 0, "port to bind server on")
	naming := fs.Bool("n", false, "register with nameserver")
	startNS := fs.Bool("N", false, "also start a nameserver")
	verbose := fs.Bool("v", false, "verbose output")
	key := fs.String("k", "", "the HMAC key to use for Pyro 4 clients")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if env, ok := os.LookupEnv("PYRO_HMAC_KEY"); ok {
		if *key != "" {
			fmt.Fprintln(stderr, "error: don't use -k and PYRO_HMAC_KEY at the same time")
			return 1
		}
		*key = env
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	var nsLoc ns.LocateOptions
	if *startNS {
		*naming = true
		nsPort := 0
		inst, err := ns.Start(ctx, ns.StartOptions{Host: *host, Port: &nsPort, DontLookupOther: true, NoBroadcast: true, Notify: nscli.Printer(stdout, false)})
		if err != nil {
			fmt.Fprintf(stderr, "pyro-echo: cannot start the name server: %v\n", err)
			return 1
		}
		go inst.Serve(ctx)
		defer inst.Shutdown()
		nsLoc = ns.LocateOptions{Host: inst.URI().Address, Port: inst.URI().Port}
		fmt.Fprintln(stdout)
	}

	fmt.Fprintln(stdout, "Starting Pyro's built-in test echo server.")
	opts := core.DaemonOptions{Host: *host, Port: *port, NoRange: true, UnregisterOnShutdown: true, Pyro4HMACKey: []byte(*key)}
	if *naming {
		nsc, err := ns.Locate(ctx, nsLoc)
		if err != nil {
			fmt.Fprintf(stderr, "pyro-echo: cannot find the name server: %v\n", err)
			return 1
		}
		var ne *compat.NamingError
		if err := nsc.CreateGroup(ctx, ":Pyro.test"); err != nil && !errors.As(err, &ne) {
			fmt.Fprintf(stderr, "pyro-echo: %v\n", err)
			return 1
		}
		opts.Registrar = nsc
		if *verbose {
			fmt.Fprintf(stdout, "using name server at %s\n", nsc.URI())
		}
	} else if *verbose {
		fmt.Fprintln(stdout, "not using a name server.")
	}
	d, err := core.NewDaemon(opts)
	if err != nil {
		fmt.Fprintf(stderr, "pyro-echo: %v\n", err)
		return 1
	}
	uri, err := d.Connect(&EchoServer{out: stdout, verbose: *verbose}, objectName)
	if err != nil {
		fmt.Fprintf(stderr, "pyro-echo: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "object name = %s\n", objectName)
	fmt.Fprintf(stdout, "echo uri = %s\n", uri)
	fmt.Fprintf(stdout, "echo uri = PYROLOC://%s:%d/%s\n", d.Hostname(), d.Port(), objectName)
	// Pyro 5's echo server on the same port, in its words.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if _, err := d.ConnectWithGUID(ctx, &EchoServer5{out: stdout, Verbose: *verbose, shutdown: cancel}, objectID5, ""); err != nil {
		fmt.Fprintf(stderr, "pyro-echo: %v\n", err)
		return 1
	}
	uri5, _ := d.URIsFor(objectID5)
	fmt.Fprintf(stdout, "object name: %s\n", objectID5)
	fmt.Fprintf(stdout, "echo uri: %s\n", uri5[len(uri5)-1])
	fmt.Fprintln(stdout, "echoserver running.")
	if f, ok := stdout.(*os.File); ok {
		f.Sync()
	}
	if err := d.Serve(ctx); err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintf(stderr, "pyro-echo: %v\n", err)
		return 1
	}
	return 0
}
