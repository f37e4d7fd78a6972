package pymsgpack

import (
	"github.com/gopyro/gopyro/internal/pyval"
	"github.com/gopyro/gopyro/serpent"
)

// Limits bound what a Decoder spends on one message; they are serpent's,
// shared by every Pyro 5 codec. A zero field means the serpent.DefaultLimits
// value. MaxIntDigits bounds the digits of a big int (ext type 0x31,
// decimal text, which Python's int refuses beyond 4300 digits), MaxDepth
// the arrays and maps open at once.
type Limits = serpent.Limits

// Error is a decoding error: its Offset in the data and an Err wrapping one
// of the sentinels below.
type Error = pyval.DecodeError

// EncodeError reports a value Marshal cannot write: its path, Go type and
// an Err wrapping one of the encode sentinels below.
type EncodeError = pyval.EncodeError

// The sentinels are serpent's, so that callers branch the same way for
// every serializer.
var (
	// ErrSyntax: bad msgpack data (truncated, a never-used code, extra
	// data after the value, an ext type Pyro does not define or a bad ext
	// payload). Python raises ValueError, FormatError or SerializeError.
	ErrSyntax = serpent.ErrSyntax
	// ErrUnhashable: an array or map as a map key.
	ErrUnhashable = serpent.ErrUnhashable
	// ErrEncoding: a str that is not UTF-8.
	ErrEncoding = serpent.ErrEncoding
	// ErrLimit: over one of the Limits.
	ErrLimit = serpent.ErrLimit
	// ErrUnsupported: msgpack data Python reads that has no value here:
	// msgpack's own timestamp ext (-1), which Python returns as a
	// msgpack.Timestamp and Pyro never writes, and datetimes as map keys
	// (pickle.Dict cannot hold time.Time keys).
	ErrUnsupported = serpent.ErrUnsupported

	// ErrUnsupportedType: a Go value with no msgpack form, as Pyro's msgpack
	// serializer has none: frozensets.
	ErrUnsupportedType = serpent.ErrUnsupportedType
	// ErrUnsupportedValue: a value Python could not read back: an int of
	// more than 4300 digits.
	ErrUnsupportedValue = serpent.ErrUnsupportedValue
	// ErrInvalidUTF8: a Go string that is not UTF-8 (Python's msgpack
	// refuses lone surrogates both ways).
	ErrInvalidUTF8 = serpent.ErrInvalidUTF8
	// ErrEncodeDepth: the value nests deeper than Encoder.MaxDepth.
	ErrEncodeDepth = serpent.ErrEncodeDepth
)
