package core_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/pickle"
)

// startCalc5 serves a calc as "calc" and returns its Pyro 5 URI.
func startCalc5(t *testing.T) (string, *calc) {
	t.Helper()
	d := startDaemon(t, core.DaemonOptions{})
	obj := &calc{}
	if _, err := d.ConnectWithGUID(context.Background(), obj, "calc", ""); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("PYRO:calc@127.0.0.1:%d", d.Port()), obj
}

// TestPyro5ProxySerializers: each of Pyro 5's serializers carries the
// call; a tuple comes back as the serializer has it (json and msgpack have
// no tuples).
func TestPyro5ProxySerializers(t *testing.T) {
	uri, _ := startCalc5(t)
	ctx := context.Background()
	for _, tt := range []struct {
		serializer, want string
	}{
		{"", "(1, u'two')"},
		{"serpent", "(1, u'two')"},
		{"marshal", "(1, u'two')"},
		{"json", "[1, u'two']"},
		{"msgpack", "[1, u'two']"},
	} {
		t.Run(tt.serializer, func(t *testing.T) {
			p := newProxy(t, uri, core.WithSerializer(tt.serializer), core.WithTimeout(10*time.Second))
			if n, err := p.Call(ctx, "add", 20, 22); err != nil || n != int64(42) {
				t.Fatalf("add = %v, %v", n, err)
			}
			v, err := p.Call(ctx, "echo", pickle.Tuple{1, "two"})
			if err != nil {
				t.Fatal(err)
			}
			if got := compat.Repr(v); got != tt.want {
				t.Fatalf("echo = %s, want %s", got, tt.want)
			}
		})
	}
	if _, err := core.NewProxy(uri, core.WithSerializer("pickle")); err == nil || err.Error() != "ValueError: unknown serializer configured" {
		t.Fatalf("unknown serializer: %v", err)
	}
}
