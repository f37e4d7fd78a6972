// Command pyro5proxy drives a core.Proxy against a Python Pyro5 daemon for
// the interop suite (interop_tests/test_pyro5_proxy.py, whose server is
// interop_tests/py5/proxy_server.py). It runs one scenario and prints one
// line per step, "name -> value" or "name !! module.Class: message".
//
// Usage: pyro5proxy [-serializer NAME] [-pyro4 [-hmac KEY]] SCENARIO URI
//
// With -pyro4 it calls a Pyro4 4.82 daemon instead (test_pyro4_proxy.py).
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/pickle"
)

var scenarios = map[string]func(ctx context.Context, p *core.Proxy){
	"serializers": serializers,
	"metadata":    metadata,
	"batch":       batch,
	"stream":      stream,
	"timeout":     timeout,
	"reconnect":   reconnect,
	"busy":        busy,
	"unknown":     unknown,
	"names":       names,
	"typed":       typed,
}

// chosen holds the -serializer, -pyro4 and -hmac options, for the scenarios' other proxies.
var chosen []core.ProxyOption

func main() {
	serializer := flag.String("serializer", "", "Pyro 5 serializer (default serpent)")
	pyro4 := flag.Bool("pyro4", false, "call a Pyro4 daemon (protocol 48)")
	hmacKey := flag.String("hmac", "", "the HMAC key of Pyro 4 connections")
	flag.Parse()
	if flag.NArg() != 2 || scenarios[flag.Arg(0)] == nil {
		fmt.Fprintln(os.Stderr, "usage: pyro5proxy [-serializer NAME] [-pyro4 [-hmac KEY]] SCENARIO URI")
		os.Exit(2)
	}
	opts := []core.ProxyOption{core.WithTimeout(10 * time.Second)}
	if *serializer != "" {
		chosen = []core.ProxyOption{core.WithSerializer(*serializer)}
	}
	if *pyro4 {
		chosen = append(chosen, core.WithGeneration(core.Pyro4))
	}
	if *hmacKey != "" {
		chosen = append(chosen, core.WithHMACKey([]byte(*hmacKey)))
	}
	p, err := core.NewProxy(flag.Arg(1), append(opts, chosen...)...)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer p.Close()
	scenarios[flag.Arg(0)](context.Background(), p)
}

// show prints the outcome of a step.
func show(name string, v any, err error) {
	ex, isPy := pyException(err)
	switch {
	case isPy:
		fmt.Printf("%s !! %s.%s: %s\n", name, ex.Class.Module, ex.Class.Name, ex.Message())
	case err != nil:
		fmt.Printf("%s !! %v\n", name, err)
	default:
		fmt.Printf("%s -> %s\n", name, compat.Repr(v))
	}
}

// pyException finds the Python exception in err's tree: a remote one, or
// the Pyro error a failure of the connection corresponds to.
func pyException(err error) (*compat.Exception, bool) {
	if err == nil {
		return nil, false
	}
	if ex, ok := compat.AsException(err); ok {
		return ex, true
	}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		return pyException(u.Unwrap())
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			if ex, ok := pyException(e); ok {
				return ex, true
			}
		}
	}
	return nil, false
}

// texts joins a list of strings with commas.
func texts(v any) string {
	items, _ := pickle.Items(v)
	var s []string
	for _, it := range items {
		t, _ := pickle.Text(it)
		s = append(s, t)
	}
	return strings.Join(s, ",")
}

// serializers: the types the server sees the arguments as, which differ
// between serializers, and a round trip.
func serializers(ctx context.Context, p *core.Proxy) {
	v, err := p.Call(ctx, "kinds", pickle.Tuple{1, "two"}, 1.5, []any{1}, map[string]any{"a": 1}, "s", nil, true)
	if err != nil {
		show("kinds", nil, err)
	} else {
		fmt.Println("kinds ->", texts(v))
	}
	v, err = p.Call(ctx, "add", 20, 22)
	show("add", v, err)
	v, err = p.Call(ctx, "echo", []any{"grüß", 3.25, int64(1) << 40})
	show("echo", v, err)
}

// metadata: what the daemon said of the object on connect, calls of its
// oneway method, an explicit oneway call, names it does not expose, and
// its attribute.
func metadata(ctx context.Context, p *core.Proxy) {
	meta, err := p.Metadata(ctx)
	if err != nil {
		show("meta", nil, err)
		return
	}
	fmt.Printf("meta -> methods=%s oneway=%s attrs=%s\n", strings.Join(meta.Methods, ","), strings.Join(meta.Oneway, ","), strings.Join(meta.Attrs, ","))
	// record is @oneway: it blocks on the server until release(), but the
	// call is sent oneway and returns at once
	rctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	v, err := p.Call(rctx, "record", 7)
	cancel()
	show("record", v, err)
	// an explicit oneway call gets no answer, not even the exception
	show("oneway_fail", nil, p.Oneway(ctx, "fail", "unseen"))
	v, err = p.Call(ctx, "release")
	show("release", v, err)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		v, err = p.Call(ctx, "recorded")
		if items, _ := pickle.Items(v); err != nil || len(items) > 0 || time.Now().After(deadline) {
			break
		}
	}
	show("recorded", v, err)
	v, err = p.Call(ctx, "nosuch")
	show("missing", v, err)
	v, err = p.GetAttr(ctx, "value")
	show("get", v, err)
	show("set", nil, p.SetAttr(ctx, "value", 5))
	v, err = p.GetAttr(ctx, "value")
	show("get_after_set", v, err)
	v, err = p.GetAttr(ctx, "nosuch")
	show("get_missing", v, err)
	show("set_method", nil, p.SetAttr(ctx, "add", 1))
	for _, name := range []string{"add", "value"} {
		is, err := p.IsMethod(ctx, name)
		show("ismethod_"+name, is, err)
	}
}

// batch: a batch up to the call that raises, a batch reused, a oneway
// batch.
func batch(ctx context.Context, p *core.Proxy) {
	b := p.Batch()
	b.Call("add", 1, 2)
	b.CallKw("echo", nil, map[string]any{"x": "kw"})
	b.Call("fail", "boom")
	b.Call("add", 3, 4)
	res, err := b.Run(ctx)
	show("batch", &pickle.List{Items: res}, nil)
	show("batch_error", nil, err)
	b.Call("kinds", pickle.Tuple{1})
	b.Call("add", "a", "b")
	res, err = b.Run(ctx)
	show("batch_again", &pickle.List{Items: res}, err)
	// release() lets record() run at once
	b.Call("release")
	b.Call("record", 9)
	show("oneway_batch", nil, b.RunOneway(ctx))
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		v, err := p.Call(ctx, "recorded")
		if items, _ := pickle.Items(v); err != nil || len(items) > 0 || time.Now().After(deadline) {
			show("recorded", v, err)
			break
		}
	}
}

// stream: a generator read to its end, then one abandoned after two items,
// which the proxy closes.
func stream(ctx context.Context, p *core.Proxy) {
	v, err := p.Call(ctx, "count", 4)
	s, ok := v.(*core.Stream)
	if err != nil || !ok {
		show("count", v, err)
		return
	}
	var items []any
	for item, err := range s.All(ctx) {
		if err != nil {
			show("item", nil, err)
		}
		items = append(items, item)
	}
	show("count", &pickle.List{Items: items}, nil)
	_, err = s.Next(ctx)
	fmt.Println("after_end ->", err)
	v, err = p.Call(ctx, "count", 1000)
	if err != nil {
		show("count_many", v, err)
		return
	}
	items = nil
	for item := range v.(*core.Stream).All(ctx) {
		items = append(items, item)
		if len(items) == 2 {
			break
		}
	}
	show("abandoned", &pickle.List{Items: items}, nil)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		v, err = p.Call(ctx, "open_streams")
		if err != nil || v == int64(0) || time.Now().After(deadline) {
			show("open_streams", v, err)
			break
		}
	}
}

// timeout: a proxy timeout and a context deadline end a slow call; the
// proxy connects again for the next call.
func timeout(ctx context.Context, p *core.Proxy) {
	q, err := core.NewProxy(p.URI(), append(chosen, core.WithTimeout(300*time.Millisecond))...)
	if err != nil {
		show("proxy", nil, err)
		return
	}
	defer q.Close()
	start := time.Now()
	_, err = q.Call(ctx, "slow", 3)
	show("proxy_timeout", nil, err)
	fmt.Println("proxy_timeout_fast ->", time.Since(start) < 2*time.Second)
	v, err := q.Call(ctx, "add", 1, 2)
	show("after_proxy_timeout", v, err)
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	start = time.Now()
	_, err = p.Call(short, "slow", 3)
	show("deadline", nil, err)
	fmt.Println("deadline_fast ->", time.Since(start) < 2*time.Second)
	v, err = p.Call(ctx, "add", 3, 4)
	show("after_deadline", v, err)
}

// reconnect: a call, then (once the test restarted the daemon on its port
// and wrote a line to stdin) a call that fails on the old connection,
// Reconnect and a call.
func reconnect(ctx context.Context, p *core.Proxy) {
	v, err := p.Call(ctx, "add", 1, 2)
	show("before", v, err)
	fmt.Println("ready -> restart the daemon")
	if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
		show("stdin", nil, err)
		return
	}
	v, err = p.Call(ctx, "add", 1, 2)
	show("stale", v, err)
	show("reconnect", nil, p.Reconnect(ctx, 5))
	v, err = p.Call(ctx, "add", 2, 3)
	show("after", v, err)
	meta, err := p.Metadata(ctx)
	show("meta_after", strings.Join(meta.Oneway, ","), err)
}

// busy: a daemon with one worker thread refuses a second connection, in
// marshal whatever the proxy's serializer.
func busy(ctx context.Context, p *core.Proxy) {
	v, err := p.Call(ctx, "add", 1, 2)
	show("first", v, err)
	for _, serializer := range []string{"serpent", "json", "msgpack"} {
		q, err := core.NewProxy(p.URI(), core.WithSerializer(serializer), core.WithTimeout(10*time.Second))
		if err != nil {
			show(serializer, nil, err)
			continue
		}
		_, err = q.Call(ctx, "add", 1, 2)
		show("second_"+serializer, nil, err)
		fmt.Printf("second_%s_text -> %v\n", serializer, err)
		q.Close()
	}
}

// unknown: CONNECTFAIL for an object id the daemon does not know, and a
// remote exception.
func unknown(ctx context.Context, p *core.Proxy) {
	u := p.URI()
	u.ObjectID = "nosuch"
	q, err := core.NewProxy(u, append(chosen, core.WithTimeout(10*time.Second))...)
	if err != nil {
		show("proxy", nil, err)
		return
	}
	defer q.Close()
	_, err = q.Call(ctx, "add", 1, 2)
	show("unknown", nil, err)
	fmt.Println("unknown_text ->", err)
	_, err = p.Call(ctx, "fail", "bad value")
	show("fail", nil, err)
	var ex *compat.Exception
	fmt.Println("fail_traceback ->", errors.As(err, &ex) && strings.Contains(strings.Join(ex.Traceback, ""), "ValueError: bad value"))
}

// names: URI is PYRONAME:test.proxy@ns-host:ns-port; the object is found
// by name and by metadata, without the location through PYRO_NS_HOST and
// PYRO_NS_PORT, and unknown names and metadata fail.
func names(ctx context.Context, p *core.Proxy) {
	given := p.URI()
	loc := fmt.Sprintf("@%s:%d", given.Address, given.Port)
	v, err := p.Call(ctx, "add", 1, 2)
	show("byname", v, err)
	fmt.Println("byname_bound ->", p.URI())
	for _, tt := range []struct{ name, uri string }{
		{"bymeta", "PYROMETA:group:proxy,kind:test" + loc},
		{"bymeta_one", "PYROMETA:kind:test" + loc},
		{"noloc", "PYRONAME:test.proxy"},
		{"unknown_name", "PYRONAME:nosuch" + loc},
		{"unknown_meta", "PYROMETA:group:none" + loc},
		{"no_ns", "PYRONAME:test.proxy@127.0.0.1:1"},
	} {
		withProxy(tt.name, tt.uri, func(q *core.Proxy) {
			v, err := q.Call(ctx, "add", 1, 2)
			show(tt.name, v, err)
		})
	}
}

// withProxy runs f with a proxy of uri (the -serializer option, a 10 s
// timeout), or shows the step name failing when there is none.
func withProxy(name, uri string, f func(q *core.Proxy)) {
	q, err := core.NewProxy(uri, append(chosen, core.WithTimeout(10*time.Second))...)
	if err != nil {
		show(name, nil, err)
		return
	}
	defer q.Close()
	f(q)
}

// typed: the errors of a Pyro5 name server (URI: its PYRO URI), raised by
// its methods or by the search for it, matched with errors.As as the
// compat types of their class and its Pyro 5 bases, never as unrelated
// ones. Each step prints "name -> Go types matched, module: message".
func typed(ctx context.Context, p *core.Proxy) {
	matched := func(name string, err error) {
		var found []string
		var ne *compat.NamingError
		var pe *compat.PyroError
		var ce *compat.CommunicationError
		var de *compat.DaemonError
		var se *compat.SerializeError
		if errors.As(err, &ne) {
			found = append(found, "NamingError")
		}
		if errors.As(err, &pe) {
			found = append(found, "PyroError")
		}
		if errors.As(err, &ce) {
			found = append(found, "CommunicationError")
		}
		if errors.As(err, &de) {
			found = append(found, "DaemonError")
		}
		if errors.As(err, &se) {
			found = append(found, "SerializeError")
		}
		if pe == nil {
			fmt.Printf("%s !! %v\n", name, err)
			return
		}
		fmt.Printf("%s -> %s, %s: %s\n", name, strings.Join(found, ","), pe.Class.Module, pe.Message())
	}
	given := p.URI()
	loc := fmt.Sprintf("@%s:%d", given.Address, given.Port)
	_, err := p.Call(ctx, "lookup", "nosuch")
	matched("lookup", err)
	_, err = p.CallKw(ctx, "register", []any{"Pyro.NameServer", "PYRO:x@127.0.0.1:1"}, map[string]any{"safe": true})
	matched("register_safe", err)
	for _, tt := range []struct{ name, uri string }{
		{"pyroname", "PYRONAME:nosuch" + loc},
		{"pyrometa", "PYROMETA:group:none" + loc},
		{"no_ns", "PYRONAME:nosuch@127.0.0.1:1"},
	} {
		withProxy(tt.name, tt.uri, func(q *core.Proxy) {
			_, err := q.Call(ctx, "ping")
			matched(tt.name, err)
		})
	}
}
