package core

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"reflect"
	"slices"
	"sync"
	"time"

	"github.com/gopyro/gopyro/metrics"
	"github.com/gopyro/gopyro/protocol"
)

// Caller describes the client connection a call came in on; it is Pyro's
// getLocalStorage() with its caller attribute. Values stored with SetValue
// live as long as the connection and are shared by all calls on it
// (oneway calls included).
type Caller struct {
	RemoteAddr net.Addr
	LocalAddr  net.Addr
	Daemon     *Daemon

	mu      sync.Mutex
	values  map[any]any
	tracked []io.Closer
}

// TrackResource has r closed when the connection ends, unless it is
// untracked first, as Pyro 5's current_context.track_resource: a resource
// a client allocated is freed even when the client goes away without
// freeing it. r must be comparable (a pointer, typically); tracking it
// twice tracks it once.
func (c *Caller) TrackResource(r io.Closer) error {
	if t := reflect.TypeOf(r); t == nil || !t.Comparable() {
		return fmt.Errorf("core: cannot track a resource of the incomparable type %T", r)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !slices.Contains(c.tracked, r) {
		c.tracked = append(c.tracked, r)
	}
	return nil
}

// UntrackResource stops tracking r (Pyro 5's untrack_resource).
func (c *Caller) UntrackResource(r io.Closer) {
	if t := reflect.TypeOf(r); t == nil || !t.Comparable() {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if i := slices.Index(c.tracked, r); i >= 0 {
		c.tracked = slices.Delete(c.tracked, i, i+1)
	}
}

// TrackedResources returns the resources tracked for the connection, in
// the order they were tracked.
func (c *Caller) TrackedResources() []io.Closer {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.tracked)
}

// closeTracked closes the tracked resources at the end of the connection;
// as Pyro's, an error of one does not keep the others open.
func (c *Caller) closeTracked(log *slog.Logger) {
	c.mu.Lock()
	tracked := c.tracked
	c.tracked = nil
	c.mu.Unlock()
	for _, r := range tracked {
		if err := closeResource(r); err != nil {
			log.Debug("pyro daemon: closing a tracked resource failed", "peer", c.RemoteAddr, "err", err)
		}
	}
}

// closeResource closes r, turning a panic of its Close into an error.
func closeResource(r io.Closer) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("core: %T.Close panicked: %v", r, p)
		}
	}()
	return r.Close()
}

// Value returns the connection-local value stored under key, or nil.
func (c *Caller) Value(key any) any {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.values[key]
}

// SetValue stores a connection-local value under key.
func (c *Caller) SetValue(key, value any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.values == nil {
		c.values = map[any]any{}
	}
	c.values[key] = value
}

type callerKey struct{}

// CallerFromContext returns the Caller of the call whose context ctx is (a
// Go method receives it as its optional first context.Context parameter).
func CallerFromContext(ctx context.Context) (*Caller, bool) {
	c, ok := ctx.Value(callerKey{}).(*Caller)
	return c, ok
}

// serverConn is one client connection of a daemon.
type serverConn struct {
	d      *Daemon
	sp     *served // the protocol the connection speaks
	codec  ServerCodec
	caller *Caller
	ctx    context.Context // for calls: cancelled when the daemon stops
	io     context.Context // for codec I/O: never cancelled (Shutdown closes the codec)
	wmu    sync.Mutex      // serialises replies (oneway protocol errors come from the worker)
	// oneway calls waiting for the connection's oneway worker
	owMu      sync.Mutex
	owCond    sync.Cond
	owPending []*Request
	owRunning bool
}

// startConn registers a freshly accepted connection as pending (not yet
// granted) and serves it in its own goroutine. When the pending connections
// are at their bound, the oldest one is closed to make room: an honest
// client answers the challenge at once, so the oldest pending connections
// are the ones that never will.
func (d *Daemon) startConn(ctx context.Context, nc net.Conn) {
	var host netip.Addr
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		nc.Close()
		return
	}
	overHost := false
	if d.opts.MaxConnectionsPerHost > 0 {
		host = hostOf(nc.RemoteAddr())
		if host.IsValid() {
			d.perHost[host]++
			overHost = d.perHost[host] > d.opts.MaxConnectionsPerHost
		}
	}
	var evicted net.Conn
	if d.pending.Len() >= d.maxPending {
		if overHost {
			// No room, and it would be refused anyway: it must not push
			// out a connection of a client within its limit.
			d.dropHostLocked(host)
			d.mu.Unlock()
			nc.Close()
			d.metrics.Refused(metrics.RefusedTooBusy)
			return
		}
		evicted = d.pending.Remove(d.pending.Front()).(net.Conn)
		d.underPressure()
		delete(d.handshaking, evicted)
	}
	d.handshaking[nc] = d.pending.PushBack(nc)
	d.wg.Add(1)
	d.mu.Unlock()
	if evicted != nil {
		evicted.Close()
		d.metrics.Refused(metrics.RefusedEvicted)
		d.log.Debug("pyro daemon: too many pending handshakes, dropped the oldest", "peer", evicted.RemoteAddr(), "pending", d.maxPending)
	}
	go func() {
		defer d.wg.Done()
		if host.IsValid() {
			defer func() {
				d.mu.Lock()
				d.dropHostLocked(host)
				d.mu.Unlock()
			}()
		}
		defer func() {
			// A bug triggered by one client's input must not take the
			// daemon down: drop that connection only.
			if r := recover(); r != nil {
				nc.Close()
				d.log.Error("pyro daemon: panic while serving a connection", "peer", nc.RemoteAddr(), "panic", r)
			}
		}()
		d.handshakeAndServe(ctx, nc, &Admission{OverHost: overHost, d: d})
	}()
}

// hostOf is the IP address of a TCP peer (IPv4-mapped IPv6 as IPv4), or
// the zero Addr for other kinds of address.
func hostOf(addr net.Addr) netip.Addr {
	if ta, ok := addr.(*net.TCPAddr); ok {
		return ta.AddrPort().Addr().Unmap()
	}
	return netip.Addr{}
}

func (d *Daemon) dropHostLocked(host netip.Addr) {
	if d.perHost[host]--; d.perHost[host] <= 0 {
		delete(d.perHost, host)
	}
}

// leavePending takes nc out of the pending connections; false means it was
// no longer there (the daemon closed it to make room).
func (d *Daemon) leavePending(nc net.Conn) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	e, ok := d.handshaking[nc]
	if ok {
		d.pending.Remove(e)
		delete(d.handshaking, nc)
	}
	return ok
}

func (d *Daemon) handshakeAndServe(ctx context.Context, nc net.Conn, a *Admission) {
	defer func() {
		if a.granted {
			d.granted.Add(-1)
		}
	}()
	a.Connections = int(d.granted.Load()) + 1
	// A client that never completes the handshake must not hold a
	// goroutine for long; Shutdown closes the connection in any case, so the
	// handshake I/O needs no cancellable context.
	hctx := context.WithoutCancel(ctx)
	if d.opts.HandshakeTimeout > 0 {
		var cancel context.CancelFunc
		hctx, cancel = context.WithTimeout(hctx, d.opts.HandshakeTimeout)
		defer cancel()
	}
	sp, pc, err := d.detect(hctx, nc)
	var codec ServerCodec
	if err == nil {
		codec, err = sp.p.Accept(hctx, d.metrics.CountConn(sp.label, pc), a)
	}
	if stillPending := d.leavePending(nc); err == nil && !stillPending {
		// Closed to make room just after its handshake.
		codec.Close()
		return
	}
	if err != nil {
		d.metrics.Refused(refusal(err))
	}
	if err != nil {
		nc.Close()
		var denied *protocol.DeniedError
		switch {
		case errors.Is(err, protocol.ErrTLS):
			// A configuration problem (certificate expired or of an
			// unknown CA, plain client on a PYROSSL port): say which.
			d.log.Info("pyro daemon: handshake failed", "peer", nc.RemoteAddr(), "err", err)
		case !errors.As(err, &denied):
			d.log.Debug("pyro daemon: handshake failed", "peer", nc.RemoteAddr(), "err", err)
		}
		return
	}
	c := &serverConn{d: d, sp: sp, codec: codec, caller: &Caller{RemoteAddr: nc.RemoteAddr(), LocalAddr: nc.LocalAddr(), Daemon: d}}
	c.owCond.L = &c.owMu
	c.ctx = context.WithValue(ctx, callerKey{}, c.caller)
	c.io = context.WithoutCancel(ctx)
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		codec.Close()
		return
	}
	d.conns[c] = struct{}{}
	d.mu.Unlock()
	d.metrics.Accepted(sp.label)
	defer func() {
		d.mu.Lock()
		delete(d.conns, c)
		d.mu.Unlock()
		codec.Close()
		if d.opts.ClientDisconnect != nil {
			d.opts.ClientDisconnect(c.caller)
		}
		c.caller.closeTracked(d.log)
		c.endSessions()
		d.metrics.Closed(sp.label)
	}()
	if d.opts.InitConn != nil {
		d.opts.InitConn(c.caller)
	}
	c.serve()
}

// refusal is the metrics reason of a failed handshake.
func refusal(err error) string {
	var denied *protocol.DeniedError
	switch {
	case errors.As(err, &denied):
		switch denied.Reason {
		case protocol.DenyServerTooBusy:
			return metrics.RefusedTooBusy
		case protocol.DenyHostBlocked:
			return metrics.RefusedHostBlocked
		case protocol.DenySecurity:
			return metrics.RefusedSecurity
		}
		return metrics.RefusedOther
	case errors.Is(err, protocol.ErrTLS):
		return metrics.RefusedTLS
	}
	return metrics.RefusedHandshake
}

// invoke runs one call on obj, counting it when the daemon has metrics.
func (c *serverConn) invoke(obj *object, call *Call) (any, error) {
	m := c.d.metrics
	if m == nil {
		return obj.invoke(c.ctx, call, c.sp.ap)
	}
	start := time.Now()
	res, err := obj.invoke(c.ctx, call, c.sp.ap)
	exception := ""
	if err != nil {
		exception = ToException(err).Class.Name
	}
	name := obj.name
	if name == "" {
		name = metrics.Transient
	}
	m.Call(c.sp.label, name, obj.metricMethod(call.Method), start, exception)
	return res, err
}

// metricMethod is the method label of a call of method on o: the name
// when o exposes it (a method, or a remote attribute request of one of the
// protocols), metrics.OtherMethod otherwise. An Invoker that declares no
// methods (no AttrInvoker) exposes none by name.
func (o *object) metricMethod(method string) string {
	switch {
	case o.hasMethod(method), isAttrCall(method), method == "__getattr__", method == "__setattr__":
		return method
	}
	return metrics.OtherMethod
}

// serve reads and answers requests in order until the connection ends.
func (c *serverConn) serve() {
	for {
		req, err := c.codec.ReadRequest(c.io)
		if err != nil {
			var re *RequestError
			if !errors.As(err, &re) {
				return
			}
			if re.Reply != nil {
				if c.reply(func() error { return c.codec.WriteError(c.io, re.Reply) }) != nil {
					return
				}
			}
			if re.Close {
				return
			}
			continue
		}
		obj, ok := c.d.object(req.ObjectID, c.sp)
		if !ok {
			// Answered even when oneway: the codec decides what its
			// protocol sends and whether the connection goes on.
			unknown := fmt.Errorf("%w %q", ErrUnknownObject, req.ObjectID)
			if c.reply(func() error { return c.codec.WriteError(c.io, unknown) }) != nil {
				return
			}
			continue
		}
		if req.Oneway && !c.d.onewayInline {
			queued := *req // the codec reuses req for the next request
			c.queueOneway(&queued)
			continue
		}
		var res any
		if req.Err == nil {
			obj, req.Err = c.instance(obj)
		}
		switch {
		case req.Err != nil:
			err = req.Err
		case req.Batch != nil:
			res = c.invokeBatch(obj, req.Batch)
		default:
			res, err = c.invoke(obj, &req.Call)
		}
		if req.Oneway {
			// PYRO_ONEWAY_THREADED=0: run inline, answer nothing.
			continue
		}
		if c.answer(res, err) != nil {
			return
		}
	}
}

// invokeBatch makes the calls of a batch in order, up to the first that
// fails.
func (c *serverConn) invokeBatch(obj *object, calls []Call) *BatchResult {
	br := &BatchResult{Results: make([]any, 0, len(calls))}
	for i := range calls {
		res, err := c.invoke(obj, &calls[i])
		if err != nil {
			br.Err = err
			break
		}
		br.Results = append(br.Results, res)
	}
	return br
}

// answer sends a call's result or error.
func (c *serverConn) answer(res any, err error) error {
	if err != nil {
		return c.reply(func() error { return c.codec.WriteError(c.io, err) })
	}
	return c.reply(func() error { return c.codec.WriteResult(c.io, res) })
}

func (c *serverConn) reply(write func() error) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return write()
}

// maxOnewayPending is how many oneway calls of one connection may wait for
// execution before the connection stops reading requests (back-pressure).
const maxOnewayPending = 4096

// queueOneway runs a oneway call on the connection's oneway worker: oneway
// calls execute concurrently with the calls that follow them on the
// connection (like PYRO_ONEWAY_THREADED), in the order they were sent. A
// connection has at most one worker goroutine, which exists only while
// oneway calls are pending or running.
func (c *serverConn) queueOneway(req *Request) {
	c.owMu.Lock()
	for len(c.owPending) >= maxOnewayPending {
		c.owCond.Wait()
	}
	c.owPending = append(c.owPending, req)
	c.d.metrics.Oneway(1)
	start := !c.owRunning
	c.owRunning = true
	c.owMu.Unlock()
	if start {
		c.d.wg.Add(1)
		go c.onewayWorker()
	}
}

func (c *serverConn) onewayWorker() {
	defer c.d.wg.Done()
	for {
		c.owMu.Lock()
		if len(c.owPending) == 0 {
			c.owRunning = false
			c.owPending = nil
			c.owMu.Unlock()
			return
		}
		req := c.owPending[0]
		c.owPending[0] = nil
		c.owPending = c.owPending[1:]
		c.owCond.Signal()
		c.owMu.Unlock()
		c.d.metrics.Oneway(-1)
		obj, ok := c.d.object(req.ObjectID, c.sp)
		if !ok || req.Err != nil {
			continue
		}
		obj, err := c.instance(obj)
		if err != nil {
			c.d.log.Debug("pyro daemon: oneway call failed", "method", req.Method, "err", err)
			continue
		}
		if req.Batch != nil {
			c.invokeBatch(obj, req.Batch)
			continue
		}
		if _, err := c.invoke(obj, &req.Call); err != nil {
			c.d.log.Debug("pyro daemon: oneway call failed", "method", req.Method, "err", err)
		}
	}
}
