package pyval

import (
	"errors"
	"strconv"
)

// DecodeError is a decoding error of one of the codecs: where in the data
// it happened and why. Err wraps one of serpent's decode sentinels
// (serpent.ErrSyntax, ErrLimit, ErrUnhashable, ErrEncoding, ErrUnsupported),
// which the codecs re-export, so that callers branch with errors.Is the
// same way for every serializer.
type DecodeError struct {
	// Codec names the serializer: "json", "marshal" or "msgpack".
	Codec string
	// Offset is the byte offset in the data where the problem starts.
	Offset int
	// Err says what went wrong.
	Err error
}

func (e *DecodeError) Error() string {
	return e.Codec + ": offset " + strconv.Itoa(e.Offset) + ": " + e.Err.Error()
}

// Unwrap returns e.Err.
func (e *DecodeError) Unwrap() error { return e.Err }

// EncodeError reports a value that could not be encoded.
type EncodeError struct {
	// Codec names the serializer.
	Codec string
	// Path locates the value inside the encoded one, like `[2]["f"]`;
	// empty for the top-level value.
	Path string
	// Type is the Go type of the offending value.
	Type string
	// Err wraps one of serpent's encode sentinels (serpent.ErrUnsupportedType,
	// ErrUnsupportedValue, ErrInvalidUTF8, ErrEncodeDepth).
	Err error
}

func (e *EncodeError) Error() string {
	at := ""
	if e.Path != "" {
		at = " at " + e.Path
	}
	return e.Codec + ": cannot encode " + e.Type + at + ": " + e.Err.Error()
}

// Unwrap returns e.Err.
func (e *EncodeError) Unwrap() error { return e.Err }

func asEncodeError(err error, ee **EncodeError) bool { return errors.As(err, ee) }

// atPath prefixes the path of an *EncodeError with elem while the error
// travels up through the containers.
func atPath(err error, elem string) error {
	var ee *EncodeError
	if errors.As(err, &ee) {
		ee.Path = elem + ee.Path
	}
	return err
}
