package protocol4

import (
	"errors"

	"github.com/gopyro/gopyro/internal/wire"
)

// FrameError is the error type of this package for everything that goes
// wrong on the wire; it is the same type as protocol's and protocol5's. Msg
// is Pyro4's text for the condition where Pyro4 has one, which a Pyro4
// daemon sends in a CONNECTFAIL message when it meets the condition during
// the handshake. Kind is one of the Err* kinds below, matched with
// errors.Is; Err is the underlying cause, may be nil.
type FrameError = wire.FrameError

// Error kinds, the same values as protocol's and protocol5's, and
// ErrSecurity of this package.
var (
	// ErrVersion: the header starts with "PYRO" but its version is not 48:
	// "invalid data or unsupported protocol version".
	ErrVersion = wire.ErrVersion
	// ErrHeader: the stream does not start with "PYRO" (the text of
	// ErrVersion), the data length is negative, an annotation chunk runs
	// past the annotations, an annotation id is not ASCII, or, when
	// encoding, an annotation id is not 4 ASCII characters ("annotation key
	// must be of length 4") or a size does not fit its field.
	ErrHeader = wire.ErrHeader
	// ErrChecksum: the header checksum is wrong: "header checksum
	// mismatch".
	ErrChecksum = wire.ErrChecksum
	// ErrTooLarge: annotations plus data exceed the size limit: "max
	// message size exceeded (N where max=M)", before anything of them is
	// read (the stream is out of sync: close, as Pyro4 does), or
	// compressed data inflates beyond the limit.
	ErrTooLarge = wire.ErrTooLarge
	// ErrCompression: FlagCompressed is set but the data is not zlib data;
	// the text is Python's zlib.error. The message was read completely.
	ErrCompression = wire.ErrCompression
	// ErrMsgType: Message.Expect found another type: "invalid msg type 4
	// received".
	ErrMsgType = wire.ErrMsgType
	// ErrClosed: the peer closed the connection cleanly before the first
	// byte of a message (errors.Is(err, io.EOF) holds as well).
	ErrClosed = wire.ErrClosed
	// ErrTruncated: the peer closed the connection inside a message.
	ErrTruncated = wire.ErrTruncated
	// ErrTimeout: a read or write missed its deadline (Options.IOTimeout or
	// the context's deadline).
	ErrTimeout = wire.ErrTimeout
	// ErrCanceled: the context was canceled during a read or write.
	ErrCanceled = wire.ErrCanceled
	// ErrConnection: any other transport failure.
	ErrConnection = wire.ErrConnection
	// ErrSecurity: the HMAC annotation is wrong ("message hmac mismatch"),
	// or present without a key or missing with one ("hmac key config not
	// symmetric"); Pyro4 raises Pyro4.errors.SecurityError. The message was
	// read completely.
	ErrSecurity = errors.New("security error")
)
