package protocol5

import "github.com/gopyro/gopyro/internal/wire"

// FrameError is the error type of this package for everything that goes
// wrong on the wire; it is the same type as protocol's and protocol4's. Msg
// is Pyro 5's text for the condition where Pyro 5 has one, which a Pyro 5
// daemon sends in a CONNECTFAIL message (marshal-serialized) when it meets
// the condition during the handshake, and raises as
// Pyro5.errors.ProtocolError otherwise. Kind is one of the Err* kinds below,
// matched with errors.Is; Err is the underlying cause, may be nil.
type FrameError = wire.FrameError

// Error kinds, the same values as protocol's and protocol4's.
var (
	// ErrVersion: the header's version is not 502: "invalid protocol
	// version: 48".
	ErrVersion = wire.ErrVersion
	// ErrHeader: the stream does not start with "PYRO" ("invalid data"), the
	// magic number is wrong ("invalid message or protocol version"), an
	// annotation chunk runs past the annotations ("annotation chunk length
	// exceeds remaining data"), an annotation id is not ASCII (Python's
	// UnicodeDecodeError text), or, when encoding, an annotation id is not 4
	// ASCII characters ("annotation identifier must be 4 ascii characters")
	// or a size does not fit its field.
	ErrHeader = wire.ErrHeader
	// ErrTooLarge: annotations plus data exceed the size limit: "message
	// too large (2147483648, max=1073741824)", before anything of them is
	// read (the stream is out of sync: close), or compressed data inflates
	// beyond the limit.
	ErrTooLarge = wire.ErrTooLarge
	// ErrCompression: FlagCompressed is set but the data is not zlib data;
	// the text is Python's zlib.error. The message was read completely.
	ErrCompression = wire.ErrCompression
	// ErrMsgType: Message.Expect found another type: "invalid msg type 4
	// received (expected: 1)".
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
	// ErrTLS: a TLS alert from the peer, on a TLS connection.
	ErrTLS = wire.ErrTLS
	// ErrConnection: any other transport failure.
	ErrConnection = wire.ErrConnection
)
