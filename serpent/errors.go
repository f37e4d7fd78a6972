package serpent

import (
	"bytes"
	"errors"
	"strconv"

	"github.com/gopyro/gopyro/internal/codec"
)

// Sentinel errors of decoding. Every error a Decoder returns is an *Error
// whose Err wraps one of these, so callers can branch with errors.Is.
var (
	// ErrSyntax: the text is not Python syntax (Python raises SyntaxError).
	ErrSyntax = errors.New("invalid syntax")
	// ErrNotLiteral: Python syntax that ast.literal_eval refuses (names,
	// calls, operators, f-strings): Python raises "malformed node or string".
	ErrNotLiteral = errors.New("not a literal")
	// ErrUnhashable: a list, dict or set as a dict key or set element.
	ErrUnhashable = errors.New("unhashable type")
	// ErrEncoding: the data is not UTF-8 or holds a NUL byte.
	ErrEncoding = errors.New("bad encoding")
	// ErrLimit: the data exceeds one of the decoder's Limits. It is the
	// ErrLimit of every codec (pickle.ErrLimit too).
	ErrLimit = codec.ErrLimit
	// ErrUnsupported: a literal Python accepts that has no value here: the
	// Ellipsis and \N{name} escapes (Go has no Unicode name table).
	ErrUnsupported = errors.New("unsupported literal")
)

// Error is a decoding error: where it happened and why.
type Error struct {
	// Offset is the byte offset in the data where the problem starts.
	Offset int
	// Line and Column are Offset as a 1-based line and byte column.
	Line, Column int
	// Err says what went wrong; it wraps one of the sentinel errors.
	Err error
}

func (e *Error) Error() string {
	return "serpent: line " + strconv.Itoa(e.Line) + " column " + strconv.Itoa(e.Column) +
		" (offset " + strconv.Itoa(e.Offset) + "): " + e.Err.Error()
}

// Unwrap returns e.Err.
func (e *Error) Unwrap() error { return e.Err }

// newError makes an *Error at offset off of data.
func newError(data []byte, off int, err error) *Error {
	off = min(max(off, 0), len(data))
	line := 1 + bytes.Count(data[:off], []byte{'\n'})
	col := off - bytes.LastIndexByte(data[:off], '\n')
	return &Error{Offset: off, Line: line, Column: col, Err: err}
}

// Sentinel errors of encoding, matched with errors.Is on an *EncodeError.
// The first three are the same errors as pickle's.
var (
	// ErrUnsupportedType: the Go value has no serpent form (chan, func,
	// unsafe.Pointer, pickle.Class, error values: exceptions are Pyro's
	// business and cross as class dicts the caller builds).
	ErrUnsupportedType = codec.ErrUnsupportedType
	// ErrEncodeDepth: the value nests deeper than the encoder's MaxDepth.
	ErrEncodeDepth = codec.ErrEncodeDepth
	// ErrInvalidUTF8: a Go string is neither UTF-8 nor UTF-8 with encoded
	// surrogates (the form the decoders give Python's lone surrogates).
	ErrInvalidUTF8 = codec.ErrInvalidUTF8
	// ErrUnsupportedValue: the value exists in Python but Python could not
	// read it back (an int over 4300 digits), or an Object is malformed.
	ErrUnsupportedValue = errors.New("value cannot be serialized")
)

// EncodeError reports a value that could not be encoded: Codec is "serpent",
// Path locates the value inside the encoded one (like "[2].balance"), Type
// is its Go type and Err wraps one of the sentinels above. It is the same
// type as pickle.EncodeError.
type EncodeError = codec.EncodeError

// encodeError is the *EncodeError of a value of Go type typ.
func encodeError(typ string, err error) *EncodeError {
	return &EncodeError{Codec: "serpent", Type: typ, Err: err}
}
