// Command instancemode is the Go port of the server of Pyro 5's
// instancemode example (examples/instancemode/server.py): three classes,
// one per instance mode, registered with the name server as
// instance.single, instance.session and instance.percall. Each msg call
// returns the number of the instance that served it (Python returns the
// instance's id()), so the client shows which calls shared an instance.
package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"sync/atomic"

	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/examples/pyro5/internal/serve"
	"github.com/gopyro/gopyro/pickle"
)

// instances numbers the instances of all three types, as id() tells
// Python's apart.
var instances atomic.Int64

func newID(class string) int64 {
	id := instances.Add(1)
	fmt.Println("created", class, "instance with id", id)
	return id
}

func logMsg(id int64, class, message string) {
	fmt.Printf("[%d] %s.msg: %s\n", id, class, message)
}

// SingleInstance serves every call of every client.
type SingleInstance struct{ id int64 }

// Msg returns the instance's number.
func (s *SingleInstance) Msg(message string) int64 {
	logMsg(s.id, "SingleInstance", message)
	return s.id
}

// SessionInstance serves the calls of one connection.
type SessionInstance struct {
	id          int64
	correlation string
}

// Msg returns the instance's number and the correlation id it was created
// with.
func (s *SessionInstance) Msg(message string) pickle.Tuple {
	logMsg(s.id, "SessionInstance", message)
	return pickle.Tuple{s.id, s.correlation}
}

// newCorrelation is the correlation id of a session instance. Python's
// takes that of the call that made it (current_context.correlation_id),
// which Pyro 5's daemon makes a new uuid4 when the client sends none, as
// this example's client does; core does not hand a call's correlation id to
// Go methods, so the port makes the uuid4 itself.
func newCorrelation() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// PercallInstance serves one call.
type PercallInstance struct{ id int64 }

// Msg returns the instance's number.
func (p *PercallInstance) Msg(message string) int64 {
	logMsg(p.id, "PercallInstance", message)
	return p.id
}

func main() {
	ctx, stop := serve.Context()
	defer stop()
	single := core.NewFactory(core.Single, func(context.Context) (*SingleInstance, error) {
		return &SingleInstance{id: newID("SingleInstance")}, nil
	})
	session := core.NewFactory(core.Session, func(context.Context) (*SessionInstance, error) {
		return &SessionInstance{id: newID("SessionInstance"), correlation: newCorrelation()}, nil
	})
	percall := core.NewFactory(core.PerCall, func(context.Context) (*PercallInstance, error) {
		return &PercallInstance{id: newID("PercallInstance")}, nil
	})
	serve.Serve(ctx, serve.Daemon(serve.Options{}), true,
		serve.Object{Value: single, Name: "instance.single"},
		serve.Object{Value: session, Name: "instance.session"},
		serve.Object{Value: percall, Name: "instance.percall"})
}
