package protocol

import (
	"errors"
	"strconv"

	"github.com/gopyro/gopyro/internal/wire"
)

// Error kinds. A *FrameError carries one of these in its Kind field and
// matches it with errors.Is, so callers branch with
//
//	if errors.Is(err, protocol.ErrChecksum) { ... }
var (
	// ErrVersion: the header's protocol version is not 5.
	// Pyro replies ProtocolError('incompatible protocol version') and closes.
	ErrVersion = wire.ErrVersion
	// ErrHeader: bad magic, header size other than 18, or a negative body
	// size. Pyro replies ProtocolError('invalid header') and closes.
	ErrHeader = wire.ErrHeader
	// ErrChecksum: the CHECKSUM flag is set and the Adler-32 does not match.
	// Pyro replies ProtocolError('checksum error') and closes.
	ErrChecksum = wire.ErrChecksum
	// ErrTooLarge: the body (as sent or after decompression) exceeds
	// Options.MaxMessageSize. Nothing of an oversized body is read, so the
	// stream is out of sync: close the connection.
	ErrTooLarge = wire.ErrTooLarge
	// ErrCompression: the COMPRESSED flag is set but the body is not valid
	// zlib data. The message was consumed completely, the connection is still
	// in sync; Pyro replies a zlib.error capsule and keeps the connection.
	ErrCompression = wire.ErrCompression
	// ErrXMLPickle: the XMLPICKLE_GNOSIS flag is set; gnosis XML pickles are
	// not supported. The message was consumed completely.
	ErrXMLPickle = errors.New("XML pickle not supported")
	// ErrRefused: Options.Admit refused the message (Err is its error).
	// The message was consumed completely, the connection is in sync.
	ErrRefused = errors.New("message refused")
	// ErrClosed: the peer closed the connection cleanly before the first
	// byte of a message (errors.Is(err, io.EOF) holds as well).
	ErrClosed = wire.ErrClosed
	// ErrTruncated: the peer closed the connection in the middle of a
	// header, body or raw handshake answer.
	ErrTruncated = wire.ErrTruncated
	// ErrTimeout: a read or write missed its deadline (Options.IOTimeout or
	// the context's deadline).
	ErrTimeout = wire.ErrTimeout
	// ErrCanceled: the context was canceled during a read or write.
	ErrCanceled = wire.ErrCanceled
	// ErrConnection: any other transport failure (reset, use of a closed
	// connection, ...).
	ErrConnection = wire.ErrConnection
	// ErrHandshake: the peer broke the handshake: a challenge that is not 16
	// bytes, a CONNECT message without the "CONNECT" prefix (Pyro closes
	// without a reply), or a verdict that is neither GRANTED nor DENIED.
	ErrHandshake = errors.New("handshake failed")
	// ErrTLS: the TLS layer of a PYROSSL connection failed: the TLS
	// handshake (wrong or expired certificate, unknown CA, host name
	// mismatch, a peer that does not speak TLS) or a TLS alert from the
	// peer. Msg says which; Err is crypto/tls's error.
	ErrTLS = wire.ErrTLS
)

// FrameError is the error type of this package for everything that goes
// wrong on the wire (the same type as protocol4's and protocol5's). Msg is
// the text Pyro 3.16 uses for the same condition where one exists
// ("incompatible protocol version", "invalid header", "checksum error",
// "connection lost", the zlib.error text, ...), so the error can be
// forwarded to a Python peer unchanged. Kind is one of the Err* kinds
// above, matched with errors.Is; Err is the underlying cause (I/O, zlib or
// context error), may be nil.
type FrameError = wire.FrameError

func newError(kind error, msg string, cause error) *FrameError {
	return wire.NewError(kind, msg, cause)
}

// DenyReason is the reason code of a refused connection: the digit after
// "DENIED" in the raw handshake answer.
type DenyReason int

// Deny reason codes (Pyro.constants.DENIED_*).
const (
	DenyUnspecified   DenyReason = 0
	DenyServerTooBusy DenyReason = 1
	DenyHostBlocked   DenyReason = 2
	DenySecurity      DenyReason = 3
	// DenyInvalid marks a DENIED answer whose code is not a digit.
	DenyInvalid DenyReason = -1
)

// String returns Pyro's text for the reason ("server too busy", ...), or
// "invalid response" for a code Pyro does not know.
func (r DenyReason) String() string {
	switch r {
	case DenyUnspecified:
		return "unspecified reason"
	case DenyServerTooBusy:
		return "server too busy"
	case DenyHostBlocked:
		return "host blocked"
	case DenySecurity:
		return "security reasons"
	}
	return "invalid response"
}

// code is the single character Pyro sends after "DENIED": the first
// character of the decimal code (str(reasonCode)[0]).
func (r DenyReason) code() byte {
	return strconv.Itoa(int(r))[0]
}

func parseDenyReason(c byte) DenyReason {
	if c < '0' || c > '9' {
		return DenyInvalid
	}
	return DenyReason(c - '0')
}

// DeniedError reports a connection refused during the handshake, by the
// peer (client role) or by our Validator (server role). Error() is exactly
// the text of Pyro's ConnectionDeniedError.
type DeniedError struct {
	Reason DenyReason
}

func (e *DeniedError) Error() string { return e.Reason.String() }
