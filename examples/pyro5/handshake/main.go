// Command handshake is the Go port of the server of Pyro 5's handshake
// example (examples/handshake/server.py): a daemon that validates the
// handshake data of every connecting client (DaemonOptions.Pyro5Handshake,
// Pyro 5's Daemon.validateHandshake). The right secret code is answered
// with custom handshake data; a wrong one refuses the connection with the
// ValueError's text. Clients connect to the daemon's own object,
// PYRO:Pyro.Daemon@host:port.
package main

import (
	"context"
	"fmt"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/examples/pyro5/internal/serve"
)

const secretCode = "pancakes"

// validate is the daemon's handshake check.
func validate(_ context.Context, c *core.Caller, data any) (any, error) {
	fmt.Println("Daemon received handshake request from:", c.RemoteAddr)
	fmt.Println("Handshake data:", compat.Str(data))
	if code, ok := data.(string); ok && code == secretCode {
		fmt.Println("Secret code okay! Connection accepted.")
		return []string{"how", "are", "you", "doing"}, nil
	}
	fmt.Println("Secret code wrong! Connection refused.")
	return nil, compat.ValueError("wrong secret code, connection refused")
}

func main() {
	ctx, stop := serve.Context()
	defer stop()
	d := serve.Daemon(serve.Options{Daemon: func(o *core.DaemonOptions) { o.Pyro5Handshake = validate }})
	serve.Run(ctx, d,
		"Server is ready. You can use the following URI to connect:",
		fmt.Sprintf("PYRO:Pyro.Daemon@%s:%d", d.Host(), d.Port()),
		"When asked, enter the following secret code:  "+secretCode)
}
