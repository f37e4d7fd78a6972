// Command pyro5proxy drives a core.Proxy against a Python Pyro5 daemon for
// the interop suite (interop_tests/test_pyro5_proxy.py, whose server is
// interop_tests/py5/proxy_server.py). It runs one scenario and prints one
// line per step, "name -> value" or "name !! module.Class: message".
//
// Usage: pyro5proxy [-serializer NAME] SCENARIO URI
package main

import (
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
}

func main() {
	serializer := flag.String("serializer", "", "Pyro 5 serializer (default serpent)")
	flag.Parse()
	if flag.NArg() != 2 || scenarios[flag.Arg(0)] == nil {
		fmt.Fprintln(os.Stderr, "usage: pyro5proxy [-serializer NAME] SCENARIO URI")
		os.Exit(2)
	}
	opts := []core.ProxyOption{core.WithTimeout(10 * time.Second)}
	if *serializer != "" {
		opts = append(opts, core.WithSerializer(*serializer))
	}
	p, err := core.NewProxy(flag.Arg(1), opts...)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer p.Close()
	scenarios[flag.Arg(0)](context.Background(), p)
}

// show prints the outcome of a step.
func show(name string, v any, err error) {
	var ex *compat.Exception
	switch {
	case errors.As(err, &ex):
		fmt.Printf("%s !! %s.%s: %s\n", name, ex.Class.Module, ex.Class.Name, ex.Message())
	case err != nil:
		fmt.Printf("%s !! %v\n", name, err)
	default:
		fmt.Printf("%s -> %s\n", name, compat.Repr(v))
	}
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
