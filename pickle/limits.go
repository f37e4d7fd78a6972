package pickle

import "github.com/gopyro/gopyro/internal/codec"

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

	// BuildPerByte, MinBuild and MaxBuild set the build budget of a pickle
	// (see Budget): the memory, in bytes, that decoding it may build.
	// Opcodes such as DUP and memo GETs let a few bytes of input build a
	// reference each, and a compressed Pyro message can carry millions of
	// them in a few kilobytes, so the budget counts what decoding builds,
	// not what it reads: every slot of the stack and the memo and every
	// item of a tuple, list, set or instance (16 bytes: an interface
	// value), every dict entry (64 bytes), every container and instance
	// made (its Go size), every byte copied into a bytearray or bytes
	// value, and every entry a BUILD sets in an existing dict. What is not
	// counted is bounded by the input itself: the one copy of the pickle
	// that decoded strings share, and scalars (at most a few bytes per
	// byte of input). A pickle over its budget fails with a *BudgetError.
	//
	// A pickle Python writes builds up to about 120 bytes per byte of
	// input (a list of empty dicts), most far less: a list of small ints
	// 16, a list of strings or instances 20 to 50.
	BuildPerByte int
	// MinBuild is the budget of every pickle, however short.
	MinBuild int
	// MaxBuild is the most any pickle may build, however long: the largest
	// list a pickle can hold is about MaxBuild/16 items.
	MaxBuild int
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
	BuildPerByte:    128,
	MinBuild:        1 << 20,
	MaxBuild:        128 << 20,
}

// withDefaults returns l with zero fields set from DefaultLimits.
func (l Limits) withDefaults() Limits { return codec.WithDefaults(l, DefaultLimits) }

// Budget returns the build budget of a pickle of n bytes: BuildPerByte*n,
// but at least MinBuild and at most MaxBuild (zero fields taking their
// DefaultLimits value). A server that decodes many messages at once can
// bound their memory by their budgets, known before decoding starts.
func (l Limits) Budget(n int) int {
	l = l.withDefaults()
	b := l.MaxBuild
	if n < l.MaxBuild/l.BuildPerByte {
		b = max(n*l.BuildPerByte, l.MinBuild)
	}
	return min(b, l.MaxBuild)
}
