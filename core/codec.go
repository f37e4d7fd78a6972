package core

import (
	"context"
	"errors"

	"github.com/gopyro/gopyro/compat"
)

// Request is one call as a codec carries it: the target object and the call.
type Request struct {
	ObjectID string
	Call
	// Style asks a ClientCodec to send the call in a particular way:
	// zero is the protocol's usual way, the attribute styles are remote
	// attribute access, and other values are the protocol's own (Pyro 3
	// has two, for Proxy.CallPositional and Proxy.CallPacked), sent the usual
	// way by a protocol that does not know them. Servers leave it zero.
	Style CallStyle
	// Batch, set by a ServerCodec, holds the calls of a batch request
	// (Pyro 5's BATCH flag) in place of Call: the daemon makes them in
	// order until one fails and answers with a *BatchResult.
	Batch []Call
	// Err, set by a ServerCodec, means the request was read but cannot be
	// called as sent (for example keyword arguments that are not a dict);
	// the daemon answers it like an error returned by the method.
	Err error
}

// CallStyle selects a particular way of sending a call (see
// Request.Style).
type CallStyle uint8

// The attribute styles: a request for the remote attribute Method of the
// object (Args holds the value to set), which a protocol sends as its
// attribute protocol has it (Pyro 3: _r_ga, _r_sa, _r_ha) and a protocol
// without remote attributes refuses with an error.
const (
	// StyleGetAttr reads the attribute; the reply is its value.
	StyleGetAttr CallStyle = 0x80 + iota
	// StyleSetAttr sets it to Args[0].
	StyleSetAttr
	// StyleHasMethod asks whether the name is a method; the reply is a
	// bool.
	StyleHasMethod
)

// ServerCodec is the daemon's side of one client connection in one wire
// protocol, as net/rpc's ServerCodec. The daemon reads requests one after
// another and answers each non-oneway request with exactly one WriteResult
// or WriteError. Writes may come from another goroutine than reads, but
// never concurrently with each other. A write that returns an error ends
// the connection: that is how a protocol closes after an answer, or instead
// of one.
type ServerCodec interface {
	// ReadRequest reads the next request. An error that is a
	// *RequestError tells the daemon how to react; any other error ends
	// the connection silently. The Request may be reused by the next
	// ReadRequest: the daemon copies one it keeps longer (a queued oneway
	// call).
	ReadRequest(ctx context.Context) (*Request, error)
	// WriteResult answers the last request with its result.
	WriteResult(ctx context.Context, result any) error
	// WriteError answers the last request with the error the call
	// returned, which the codec maps to its protocol's exception. The
	// daemon also calls it, even for a oneway request, with an error
	// matching ErrUnknownObject when the request names no object.
	WriteError(ctx context.Context, err error) error
	// Close closes the connection.
	Close() error
}

// BatchResult is the result a daemon gives ServerCodec.WriteResult for a
// batch request: the results of the calls made, and the error of the call
// that failed, if one did (the calls after it are not made).
type BatchResult struct {
	Results []any
	Err     error
}

// ErrUnknownObject is the error a daemon gives ServerCodec.WriteError for a
// request whose object id it does not serve.
var ErrUnknownObject = errors.New("core: unknown object id")

// RequestError is returned by ServerCodec.ReadRequest for a request that
// could not be read or decoded.
type RequestError struct {
	// Err is the cause.
	Err error
	// Reply, when not nil, is given back to the codec's WriteError before
	// the daemon continues or closes.
	Reply error
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
	// *CommError values; the proxy drops the connection after those and
	// after the errors for which ClosesConnection is true.
	ReadReply(ctx context.Context) (any, error)
	// ClosesConnection reports whether the daemon closes the connection
	// after answering with the remote exception err (a close rule of the
	// protocol).
	ClosesConnection(err error) bool
	// Close closes the connection.
	Close() error
}

// requestsWriter is a ClientCodec that can send several oneway requests in
// one write (Proxy.OnewayAll); a codec without it sends them one by one.
type requestsWriter interface {
	WriteRequests(ctx context.Context, rs []*Request) error
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
