// Command mobileprog plays the Go side of Pyro 3's mobile-code examples
// (testmobile/*, agent2) for interop_tests/test_mobile.py:
//
//	mobileprog -serve server2client|bothways|imports|client2server -code DIR [-allow p1,p2]
//	    a Go daemon serving the example's object "testmobile.<example>" on
//	    PYRO_HOST:PYRO_PORT; Python clients that lack the classes of its
//	    results download their modules from DIR (remote_retrieve_code), if
//	    their names start with one of the -allow prefixes. Prints "READY <port>".
//	mobileprog -serve passon1
//	    testmobile/passon's server1 ":testmobile_passon_server1" (name server):
//	    it collects the code of the client's params.* objects and supplies it
//	    to server2 when passing them on.
//	mobileprog -call client2server|bothways|imports|server2client -uri URI -code DIR
//	mobileprog -call agent2 -code DIR   (the mall is ":test.ShoppingMall" in the name server)
//	mobileprog -call agent2-denied -code DIR   (sends the mall an object whose upload it refuses)
//	    a Go client sending objects of classes a Python server lacks; it
//	    uploads their modules from DIR when the server asks (Supplier).
//
// Go builds the example's objects as *pickle.Object values and prints what
// it gets back; it never runs their Python code.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"os/signal"
	"sort"
	"strings"
	"time"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/config"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/mobile"
	"github.com/gopyro/gopyro/ns"
	"github.com/gopyro/gopyro/pickle"
)

// instance builds the pickle of a new-style Python instance whose __dict__
// holds the given attributes.
func instance(module, class string, attrs ...any) *pickle.Object {
	d := pickle.NewDict()
	for i := 0; i < len(attrs); i += 2 {
		d.Set(pickle.ByteString(attrs[i].(string)), attrs[i+1])
	}
	return &pickle.Object{Class: pickle.Class{Module: module, Name: class}, Build: pickle.BuildNewObj, Args: pickle.Tuple{}, State: d}
}

// Test is the object of the testmobile servers.
type Test struct {
	mobile.Code
	example string
}

// Method answers as the example's Python server does, with objects of
// classes only the server's code directory has.
func (t *Test) Method(arg any) any {
	fmt.Println("some method called on test class, arg=", describe(arg))
	switch t.example {
	case "server2client":
		return instance("params.parameters", "Parameter", "name", arg)
	case "bothways":
		return instance("serverparams.parameters", "ServerResult", "name", pickle.ByteString("server arg"))
	case "imports":
		return instance("answers.answer", "Answer", "answer", pickle.ByteString("some answer"))
	}
	return pickle.ByteString("this is the answer")
}

// describe shows a value, and an unknown object by class and attributes.
func describe(v any) string {
	o, ok := v.(*pickle.Object)
	if !ok {
		return compat.Repr(v)
	}
	var attrs []string
	if d, ok := o.State.(pickle.Dict); ok {
		d.Iter()(func(k, v any) bool {
			attrs = append(attrs, compat.Str(k)+"="+describe(v))
			return true
		})
	}
	sort.Strings(attrs)
	return fmt.Sprintf("<%s.%s %s>", o.Class.Module, o.Class.Name, strings.Join(attrs, " "))
}

func main() {
	serve := flag.String("serve", "", "testmobile example to serve")
	call := flag.String("call", "", "example server to call")
	code := flag.String("code", "", "directory of the modules to serve or supply")
	allow := flag.String("allow", "", "serve: module name prefixes clients may download (empty: all)")
	uri := flag.String("uri", "", "call: URI of the server object")
	lifetime := flag.Duration("lifetime", 60*time.Second, "exit after this long")
	flag.Parse()

	ctx, cancel := context.WithTimeout(context.Background(), *lifetime)
	defer cancel()
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	repo := mobile.NewRepository(*code)
	var err error
	switch {
	case *serve != "":
		err = runServer(ctx, *serve, repo, *allow)
	case *call != "":
		err = runClient(ctx, *call, repo, *uri)
	default:
		err = errors.New("need -serve or -call")
	}
	if err != nil {
		log.Fatal(err)
	}
}

func runServer(ctx context.Context, example string, repo *mobile.Repository, allow string) error {
	if example == "passon1" {
		return runPassOn(ctx, repo)
	}
	cfg := config.Current()
	d, err := core.NewDaemon(core.DaemonOptions{Host: "127.0.0.1", Port: cfg.Port, NoRange: true})
	if err != nil {
		return err
	}
	obj := &Test{example: example, Code: mobile.Code{Repo: repo, Validator: func(name string, code []byte, addr net.Addr) bool {
		ok := allow == ""
		for _, p := range strings.Split(allow, ",") {
			ok = ok || (p != "" && strings.HasPrefix(name, p))
		}
		fmt.Printf("code validator: %s %s -> %v\n", map[bool]string{true: "upload", false: "download"}[code != nil], name, ok)
		return ok
	}}}
	if _, err := d.Connect(obj, "testmobile."+example); err != nil {
		return err
	}
	fmt.Printf("READY %d\n", d.Port())
	os.Stdout.Sync()
	if err := d.Serve(ctx); err != nil && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

func runClient(ctx context.Context, example string, repo *mobile.Repository, uri string) error {
	s := &mobile.Supplier{Repo: repo}
	switch example {
	case "agent2":
		return shop(ctx, s)
	case "agent2-denied":
		return sendStranger(ctx, s)
	}
	p, err := core.NewProxy(uri, core.WithTimeout(20*time.Second))
	if err != nil {
		return err
	}
	defer p.Close()
	var arg any
	switch example {
	case "client2server":
		arg = instance("params.parameters", "Parameter", "name", pickle.ByteString("Some name"))
	case "bothways":
		arg = instance("clientparams.parameters", "ClientParameter", "name", pickle.ByteString("some name"))
	case "imports":
		arg = instance("params.parameters", "Parameter", "basename", pickle.ByteString("name of base"), "name", pickle.ByteString("Some name"))
	case "server2client":
		arg = pickle.ByteString("some name")
	default:
		return fmt.Errorf("unknown example %q", example)
	}
	res, err := s.CallMethod(ctx, p, "method", arg)
	if err != nil {
		return err
	}
	fmt.Println("result of calling remote object:", describe(res))
	return nil
}

// runPassOn is testmobile/passon's server1 in Go: method1 passes its
// argument (of a class only the client has) on to server2, a Python server
// that needs the class's code. Go cannot have it in advance, so it asks the
// client for it first (Code.Collect) and supplies it to server2 (Supplier),
// both through one Repository.
func runPassOn(ctx context.Context, repo *mobile.Repository) error {
	cfg := config.Current()
	nsc := nameServer(cfg.NSHostname, cfg.NSPort)
	d, err := core.NewDaemon(core.DaemonOptions{Host: "127.0.0.1", Port: cfg.Port, NoRange: true, Registrar: nsc, UnregisterOnShutdown: true})
	if err != nil {
		return err
	}
	s := &mobile.Supplier{Repo: repo}
	server1 := core.InvokerFunc(func(ctx context.Context, c *core.Call) (any, error) {
		if c.Method != "method1" || len(c.Args) != 1 {
			return nil, compat.AttributeError(c.Method)
		}
		fmt.Println("method1 called on test class, arg=", describe(c.Args[0]))
		p, err := core.NewProxy("PYRONAME://:testmobile_passon_server2", core.WithTimeout(20*time.Second))
		if err != nil {
			return nil, err
		}
		defer p.Close()
		fmt.Println("calling method on server2, passing on argument")
		res, err := s.CallMethod(ctx, p, "method2", c.Args[0])
		if err != nil {
			return nil, err
		}
		return pickle.ByteString("Server1 result;" + compat.Str(res)), nil
	})
	collect := func(module string) bool { return strings.HasPrefix(module, "params.") }
	obj := mobile.Wrap(server1, &mobile.Code{Repo: repo, AcceptUploads: true, Collect: collect})
	if err := nsc.Unregister(ctx, ":testmobile_passon_server1"); err != nil && !errors.As(err, new(*compat.NamingError)) {
		return err
	}
	if _, err := d.Connect(obj, ":testmobile_passon_server1"); err != nil {
		return err
	}
	fmt.Printf("READY %d\n", d.Port())
	os.Stdout.Sync()
	if err := d.Serve(ctx); err != nil && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// mallProxy returns a proxy for agent2's mall.
func mallProxy(ctx context.Context) (*core.Proxy, error) {
	nsc := nameServer(config.Current().NSHostname, config.Current().NSPort)
	u, err := nsc.Resolve(ctx, ":test.ShoppingMall")
	if err != nil {
		return nil, err
	}
	return core.NewProxy(u, core.WithTimeout(20*time.Second))
}

// sendStranger sends the mall a params.parameters.Parameter: the mall asks
// for its module, and its code validator refuses our upload.
func sendStranger(ctx context.Context, s *mobile.Supplier) error {
	mall, err := mallProxy(ctx)
	if err != nil {
		return err
	}
	defer mall.Close()
	_, err = s.CallMethod(ctx, mall, "goShopping", instance("params.parameters", "Parameter", "name", pickle.ByteString("x")))
	var pe *compat.PyroError
	if !errors.As(err, &pe) {
		return fmt.Errorf("want a PyroError, got %v", err)
	}
	fmt.Println("goShopping failed:", pe.Message())
	return nil
}

// shop is agent2's client: a ShoppingAgent (module only in the code
// directory) goes shopping in the Python mall, which downloads the agent's
// code from us, and comes back with objects of the mall's classes.
func shop(ctx context.Context, s *mobile.Supplier) error {
	mall, err := mallProxy(ctx)
	if err != nil {
		return err
	}
	defer mall.Close()
	// Like the Python client: bogus code is refused by the mall's validator.
	_, err = mall.Call(ctx, "remote_supply_code", pickle.ByteString("crash"), pickle.ByteString("this is no python code"), int64(333))
	var pe *compat.PyroError
	if !errors.As(err, &pe) {
		return fmt.Errorf("bogus code: want a PyroError, got %v", err)
	}
	fmt.Println("remote_supply_code failed:", pe.Message())
	agents := []struct {
		name  string
		cash  int64
		goods []string
	}{
		{"Harry", 500, []string{"tv", "mouse", "bananas", "boots", "snowboard", "goggles"}},
		{"Joyce", 3200, []string{"bananas", "mouse", "computer", "cd", "spices", "apples", "boots"}},
	}
	for _, a := range agents {
		list := &pickle.List{}
		for _, g := range a.goods {
			list.Items = append(list.Items, pickle.ByteString(g))
		}
		agent := instance("agent.ShoppingAgent", "ShoppingAgent", "name", pickle.ByteString(a.name),
			"productsToBuy", list, "productsBought", pickle.NewDict(), "boughtObjects", &pickle.List{},
			"cash", a.cash, "shopsVisited", int64(0))
		fmt.Println(a.name, "goes shopping...")
		back, err := s.CallMethod(ctx, mall, "goShopping", agent)
		if err != nil {
			return err
		}
		report(back)
	}
	return nil
}

// report prints what an agent brought back, like ShoppingAgent.result and
// describeObjects.
func report(v any) {
	o, ok := v.(*pickle.Object)
	if !ok {
		fmt.Println("not an agent:", compat.Repr(v))
		return
	}
	attr := func(name string) any { a, _ := o.Attr(name); return a }
	fmt.Printf("My name is %s (%s.%s)\n", compat.Str(attr("name")), o.Class.Module, o.Class.Name)
	var bought []string
	if d, ok := attr("productsBought").(pickle.Dict); ok {
		d.Iter()(func(k, v any) bool {
			bought = append(bought, compat.Str(k)+" ("+compat.Str(v)+")")
			return true
		})
	}
	sort.Strings(bought)
	fmt.Println("  I have bought:", strings.Join(bought, ", "))
	var left []string
	if l, ok := attr("productsToBuy").(*pickle.List); ok {
		for _, it := range l.Items {
			left = append(left, compat.Str(it))
		}
	}
	fmt.Println("  I couldn't buy:", strings.Join(left, " "))
	fmt.Println("  Cash left:", compat.Str(attr("cash")), "after visiting", compat.Str(attr("shopsVisited")), "shops")
	var objs []string
	if l, ok := attr("boughtObjects").(*pickle.List); ok {
		for _, it := range l.Items {
			if b, ok := it.(*pickle.Object); ok {
				objs = append(objs, b.Class.Module+"."+b.Class.Name)
			}
		}
	}
	fmt.Println("  Objects:", strings.Join(objs, ", "))
}

// nameServer is a client of the Name Server at host:port.
func nameServer(host string, port int) *ns.Client {
	c, err := ns.NewClient(ns.LocationURI(host, port), "")
	if err != nil {
		log.Fatal(err)
	}
	return c
}
