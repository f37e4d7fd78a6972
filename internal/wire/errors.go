package wire

import (
	"compress/flate"
	"compress/zlib"
	"context"
	"errors"
	"io"
	"net"
)

// Error kinds shared by the framing packages; each package documents which
// of its conditions carry which kind and with which Pyro text.
var (
	ErrVersion     = errors.New("incompatible protocol version")
	ErrHeader      = errors.New("invalid header")
	ErrChecksum    = errors.New("checksum error")
	ErrTooLarge    = errors.New("message too large")
	ErrCompression = errors.New("decompression failed")
	ErrClosed      = errors.New("connection closed")
	ErrTruncated   = errors.New("connection lost")
	ErrTimeout     = errors.New("connection timeout")
	ErrCanceled    = errors.New("canceled")
	ErrConnection  = errors.New("connection error")
	ErrTLS         = errors.New("TLS failed")
	ErrMsgType     = errors.New("invalid msg type")
)

// FrameError is the error type of the framing packages for everything
// that goes wrong on the wire. Msg is the text Pyro uses for the same
// condition where one exists, so the error can be forwarded to a Python
// peer unchanged.
type FrameError struct {
	Kind error  // one of the Err* kinds
	Msg  string // Pyro's text, returned by Error()
	Err  error  // underlying cause (I/O, zlib or context error), may be nil
}

func (e *FrameError) Error() string { return e.Msg }

// Is reports whether target is e's Kind.
func (e *FrameError) Is(target error) bool { return target == e.Kind }

// Unwrap returns the underlying cause.
func (e *FrameError) Unwrap() error { return e.Err }

// NewError returns a *FrameError.
func NewError(kind error, msg string, cause error) *FrameError {
	return &FrameError{Kind: kind, Msg: msg, Err: cause}
}

// ZlibError converts a Go zlib/flate error into ErrCompression with the text
// Python's zlib.decompress gives for the same defect.
func ZlibError(err error) *FrameError {
	var corrupt flate.CorruptInputError
	msg := "Error -3 while decompressing data: invalid data"
	switch {
	case errors.Is(err, zlib.ErrHeader):
		msg = "Error -3 while decompressing data: incorrect header check"
	case errors.Is(err, zlib.ErrChecksum):
		msg = "Error -3 while decompressing data: incorrect data check"
	case errors.Is(err, zlib.ErrDictionary):
		msg = "Error 2 while decompressing data"
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		msg = "Error -5 while decompressing data: incomplete or truncated stream"
	case errors.As(err, &corrupt):
		msg = "Error -3 while decompressing data: invalid data"
	}
	return NewError(ErrCompression, msg, err)
}

// ContextError converts a context's error: ErrTimeout for its deadline,
// ErrCanceled otherwise.
func ContextError(err error, read bool) *FrameError {
	if errors.Is(err, context.DeadlineExceeded) {
		return NewError(ErrTimeout, TimeoutText(read), err)
	}
	return NewError(ErrCanceled, "canceled", err)
}

// TimeoutText is Pyro's text for a timed-out read or write.
func TimeoutText(read bool) string {
	if read {
		return "connection timeout receiving"
	}
	return "connection timeout sending"
}

// TLSAlertError classifies a TLS alert received from the peer (for example
// a server that rejects our client certificate after a TLS 1.3 handshake
// looked complete), or returns nil.
func TLSAlertError(err error) *FrameError {
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Op == "remote error" {
		return NewError(ErrTLS, "TLS: the peer refused the connection: "+oe.Err.Error(), err)
	}
	return nil
}
