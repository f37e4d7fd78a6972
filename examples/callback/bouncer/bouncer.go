// Package bouncer is the message bouncer of Pyro's "callback" example
// (bouncer.py), shared by the Go server and client as the Python programs
// share bouncer.py: two bouncers pass a growing message back and forth,
// each handing the other a proxy for itself to call back, until the
// message has 100 entries.
package bouncer

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/pickle"
)

// Bouncer is the remote object. Connect it to a daemon with New.
type Bouncer struct {
	name   string
	daemon *core.Daemon

	mu    sync.Mutex // nested calls arrive on several connections at once
	count int
}

// New returns a bouncer called name, served by d.
func New(name string, d *core.Daemon) *Bouncer { return &Bouncer{name: name, daemon: d} }

// Process appends the bouncer's name to message and passes it on to
// callback together with a proxy for this bouncer, so that the other side
// can call back in turn. The answer is the list of bounces, the last one
// first. Like Pyro's example, a failing callback is reported here and the
// call returns None.
func (b *Bouncer) Process(ctx context.Context, message []any, callback *core.Proxy) (any, error) {
	name := pickle.ByteString(b.name) // a Python str, like the Python bouncer's
	if len(message) >= 100 {
		fmt.Println("Back in", b.name, ", message is large enough... stopping!")
		return []any{pickle.ByteString(fmt.Sprintf("complete at %s:%d", b.name, b.counter(0)))}, nil
	}
	fmt.Println("I'm", b.name, ", bouncing back...")
	self, err := b.daemon.ProxyFor(b)
	if err != nil {
		return nil, err
	}
	var result []any
	if err := callback.CallInto(ctx, &result, "process", append(message, name), self); err != nil {
		fmt.Println("Error occurred in callback object:", errText(err))
		return nil, nil
	}
	n := b.counter(1)
	return append([]any{pickle.ByteString(fmt.Sprintf("passed on from %s:%d", b.name, n))}, result...), nil
}

// counter adds delta to the bounce count and returns it.
func (b *Bouncer) counter(delta int) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.count += delta
	return b.count
}

// errText is Python's str() of an error: a remote exception's message.
func errText(err error) string {
	var ex *compat.Exception
	if errors.As(err, &ex) {
		return ex.Message()
	}
	return err.Error()
}
