package pyjson

import (
	"github.com/gopyro/gopyro/internal/pyval"
	"github.com/gopyro/gopyro/serpent"
)

// Limits bound what a Decoder spends on one message; they are serpent's,
// shared by every Pyro 5 codec. A zero field means the serpent.DefaultLimits
// value. MaxIntDigits bounds the digits of one int (Python's int refuses
// more than 4300), MaxDepth the arrays and objects open at once.
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
	// ErrSyntax: not JSON as Python's json.loads reads it (Python raises
	// JSONDecodeError).
	ErrSyntax = serpent.ErrSyntax
	// ErrEncoding: the data is not UTF-8 or starts with a byte order mark.
	ErrEncoding = serpent.ErrEncoding
	// ErrLimit: over one of the Limits.
	ErrLimit = serpent.ErrLimit

	// ErrUnsupportedType: a Go value with no JSON form, as Pyro's json
	// serializer has none: bytes, complex numbers, frozensets.
	ErrUnsupportedType = serpent.ErrUnsupportedType
	// ErrUnsupportedValue: a value Python's json refuses too: an int of
	// more than 4300 digits, a dict key that is not a str, number, bool or
	// None.
	ErrUnsupportedValue = serpent.ErrUnsupportedValue
	// ErrInvalidUTF8: a Go string that is not UTF-8 (encoded surrogates
	// pass, written as \u escapes).
	ErrInvalidUTF8 = serpent.ErrInvalidUTF8
	// ErrEncodeDepth: the value nests deeper than Encoder.MaxDepth.
	ErrEncodeDepth = serpent.ErrEncodeDepth
)
