package wire

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"time"
)

// Deadlines arms the read and write deadlines of a connection for each I/O
// step (a header, a body, a raw answer): the earlier of IOTimeout from the
// start of the step and the context's deadline; cancelling the context
// interrupts blocked I/O. The zero value is not usable: use NewDeadlines.
type Deadlines struct {
	nc      net.Conn
	timeout time.Duration

	// the deadlines armed on nc by Arm
	readDL, writeDL armed
	born            time.Time // when d was made, with its monotonic reading
}

// armed is a deadline set on the connection; idle tells it was IOTimeout
// from some moment (not a context's deadline); the zero armed is unknown
// (never set, or set by someone else since).
type armed struct {
	at          time.Time
	idle, valid bool
}

// NewDeadlines returns the deadlines of nc with the given idle timeout (0:
// none besides the contexts').
func NewDeadlines(nc net.Conn, timeout time.Duration) Deadlines {
	return Deadlines{nc: nc, timeout: timeout, born: time.Now()}
}

// Forget makes the next I/O set its deadline whatever it was: something
// other than Arm may have changed it.
func (d *Deadlines) Forget() { d.readDL, d.writeDL = armed{}, armed{} }

// longAgo is a deadline in the past: setting it makes blocked I/O return.
var longAgo = time.Unix(1, 0)

// Watch makes cancellation of ctx interrupt the read (or write) side of the
// connection until stop is called. It fails at once if ctx is already done.
func (d *Deadlines) Watch(ctx context.Context, read bool) (stop func(), err error) {
	if err := ctx.Err(); err != nil {
		return nil, ContextError(err, read)
	}
	if ctx.Done() == nil {
		return func() {}, nil
	}
	fired := make(chan struct{})
	unregister := context.AfterFunc(ctx, func() {
		defer close(fired)
		if read {
			_ = d.nc.SetReadDeadline(longAgo)
		} else {
			_ = d.nc.SetWriteDeadline(longAgo)
		}
	})
	return func() {
		if !unregister() {
			// The callback ran or is running: wait for it so that its
			// deadline cannot clobber the next operation's.
			<-fired
			if read {
				d.readDL = armed{}
			} else {
				d.writeDL = armed{}
			}
		}
	}, nil
}

// Arm sets the deadline of one I/O step: the earlier of IOTimeout from now
// and the context's deadline. It must be called after Watch; it re-checks
// ctx so that a cancellation racing with it is not lost.
func (d *Deadlines) Arm(ctx context.Context, read bool) error {
	var dl time.Time
	idle := false
	if d.timeout > 0 {
		dl, idle = d.now().Add(d.timeout), true
	}
	if c, ok := ctx.Deadline(); ok && (dl.IsZero() || c.Before(dl)) {
		dl, idle = c, false
	}
	cur := &d.writeDL
	if read {
		cur = &d.readDL
	}
	if !d.keep(*cur, dl, idle) {
		var err error
		if read {
			err = d.nc.SetReadDeadline(dl)
		} else {
			err = d.nc.SetWriteDeadline(dl)
		}
		if err != nil {
			*cur = armed{}
			return d.IOError(ctx, err, false, read)
		}
		*cur = armed{dl, idle, true}
	}
	if err := ctx.Err(); err != nil {
		return ContextError(err, read)
	}
	return nil
}

// Deadline is the earlier of IOTimeout from now and ctx's deadline (zero
// for none), for I/O that sets its own deadlines (a TLS handshake).
func (d *Deadlines) Deadline(ctx context.Context) time.Time {
	var dl time.Time
	if d.timeout > 0 {
		dl = time.Now().Add(d.timeout)
	}
	if c, ok := ctx.Deadline(); ok && (dl.IsZero() || c.Before(dl)) {
		dl = c
	}
	return dl
}

// now returns the current time from the monotonic clock alone: time.Now
// reads two clocks, time.Since one, and this runs for every message.
func (d *Deadlines) now() time.Time {
	return d.born.Add(time.Since(d.born))
}

// keep tells whether the armed deadline a can stay instead of dl: the same
// one, or both IOTimeout deadlines with a less than 1/64 of IOTimeout
// earlier. Re-arming the runtime's timer for every message of a busy
// connection costs more than the call's own decoding; an idle timeout that
// fires up to 1/64 early (0.3 s of Pyro's 20 s) changes nothing.
func (d *Deadlines) keep(a armed, dl time.Time, idle bool) bool {
	if !a.valid {
		return false
	}
	if a.at.Equal(dl) && a.idle == idle {
		return true
	}
	return idle && a.idle && !a.at.After(dl) && dl.Sub(a.at) < d.timeout/64
}

// Write runs one write step (do) under Watch and Arm; do's error is
// classified by IOError.
func (d *Deadlines) Write(ctx context.Context, do func() error) error {
	const read = false
	stop, err := d.Watch(ctx, read)
	if err != nil {
		return err
	}
	defer stop()
	if err := d.Arm(ctx, read); err != nil {
		return err
	}
	if err := do(); err != nil {
		return d.IOError(ctx, err, false, read)
	}
	return nil
}

// IOError classifies a transport error of an I/O step under ctx. atStart
// says nothing of the message had been read yet, so io.EOF is a clean close
// (ErrClosed).
func (d *Deadlines) IOError(ctx context.Context, err error, atStart, read bool) *FrameError {
	if cerr := ctx.Err(); cerr != nil {
		return ContextError(cerr, read)
	}
	return IOError(err, atStart, read)
}

// IOError classifies a transport error: ErrTimeout for a missed deadline,
// ErrClosed for io.EOF before the first byte of a message (atStart),
// ErrTruncated for an end of stream inside one, a TLS alert as ErrTLS,
// ErrConnection for anything else.
func IOError(err error, atStart, read bool) *FrameError {
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		return NewError(ErrTimeout, TimeoutText(read), err)
	case err == io.EOF && atStart:
		return NewError(ErrClosed, "connection closed", io.EOF)
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		return NewError(ErrTruncated, "connection lost", io.ErrUnexpectedEOF)
	}
	if tlsErr := TLSAlertError(err); tlsErr != nil {
		return tlsErr
	}
	return NewError(ErrConnection, "connection lost: "+err.Error(), err)
}
