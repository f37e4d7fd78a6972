package serpent

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
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
	// ErrLimit: the data exceeds one of the decoder's Limits.
	ErrLimit = errors.New("over limit")
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

// detailError is a message that unwraps to a sentinel, so that the text reads
// naturally ("unhashable type: 'list'") while errors.Is works.
type detailError struct {
	kind error
	msg  string
}

func (e *detailError) Error() string { return e.msg }
func (e *detailError) Unwrap() error { return e.kind }

func errorf(kind error, format string, args ...any) error {
	return &detailError{kind: kind, msg: fmt.Sprintf(format, args...)}
}

// Sentinel errors of encoding, matched with errors.Is on an *EncodeError.
var (
	// ErrUnsupportedType: the Go value has no serpent form (chan, func,
	// unsafe.Pointer, pickle.Class, error values: exceptions are Pyro's
	// business and cross as class dicts the caller builds).
	ErrUnsupportedType = errors.New("unsupported Go type")
	// ErrEncodeDepth: the value nests deeper than the encoder's MaxDepth.
	ErrEncodeDepth = errors.New("value nests too deeply")
	// ErrInvalidUTF8: a Go string is neither UTF-8 nor UTF-8 with encoded
	// surrogates (the form the decoders give Python's lone surrogates).
	ErrInvalidUTF8 = errors.New("string is not valid UTF-8")
	// ErrUnsupportedValue: the value exists in Python but Python could not
	// read it back (an int over 4300 digits), or an Object is malformed.
	ErrUnsupportedValue = errors.New("value cannot be serialized")
)

// EncodeError reports a value that could not be encoded.
type EncodeError struct {
	// Path locates the value inside the encoded one, like "[2].balance";
	// empty for the top-level value.
	Path string
	// Type is the Go type of the offending value.
	Type string
	// Err is one of the Err* sentinels above, possibly wrapped with detail.
	Err error
}

func (e *EncodeError) Error() string {
	at := ""
	if e.Path != "" {
		at = " at " + e.Path
	}
	return "serpent: cannot encode " + e.Type + at + ": " + e.Err.Error()
}

// Unwrap returns e.Err.
func (e *EncodeError) Unwrap() error { return e.Err }

// atPath prefixes the path of an *EncodeError with elem while the error
// travels up through the containers.
func atPath(err error, elem string) error {
	var ee *EncodeError
	if errors.As(err, &ee) {
		ee.Path = elem + ee.Path
	}
	return err
}
