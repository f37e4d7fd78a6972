// Command server is the Go counterpart of the servers of Pyro's "callback"
// example. It serves both of them in one process:
//
//   - ":test.callback" (shout_server.py): listeners register a callback
//     object; whenever someone shouts, every listener is called back.
//   - ":test.bouncer" (bounce_server.py): a bouncer that plays a message
//     back and forth with the caller's own bouncer (bounce_client.py,
//     cberror_client.py).
//
// The Name Server is found with PYRO_NS_HOSTNAME and PYRO_NS_PORT.
package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/examples/callback/bouncer"
	"github.com/gopyro/gopyro/examples/internal/example"
	"github.com/gopyro/gopyro/ns"
)

// CallbackThing calls back its registered listeners.
type CallbackThing struct {
	mu      sync.Mutex
	clients []*core.Proxy
}

// Register adds a listener: a proxy for a remote object with a callback
// method.
func (t *CallbackThing) Register(client *core.Proxy) {
	fmt.Println("REGISTER", client)
	t.mu.Lock()
	defer t.mu.Unlock()
	t.clients = append(t.clients, client)
}

// Shout calls every listener back with the message. Listeners that cannot
// be reached any more are dropped.
func (t *CallbackThing) Shout(ctx context.Context, message string) error {
	fmt.Println("Got shout:", message)
	t.mu.Lock()
	clients := slices.Clone(t.clients)
	t.mu.Unlock()
	for _, c := range clients {
		_, err := c.Call(ctx, "callback", "Somebody shouted: "+message)
		var closed *compat.ConnectionClosedError
		var commErr *core.CommError
		switch {
		case errors.As(err, &closed) || errors.As(err, &commErr):
			t.mu.Lock()
			t.clients = slices.DeleteFunc(t.clients, func(p *core.Proxy) bool { return p == c })
			t.mu.Unlock()
			fmt.Println("Removed dead listener", c)
		case err != nil:
			return err
		}
	}
	return nil
}

func main() {
	ctx := context.Background()
	nameServer := example.NameServer(ctx, ns.LocateOptions{}, ":test")
	d := example.Daemon(core.DaemonOptions{Registrar: nameServer, UnregisterOnShutdown: true})
	example.ConnectFresh(ctx, nameServer, d, &CallbackThing{}, ":test.callback")
	example.ConnectFresh(ctx, nameServer, d, bouncer.New("Server", d), ":test.bouncer")
	example.Serve(ctx, d, `Server object "callback" ready.`, "Bouncer started")
}
