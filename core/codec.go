package core

import (
	"context"

	"github.com/gopyro/gopyro/compat"
)

// Request is one call as a codec carries it: the target object and the call.
type Request struct {
	ObjectID string
	Call
	// Plain asks a ClientCodec to send the positional arguments as they
	// are, without keyword packaging. For Pyro 3 this is request flags 0,
	// which is how Pyro's NameServerProxy and PYROLOC resolution call;
	// otherwise calls are sent like DynamicProxy does (flags 3, or 7 for
	// oneway). Servers ignore it.
	Plain bool
	// Varargs, with Plain, packs the positional arguments into one trailing
	// tuple (Pyro 3 request flags 1), as Pyro's NameServerProxy sends
	// _synccall. Servers ignore it.
	Varargs bool
	// Err, set by a ServerCodec, means the request was read but cannot be
	// called as sent (for example keyword arguments that are not a dict);
	// the daemon answers it like an exception raised by the method.
	Err error
}

// ServerCodec is the daemon's side of one client connection in one wire
// protocol. The daemon reads requests one after another and answers each
// non-oneway request with exactly one WriteResult or WriteError. Writes may
// come from another goroutine than reads, but never concurrently with each
// other.
//
// The Pyro 3 implementation (PYRO protocol version 5, pickled request
// tuples, PyroExceptionCapsule error replies) is in pyro3.go.
type ServerCodec interface {
	// ReadRequest reads the next request. An error that is a
	// *RequestError tells the daemon how to react; any other error ends
	// the connection silently. The Request may be reused by the next
	// ReadRequest: the daemon copies one it keeps longer (a queued oneway
	// call).
	ReadRequest(ctx context.Context) (*Request, error)
	// WriteResult answers a request with its result.
	WriteResult(ctx context.Context, result any) error
	// WriteError answers a request with an exception; traceback nil means
	// there is none (errors of the protocol layer).
	WriteError(ctx context.Context, ex *compat.Exception, traceback []string) error
	// Close closes the connection.
	Close() error
}

// RequestError is returned by ServerCodec.ReadRequest for a request that
// could not be read or decoded.
type RequestError struct {
	// Err is the cause.
	Err error
	// Reply, when not nil, is sent to the client as an exception with
	// Traceback (nil for none) before the daemon continues or closes.
	Reply     *compat.Exception
	Traceback []string
	// Close ends the connection (after the reply, if any).
	Close bool
}

func (e *RequestError) Error() string { return "core: bad request: " + e.Err.Error() }
func (e *RequestError) Unwrap() error { return e.Err }

// ClientCodec is a proxy's side of one connection to a daemon. Calls on one
// ClientCodec are strictly sequential: a request, then (unless oneway) its
// reply.
type ClientCodec interface {
	// WriteRequest sends a request.
	WriteRequest(ctx context.Context, r *Request) error
	// ReadReply reads the reply to the last request: its result, or the
	// remote exception as an error (a *compat.Exception or typed Pyro error
	// with the remote traceback). Errors of the connection itself are
	// *CommError values.
	ReadReply(ctx context.Context) (any, error)
	// Close closes the connection.
	Close() error
}

// CommError reports a failure of the connection to a remote daemon (as
// opposed to an exception raised remotely). The proxy that got it has
// dropped its connection and reconnects on its next call. It unwraps to the
// cause, and errors.As finds the Pyro error class it corresponds to:
// *compat.ConnectionClosedError, *compat.TimeoutError,
// *compat.ConnectionDeniedError or *compat.ProtocolError.
type CommError struct {
	Op  string // "dial", "handshake", "write", "read"
	URI compat.URI
	Err error
	Exc error // the Pyro error this corresponds to
}

func (e *CommError) Error() string {
	return "core: " + e.Op + " " + e.URI.String() + ": " + e.Err.Error()
}

// Unwrap returns the cause and the Pyro error.
func (e *CommError) Unwrap() []error { return []error{e.Err, e.Exc} }
