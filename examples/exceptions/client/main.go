// Command client is the Go counterpart of Pyro's "exceptions" example
// client: it calls the object registered as ":test.exceptions" (by the
// example's Python server.py, or by ../server) and shows how remote Python
// exceptions arrive in Go: as *compat.Exception errors carrying the class,
// the arguments and the remote traceback.
//
// The Name Server is found with PYRO_NS_HOSTNAME and PYRO_NS_PORT.
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"os"
	"strings"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/ns"
)

func main() {
	ctx := context.Background()
	test := getProxy(ctx, ":test.exceptions")
	defer test.Close()

	res, err := test.Call(ctx, "div", 2.0, 9.0)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(compat.Str(res))

	// A local division by zero, for comparison with the remote one.
	if _, err := localDiv(2, 0); err != nil {
		fmt.Println("DIVIDE BY ZERO", err)
	}
	if _, err := test.Call(ctx, "div", 2, 0); isClass(err, "ZeroDivisionError") {
		fmt.Println("DIVIDE BY ZERO", message(err))
	}

	// Exceptions raised remotely come back as errors; exception objects
	// returned as values come back as values.
	for _, c := range []struct{ method, class, label string }{
		{"error", "ValueError", "VALUERROR"},
		{"error2", "ValueError", "VALUERROR"},
		{"othererr", "MyError", "MYERROR"},
		{"othererr2", "MyError", "MYERROR"},
	} {
		res, err := test.Call(ctx, c.method)
		switch {
		case isClass(err, c.class):
			fmt.Println(c.label, message(err))
		case err != nil:
			log.Fatal(err)
		default:
			ex, _ := compat.AsException(res)
			fmt.Println(ex.Class.Name+compat.Repr(ex.Args), ex.Message())
		}
	}

	fmt.Println("*** invoking server method that crashes, catching traceback ***")
	if _, err := test.Call(ctx, "complexerror"); err != nil {
		fmt.Println("CAUGHT ERROR, printing Pyro traceback >>>>>>", message(err))
		fmt.Println(strings.Join(compat.PyroTraceback(err), ""))
		fmt.Println("<<<<<<< end of Pyro traceback")
	}

	fmt.Println("\n*** installing pyro's excepthook")
	fmt.Println("*** invoking server method that crashes, not catching anything ***")
	if _, err := test.Call(ctx, "complexerror"); err != nil {
		// What an uncaught exception does with Pyro's excepthook.
		fmt.Fprint(os.Stderr, strings.Join(compat.PyroTraceback(err), ""))
		os.Exit(1)
	}
}

// getProxy finds the Name Server, resolves name and returns a proxy for it,
// printing its progress like the Pyro examples' testclient module.
func getProxy(ctx context.Context, name string) *core.Proxy {
	fmt.Print("Searching Naming Service... ")
	// At PYRO_NS_HOSTNAME:PYRO_NS_PORT when set, else by broadcast.
	nameServer, err := ns.Locate(ctx, ns.LocateOptions{})
	if err != nil {
		log.Fatal(err)
	}
	nsURI := nameServer.URI()
	host := "??"
	if names, err := net.LookupAddr(nsURI.Address); err == nil && len(names) > 0 {
		host = strings.TrimSuffix(names[0], ".")
	}
	fmt.Printf("Naming Service found at %s (%s) port %d\n", nsURI.Address, host, nsURI.Port)
	fmt.Println("asking for object")
	uri, err := nameServer.Resolve(ctx, name)
	if err != nil {
		fmt.Println("Couldn't locate object, nameserver says:", err)
		os.Exit(1)
	}
	fmt.Println("URI:", uri)
	p, err := core.NewProxy(uri)
	if err != nil {
		log.Fatal(err)
	}
	return p
}

func localDiv(a, b int) (int, error) {
	if b == 0 {
		return 0, errors.New("integer division or modulo by zero")
	}
	return a / b, nil
}

// isClass reports whether err is a remote exception of the named class.
func isClass(err error, class string) bool {
	var ex *compat.Exception
	return errors.As(err, &ex) && ex.Class.Name == class
}

// message is Python's compat.Str() of a remote exception.
func message(err error) string {
	var ex *compat.Exception
	if errors.As(err, &ex) {
		return ex.Message()
	}
	return err.Error()
}
