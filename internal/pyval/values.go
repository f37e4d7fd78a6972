package pyval

import (
	"math"
	"math/big"
	"time"

	"github.com/gopyro/gopyro/pickle"
)

// Hashable reports whether Python could hash the decoded value k, so that
// it may be a dict key or set element (and pickle.Dict can hold it): None,
// bools, numbers, str, bytes, datetimes (time.Time), frozensets and tuples of those. Lists, dicts
// and sets are not; depth bounds the tuple nesting looked into (deeper
// counts as unhashable; the decoders' depth limit is lower anyway).
func Hashable(k any, depth int) bool {
	switch x := k.(type) {
	case nil, pickle.None, bool, int64, float64, complex128, *big.Int, string, pickle.Bytes, *pickle.FrozenSet, time.Time:
		return true
	case pickle.Tuple:
		if depth <= 0 {
			return false
		}
		for _, e := range x {
			if !Hashable(e, depth-1) {
				return false
			}
		}
		return true
	}
	return false
}

// Dedup drops the items equal (by Python's rules: 1 == 1.0 == True) to an
// earlier one, as building a Python set does; the items must be Hashable.
func Dedup(items []any) []any {
	if len(items) < 2 {
		return items
	}
	seen := pickle.NewDict()
	out := items[:0]
	for _, x := range items {
		if _, dup := seen.Get_(x); !dup {
			seen.Set(x, nil)
			out = append(out, x)
		}
	}
	clear(items[len(out):])
	return out
}

// pythonNaN is the bits of Python's float('nan'); Go's math.NaN() has a
// payload bit set that Python's does not.
const pythonNaN = 0x7ff8000000000000

// FloatBits is math.Float64bits with every NaN written as Python's NaN (its
// sign kept), so that the binary codecs write NaN as Python does.
func FloatBits(f float64) uint64 {
	if f != f {
		return pythonNaN | math.Float64bits(f)&(1<<63)
	}
	return math.Float64bits(f)
}
