package codec

import (
	"errors"
	"fmt"
	"strconv"
)

// Sentinel errors of encoding that mean the same in every codec. The codecs
// re-export them (pickle.ErrUnsupportedType is ErrUnsupportedType), so
// errors.Is works whichever codec's name the caller uses.
var (
	// ErrUnsupportedType: the Go value has no counterpart in the codec's
	// format (chan, func, unsafe.Pointer, error values, ...).
	ErrUnsupportedType = errors.New("unsupported Go type")
	// ErrEncodeDepth: the value nests deeper than the encoder's MaxDepth,
	// usually because of a pointer cycle through Go structs or maps.
	ErrEncodeDepth = errors.New("value nests too deeply")
	// ErrInvalidUTF8: a Go string is neither UTF-8 nor UTF-8 with encoded
	// surrogates, so Python could not read it.
	ErrInvalidUTF8 = errors.New("string is not valid UTF-8")
	// ErrLimit: the data exceeds one of the decoder's limits.
	ErrLimit = errors.New("over limit")
)

// EncodeError reports a value that could not be encoded.
type EncodeError struct {
	// Codec names the codec that failed ("pickle", "serpent"); it starts
	// the message.
	Codec string
	// Path locates the value inside the encoded one, like "[2].balance";
	// empty for the top-level value.
	Path string
	// Type is the Go type of the offending value.
	Type string
	// Err is one of the codec's sentinel errors, possibly wrapped with
	// detail.
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

// AtPath prefixes the path of an *EncodeError with elem while the error
// travels up through the containers; other errors pass unchanged.
func AtPath(err error, elem string) error {
	var ee *EncodeError
	if errors.As(err, &ee) {
		ee.Path = elem + ee.Path
	}
	return err
}

// IndexPath is the path element of item i of a sequence: "[i]".
func IndexPath(i int) string { return "[" + strconv.Itoa(i) + "]" }

// detailError is a message that unwraps to a sentinel error, so that the
// message reads naturally ("memo index 7 over limit") while errors.Is works.
type detailError struct {
	kind error
	msg  string
}

func (e *detailError) Error() string { return e.msg }
func (e *detailError) Unwrap() error { return e.kind }

// Errorf formats a message that unwraps to kind (and not to the arguments,
// unlike fmt.Errorf with %w).
func Errorf(kind error, format string, args ...any) error {
	return &detailError{kind: kind, msg: fmt.Sprintf(format, args...)}
}
