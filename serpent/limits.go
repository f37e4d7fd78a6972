package serpent

import "github.com/gopyro/gopyro/internal/codec"

// Limits bound what a Decoder spends on one message, so that hostile input
// fails with an ErrLimit error instead of exhausting memory or stack. A zero
// field means the DefaultLimits value for that field.
type Limits struct {
	// MaxSize bounds the length of the data in bytes.
	MaxSize int
	// MaxDepth bounds the nesting of brackets ( [ { open at once. Python's
	// parser refuses more than 200 ("too many nested parentheses") and
	// serpent's writer refuses to nest deeper, so 200 is the default.
	MaxDepth int
	// MaxContainerLen bounds the items of one tuple, list, dict or set.
	MaxContainerLen int
	// MaxStringLen bounds the decoded length in bytes of one str or bytes
	// (adjacent literals joined).
	MaxStringLen int
	// MaxIntDigits bounds the digits of one int literal. Python refuses
	// decimal ints of more than 4300 digits (sys.int_info
	// default_max_str_digits); the default matches it, and applies to hex,
	// octal and binary digits too.
	MaxIntDigits int
}

// DefaultLimits are used for zero fields of a Decoder's Limits. They admit
// what Pyro peers send (Pyro 5's own limit on a message is 1 GiB; a 10 MB
// bytes value is 13.4 MB of base64 text) while bounding what a hostile peer
// can make a decoder allocate.
var DefaultLimits = Limits{
	MaxSize:         256 << 20,
	MaxDepth:        200,
	MaxContainerLen: 1 << 24,
	MaxStringLen:    128 << 20,
	MaxIntDigits:    4300,
}

// withDefaults returns l with zero fields set from DefaultLimits.
func (l Limits) withDefaults() Limits { return codec.WithDefaults(l, DefaultLimits) }
