package ns_test

import (
	"context"
	"testing"
	"time"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/ns"
	"github.com/gopyro/gopyro/pickle"
)

// TestRegisterSharedValue registers a value that is no URI and shares its
// parts (2^40 leaves, 154 bytes as a pickle): the name server answers
// NamingError('invalid URI', x) with x written as shared as it came, and
// its message cut (it used to spell the 2^40 leaves out and die).
func TestRegisterSharedValue(t *testing.T) {
	in := startNS(t, ns.StartOptions{})
	var doubled any = int64(1)
	for range 40 {
		doubled = pickle.Tuple{doubled, doubled}
	}
	p, err := core.NewProxy(in.URI(), core.WithTimeout(30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	_, err = p.Call(context.Background(), "register", ":Default.x", doubled)
	args := namingArgs(err)
	if len(args) != 2 || args[0] != "invalid URI" {
		t.Fatalf("register: %v, want NamingError('invalid URI', x)", err)
	}
	if len(err.Error()) > compat.MaxRepr+100 {
		t.Errorf("error text of %d bytes", len(err.Error()))
	}
	if _, err := p.Call(context.Background(), "ping"); err != nil {
		t.Errorf("ping after: %v", err)
	}
}
