package pymarshal

import (
	"github.com/gopyro/gopyro/internal/pyval"
	"github.com/gopyro/gopyro/serpent"
)

// Limits bound what a Decoder spends on one message; they are serpent's,
// shared by every Pyro 5 codec. A zero field means the serpent.DefaultLimits
// value. MaxIntDigits bounds the 15-bit digits of one int (marshal writes
// ints in binary, so there is no decimal conversion to bound), MaxDepth the
// containers open at once.
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
	// ErrSyntax: bad marshal data (unknown type code, truncated data, bad
	// sizes, bad digits, a bad reference). Python raises ValueError or
	// EOFError.
	ErrSyntax = serpent.ErrSyntax
	// ErrUnhashable: a list, dict or set as a dict key or set element.
	ErrUnhashable = serpent.ErrUnhashable
	// ErrEncoding: a str that is not UTF-8 (surrogates allowed).
	ErrEncoding = serpent.ErrEncoding
	// ErrLimit: over one of the Limits.
	ErrLimit = serpent.ErrLimit
	// ErrUnsupported: marshal data Python reads that has no value here:
	// code objects, Ellipsis, StopIteration, a tuple that contains itself.
	ErrUnsupported = serpent.ErrUnsupported

	// ErrUnsupportedType: a Go value with no marshal form here (what
	// Pyro's marshal serializer refuses too, such as datetimes).
	ErrUnsupportedType = serpent.ErrUnsupportedType
	// ErrUnsupportedValue: a value Python could not read back.
	ErrUnsupportedValue = serpent.ErrUnsupportedValue
	// ErrInvalidUTF8: a Go string that is not UTF-8 (encoded surrogates
	// pass, as marshal writes them).
	ErrInvalidUTF8 = serpent.ErrInvalidUTF8
	// ErrEncodeDepth: the value nests deeper than Encoder.MaxDepth.
	ErrEncodeDepth = serpent.ErrEncodeDepth
)
