package pickle

// Limits bound the resources a Decoder spends on one pickle, so that hostile
// input fails with an ErrLimit error instead of exhausting memory. A zero field
// means the DefaultLimits value for that field.
type Limits struct {
	// MaxDepth bounds nesting: the number of MARKs open at once (each
	// tuple, list, dict, set or instance under construction with MARK is one
	// level), and the nesting the decoder walks when it converts instances of
	// registered classes. Python's own pickler cannot produce pickles nested
	// deeper than its recursion limit (1000).
	MaxDepth int
	// MaxMemo bounds the number of memo entries (PUT, BINPUT, LONG_BINPUT,
	// MEMOIZE). Memo indexes may be sparse; storage grows with the number
	// of entries, never with the size of an index.
	MaxMemo int
	// MaxStringLen bounds the length in bytes of one str, unicode, bytes or
	// bytearray, and of one text line (protocol 0 arguments).
	MaxStringLen int
	// MaxContainerLen bounds the number of items of one tuple, list, dict,
	// set or frozenset, and the number of items on the stack above a MARK.
	MaxContainerLen int
	// MaxBigIntBytes bounds the size of one long: the byte count of LONG1
	// and LONG4, and the digit count of LONG and INT text divided by 2.
	MaxBigIntBytes int
}

// DefaultLimits are used for zero fields of a Decoder's Limits. They admit
// every pickle real Pyro traffic carries (Pyro's echo tests send 10 MB
// strings) while bounding what a hostile peer can make a decoder allocate.
var DefaultLimits = Limits{
	MaxDepth:        1000,
	MaxMemo:         1 << 20,
	MaxStringLen:    64 << 20,
	MaxContainerLen: 1 << 24,
	MaxBigIntBytes:  64 << 10,
}

// withDefaults returns l with zero fields set from DefaultLimits.
func (l Limits) withDefaults() Limits {
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultLimits.MaxDepth
	}
	if l.MaxMemo <= 0 {
		l.MaxMemo = DefaultLimits.MaxMemo
	}
	if l.MaxStringLen <= 0 {
		l.MaxStringLen = DefaultLimits.MaxStringLen
	}
	if l.MaxContainerLen <= 0 {
		l.MaxContainerLen = DefaultLimits.MaxContainerLen
	}
	if l.MaxBigIntBytes <= 0 {
		l.MaxBigIntBytes = DefaultLimits.MaxBigIntBytes
	}
	return l
}
