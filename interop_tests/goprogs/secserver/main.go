// Command secserver plays the Go side of Pyro 3's connection-security
// examples (denyhosts, authenticate, user_passwd_auth) and of the ssl
// example, for interop_tests/test_security.py and test_tls.py: it serves
// the example's object with gopyro's equivalent validator, or calls the
// example's Python server as its client does.
//
//	secserver -serve denyhosts  [-deny 127.0.0.1]    object ":test.denyhosts"
//	secserver -serve authenticate [-ident s3cr3t]    object ":test.authentication" (persistent)
//	secserver -serve userpass                        object "authentication" (users of connvalidator.py)
//	secserver -serve ssl -certdir D -cert server.pem object ":test.ssl" over PYROSSL
//	secserver -call denyhosts|authenticate|userpass|ssl [-ident ...] [-user login:password] [-uri ...]
//
// The Name Server is PYRO_NS_HOSTNAME:PYRO_NS_PORT (-nsident is its
// identification). A server prints "READY <port>" once registered and exits
// after -lifetime; a client prints what the Python client prints.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/config"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/ns"
	"github.com/gopyro/gopyro/pickle"
	"github.com/gopyro/gopyro/protocol"
)

// users is the table of examples/user_passwd_auth/connvalidator.py.
var users = map[string]string{
	"irmen": "5ebe2294ecd0e0f08eab7690d2a6ee69", // 'secret'
	"guest": "084e0343a0486ff05530df6c705c8bb4", // 'guest'
	"root":  "bbbb2edef660739a6071ab5a4f8a869f", // 'change_me'
}

// DenyObj is denyhosts' testobject.
type DenyObj struct{}

// Method prints its argument and returns 42.
func (DenyObj) Method(arg any) int {
	fmt.Println("method was called with", compat.Str(arg))
	return 42
}

// AuthObj is authenticate's testobject.
type AuthObj struct{}

// Method returns 'An interesting result'.
func (AuthObj) Method(arg any) pickle.ByteString {
	fmt.Println("Method called with", compat.Str(arg))
	return "An interesting result"
}

type loginKey struct{}

// LoginObj is user_passwd_auth's testobject: it tells the caller the login
// the connection validator accepted.
type LoginObj struct{}

// Method reports the caller's login.
func (LoginObj) Method(ctx context.Context, arg any) pickle.ByteString {
	login := "?"
	if c, ok := core.CallerFromContext(ctx); ok {
		if l, ok := c.Value(loginKey{}).(string); ok {
			login = l
		}
	}
	return pickle.ByteString(fmt.Sprintf("You are '%s' and you were allowed to connect.", login))
}

// SSLObj is the ssl example's testclass.
type SSLObj struct{}

// PassSecretMessage prints the message and answers.
func (SSLObj) PassSecretMessage(arg any) pickle.ByteString {
	fmt.Println("I got a secret message: ", compat.Str(arg))
	return "Elvis Presley isn't dead, he just went home"
}

func main() {
	serve := flag.String("serve", "", "example to serve: denyhosts, authenticate, userpass, ssl")
	call := flag.String("call", "", "example server to call: denyhosts, authenticate, userpass, ssl")
	deny := flag.String("deny", "", "denyhosts: comma-separated IPs/prefixes to block")
	ident := flag.String("ident", "", "authenticate: identification (server: allowed one; client: sent one)")
	nsident := flag.String("nsident", "", "identification for the Name Server")
	user := flag.String("user", "", "userpass client: login:password")
	uri := flag.String("uri", "", "ssl client: PYROLOCSSL/PYROSSL URI to call instead of the name")
	helloTimeout := flag.Duration("hellotimeout", 0, "ssl server: wait for a TLS ClientHello this long")
	lifetime := flag.Duration("lifetime", 60*time.Second, "exit after this long")
	flag.Parse()

	ctx, cancel := context.WithTimeout(context.Background(), *lifetime)
	defer cancel()
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	cfg := config.Current()
	var nsOpts []core.ProxyOption
	if *nsident != "" {
		nsOpts = append(nsOpts, core.WithIdentification(*nsident))
	}
	nsc, err := ns.NewClient(ns.LocationURI(cfg.NSHostname, cfg.NSPort), "", nsOpts...)
	if err != nil {
		log.Fatal(err)
	}

	switch {
	case *serve != "":
		err = runServer(ctx, *serve, nsc, *deny, *ident, *helloTimeout)
	case *call != "":
		err = runClient(ctx, *call, nsc, *ident, *user, *uri)
	default:
		err = errors.New("need -serve or -call")
	}
	if err != nil {
		log.Fatal(err)
	}
}

func runServer(ctx context.Context, example string, nsc *ns.Client, deny, ident string, helloTimeout time.Duration) error {
	cfg := config.Current()
	opts := core.DaemonOptions{Host: "127.0.0.1", NoRange: true, Registrar: nsc, UnregisterOnShutdown: true}
	var obj any
	name := ""
	group := ":test"
	switch example {
	case "denyhosts":
		var hosts []string
		if deny != "" {
			hosts = strings.Split(deny, ",")
		}
		v, err := protocol.DenyHosts(&protocol.DefaultValidator{MaxConnections: cfg.MaxConnections}, hosts...)
		if err != nil {
			return err
		}
		opts.Validator, obj, name = v, DenyObj{}, ":test.denyhosts"
	case "authenticate":
		opts.Identifications = []string{ident}
		obj, name = AuthObj{}, ":test.authentication"
	case "userpass":
		v := protocol.NewLoginValidator()
		for login, hash := range users {
			if err := v.AddUserHash(login, hash); err != nil {
				return err
			}
		}
		opts.Validator = v
		opts.InitConn = func(c *core.Caller) {
			if login, ok := v.TakeLogin(c.RemoteAddr); ok {
				c.SetValue(loginKey{}, login)
			}
		}
		obj, name, group = LoginObj{}, "authentication", ""
	case "ssl":
		return runSSLServer(ctx, nsc, helloTimeout)
	default:
		return fmt.Errorf("unknown example %q", example)
	}
	if group != "" {
		if err := nsc.CreateGroup(ctx, group); err != nil && !isNamingError(err) {
			return err
		}
	}
	if err := nsc.Unregister(ctx, name); err != nil && !isNamingError(err) {
		return err
	}
	d, err := core.NewDaemon(opts)
	if err != nil {
		return err
	}
	var u compat.URI
	if example == "authenticate" {
		u, err = d.ConnectPersistent(ctx, obj, name)
	} else {
		u, err = d.Connect(obj, name)
	}
	if err != nil {
		return err
	}
	fmt.Printf("READY %d %s\n", d.Port(), u)
	os.Stdout.Sync()
	if err := d.Serve(ctx); err != nil && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

func isNamingError(err error) bool {
	var ne *compat.NamingError
	return errors.As(err, &ne)
}

func runClient(ctx context.Context, example string, nsc *ns.Client, ident, user, uri string) error {
	switch example {
	case "denyhosts":
		u, err := nsc.Resolve(ctx, ":test.denyhosts")
		if err != nil {
			return err
		}
		p, err := core.NewProxy(u, core.WithTimeout(10*time.Second))
		if err != nil {
			return err
		}
		defer p.Close()
		for i := 1; i <= 5; i++ {
			res, err := p.Call(ctx, "method", pickle.ByteString(fmt.Sprintf("Hi there %d", i)))
			if err != nil {
				return printDenied(err)
			}
			fmt.Printf("Result%d= %s\n", i, compat.Str(res))
		}
	case "authenticate":
		u, err := nsc.Resolve(ctx, ":test.authentication")
		if err != nil {
			return err
		}
		p, err := core.NewProxy(u, core.WithTimeout(10*time.Second), core.WithIdentification(ident))
		if err != nil {
			return err
		}
		defer p.Close()
		res, err := p.Call(ctx, "method", pickle.ByteString("foo bar"))
		if err != nil {
			return printDenied(err)
		}
		fmt.Println("Result from method call: ", compat.Str(res))
	case "userpass":
		// The identification is munged by the LoginValidator.
		p, err := core.NewProxy("PYRONAME://authentication", core.WithTimeout(10*time.Second),
			core.WithValidator(protocol.NewLoginValidator()), core.WithIdentification(user))
		if err != nil {
			return err
		}
		defer p.Close()
		res, err := p.Call(ctx, "method", pickle.ByteString("foo bar"))
		if err != nil {
			return printDenied(err)
		}
		fmt.Println("Result from method call: ", compat.Str(res))
	case "ssl":
		return callSSL(ctx, nsc, uri)
	default:
		return fmt.Errorf("unknown example %q", example)
	}
	return nil
}

// printDenied prints a refused connection as the examples do and succeeds;
// other errors are returned.
func printDenied(err error) error {
	var denied *compat.ConnectionDeniedError
	if errors.As(err, &denied) {
		fmt.Println("ConnectionDeniedError occured:", denied.Message())
		return nil
	}
	return err
}
